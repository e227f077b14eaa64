# numpy's eigvalsh and eigh on the symmetric-eigensolver benchmark matrices
# written by `cargo run --release --example bench_symeig`
# (target/symeig-bench/A_<n>.f64).
#   python bench/symeig_numpy.py [n ...] [--reps R]
# Set OPENBLAS_NUM_THREADS (and OMP_NUM_THREADS) before starting Python to
# fix the thread count; the header line says what was set.
# Prints tab-separated rows: n, solver, median wall s, median CPU s (all
# threads of the process), reps, checksum (Σ (i+1)·λ_i ascending, + Σ |V_ij|
# for eigh: as src/metrics/eigen/symmetric/bench.rs).
import os, sys, time
import numpy as np

args = sys.argv[1:]
reps_flag = None
if "--reps" in args:
    i = args.index("--reps")
    reps_flag = int(args[i + 1])
    del args[i : i + 2]
sizes = [int(a) for a in args] or [1000, 2000, 4000]
threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
print(f"# numpy {np.__version__}, OPENBLAS_NUM_THREADS={threads}")
print("n\tsolver\tmedian s\tcpu s\treps\tchecksum")
label = "" if threads == "default" else f"-{threads}t"
for n in sizes:
    a = np.fromfile(f"target/symeig-bench/A_{n}.f64", dtype="<f8").reshape(n, n)
    reps = reps_flag or (3 if n <= 1000 else 1)
    w = np.arange(1, n + 1, dtype=np.float64)
    for name, fn in [("eigvalsh", lambda: (np.linalg.eigvalsh(a), None)), ("eigh", lambda: np.linalg.eigh(a))]:
        ts, cs = [], []
        for _ in range(reps):
            c0 = time.process_time()
            t0 = time.perf_counter()
            vals, vecs = fn()
            ts.append(time.perf_counter() - t0)
            cs.append(time.process_time() - c0)
        ts.sort()
        cs.sort()
        c = float(np.sum(w * np.sort(vals)))
        if vecs is not None:
            c += float(np.abs(vecs).sum())
        print(f"{n}\tnumpy-{name}{label}\t{ts[reps // 2]:.4f}\t{cs[reps // 2]:.4f}\t{reps}\t{c!r}")
