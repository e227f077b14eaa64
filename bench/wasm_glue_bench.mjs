// The GLUE benchmark in wasm (Node): GLUE on the capacity benchmark's data
// sets (docs/benchmarks.md, "GLUE beside MFTMA"), timed with
// performance.now(). Prints rows like the native example
// (`cargo run --release --example bench_glue`):
//
// - the whole job in one `advance` call, median of --reps runs;
// - the job stepped one unit per `advance` call, as the Your-data worker
//   (www/analyze-worker.js) steps its analysis: the longest step, and the
//   longest per stage (the first step includes building the job);
// - the thread's CPU time (median), which the load of other processes
//   disturbs far less than wall time.
//
//   node bench/wasm_glue_bench.mjs [--pkg www/pkg] [--reps 3] [--p 10]
//                                  [--m 50] [--n 500] [--nt 200]
//                                  [--kind points|spheres|both]

import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadWasm, parseOptions } from './wasm_node.mjs';

// This thread's CPU time in seconds (Linux: /proc/thread-self/schedstat,
// nanoseconds on a CPU), as the native example measures it; NaN elsewhere.
function threadCpu() {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e9;
  } catch (_) {
    return NaN;
  }
}

const opts = parseOptions({ pkg: 'www/pkg', reps: 3, p: 10, m: 50, n: 500, nt: 200, kind: 'both' });
const glue = await loadWasm(opts.pkg, 'GlueBench');
const kinds = opts.kind === 'both' ? ['points', 'spheres'] : [opts.kind];

console.log(`# wasm GLUE in Node ${process.version}, P = ${opts.p}, M = ${opts.m}, N = ${opts.n}, n_t = ${opts.nt}, ${opts.reps} reps`);
console.log('kind\tthreads\tseconds (median)\tmin\tmax\tcapacity\tradius\tdimension\tutility\tlongest step (s)\tthread CPU s (median)');
for (const kind of kinds) {
  const bench = new glue.GlueBench(kind, opts.p, opts.m, opts.n);
  // Stepped as the page's worker steps it: one unit per call.
  const longest = {};
  const total = {};
  let steps = 0;
  let t = performance.now();
  bench.start(opts.nt, 1, opts.m);
  for (;;) {
    const stage = bench.stage();
    const done = bench.advance(1);
    const dt = (performance.now() - t) / 1000;
    longest[stage] = Math.max(longest[stage] || 0, dt);
    total[stage] = (total[stage] || 0) + dt;
    steps++;
    if (done) break;
    t = performance.now();
  }
  const stepped = JSON.parse(bench.result_json());
  const worst = Math.max(...Object.values(longest));
  // The whole job in one call.
  const times = [];
  const cpu = [];
  let out = null;
  for (let r = 0; r < opts.reps; r++) {
    const [t0, c0] = [performance.now(), threadCpu()];
    bench.start(opts.nt, 1, opts.m);
    bench.advance(0xffffffff);
    times.push((performance.now() - t0) / 1000);
    cpu.push(threadCpu() - c0);
    out = JSON.parse(bench.result_json());
  }
  cpu.sort((a, b) => a - b);
  if (out.bits !== stepped.bits) {
    console.error(`${kind}: stepped and whole runs differ (${stepped.bits} vs ${out.bits})`);
    process.exit(1);
  }
  times.sort((a, b) => a - b);
  const med = times[Math.floor(times.length / 2)];
  console.log(`${kind}\t1\t${med.toFixed(4)}\t${times[0].toFixed(4)}\t${times[times.length - 1].toFixed(4)}\t${out.capacity.toFixed(6)}\t${out.radius.toFixed(6)}\t${out.dimension.toFixed(4)}\t${out.utility.toFixed(4)}\t${worst.toFixed(4)}\t${cpu[Math.floor(cpu.length / 2)].toFixed(4)}`);
  const per = Object.entries(longest).map(([s, v]) => `${s} ${(1000 * v).toFixed(1)} ms`).join(', ');
  console.log(`# ${kind} steps ${steps}, longest per stage: ${per}`);
  const sums = Object.entries(total).map(([s, v]) => `${s} ${(1000 * v).toFixed(1)} ms`).join(', ');
  console.log(`# ${kind} stepped, time per stage: ${sums}`);
  console.log(`# ${kind} capacity bits ${out.bits}`);
  bench.free();
}
