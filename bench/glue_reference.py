"""A plain reference of GLUE's cost (issue 19, docs/benchmarks.md): the
method written from its formulas (src/metrics/capacity/glue.rs, the
module doc), with cvxopt's general QP solver for the joint QP of each
sample, numpy for the rest. Not part of the tests.

    python bench/glue_reference.py DATA.csv [--nt 200] [--seed 0]
        [--points 50] [--labels random|balanced|one_vs_rest]
        [--centre none|global]

DATA.csv: one row per point, the manifold index then the features
(written by `cargo run --release --example bench_glue -- --write-data DIR`).
Prints the seconds spent in the analysis (wall, then this process's CPU
time) and its results. Its random
draws are numpy's, not ours, so its numbers agree with the Rust ones
within Monte Carlo error, not bit for bit.

Per sample: labels y, t ~ N(0, I_N); the QP
    min_v ½‖v − t‖²  s.t.  −y_μ⟨x, v⟩ ≤ 0  for every point x of manifold μ
(cvxopt.solvers.qp with P = I, q = −t, G = the signed points, h = 0); its
duals λ give the anchors s_μ = Σ_i λ_i x_i / Σ_i λ_i of the manifolds
with Σ_i λ_i > 1e-8 max λ. Then s_μ0 (the mean over the samples where μ is
active), s_μ1 = s_μ − s_μ0, and a, b, c with pseudo-inverses cutting
eigenvalues below 1e-10 × the largest of S Sᵀ; α = P/E[a], D = E[b]/P,
R = √(E[c]/E[b − c]), Ψ = E[c]/E[a].
"""
import sys
import time

import numpy as np
from cvxopt import matrix, solvers

solvers.options["show_progress"] = False
# Tight tolerances: the duals of inactive constraints must fall far below
# the 1e-8 activity threshold.
solvers.options["abstol"] = 1e-12
solvers.options["reltol"] = 1e-12
solvers.options["feastol"] = 1e-12
solvers.options["maxiters"] = 200


def parse(argv):
    opts = {"nt": 200, "seed": 0, "points": 50, "labels": "random", "centre": "none"}
    path = argv[1]
    rest = argv[2:]
    for i in range(0, len(rest), 2):
        key = rest[i].lstrip("-")
        if key not in opts:
            sys.exit(f"unknown option {rest[i]}")
        opts[key] = type(opts[key])(rest[i + 1])
    return path, opts


def draw_labels(rng, p, rule):
    if rule == "random":
        return rng.choice([-1.0, 1.0], size=p)
    if rule == "balanced":
        y = -np.ones(p)
        y[rng.permutation(p)[: p // 2]] = 1.0
        return y if rng.random() < 0.5 else -y
    y = -np.ones(p)
    y[rng.integers(p)] = 1.0
    return y


def pinv_quadratic(m, q, cutoff):
    w, u = np.linalg.eigh(m)
    keep = w > cutoff
    uq = u[:, keep].T @ q
    return float(np.sum(uq * uq / w[keep]))


def glue(manifolds, nt, seed, rule):
    rng = np.random.default_rng(seed)
    p = len(manifolds)
    n = manifolds[0].shape[1]
    owner = np.concatenate([np.full(len(x), mu) for mu, x in enumerate(manifolds)])
    points = np.vstack(manifolds)  # m × N
    samples = []
    for _ in range(nt):
        y = draw_labels(rng, p, rule)
        t = rng.standard_normal(n)
        g = -(y[owner])[:, None] * points
        sol = solvers.qp(matrix(np.eye(n)), matrix(-t), matrix(g), matrix(np.zeros(len(points))))
        lam = np.array(sol["z"]).ravel()
        v = np.array(sol["x"]).ravel()
        top = lam.max()
        anchors = {}
        for mu in range(p):
            sel = owner == mu
            total = lam[sel].sum()
            if total > 1e-8 * top:
                anchors[mu] = lam[sel] @ points[sel] / total
        samples.append((t, anchors, float((t - v) @ (t - v))))
    centres = {}
    for mu in range(p):
        got = [a[mu] for _, a, _ in samples if mu in a]
        if got:
            centres[mu] = np.mean(got, axis=0)
    a_s, b_s, c_s, gaps = [], [], [], []
    for t, anchors, a_kkt in samples:
        active = sorted(anchors)
        if not active:
            a_s.append(0.0), b_s.append(0.0), c_s.append(0.0)
            continue
        s = np.array([anchors[mu] for mu in active])
        s0 = np.array([centres[mu] for mu in active])
        s1 = s - s0
        g = s @ s.T
        cutoff = 1e-10 * np.linalg.eigvalsh(g).max()
        a = pinv_quadratic(g, s @ t, cutoff)
        b = pinv_quadratic(s1 @ s1.T, s1 @ t, cutoff)
        c = pinv_quadratic(s0 @ s0.T + s1 @ s1.T, s1 @ t, cutoff)
        a_s.append(a), b_s.append(b), c_s.append(c), gaps.append(abs(a - a_kkt))
    ma, mb, mc = np.mean(a_s), np.mean(b_s), np.mean(c_s)
    mbc = np.mean(np.array(b_s) - np.array(c_s))
    return {
        "capacity": p / ma,
        "radius": float(np.sqrt(mc / mbc)) if mbc > 0 else float("nan"),
        "dimension": mb / p,
        "utility": mc / ma,
        "kkt_gap": max(gaps) if gaps else 0.0,
    }


def main():
    path, o = parse(sys.argv)
    raw = np.loadtxt(path, delimiter=",")
    labels = raw[:, 0].astype(int)
    manifolds = [raw[labels == mu, 1:] for mu in range(labels.max() + 1)]
    if o["centre"] == "global":
        mean = np.vstack(manifolds).mean(axis=0)
        manifolds = [x - mean for x in manifolds]
    rng = np.random.default_rng(o["seed"] + 1)
    manifolds = [
        x if len(x) <= o["points"] else x[np.sort(rng.choice(len(x), o["points"], replace=False))]
        for x in manifolds
    ]
    t0, c0 = time.perf_counter(), time.process_time()
    r = glue(manifolds, o["nt"], o["seed"], o["labels"])
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(
        f"{path}\t{dt:.3f} s\t{cpu:.3f} s CPU\tα {r['capacity']:.6f}\tR {r['radius']:.6f}\tD {r['dimension']:.4f}"
        f"\tΨ {r['utility']:.4f}\tmax |a − ‖t − v‖²| {r['kkt_gap']:.2e}",
        flush=True,
    )


if __name__ == "__main__":
    main()
