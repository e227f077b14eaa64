// The capacity benchmark in wasm (Node): MFTMA on the benchmark data sets
// (docs/benchmarks.md, "Manifold capacity"), timed per run with
// performance.now(). Prints rows like the native example
// (`cargo run --release --example bench_capacity`).
//
//   node bench/wasm_capacity_bench.mjs [--pkg www/pkg] [--reps 3] [--p 50]
//                                      [--m 100] [--n 500] [--nt 300]

import { performance } from 'node:perf_hooks';
import { loadWasm, parseOptions } from './wasm_node.mjs';

const opts = parseOptions({ pkg: 'www/pkg', reps: 3, p: 50, m: 100, n: 500, nt: 300 });
const glue = await loadWasm(opts.pkg, 'CapacityBench');

console.log(`# wasm MFTMA in Node ${process.version}, P = ${opts.p}, M = ${opts.m}, N = ${opts.n}, n_t = ${opts.nt}, ${opts.reps} reps`);
console.log('kind\tseconds (median)\tmin\tmax\tcapacity\tradius\tdimension\tK');
for (const kind of ['points', 'spheres']) {
  const bench = new glue.CapacityBench(kind, opts.p, opts.m, opts.n);
  const times = [];
  let out = null;
  for (let r = 0; r < opts.reps; r++) {
    const t = performance.now();
    out = JSON.parse(bench.run(opts.nt, 1));
    times.push((performance.now() - t) / 1000);
  }
  times.sort((a, b) => a - b);
  const med = times[Math.floor(times.length / 2)];
  console.log(`${kind}\t${med.toFixed(4)}\t${times[0].toFixed(4)}\t${times[times.length - 1].toFixed(4)}\t${out.capacity.toFixed(6)}\t${out.radius.toFixed(6)}\t${out.dimension.toFixed(4)}\t${out.k}`);
  console.log(`# ${kind} capacity bits ${out.bits}`);
  bench.free();
}
