"""Time the published MFTMA (neural_manifolds_replicaMFT,
`manifold_analysis_corr`) on the capacity benchmark's data, for
docs/benchmarks.md. Not part of the tests.

    python bench/capacity_reference.py DATA.csv [--nt 300] [--reps 1]

DATA.csv: one row per point, the manifold index then the features (written
by `cargo run --release --example bench_capacity -- --write-data DIR`).
The published package pins numpy 1.17 / pymanopt 0.2.4 / scipy 1.2; with a
current scipy, pymanopt 0.2.4 only needs `scipy.misc.comb`, restored below
from `scipy.special.comb` (the same function).
"""
import sys
import time

import numpy as np
import scipy.misc
import scipy.special

scipy.misc.comb = scipy.special.comb  # removed from scipy.misc in scipy 1.3

from mftma.manifold_analysis_correlation import manifold_analysis_corr  # noqa: E402


def main():
    path = sys.argv[1]
    n_t = 300
    reps = 1
    args = sys.argv[2:]
    for i in range(0, len(args), 2):
        if args[i] == "--nt":
            n_t = int(args[i + 1])
        elif args[i] == "--reps":
            reps = int(args[i + 1])
    raw = np.loadtxt(path, delimiter=",")
    labels = raw[:, 0].astype(int)
    X = [raw[labels == mu, 1:].T for mu in range(labels.max() + 1)]  # N x M each
    for rep in range(reps):
        np.random.seed(rep)
        t0 = time.perf_counter()
        a, r, d, rho, k = manifold_analysis_corr(X, 0, n_t)
        dt = time.perf_counter() - t0
        cap = 1 / np.mean(1 / a)
        print(f"{path}\t{dt:.3f}\t{cap:.6f}\t{np.mean(r):.6f}\t{np.mean(d):.4f}\t{rho:.4f}\t{k}", flush=True)


if __name__ == "__main__":
    main()
