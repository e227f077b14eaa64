# numpy's eigvals on the feedback benchmark matrices written by
# `cargo run --release --example bench_feedback` (target/feedback-bench/S_<n>.f64).
#   python bench/feedback_numpy.py 500 1000 2000
# Prints tab-separated rows: n, solver, median s, reps, checksum (Σ re + Σ |im|).
import sys, time
import numpy as np

sizes = [int(a) for a in sys.argv[1:]] or [500, 1000, 2000]
print(f"# numpy {np.__version__}")
print("n\tsolver\tmedian s\treps\tchecksum")
for n in sizes:
    a = np.fromfile(f"target/feedback-bench/S_{n}.f64", dtype="<f8").reshape(n, n)
    reps = 5 if n <= 500 else 3
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        ev = np.linalg.eigvals(a)
        ts.append(time.perf_counter() - t)
    ts.sort()
    c = ev.real.sum() + np.abs(ev.imag).sum()
    print(f"{n}\tnumpy\t{ts[reps // 2]:.4f}\t{reps}\t{c:e}")
