"""numpy's equivalent of each non-MFTMA analysis of `neurogeom analyze`, for
`cargo xtask bench analyze` (docs/benchmarks.md, "Your data at scale").

    python bench/analyze_numpy.py write DIR P M N    # DIR/X.npy (P·M × N, f8), DIR/y.npy
    python bench/analyze_numpy.py time DIR [REPS]    # one tab-separated row per analysis

The data: P Gaussian clouds of M points in N dimensions, x = c_p + 0.5·g/√N
around centres c_p = g'/√N (seed 0), rows grouped by class.

Each timing is the median of REPS runs (default 3) of the same work as ours:
- load: np.load of X and y;
- moment, eigvalsh, eigh: the parts of the dimensionality (centre and form
  the second moment; the symmetric eigensolver on it, without and with
  eigenvectors);
- dimensionality: centre, covariance (X_cᵀX_c, or the Gram X_cX_cᵀ when
  there are fewer samples than features) and eigvalsh; participation ratio
  and PCs for 90% of the variance;
- pca: the same second moment, eigh, and the scores on the top 2 axes;
- collapse: class means, within-class scatter Σ_W, Σ_B from the centred
  means, NC1 = Tr(Σ_W Σ_B⁺)/C with the top C − 1 singular pairs, and the
  means' NC2;
- alignment: per class the top-5 principal axes (eigh of the class's Gram or
  covariance), the centred centres, and the three pairwise means;
- rdm: 1 − corrcoef of the class means;
- cka: linear CKA between X and tanh(X) (the feature form), the second
  representation made in the same way on our side.
Prints rows `P×M×N<TAB>analysis<TAB>median seconds<TAB>min<TAB>max<TAB>median
CPU seconds` (every thread: OpenBLAS's threads count, their spinning too).
"""
import sys
import time

import numpy as np


def write(d, p, m, n):
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((p, n)) / np.sqrt(n)
    x = np.repeat(centres, m, axis=0) + 0.5 * rng.standard_normal((p * m, n)) / np.sqrt(n)
    np.save(f"{d}/X.npy", x)
    np.save(f"{d}/y.npy", np.repeat(np.arange(p), m))


def moment(xc):
    n, d = xc.shape
    return xc @ xc.T if n < d else xc.T @ xc


def dimensionality(x):
    xc = x - x.mean(axis=0)
    lam = np.clip(np.linalg.eigvalsh(moment(xc))[::-1], 0, None)
    pr = lam.sum() ** 2 / (lam ** 2).sum()
    pcs = int(np.argmax(np.cumsum(lam) >= 0.9 * lam.sum()) + 1)
    return pr, pcs


def pca(x):
    xc = x - x.mean(axis=0)
    n, d = xc.shape
    lam, v = np.linalg.eigh(moment(xc))
    top = v[:, ::-1][:, :2]
    if n < d:
        return top * np.sqrt(np.clip(lam[::-1][:2], 0, None))
    return xc @ top


def collapse(x, y, c):
    means = np.stack([x[y == k].mean(axis=0) for k in range(c)])
    mg = means.mean(axis=0)
    mt = (means - mg).T  # d × C
    r = x - means[y]
    sw = r.T @ r / x.shape[0]
    u, s, _ = np.linalg.svd(mt, full_matrices=False)
    u, s = u[:, : c - 1], s[: c - 1]
    sb_pinv = (u / (s ** 2 / c)) @ u.T
    nc1 = np.trace(sw @ sb_pinv) / c
    norms = np.linalg.norm(mt, axis=0)
    equinorm = norms.std(ddof=1) / norms.mean()
    g = (mt.T @ mt) / np.outer(norms, norms)
    off = ~np.eye(c, dtype=bool)
    equiangular = np.abs(g[off] + 1 / (c - 1)).mean()
    return nc1, equinorm, equiangular


def axes(xk, k=5):
    yc = xk - xk.mean(axis=0)
    m, n = yc.shape
    if m < n:
        lam, w = np.linalg.eigh(yc @ yc.T)
        lam, w = lam[::-1][:k], w[:, ::-1][:, :k]
        return (yc.T @ w) / np.sqrt(lam)
    lam, v = np.linalg.eigh(yc.T @ yc)
    return v[:, ::-1][:, :k]


def alignment(x, y, c):
    a = [axes(x[y == k]) for k in range(c)]
    cent = np.stack([x[y == k].mean(axis=0) for k in range(c)])
    u = cent - cent.mean(axis=0)
    un = u / np.linalg.norm(u, axis=1, keepdims=True)
    off = ~np.eye(c, dtype=bool)
    centre = np.abs(un @ un.T)[off].mean()
    ax = np.array([[np.sum((a[i].T @ a[j]) ** 2) / 5 for j in range(c)] for i in range(c)])[off].mean()
    ca = np.array(
        [[np.sum((a[j].T @ u[i]) ** 2) / (u[i] @ u[i]) for j in range(c)] for i in range(c)]
    )[off].mean()
    return centre, ax, ca


def rdm(x, y, c):
    means = np.stack([x[y == k].mean(axis=0) for k in range(c)])
    return 1 - np.corrcoef(means)


def cka(x, z):
    xc = x - x.mean(axis=0)
    zc = z - z.mean(axis=0)
    cross = np.linalg.norm(zc.T @ xc) ** 2
    return cross / (np.linalg.norm(xc.T @ xc) * np.linalg.norm(zc.T @ zc))


def timed(f, reps):
    ts, cs = [], []
    for _ in range(reps):
        t, c = time.perf_counter(), time.process_time()
        f()
        ts.append(time.perf_counter() - t)
        cs.append(time.process_time() - c)
    ts.sort()
    cs.sort()
    return ts[len(ts) // 2], ts[0], ts[-1], cs[len(cs) // 2]


def main():
    if sys.argv[1] == "write":
        d, p, m, n = sys.argv[2], *map(int, sys.argv[3:6])
        write(d, p, m, n)
        return
    d = sys.argv[2]
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    load = lambda: (np.load(f"{d}/X.npy"), np.load(f"{d}/y.npy"))
    x, y = load()
    c = int(y.max()) + 1
    size = f"{c}×{x.shape[0] // c}×{x.shape[1]}"
    z = np.tanh(x)
    mom = moment(x - x.mean(axis=0))
    for name, f in [
        ("load", load),
        ("moment", lambda: moment(x - x.mean(axis=0))),
        ("eigvalsh", lambda: np.linalg.eigvalsh(mom)),
        ("eigh", lambda: np.linalg.eigh(mom)),
        ("dimensionality", lambda: dimensionality(x)),
        ("pca", lambda: pca(x)),
        ("collapse", lambda: collapse(x, y, c)),
        ("alignment", lambda: alignment(x, y, c)),
        ("rdm", lambda: rdm(x, y, c)),
        ("cka", lambda: cka(x, z)),
    ]:
        med, lo, hi, cpu = timed(f, reps)
        print(f"{size}\t{name}\t{med:.4f}\t{lo:.4f}\t{hi:.4f}\t{cpu:.2f}", flush=True)


if __name__ == "__main__":
    main()
