// The symmetric eigensolver's benchmark in Node (docs/benchmarks.md,
// `cargo xtask bench symeig`), with the wasm build in www/pkg
// (`cargo xtask build`): the same solvers, matrices and checksums as
// examples/bench_symeig.rs (checksum and bits formatted by the library, so
// equal text means equal bits).
//   node bench/symeig_wasm.mjs [1000,2000,4000] [values,vectors,nalgebra-values,nalgebra-vectors]
// Reps 3 up to n = 1000, else 1. The matrix set-up (a "setup" call) is
// subtracted. Prints the same rows as the native runner.
import { performance } from 'node:perf_hooks';
import { loadWasm } from './wasm_node.mjs';

const sizes = (process.argv[2] || '1000,2000,4000').split(',').map(Number);
const glue = await loadWasm('www/pkg', 'bench_symeig');
const solvers = (process.argv[3] || 'values,vectors').split(',');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// Wall and CPU seconds (user + system of the process) of one call.
const time = (fn) => {
  const c = process.cpuUsage();
  const t = performance.now();
  const out = fn();
  const wall = (performance.now() - t) / 1000;
  const u = process.cpuUsage(c);
  return [wall, (u.user + u.system) / 1e6, out];
};
console.log(`# wasm in Node ${process.version}`);
console.log('n\tsolver\tmedian s\tcpu s\treps\tchecksum\tbits');
glue.bench_symeig(50, 1, solvers[0]); // warm-up
for (const n of sizes) {
  const reps = n <= 1000 ? 3 : 1;
  const setups = [0, 1, 2].map(() => time(() => glue.bench_symeig(n, 1, 'setup')));
  const [setup, setupCpu] = [median(setups.map((s) => s[0])), median(setups.map((s) => s[1]))];
  for (const solver of solvers) {
    const ts = []; const cs = []; let out = '';
    for (let r = 0; r < reps; r++) {
      const [t, c, o] = time(() => glue.bench_symeig(n, 1, solver));
      ts.push(t - setup); cs.push(c - setupCpu); out = o;
    }
    console.log(`${n}\t${solver}\t${median(ts).toFixed(4)}\t${median(cs).toFixed(4)}\t${reps}\t${out}`);
  }
}
