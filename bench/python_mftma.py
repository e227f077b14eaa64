"""neurogeom.mftma against the published manifold_analysis_corr in one
Python process, on the capacity benchmark's data (P = 50 manifolds × M = 100
points, N = 500, n_t = 300, κ = 0), for docs/benchmarks.md. Not part of the
tests; `cargo xtask bench python --reference PYTHON` runs it.

    PYTHON bench/python_mftma.py DIR [--reps N] [--reference-reps N]

DIR holds points.csv and spheres.csv (one row per point: the manifold
index, then the features; written by `bench_capacity --write-data`). The
interpreter must import both `neurogeom` and the published `mftma`
(neural_manifolds_replicaMFT, with pymanopt 0.2.4; see
bench/capacity_reference.py). Prints one tab-separated line per kind:
kind, then wall-clock seconds (medians) of neurogeom and of the published
code and their ratio, the same in CPU seconds of this process
(time.process_time, which the load of other processes barely changes), and
both capacities.
"""

import os
import statistics
import sys
import time

import numpy as np
import scipy.misc
import scipy.special

scipy.misc.comb = scipy.special.comb  # pymanopt 0.2.4 needs it (removed in scipy 1.3)

from mftma.manifold_analysis_correlation import manifold_analysis_corr  # noqa: E402

import neurogeom  # noqa: E402
from neurogeom.compat.mftma import manifold_analysis_corr as ng_corr  # noqa: E402


def main():
    folder = sys.argv[1]
    args = sys.argv[2:]
    reps = int(args[args.index("--reps") + 1]) if "--reps" in args else 5
    ref_reps = int(args[args.index("--reference-reps") + 1]) if "--reference-reps" in args else 1
    print(f"neurogeom {neurogeom.__version__}, numpy {np.__version__}, load {os.getloadavg()[0]:.2f}", flush=True)
    print("kind\tneurogeom_s\tpublished_s\tratio\tneurogeom_cpu_s\tpublished_cpu_s\tcpu_ratio\tneurogeom_capacity\tpublished_capacity", flush=True)
    for kind in ("points", "spheres"):
        raw = np.loadtxt(os.path.join(folder, f"{kind}.csv"), delimiter=",")
        labels = raw[:, 0].astype(int)
        X = raw[:, 1:]
        XtotT = [X[labels == mu].T for mu in range(labels.max() + 1)]  # N × M each
        ours, theirs, ours_cpu, theirs_cpu = [], [], [], []
        cap_ours = cap_theirs = None
        # Interleaved, so that a change of load hits both.
        for r in range(max(reps, ref_reps)):
            if r < reps:
                t0, c0 = time.perf_counter(), time.process_time()
                m = neurogeom.mftma(X, labels, n_t=300, seed=r, progress=False)
                ours.append(time.perf_counter() - t0)
                ours_cpu.append(time.process_time() - c0)
                cap_ours = m.capacity
            if r < ref_reps:
                np.random.seed(r)
                t0, c0 = time.perf_counter(), time.process_time()
                a, _, _, _, _ = manifold_analysis_corr(XtotT, 0, 300)
                theirs.append(time.perf_counter() - t0)
                theirs_cpu.append(time.process_time() - c0)
                cap_theirs = 1 / np.mean(1 / a)
        # The drop-in, once: the same numbers as neurogeom.mftma on the same seed.
        a2, _, _, _, _ = ng_corr(XtotT, 0, 300, seed=reps - 1)
        assert abs(1 / np.mean(1 / a2) - cap_ours) <= 1e-12 * cap_ours
        o, t = statistics.median(ours), statistics.median(theirs)
        oc, tc = statistics.median(ours_cpu), statistics.median(theirs_cpu)
        print(f"{kind}\t{o:.3f}\t{t:.3f}\t{t / o:.1f}\t{oc:.3f}\t{tc:.3f}\t{tc / oc:.1f}\t{cap_ours:.5f}\t{cap_theirs:.5f}", flush=True)
    print(f"load {os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    main()
