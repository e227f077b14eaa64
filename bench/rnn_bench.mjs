// Training throughput of the modularity lab's recurrent models in the wasm
// build, in Node: steps per second of WasmLab.step(n), the page worker's
// call (docs/benchmarks.md, "Recurrent models").
//
//   node bench/rnn_bench.mjs [--pkg www/pkg] [--seconds S] [--reps N]
//
// The configurations are examples/bench_rnn.rs's; the table and the
// closing hash line have its format, so that `cargo xtask bench rnn` can
// put them side by side and check that the bits agree.

import { performance } from 'node:perf_hooks';
import { loadWasm, parseOptions } from './wasm_node.mjs';

const opts = parseOptions({ pkg: 'www/pkg', seconds: 2, reps: 5 });
const glue = await loadWasm(opts.pkg, 'parse_link');

const CONFIGS = [
  ['rnn_freq linear', 'v=1&lab=modularity&seed=1&model=rnn_freq&freqs=irrational&steps=200000'],
  ['rnn_freq relu', 'v=1&lab=modularity&seed=1&model=rnn_freq&freqs=harmonic&rnn_act=relu&steps=200000'],
  ['rnn_teacher 32/32', 'v=1&lab=modularity&seed=1&model=rnn_teacher&hidden=32&batch=32&steps=200000'],
  ['rnn_teacher 64/128', 'v=1&lab=modularity&seed=1&model=rnn_teacher&hidden=64&batch=128&steps=200000'],
  ['rnn_grid 32', 'v=1&lab=modularity&seed=1&model=rnn_grid&hidden=32&steps=200000'],
  ['rnn_grid 64', 'v=1&lab=modularity&seed=1&model=rnn_grid&hidden=64&steps=200000'],
];
const build = (link) => new glue.WasmLab(JSON.stringify(JSON.parse(glue.parse_link(link)).config));

console.log(`# wasm in Node ${process.version}, ${opts.reps} reps`);
console.log('model\tsteps/s (median)\tmin\tmax\tsteps/rep');
const check = [];
for (const [name, link] of CONFIGS) {
  const lab = build(link);
  let calib = 0;
  const t0 = performance.now();
  while ((performance.now() - t0) / 1000 < 0.25 * opts.seconds || calib < 3) {
    lab.step(1);
    calib += 1;
  }
  const perStep = (performance.now() - t0) / 1000 / calib;
  const steps = Math.max(3, Math.ceil(opts.seconds / opts.reps / perStep));
  const rates = [];
  for (let r = 0; r < opts.reps; r++) {
    const t = performance.now();
    lab.step(steps);
    rates.push(steps / ((performance.now() - t) / 1000));
  }
  lab.free();
  rates.sort((a, b) => a - b);
  console.log(`${name}\t${rates[Math.floor(rates.length / 2)].toFixed(1)}\t${rates[0].toFixed(1)}\t${rates[rates.length - 1].toFixed(1)}\t${steps}`);
  const short = build(link);
  short.step(20);
  check.push(`${name.replace(' ', '_')}:${JSON.parse(short.snapshot_json()).hash}`);
  short.free();
}
console.log(`# hash after 20 steps (seed 1): ${check.join(' ')}`);
