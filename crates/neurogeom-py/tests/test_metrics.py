"""Each function against the CLI's numbers on the same file (bit for bit:
the arithmetic is the same code), and against independent computations in
numpy (closed forms)."""

import json

import numpy as np
import pytest

import neurogeom


def metric(report, key):
    return next(m["value"] for m in report["metrics"] if m["key"] == key)


def test_analyze_file_equals_cli(cli, clouds_file, cli_report):
    py = neurogeom.analyze(clouds_file, simulated=True, progress=False)
    assert py["hash"] == cli_report["hash"]
    # The whole report, but the version (the CLI's build may be newer).
    for key in ("metrics", "layers", "manifolds", "charts", "settings", "file", "layout"):
        assert py[key] == cli_report[key], key


def test_analyze_arrays_equals_cli(clouds, cli_report):
    X, y, _ = clouds
    py = neurogeom.analyze(X, y, simulated=True, progress=False)
    assert py["hash"] == cli_report["hash"]
    assert py["metrics"] == cli_report["metrics"]
    assert py["layers"][0]["metrics"] == cli_report["layers"][0]["metrics"]


def test_analyze_layers_equals_cli(cli, clouds, layers_file):
    X, y, H = clouds
    report = json.loads(cli("analyze", layers_file, "--json").stdout)
    assert [l["name"] for l in report["layers"]] == ["layer_0", "layer_1"]
    py = neurogeom.analyze([X, H], y, progress=False)
    assert py["hash"] == report["hash"]
    assert py["layers"] == report["layers"]
    # cka(): the off-diagonal of the CLI's CKA heatmap, bit for bit.
    chart = next(c for c in report["charts"] if c["id"] == "cka")
    assert neurogeom.cka(X, H) == chart["body"]["values"][1]


def test_mftma_equals_cli(clouds, cli_report):
    X, y, _ = clouds
    m = neurogeom.mftma(X, y, progress=False)
    layer = cli_report["layers"][0]["metrics"]
    assert m.capacity == layer["capacity"]
    assert m.radius == layer["radius"]
    assert m.dimension == layer["dimension"]
    assert m.center_correlation == layer["center_correlation"]
    assert m.K == layer["K"]
    man = cli_report["manifolds"]
    assert m.classes == man["class"] == ["0", "1", "2", "3"]
    assert m.manifold_capacity.tolist() == man["capacity"]
    assert m.manifold_radius.tolist() == man["radius"]
    assert m.manifold_dimension.tolist() == man["dimension"]
    # α = 1/mean(1/α_μ), R and D are means over manifolds.
    assert m.capacity == pytest.approx(1 / np.mean(1 / m.manifold_capacity), rel=1e-12)
    assert m.radius == pytest.approx(np.mean(m.manifold_radius), rel=1e-12)


def test_mftma_seed_and_kappa_reach_the_core(clouds, cli, clouds_file):
    X, y, _ = clouds
    report = json.loads(cli("analyze", clouds_file, "--json", "--seed", 5, "--kappa", 0.2, "--n-t", 100).stdout)
    m = neurogeom.mftma(X, y, seed=5, kappa=0.2, n_t=100, progress=False)
    assert m.capacity == report["layers"][0]["metrics"]["capacity"]
    assert m.capacity != neurogeom.mftma(X, y, seed=6, kappa=0.2, n_t=100, progress=False).capacity


def test_alignment_pr_collapse_simulated_equal_cli(clouds, cli_report):
    X, y, _ = clouds
    layer = cli_report["layers"][0]["metrics"]
    a = neurogeom.alignment(X, y)
    assert a.center_alignment == layer["center_alignment"]
    assert a.axis_alignment == layer["axis_alignment"]
    assert a.center_axis_alignment == layer["center_axis_alignment"]
    assert neurogeom.participation_ratio(X) == layer["participation_ratio"]
    assert neurogeom.pcs_for_variance(X, 0.9) == layer["pcs_90"]
    nc = neurogeom.neural_collapse(X, y)
    assert nc.nc1 == layer["nc1"]
    assert nc.nc2_equinorm == layer["nc2_equinorm"]
    assert nc.nc2_equiangular == layer["nc2_equiangular"]
    s = neurogeom.simulated_capacity(X, y)
    assert s.capacity == layer["simulated_capacity"]
    assert s.capacity == pytest.approx(4 / s.critical_dim, rel=1e-12)


def test_participation_ratio_closed_form(clouds):
    X, _, _ = clouds
    lam = np.linalg.eigvalsh(np.cov(X, rowvar=False))
    assert neurogeom.participation_ratio(X) == pytest.approx(lam.sum() ** 2 / (lam**2).sum(), rel=1e-10)
    # Isotropic in k dimensions: PR = k exactly (rows ±e_i).
    k = 6
    E = np.vstack([np.eye(k), -np.eye(k)])
    assert neurogeom.participation_ratio(E) == pytest.approx(k, rel=1e-12)


