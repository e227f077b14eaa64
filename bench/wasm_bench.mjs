// Training throughput of the wasm build in Node: steps per second of the
// benchmark workload (src/nn/bench.rs, docs/benchmarks.md) at each width.
//
//   node bench/wasm_bench.mjs [--pkg www/pkg] [--backend mlp|nalgebra|gemm]
//                             [--seconds S] [--reps N] [--batch B] [--widths 100,256,512]
//
// Loads the web-target bindings (`neurogeom.js` + `neurogeom_bg.wasm`, made by
// `cargo xtask build`) with initSync, so no fetch is needed. Each repetition
// calls bench_train_steps(width, batch, steps, seed, backend), timed with
// performance.now(), minus the median time of a 0-step call (the set-up:
// drawing the weights). Prints a tab-separated table like the native example.

import { performance } from 'node:perf_hooks';
import { loadWasm, parseOptions } from './wasm_node.mjs';

const opts = parseOptions({ pkg: 'www/pkg', backend: 'mlp', seconds: 1, reps: 7, batch: 64, widths: '100,256,512' });
const glue = await loadWasm(opts.pkg, 'bench_train_steps');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const seed = 1;
const run = (width, steps) => glue.bench_train_steps(width, opts.batch, steps, seed, opts.backend);
const time = (fn) => {
  const t = performance.now();
  const out = fn();
  return [(performance.now() - t) / 1000, out];
};

console.log(`# wasm in Node ${process.version}, backend ${opts.backend}, batch ${opts.batch}, ${opts.reps} reps`);
console.log('width\tsteps/s (median)\tmin\tmax\tsteps/rep\tloss');
const check = [];
const fmt = (v) => v.toExponential().replace("e+", "e"); // as Rust's {:e}
for (const width of opts.widths.split(',').map(Number)) {
  // Warm-up and calibration (lets V8's optimising tier compile everything).
  let calib = 0;
  const t0 = performance.now();
  while ((performance.now() - t0) / 1000 < 0.25 * opts.seconds || calib < 3) {
    run(width, 1);
    calib += 1;
  }
  const setups = [];
  for (let i = 0; i < 5; i++) setups.push(time(() => run(width, 0))[0]);
  const setup = median(setups);
  // Per-step time from the warm-up, less the set-up; never below half the
  // raw time per call, so a noisy set-up estimate cannot blow up the count.
  const raw = (performance.now() - t0) / 1000 / calib;
  const perStep = Math.max(raw - setup, raw / 2);
  const steps = Math.max(3, Math.ceil(opts.seconds / opts.reps / Math.max(perStep, 1e-6)));
  const rates = [];
  let loss = NaN;
  for (let r = 0; r < opts.reps; r++) {
    const [dt, out] = time(() => run(width, steps));
    loss = out;
    rates.push(steps / Math.max(dt - setup, 1e-9));
  }
  rates.sort((a, b) => a - b);
  console.log(`${width}\t${median(rates).toFixed(1)}\t${rates[0].toFixed(1)}\t${rates[rates.length - 1].toFixed(1)}\t${steps}\t${fmt(loss)}`);
  check.push(`${width}:${fmt(run(width, 5))}`);
}
console.log(`# loss after 5 steps (seed 1): ${check.join(' ')}`);
