"""Bad input raises ValueError with the CLI's message: never pyo3's
PanicException, never a crash; Ctrl-C interrupts a long call."""

import _thread
import threading
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import neurogeom
from neurogeom.compat.mftma import manifold_analysis_corr


def test_wrong_shapes():
    with pytest.raises(ValueError, match="2-D"):
        neurogeom.mftma(np.zeros(10), np.zeros(10))
    with pytest.raises(ValueError, match="labels for"):
        neurogeom.mftma(np.zeros((10, 3)), np.zeros(9))
    with pytest.raises(ValueError, match="same samples"):
        neurogeom.cka(np.ones((5, 2)), np.ones((4, 2)))
    with pytest.raises(ValueError, match="real numbers"):
        neurogeom.participation_ratio(np.array([["a", "b"]]))


def test_nan_one_class_small_class_name_the_problem(cli, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 5))
    y = np.repeat([0, 1], 10)
    Xn = X.copy()
    Xn[4, 2] = np.nan
    cases = [(Xn, y), (X, np.zeros(20)), (X, np.r_[np.zeros(19), 1])]
    for data, labels in cases:
        with pytest.raises(ValueError) as e:
            neurogeom.analyze(data, labels, progress=False)
        # The CLI says the same on the same file, and exits with status 2.
        path = tmp_path / "bad.npz"
        np.savez(path, X=data, y=labels)
        out = cli("analyze", path, "--json", check=False)
        assert out.returncode == 2
        assert str(e.value) in out.stderr
    # Dropping the NaN row, as --drop-nonfinite, goes on.
    assert neurogeom.analyze(Xn, y, drop_nonfinite=True, progress=False)["hash"]


def test_bad_options():
    X = np.random.default_rng(0).normal(size=(20, 5))
    y = np.repeat([0, 1], 10)
    with pytest.raises(ValueError, match="n_t"):
        neurogeom.mftma(X, y, n_t=0)
    with pytest.raises(ValueError, match="kappa"):
        neurogeom.mftma(X, y, kappa=float("nan"))
    with pytest.raises(ValueError, match="t_vecs"):
        manifold_analysis_corr([X[:10].T, X[10:].T], 0, 50, t_vecs=[1])
    with pytest.raises(ValueError, match="feature"):
        manifold_analysis_corr([X[:10].T, X[10:, :3].T], 0, 50)


values = st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=64), st.just(0.0), st.just(1.0))


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    X=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=7), elements=values),
    labels=st.lists(st.one_of(st.integers(0, 3), st.sampled_from(["a", "b", "c"])), max_size=10),
)
def test_any_input_gives_a_result_or_a_value_error(X, labels):
    """Random shapes, NaN and inf, mixed labels: every function answers or
    raises ValueError (hypothesis reports anything else, PanicException
    included, as a failure)."""
    y = np.array(labels) if labels else np.array([], dtype=float)
    calls = [
        lambda: neurogeom.mftma(X, y, n_t=5, restarts=1, progress=False),
        lambda: neurogeom.analyze(X, y, n_t=5, progress=False),
        lambda: neurogeom.alignment(X, y),
        lambda: neurogeom.neural_collapse(X, y),
        lambda: neurogeom.simulated_capacity(X, y, repetitions=2),
        lambda: neurogeom.participation_ratio(X),
        lambda: neurogeom.cka(X, X),
    ]
    for call in calls:
        try:
            call()
        except ValueError:
            pass


def test_ctrl_c_interrupts_a_long_call():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(2000, 300))
    y = np.repeat(np.arange(20), 100)
    timer = threading.Timer(0.5, _thread.interrupt_main)
    t0 = time.perf_counter()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        neurogeom.mftma(X, y, n_t=2000, progress=False)
    assert time.perf_counter() - t0 < 20


def test_ctrl_c_interrupts_a_run():
    timer = threading.Timer(0.5, _thread.interrupt_main)
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        neurogeom.run("#v=1&lab=lazy-rich&width=256&steps=100000", progress=False)
