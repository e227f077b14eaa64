// The run loop. This module worker owns one lab (a wasm `WasmLab`), steps it
// in chunks of about CHUNK_MS, and posts snapshots to the page. The page
// never computes; it only draws what arrives here.
//
// Messages in (from app.js):
//   {type: 'config', config, play}  build a new lab from a config; play if asked
//   {type: 'play', confirm}          run on; `confirm` after a long-run warning
//   {type: 'pause'} | {type: 'step', n} | {type: 'reset', play}
//   {type: 'debug-panic'}           panic inside the wasm (tests of crash recovery)
// Messages out:
//   {type: 'ready', warnings, config, fragment, total}
//   {type: 'snapshot', json, msPerStep} the snapshot JSON text, as the core wrote it,
//                                     and the compute time per step so far (null at first)
//   {type: 'long', estimateMs, msPerStep, total}
//                                     the whole run would take longer than LONG_MS: paused
//                                     until a {type: 'play', confirm: true}
//   {type: 'state', state}            'running' | 'paused' | 'done'
//   {type: 'stopped', message}        the run diverged (the snapshot says so too)
//   {type: 'error', message}          a config the core refused
//   {type: 'crash', message}          a panic in the core: the page restarts us

import { WasmLab, debug_panic } from './pkg/neurogeom.js';
import { ready, lastPanic, text } from './wasm-worker.js';

const CHUNK_MS = 30; // compute per chunk, so that messages are handled promptly
const POST_MS = 150; // minimum time between snapshots while running

let lab = null; // the WasmLab
let configJson = null; // the config it was built from, to reset
let running = false;
let chunk = 1; // steps per chunk, adapted to take about CHUNK_MS
let lastPost = 0;
let snapshotCost = 0; // ms to make and post the last snapshot

// The long-run check: the first steps are timed, and when the whole run
// would take more than LONG_MS the run pauses and the page asks the user.
// The estimate is made once MEASURE_MS of steps are timed (a single step
// of a huge config may take longer), and no more after SETTLED_MS.
const LONG_MS = 120000;
const MEASURE_MS = 300;
const SETTLED_MS = 10000;
let computeMs = 0; // time spent in lab.step while running
let computeSteps = 0; // steps taken in that time
let confirmed = false; // the user chose to go on with a long run

// A zero-delay yield to the event loop (setTimeout is clamped to 4 ms when
// nested), so that pause/step messages get in between chunks.
const tick = new MessageChannel();
tick.port1.onmessage = runChunk;
const yieldThenRun = () => tick.port2.postMessage(null);

function post(msg) {
  self.postMessage(msg);
}

function postSnapshot() {
  const t0 = performance.now();
  const msPerStep = computeSteps > 0 && computeMs >= MEASURE_MS ? computeMs / computeSteps : null;
  post({ type: 'snapshot', json: lab.snapshot_json(), msPerStep });
  lastPost = performance.now();
  snapshotCost = lastPost - t0;
}

function setRunning(on) {
  running = on && lab !== null && !lab.is_done();
  post({ type: 'state', state: lab && lab.is_done() ? 'done' : running ? 'running' : 'paused' });
  if (running) yieldThenRun();
}

// A wasm trap (a Rust panic) leaves the module unusable: report and let
// the page restart the worker. Any other exception is a message from the core.
function isPanic(e) {
  return e instanceof WebAssembly.RuntimeError;
}

function crash(e) {
  running = false;
  lab = null;
  const detail = lastPanic() || text(e);
  post({ type: 'crash', message: detail });
}

// Step `n` times; on divergence post the final snapshot and the reason.
function advance(n) {
  try {
    lab.step(n);
    return true;
  } catch (e) {
    if (isPanic(e)) {
      crash(e);
      return false;
    }
    running = false;
    postSnapshot();
    post({ type: 'stopped', message: String(e && e.message ? e.message : e) });
    post({ type: 'state', state: 'done' });
    return false;
  }
}

function runChunk() {
  try {
    runChunkUnguarded();
  } catch (e) {
    if (isPanic(e)) crash(e);
    else post({ type: 'error', message: String(e && e.message ? e.message : e) });
  }
}

function runChunkUnguarded() {
  if (!running || !lab) return;
  const t0 = performance.now();
  if (!advance(chunk)) return;
  const dt = performance.now() - t0;
  computeMs += dt;
  computeSteps += chunk;
  if (tooLong()) return;
  // Aim for CHUNK_MS per chunk; move gradually to avoid oscillation.
  const ideal = (chunk * CHUNK_MS) / Math.max(dt, 0.5);
  chunk = Math.max(1, Math.min(100000, Math.round(0.5 * chunk + 0.5 * ideal)));

  if (lab.is_done()) {
    running = false;
    postSnapshot();
    post({ type: 'state', state: 'done' });
    return;
  }
  // Post often enough to look live, but never spend most of the time on it.
  if (performance.now() - lastPost >= Math.max(POST_MS, 4 * snapshotCost)) postSnapshot();
  yieldThenRun();
}

/** After the first steps: would the whole run take more than LONG_MS? Then
 * pause and say so (once per config, until the user confirms). */
function tooLong() {
  if (confirmed || computeMs < MEASURE_MS || computeMs > SETTLED_MS) return false;
  const msPerStep = computeMs / computeSteps;
  const total = lab.total_steps();
  const estimateMs = msPerStep * total;
  if (estimateMs <= LONG_MS || lab.is_done()) return false;
  running = false;
  postSnapshot();
  post({ type: 'long', estimateMs, msPerStep, total });
  post({ type: 'state', state: 'paused' });
  return true;
}

function build(json) {
  if (json !== configJson) confirmed = false; // a reset keeps the user's answer
  configJson = json;
  computeMs = 0;
  computeSteps = 0;
  lab = null;
  running = false;
  chunk = 1;
  try {
    lab = new WasmLab(json);
  } catch (e) {
    if (isPanic(e)) return crash(e);
    post({ type: 'error', message: String(e && e.message ? e.message : e) });
    return false;
  }
  post({
    type: 'ready',
    warnings: JSON.parse(lab.warnings_json()),
    config: JSON.parse(lab.config_json()),
    fragment: lab.fragment(),
    total: lab.total_steps(),
  });
  postSnapshot();
  return true;
}

async function handle(msg) {
  await ready;
  try {
    switch (msg.type) {
      case 'config':
        if (build(JSON.stringify(msg.config))) setRunning(Boolean(msg.play));
        break;
      case 'reset':
        if (configJson && build(configJson)) setRunning(Boolean(msg.play));
        break;
      case 'play':
        if (msg.confirm) confirmed = true;
        setRunning(true);
        break;
      case 'pause':
        running = false;
        if (lab) postSnapshot();
        setRunning(false);
        break;
      case 'step':
        if (!lab || lab.is_done()) break;
        running = false;
        if (advance(Math.max(1, msg.n | 0))) {
          postSnapshot();
          setRunning(false);
        }
        break;
      case 'debug-panic':
        debug_panic();
        break;
    }
  } catch (e) {
    if (isPanic(e)) crash(e);
    else post({ type: 'error', message: String(e && e.message ? e.message : e) });
  }
}

// Handle messages one at a time, in order, after the wasm has loaded.
let queue = Promise.resolve();
self.onmessage = (event) => {
  queue = queue.then(() => handle(event.data));
};

ready.catch((e) => post({ type: 'error', message: `could not load the WebAssembly module: ${e}` }));
