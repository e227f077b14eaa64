"""NeuroGeom for Python: the geometry of neural representations from numpy.

The numbers come from NeuroGeom's Rust core, the same code that runs the
page (WebAssembly) and the ``neurogeom`` command line, so every function here
gives the CLI's numbers bit for bit, and :func:`analyze`, :func:`run` and
:func:`sweep` give its result hashes.

Conventions shared by every function:

- ``X`` is samples × features (numpy's layout), any real dtype; it is
  copied to C-contiguous float64.
- ``y`` holds one label per row: numbers (int, float, bool) or text
  (numpy ``<U``/``S`` arrays, lists of ``str``). Classes are ordered as the
  CLI orders them: numeric labels by value, text labels lexicographically.
  Each class is one manifold.
- Bad input (wrong shapes, NaN, one class, a class of one point) raises
  :class:`ValueError` with the CLI's message.
- Long calls (:func:`mftma`, :func:`analyze`, :func:`run`, :func:`sweep`)
  release the GIL, take an optional ``progress(done, total, stage)``
  callback, show a tqdm bar when tqdm is installed and the session is
  interactive (``progress=False`` turns it off), and stop on Ctrl-C
  (KeyboardInterrupt) within one chunk of work.

Papers: Chung, Lee & Sompolinsky, PRX 8, 031003 (2018) for MFTMA; Cohen,
Chung, Lee & Sompolinsky, Nat Commun 11, 746 (2020) for centre correlations,
alignments and simulated capacity; Gao et al. (2017) for the participation
ratio; Kornblith et al., ICML 2019 for CKA; Papyan, Han & Donoho, PNAS 117
(2020) for neural collapse.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from . import _core

__version__: str = _core.__version__

__all__ = [
    "Mftma",
    "Glue",
    "Alignment",
    "NeuralCollapse",
    "SimulatedCapacity",
    "mftma",
    "glue",
    "analyze",
    "alignment",
    "participation_ratio",
    "pcs_for_variance",
    "cka",
    "neural_collapse",
    "simulated_capacity",
    "run",
    "labs",
    "sweep",
    "merge",
    "digits",
    "__version__",
]

Progress = Union[None, bool, Callable[[int, int, str], Any]]


# ---------------------------------------------------------------- helpers


def _matrix(X: Any, what: str = "X") -> np.ndarray:
    a = np.asarray(X)
    if a.dtype.kind not in "biuf":
        raise ValueError(
            f"{what} must hold real numbers (samples × features); got dtype {a.dtype}"
        )
    if a.ndim != 2:
        raise ValueError(
            f"{what} must be 2-D, samples × features; got shape {a.shape}"
        )
    if a.shape[0] == 0 or a.shape[1] == 0:
        raise ValueError(f"{what} is empty (shape {a.shape}); give samples × features")
    return np.ascontiguousarray(a, dtype=np.float64)


def _labels(y: Any, rows: int) -> Tuple[Optional[np.ndarray], Optional[List[str]]]:
    """Labels as the core takes them: float64 numbers, or texts."""
    a = np.asarray(y)
    if a.ndim == 2 and a.shape[1] == 1:
        a = a[:, 0]
    if a.ndim != 1:
        raise ValueError(
            f"labels are one value per row (a 1-D array); got shape {a.shape}"
        )
    if a.shape[0] != rows:
        raise ValueError(
            f"{a.shape[0]} labels for {rows} rows of data; they must match one to one"
        )
    if a.dtype.kind in "biuf":
        numbers = np.ascontiguousarray(a, dtype=np.float64)
        if not np.all(np.isfinite(numbers)):
            raise ValueError("labels hold NaN or infinite values")
        return numbers, None
    if a.dtype.kind == "S":
        return None, [v.decode("utf-8", "replace") for v in a.tolist()]
    if a.dtype.kind in "UO":
        return None, [str(v) for v in a.tolist()]
    raise ValueError(f"labels must be numbers or text; got dtype {a.dtype}")


def _interactive() -> bool:
    try:
        from IPython import get_ipython  # type: ignore

        if get_ipython() is not None:
            return True
    except Exception:
        pass
    return hasattr(sys, "ps1") or (sys.stderr is not None and sys.stderr.isatty())


class _Bar:
    """The progress callback handed to the core: the user's, or a tqdm bar."""

    def __init__(self, progress: Progress, what: str):
        self.user = progress if callable(progress) else None
        self.bar = None
        if progress is None and _interactive():
            try:
                from tqdm.auto import tqdm  # type: ignore

                self.bar = tqdm(desc=what, unit="unit", leave=False)
            except ImportError:
                self.bar = None

    def __call__(self, done: int, total: int, stage: str) -> None:
        if self.user is not None:
            self.user(done, total, stage)
        if self.bar is not None:
            self.bar.total = total
            self.bar.n = done
            self.bar.set_postfix_str(stage, refresh=False)
            self.bar.refresh()

    def callback(self) -> Optional[Callable[[int, int, str], None]]:
        return self if (self.user is not None or self.bar is not None) else None

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _with_progress(progress: Progress, what: str, call: Callable[[Any], Any]) -> Any:
    bar = _Bar(progress, what)
    try:
        return call(bar.callback())
    finally:
        bar.close()


