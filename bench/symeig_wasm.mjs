// The symmetric eigensolver's benchmark in Node (docs/benchmarks.md,
// `cargo xtask bench symeig`), with the wasm build in www/pkg
// (`cargo xtask build`): the same solvers, matrices and checksums as
// examples/bench_symeig.rs.
//   node bench/symeig_wasm.mjs [1000,2000,4000] [solver,solver]
// Reps 3 up to n = 1000, else 1. The matrix set-up (a "setup" call) is
// subtracted. Prints the same rows as the native runner.
import { performance } from 'node:perf_hooks';
import { loadWasm } from './wasm_node.mjs';

const sizes = (process.argv[2] || '1000,2000,4000').split(',').map(Number);
const glue = await loadWasm('www/pkg', 'bench_symeig');
const solvers = (process.argv[3] || 'nalgebra-values,nalgebra-vectors').split(',');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = (fn) => { const t = performance.now(); const out = fn(); return [(performance.now() - t) / 1000, out]; };
// Shortest round-trip form, as Rust's `{:e}` prints it (1.5e3, 2.884061099915209e5).
const exp = (x) => x.toExponential().replace('e+', 'e');
console.log(`# wasm in Node ${process.version}`);
console.log('n\tsolver\tmedian s\treps\tchecksum');
glue.bench_symeig(50, 1, solvers[0]); // warm-up
for (const n of sizes) {
  const reps = n <= 1000 ? 3 : 1;
  const setup = median([0, 1, 2].map(() => time(() => glue.bench_symeig(n, 1, 'setup'))[0]));
  for (const solver of solvers) {
    const ts = []; let c = NaN;
    for (let r = 0; r < reps; r++) { const [t, out] = time(() => glue.bench_symeig(n, 1, solver)); ts.push(t - setup); c = out; }
    console.log(`${n}\t${solver}\t${median(ts).toFixed(4)}\t${reps}\t${exp(c)}`);
  }
}