def test_cka_closed_form_and_invariances(clouds):
    X, _, H = clouds

    def cka_np(A, B):
        A = A - A.mean(0)
        B = B - B.mean(0)
        return np.linalg.norm(B.T @ A) ** 2 / (np.linalg.norm(A.T @ A) * np.linalg.norm(B.T @ B))

    assert neurogeom.cka(X, H) == pytest.approx(cka_np(X, H), rel=1e-10)
    assert neurogeom.cka(X, X) == pytest.approx(1.0, rel=1e-12)
    Q, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(40, 40)))
    assert neurogeom.cka(X, 3.0 * X @ Q) == pytest.approx(1.0, rel=1e-10)


def test_collapse_closed_form():
    # Simplex class means, no within-class spread: NC1 = 0, NC2 = 0.
    C = 4
    M = np.eye(C) - 1.0 / C
    X = np.repeat(M, 5, axis=0)
    y = np.repeat(np.arange(C), 5)
    nc = neurogeom.neural_collapse(X, y)
    assert nc.nc1 == pytest.approx(0.0, abs=1e-12)
    assert nc.nc2_equinorm == pytest.approx(0.0, abs=1e-12)
    assert nc.nc2_equiangular == pytest.approx(0.0, abs=1e-12)


def test_string_labels_same_as_numbers_and_as_cli_csv(cli, clouds, tmp_path):
    X, y, _ = clouds
    names = np.array(["ant", "bee", "cow", "dog"])
    words = names[y]  # numpy <U3, in the same order as 0..3
    assert words.dtype.kind == "U"
    by_number = neurogeom.analyze(X, y, progress=False)
    by_word = neurogeom.analyze(X, words, progress=False)
    assert by_word["hash"] == by_number["hash"]
    assert by_word["manifolds"]["class"] == ["ant", "bee", "cow", "dog"]
    assert neurogeom.mftma(X, list(words), progress=False).classes == ["ant", "bee", "cow", "dog"]
    assert neurogeom.analyze(X, words.astype("S"), progress=False)["hash"] == by_number["hash"]
    # A CSV with a column of words: `neurogeom analyze` gives the same hash.
    path = tmp_path / "words.csv"
    with open(path, "w") as f:
        f.write(",".join([f"f{j}" for j in range(X.shape[1])] + ["label"]) + "\n")
        for row, w in zip(X, words):
            f.write(",".join(repr(float(v)) for v in row) + "," + w + "\n")
    report = json.loads(cli("analyze", path, "--json").stdout)
    assert report["hash"] == by_word["hash"]
    assert report["manifolds"]["class"] == ["ant", "bee", "cow", "dog"]
    # numpy string arrays as files: a labels .npy, and `y` in an .npz.
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "words.npy", words)
    report = json.loads(cli("analyze", tmp_path / "X.npy", "--labels", tmp_path / "words.npy", "--json").stdout)
    assert report["hash"] == by_word["hash"]
    np.savez(tmp_path / "words.npz", X=X, y=words)
    report = json.loads(cli("analyze", tmp_path / "words.npz", "--json").stdout)
    assert report["hash"] == by_word["hash"]
    assert neurogeom.analyze(tmp_path / "words.npz", progress=False)["hash"] == by_word["hash"]


def test_progress_callback_sees_every_unit(clouds):
    X, y, _ = clouds
    seen = []
    neurogeom.mftma(X, y, progress=lambda d, t, s: seen.append((d, t, s)))
    assert seen, "the callback was never called"
    assert seen[-1][0] == seen[-1][1]
    assert [d for d, _, _ in seen] == sorted(d for d, _, _ in seen)


def test_glue_equals_cli(clouds, cli, clouds_file):
    X, y, _ = clouds
    args = ["--glue", "--glue-n-t", 60, "--glue-points", 20, "--glue-labels", "balanced", "--glue-centre", "global", "--seed", 3]
    report = json.loads(cli("analyze", clouds_file, "--json", *args).stdout)
    layer = report["layers"][0]["metrics"]
    g = neurogeom.glue(X, y, n_t=60, points=20, labels="balanced", centre="global", seed=3, progress=False)
    for key in ["capacity", "capacity_se", "radius", "dimension", "utility", "center_alignment", "axis_alignment", "center_axis_alignment"]:
        assert getattr(g, key) == layer[f"glue_{key}"], key
    assert g.classes == ["0", "1", "2", "3"]
    # The exact split of the capacity (arXiv 2603.01879, B.3).
    assert g.capacity == pytest.approx(g.utility * (1 + g.radius**-2) / g.dimension, rel=1e-12)
    with pytest.raises(ValueError, match="labels must be"):
        neurogeom.glue(X, y, labels="half", progress=False)