# ---------------------------------------------------------------- MFTMA


@dataclass(frozen=True)
class Mftma:
    """MFTMA results (Chung, Lee & Sompolinsky 2018; Cohen et al. 2020).

    Aggregates: ``capacity`` α = 1/mean_μ(1/α_μ); ``radius`` and
    ``dimension`` the means of R_M and D_M over manifolds;
    ``center_correlation`` ρ_c, the mean |cos| between the globally centred
    class centres; ``K`` the rank of the centres' shared structure removed
    before the per-manifold analysis; ``residual_correlation`` the mean
    |correlation| left after removing it.

    Per manifold (one per class, in the order of ``classes``):
    ``manifold_capacity`` α_M, ``manifold_radius`` R_M (in units of the
    centre's norm), ``manifold_dimension`` D_M, ``center_norm`` and
    ``touching_fraction`` (share of the Gaussian samples whose anchor lies
    on the manifold's boundary).
    """

    capacity: float
    radius: float
    dimension: float
    center_correlation: float
    K: int
    residual_correlation: float
    classes: List[str]
    manifold_capacity: np.ndarray = field(repr=False)
    manifold_radius: np.ndarray = field(repr=False)
    manifold_dimension: np.ndarray = field(repr=False)
    center_norm: np.ndarray = field(repr=False)
    touching_fraction: np.ndarray = field(repr=False)

    def as_dict(self) -> Dict[str, Any]:
        """The results as a dict of floats and numpy arrays."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _mftma_from_tuple(classes: List[str], t: tuple) -> Mftma:
    return Mftma(
        capacity=t[0],
        radius=t[1],
        dimension=t[2],
        center_correlation=t[3],
        K=t[4],
        residual_correlation=t[5],
        classes=list(classes),
        manifold_capacity=np.array(t[6]),
        manifold_radius=np.array(t[7]),
        manifold_dimension=np.array(t[8]),
        center_norm=np.array(t[9]),
        touching_fraction=np.array(t[10]),
    )


def mftma(
    X: Any,
    y: Any,
    *,
    kappa: float = 0.0,
    n_t: int = 300,
    seed: int = 0,
    restarts: int = 10,
    progress: Progress = None,
) -> Mftma:
    """Mean-field theoretic manifold analysis of X, one manifold per class.

    The method is the published one (replicaMFT's
    ``manifold_analysis_corr``; Chung, Lee & Sompolinsky, PRX 2018; Cohen,
    Chung, Lee & Sompolinsky, Nat Commun 2020):

    1. centre all points on their global mean;
    2. find an orthonormal V (K columns) removing the class centres' shared
       low-rank structure (Stiefel CG, ``restarts`` random starts per K);
       ρ_c is the mean |cos| between centres;
    3. per manifold, project out V, subtract the centre and scale by its norm,
       append a coordinate 1;
    4. for ``n_t`` Gaussian t, the anchor point s̃(t) of the QP
       min ‖v − t‖² s.t. v·s + κ ≤ 0 for every point s;
    5. α_M = 1/mean_t[max(t·s̃ + κ, 0)²/‖s̃‖²],
       R_M = sqrt(mean_t ‖δs̃/s̃₀‖²), D_M = D·(mean_t t̂·ŝ)².

    Args:
        X: samples × features.
        y: one label per row (numbers or text).
        kappa: the margin κ.
        n_t: Gaussian samples per manifold (papers use 200–300).
        seed: seed of every random draw (ChaCha8): the same seed gives the
            same bits here, in ``neurogeom analyze --seed`` and on the page.
        restarts: random restarts per K of the centre search (10, as
            published; ``neurogeom analyze`` uses 10).
        progress: ``progress(done, total, stage)`` callback, ``False`` for
            none, or ``None`` for a tqdm bar when interactive.

    Returns:
        :class:`Mftma`; with the defaults its numbers are those of
        ``neurogeom analyze`` on the same data.

    Raises:
        ValueError: fewer than 2 classes, a class with fewer than 2 points,
            NaN or infinite values, bad shapes or options.
    """
    x = _matrix(X)
    numbers, texts = _labels(y, x.shape[0])
    classes, t = _with_progress(
        progress,
        "MFTMA",
        lambda cb: _core.mftma(x, numbers, texts, float(kappa), int(n_t), int(seed), int(restarts), cb),
    )
    return _mftma_from_tuple(classes, t)


@dataclass(frozen=True)
class Glue:
    """GLUE results (Chou, Kim, Arend, …, Chung, bioRxiv 2024; Chou, Le, Wang
    & Chung, ICML 2025, Algorithm 2): the capacity of the class manifolds
    with their correlations, and its exact split α = Ψ(1 + R⁻²)/D.

    ``capacity`` α = P/E[a], a = (St)ᵀ(SSᵀ)⁺(St) = ‖t − v*‖² (v* the joint
    QP's solution for labels y and t ~ N(0, I)), with its Monte Carlo
    standard error ``capacity_se``; ``radius`` R = √(E[c]/E[b − c]),
    ``dimension`` D = E[b]/P and ``utility`` Ψ = E[c]/E[a] from the anchors'
    axis parts; ``center_alignment``, ``axis_alignment`` and
    ``center_axis_alignment`` are mean absolute cosines between the anchor
    centres and axis parts of different classes. ``notes`` says what the
    user should know (e.g. a large share of samples with non-unique duals,
    where R, D and Ψ depend on the solver's choice and α does not).
    """

    capacity: float
    capacity_se: float
    radius: float
    dimension: float
    utility: float
    center_alignment: float
    axis_alignment: float
    center_axis_alignment: float
    classes: List[str]
    notes: List[str] = field(default_factory=list)


def glue(
    X: Any,
    y: Any,
    *,
    n_t: int = 200,
    points: int = 50,
    labels: str = "random",
    centre: str = "none",
    seed: int = 0,
    progress: Progress = None,
) -> Glue:
    """GLUE of X, one manifold per class: the capacity and effective geometry
    of correlated manifolds, from one joint quadratic program per sample.

    Per sample: t ~ N(0, I_N) and labels y ∈ {±1}^P; v* = argmin ‖v − t‖²
    subject to y_μ⟨v, x⟩ ≥ 0 for every point x of every manifold μ; each
    active manifold's anchor s^μ = Σ λ x / Σ λ (its duals λ). Over samples,
    s₀^μ = E[s^μ], s₁^μ = s^μ − s₀^μ, and

    - a = (St)ᵀ(SSᵀ)⁺(St), b = (S₁t)ᵀ(S₁S₁ᵀ)⁺(S₁t),
      c = (S₁t)ᵀ(S₀S₀ᵀ + S₁S₁ᵀ)⁺(S₁t);
    - α = P/E[a], D = E[b]/P, R = √(E[c]/E[b − c]), Ψ = E[c]/E[a].

    Args:
        X: samples × features.
        y: one label per row (numbers or text).
        n_t: Gaussian samples (t, y); the error of α falls as 1/√n_t.
        points: at most this many points per class (a seeded subsample, as
            the lab's own code uses 50).
        labels: ``"random"`` (independent fair signs), ``"balanced"`` (half
            the classes +1) or ``"one_vs_rest"``.
        centre: ``"none"`` (the data as given: a component shared by every
            class counts as structure) or ``"global"`` (minus the mean of all
            points first). The two differ a great deal when class centres
            share a component: say which you used.
        seed: seed of every draw; the same as ``neurogeom analyze --seed``.
        progress: ``progress(done, total, stage)``, ``False`` or ``None``.

    Returns:
        :class:`Glue`; its numbers are those of ``neurogeom analyze --glue``
        with the same settings (``--glue-n-t``, ``--glue-points``,
        ``--glue-labels``, ``--glue-centre``, ``--seed``).

    Raises:
        ValueError: fewer than 2 classes, a class with fewer than 2 points,
            NaN or infinite values, bad shapes or options.
    """
    x = _matrix(X)
    numbers, texts = _labels(y, x.shape[0])
    classes, t = _with_progress(
        progress,
        "GLUE",
        lambda cb: _core.glue(x, numbers, texts, int(n_t), int(points), str(labels), str(centre), int(seed), cb),
    )
    return Glue(*t[:8], classes=list(classes), notes=list(t[8]))


# ---------------------------------------------------------------- analyze


_FILE_OPTIONS = ("labels", "array", "label_column", "time_window")


def analyze(
    X: Any,
    y: Any = None,
    *,
    kappa: float = 0.0,
    n_t: int = 300,
    seed: int = 0,
    mftma: bool = True,
    simulated: bool = False,
    sim_repetitions: int = 20,
    alignment: bool = True,
    collapse: bool = True,
    cka: bool = True,
    rdm: bool = True,
    pca: bool = True,
    drop_nonfinite: bool = False,
    array: Optional[str] = None,
    label_column: Optional[str] = None,
    time_window: Optional[str] = None,
    progress: Progress = None,
) -> Dict[str, Any]:
    """The analyses of "Your data", as ``neurogeom analyze --json``.

    Per layer: MFTMA (capacity, radius, dimension, centre correlation, K),
    simulated capacity (with ``simulated=True``), centre/axis/centre–axis
    alignment, participation ratio and PCs for 90% of the variance, NC1 and
    NC2 (Papyan et al. 2020); CKA between layers, the RDM of the class means
    and a PCA scatter as charts. The formulas are in each metric's docstring
    here and in NeuroGeom's ``src/metrics/``.

    Args:
        X: one of
            - a samples × features array (``y`` required);
            - a list of such arrays, one per layer, the same rows each
              (named ``layer_0``, ``layer_1``, …), or a dict name → array;
            - a path (``str`` or ``os.PathLike``) to a file that
              ``neurogeom analyze`` reads (``.npy``, ``.npz``, CSV/TSV),
              with ``y`` an optional path to a labels file; then the report's
              ``file`` names it and its SHA-256, as the CLI's does.
        y: labels (one per row), or a labels file with a path.
        kappa, n_t, seed: MFTMA's margin, Gaussian samples and seed
            (``--kappa``, ``--n-t``, ``--seed``).
        mftma, simulated, sim_repetitions, alignment, collapse, cka, rdm, pca:
            which analyses run (the CLI's ``--no-mftma``, ``--simulated``, …).
        drop_nonfinite: drop rows holding NaN or inf instead of refusing them.
        array, label_column, time_window: for files, as the CLI's options.
        progress: callback, ``False``, or ``None`` for a tqdm bar.

    Returns:
        The dict that ``neurogeom analyze --json`` prints: ``metrics`` (the
        last layer's), ``manifolds``, ``layers`` (every layer's metrics and
        per-class arrays), ``charts``, ``settings``, ``version`` and ``hash``,
        the result hash, equal to the CLI's and the page's on the same data
        (non-finite numbers are ``None``, as in the CLI's JSON).
    """
    settings = json.dumps(
        {
            "mftma": bool(mftma),
            "kappa": float(kappa),
            "n_t": int(n_t),
            "simulated": bool(simulated),
            "sim_repetitions": int(sim_repetitions),
            "alignment": bool(alignment),
            "dimensionality": True,
            "collapse": bool(collapse),
            "cka": bool(cka),
            "rdm": bool(rdm),
            "pca": bool(pca),
            "seed": int(seed),
        }
    )
    if isinstance(X, (str, os.PathLike)):
        path = os.fspath(X)
        with open(path, "rb") as f:
            data = f.read()
        labels = None
        if y is not None:
            if not isinstance(y, (str, os.PathLike)):
                raise ValueError("with a data file, give the labels as a file path too")
            with open(os.fspath(y), "rb") as f:
                labels = (os.path.basename(os.fspath(y)), f.read())
        text = _with_progress(
            progress,
            "analyze",
            lambda cb: _core.analyze_file(
                os.path.basename(path), data, labels, settings, array,
                label_column, time_window, bool(drop_nonfinite), cb,
            ),
        )
        return json.loads(text)
    if isinstance(X, Mapping):
        layers = [(str(k), _matrix(v, f"layer '{k}'")) for k, v in X.items()]
    elif isinstance(X, (list, tuple)):
        layers = [(f"layer_{i}", _matrix(v, f"layer_{i}")) for i, v in enumerate(X)]
    else:
        layers = [("X", _matrix(X))]
    if not layers:
        raise ValueError("no data: give at least one samples × features array")
    if y is None:
        raise ValueError("give the labels: one per row of X")
    numbers, texts = _labels(y, layers[0][1].shape[0])
    text = _with_progress(
        progress,
        "analyze",
        lambda cb: _core.analyze_arrays(layers, numbers, texts, settings, bool(drop_nonfinite), cb),
    )
    return json.loads(text)


# ---------------------------------------------------------------- metrics


@dataclass(frozen=True)
class Alignment:
    """Centre, axis and centre–axis alignment (Cohen et al. 2020).

    ``center_alignment``: mean over pairs of classes of |cos(u_μ, u_ν)|, u
    the globally centred class centre. ``axis_alignment``: mean over pairs of
    ‖A_μᵀA_ν‖²_F / k, A the top-k principal axes of each class.
    ``center_axis_alignment``: mean over ordered pairs of
    ‖A_νᵀu_μ‖²/‖u_μ‖².
    """

    center_alignment: float
    axis_alignment: float
    center_axis_alignment: float
    classes: List[str]


def alignment(X: Any, y: Any, *, axes: int = 5) -> Alignment:
    """Centre, axis and centre–axis alignment of the class manifolds.

    Cohen, Chung, Lee & Sompolinsky, Nat Commun 2020. ``axes`` principal
    axes per class (5, as ``neurogeom analyze``). See :class:`Alignment`
    for the formulas.
    """
    x = _matrix(X)
    numbers, texts = _labels(y, x.shape[0])
    classes, c, a, ca = _core.alignment(x, numbers, texts, int(axes))
    return Alignment(c, a, ca, list(classes))


def participation_ratio(X: Any) -> float:
    """Participation ratio (Σλ)²/Σλ² of the covariance of X's rows.

    λ are the eigenvalues of the covariance of the centred rows (Gao et al.
    2017, "A theory of multineuronal dimensionality"). It lies between 1 (one
    direction holds all the variance) and min(samples − 1, features)
    (isotropic). NaN when every row is equal.
    """
    return _core.participation_ratio(_matrix(X), 0.9)[0]


def pcs_for_variance(X: Any, fraction: float = 0.9) -> int:
    """Fewest principal components of X's centred rows holding at least
    ``fraction`` of the variance."""
    return _core.participation_ratio(_matrix(X), float(fraction))[1]


def cka(X: Any, Y: Any) -> float:
    """Linear CKA between two representations of the same samples.

    CKA(X, Y) = ‖YᵀX‖²_F / (‖XᵀX‖_F ‖YᵀY‖_F), columns centred (Kornblith,
    Norouzi, Lee & Hinton, ICML 2019). In [0, 1]; invariant to orthogonal
    transforms and isotropic scaling of either side; 1 for X against itself.
    """
    return _core.cka(_matrix(X, "X"), _matrix(Y, "Y"))


@dataclass(frozen=True)
class NeuralCollapse:
    """Neural collapse of a representation (Papyan, Han & Donoho 2020).

    ``nc1`` = Tr(Σ_W Σ_B⁺)/C: within-class covariance against the pseudo-
    inverse of the class means' covariance, over C classes (→ 0 in collapse).
    ``nc2_equinorm`` = std/mean of the globally centred class means' norms.
    ``nc2_equiangular`` = mean over pairs of |cos(μ_c, μ_c') + 1/(C − 1)|.
    Both NC2 are undefined (NaN) with 2 classes.
    """

    nc1: float
    nc2_equinorm: float
    nc2_equiangular: float
    classes: List[str]


def neural_collapse(X: Any, y: Any) -> NeuralCollapse:
    """NC1 and the class means' NC2, as ``neurogeom analyze`` reports them.

    See :class:`NeuralCollapse` for the formulas. NC3/NC4 need a classifier
    and are not computed here.
    """
    x = _matrix(X)
    numbers, texts = _labels(y, x.shape[0])
    classes, nc1, eqn, eqa = _core.neural_collapse(x, numbers, texts)
    return NeuralCollapse(nc1, eqn, eqa, list(classes))


@dataclass(frozen=True)
class SimulatedCapacity:
    """Simulated capacity α_sim = P/N_c (Cohen et al. 2020).

    N_c is the projection dimension at which half of random dichotomies of
    the P manifolds (each point keeps its manifold's ±1 label), projected on
    a random N_c-dimensional subspace, are exactly linearly separable
    (interpolated between the dimensions tried). ``curve`` lists every
    (dimension, separable fraction) evaluated.
    """

    capacity: float
    critical_dim: float
    curve: List[Tuple[int, float]]
    classes: List[str]


def simulated_capacity(X: Any, y: Any, *, repetitions: int = 20, seed: int = 0) -> SimulatedCapacity:
    """Simulated capacity of the class manifolds: α_sim = P/N_c.

    ``repetitions`` random dichotomies (each with its own projection) per
    dimension, 20 as ``neurogeom analyze --simulated``; ``seed`` as its
    ``--seed``. See :class:`SimulatedCapacity`.
    """
    x = _matrix(X)
    numbers, texts = _labels(y, x.shape[0])
    classes, cap, nc, curve = _core.simulated_capacity(x, numbers, texts, int(repetitions), int(seed))
    return SimulatedCapacity(cap, nc, [(int(n), float(f)) for n, f in curve], list(classes))


# ---------------------------------------------------------------- runs and sweeps


def run(link: str, *, lenient: bool = False, progress: Progress = None) -> Dict[str, Any]:
    """Run a link to its end: the snapshot of ``neurogeom run LINK --json``.

    ``link`` is a page link or its fragment (``#v=1&lab=lazy-rich&...``). The
    dict has ``hash``, the result hash, equal to the CLI's and the page's;
    ``metrics``, ``charts``, ``link`` (with ``ng=``), ``warnings`` and
    ``version``. A link with problems (unknown keys, values out of range)
    raises ValueError listing them, unless ``lenient``, which runs with the
    values each warning names, as the page does.
    """
    text = _with_progress(progress, "run", lambda cb: _core.run(str(link), bool(lenient), cb))
    return json.loads(text)


def labs() -> List[Dict[str, Any]]:
    """Every lab: name, title, summary, parameters (ranges, defaults, help)
    and presets (each a fragment to give :func:`run`)."""
    return json.loads(_core.labs())


def sweep(
    link: str,
    shard: Optional[str] = None,
    *,
    sweep: Optional[str] = None,
    seeds: Optional[int] = None,
    threads: Optional[int] = None,
    lenient: bool = False,
    progress: Progress = None,
) -> List[Dict[str, Any]]:
    """Run a link's sweep: the JSON lines of ``neurogeom sweep``, as dicts.

    One dict per run (``run``, the axis values, ``seed``, ``hash``,
    ``metrics``, ``point``), in run order, then the summary: for the whole
    sweep its ``hash``, equal to the CLI's and the page's; with
    ``shard="I/N"`` (every N-th run from run I) a shard summary to give
    :func:`merge`. ``sweep`` and ``seeds`` override the link's, as
    ``--sweep`` and ``--seeds``; ``threads`` defaults to every core.
    """
    lines = _with_progress(
        progress,
        "sweep",
        lambda cb: _core.sweep(
            str(link), sweep, None if seeds is None else int(seeds), shard,
            None if threads is None else int(threads), bool(lenient), cb,
        ),
    )
    return [json.loads(line) for line in lines]


def merge(parts: Sequence[Any]) -> Dict[str, Any]:
    """Merge a sharded sweep: the summary line of ``neurogeom merge``.

    ``parts``: each shard's output, as returned by :func:`sweep` (a list of
    dicts), as the text of its JSON lines, or as a path to a ``.jsonl`` file.
    Returns the summary (``hash`` equal to the unsharded sweep's) with the
    whole sweep's snapshot under ``snapshot``. Refuses shards of another
    sweep, a shard given twice or missing, and a shard cut short.
    """
    texts: List[Tuple[str, str]] = []
    for i, p in enumerate(parts):
        if isinstance(p, os.PathLike) or (isinstance(p, str) and "\n" not in p and os.path.exists(p)):
            with open(os.fspath(p), encoding="utf-8") as f:
                texts.append((os.fspath(p), f.read()))
        elif isinstance(p, str):
            texts.append((f"part {i}", p))
        else:
            texts.append((f"part {i}", "\n".join(json.dumps(line) for line in p)))
    summary, snapshot = _core.merge(texts)
    out = json.loads(summary)
    out["snapshot"] = json.loads(snapshot)
    return out


def digits() -> Tuple[np.ndarray, np.ndarray]:
    """The UCI handwritten digits that the capacity lab trains on.

    1,797 images of 8 × 8 pixels, grey levels 0..16, and their digit (0–9):
    ``(X, y)`` with X of shape (1797, 64), each row an image row by row.
    Alpaydin & Kaynak (1998), Optical Recognition of Handwritten Digits, UCI
    Machine Learning Repository, CC BY 4.0 (the copy scikit-learn ships).
    """
    values, labels = _core.digits()
    return np.array(values, dtype=np.float64).reshape(-1, 64), np.array(labels, dtype=np.int64)
