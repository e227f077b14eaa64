// Training throughput of each credit-assignment rule in the wasm build, in
// Node: steps per second of the workload in src/nn/credit/bench.rs
// (docs/benchmarks.md, "Credit-assignment rules").
//
//   node bench/credit_bench.mjs [--pkg www/pkg] [--seconds S] [--reps N]
//
// As bench/wasm_bench.mjs: initSync on the web-target bindings, each
// repetition one call of bench_credit_steps(rule, width, batch, steps, seed)
// timed with performance.now(), minus the median time of a 0-step call (the
// set-up). Prints the same tab-separated table as examples/bench_credit.rs.

import { performance } from 'node:perf_hooks';
import { loadWasm, parseOptions } from './wasm_node.mjs';

const opts = parseOptions({ pkg: 'www/pkg', seconds: 1, reps: 7 });
const glue = await loadWasm(opts.pkg, 'bench_credit_steps');

const RULES = ['bp', 'fa', 'dfa', 'np', 'wp'];
const SETTINGS = [[50, 1], [256, 64]]; // as nn::credit::bench::SETTINGS
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = (fn) => {
  const t = performance.now();
  const out = fn();
  return [(performance.now() - t) / 1000, out];
};
const fmt = (v) => v.toExponential().replace('e+', 'e'); // as Rust's {:e}

console.log(`# wasm in Node ${process.version}, ${opts.reps} reps`);
console.log('rule\twidth\tbatch\tsteps/s (median)\tmin\tmax\tsteps/rep');
const check = [];
for (const rule of RULES) {
  for (const [width, batch] of SETTINGS) {
    const run = (steps) => glue.bench_credit_steps(rule, width, batch, steps, 1);
    let calib = 0;
    const t0 = performance.now();
    while ((performance.now() - t0) / 1000 < 0.25 * opts.seconds || calib < 3) {
      run(1);
      calib += 1;
    }
    const setups = [];
    for (let i = 0; i < 5; i++) setups.push(time(() => run(0))[0]);
    const setup = median(setups);
    const raw = (performance.now() - t0) / 1000 / calib;
    const perStep = Math.max(raw - setup, raw / 2);
    const steps = Math.max(3, Math.ceil(opts.seconds / opts.reps / Math.max(perStep, 1e-6)));
    const rates = [];
    for (let r = 0; r < opts.reps; r++) {
      const [dt] = time(() => run(steps));
      rates.push(steps / Math.max(dt - setup, 1e-9));
    }
    rates.sort((a, b) => a - b);
    console.log(`${rule}\t${width}\t${batch}\t${median(rates).toFixed(1)}\t${rates[0].toFixed(1)}\t${rates[rates.length - 1].toFixed(1)}\t${steps}`);
    check.push(`${rule}/${width}:${fmt(run(5))}`);
  }
}
console.log(`# loss after 5 steps (seed 1): ${check.join(' ')}`);
