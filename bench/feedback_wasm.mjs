// The feedback lab's benchmark in Node (docs/benchmarks.md): the spectrum at
// several N by our solver and nalgebra's, and a 1000-step simulation at
// N = 2000, with the wasm build in www/pkg (`cargo xtask build`).
//   node bench/feedback_wasm.mjs [500,1000,2000]
// Prints the same rows as examples/bench_feedback.rs; the matrix set-up (a
// "setup" call) is subtracted.
import { performance } from 'node:perf_hooks';
import { loadWasm } from './wasm_node.mjs';

const sizes = (process.argv[2] || '500,1000,2000').split(',').map(Number);
const glue = await loadWasm('www/pkg', 'bench_spectrum');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = (fn) => { const t = performance.now(); const out = fn(); return [(performance.now() - t) / 1000, out]; };
console.log(`# wasm in Node ${process.version}`);
console.log('n\tsolver\tmedian s\treps\tchecksum');
for (const n of sizes) {
  const reps = n <= 500 ? 5 : 3;
  glue.bench_spectrum(Math.min(n, 100), 1, 'ours'); // warm-up
  const setup = median([0, 1, 2].map(() => time(() => glue.bench_spectrum(n, 1, 'setup'))[0]));
  for (const solver of ['ours', 'nalgebra']) {
    const ts = []; let c = NaN;
    for (let r = 0; r < reps; r++) { const [t, out] = time(() => glue.bench_spectrum(n, 1, solver)); ts.push(t - setup); c = out; }
    console.log(`${n}\t${solver}\t${median(ts).toFixed(4)}\t${reps}\t${c.toExponential().replace('e+', 'e')}`);
  }
}
const ts = []; let z = NaN;
for (let r = 0; r < 3; r++) { const [t, out] = time(() => glue.bench_feedback_sim(2000, 1000, 1)); ts.push(t); z = out; }
console.log(`2000\tsim1000\t${median(ts).toFixed(4)}\t3\t${z.toExponential().replace('e+', 'e')}`);
