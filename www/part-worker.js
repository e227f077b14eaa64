// One part of a split run (a lab with a `Split`, e.g. the credit lab with
// rules=bp,fa,dfa: one part per rule). The run worker (worker.js) starts one
// of these per part and drives them; each owns one WasmLab of its part
// config and steps it in chunks of about CHUNK_MS.
//
// Messages in (from worker.js):
//   {type: 'build', config}   build the part's lab
//   {type: 'play', every}     step on until the part ends or is paused; while
//                             playing, stop at each multiple of `every` steps
//                             and send a checkpoint (the live charts)
//   {type: 'pause'}           stop stepping, send the state
//   {type: 'advance', n}      step n more (or to the end), send the state
// Messages out:
//   {type: 'progress', step, total}
//   {type: 'checkpoint', step, state}    while playing, at each multiple of `every`
//   {type: 'state', step, done, state}   state: the lab's part_state (Float64Array),
//                                        sent when the part ends or stops (done) and
//                                        after 'pause' and 'advance'
//   {type: 'error', message}             a config the core refused
//   {type: 'crash', message}             a panic in the core

import { WasmLab } from './pkg/neurogeom.js';
import { ready, lastPanic, text } from './wasm-worker.js';
import { provideDatasets } from './datasets.js';

const CHUNK_MS = 30;
const PROGRESS_MS = 150;

let lab = null;
let running = false;
let chunk = 1;
let lastPost = 0;
let every = 0; // checkpoint interval while playing (0: none)

const post = (msg, transfer) => self.postMessage(msg, transfer || []);
const tick = new MessageChannel();
tick.port1.onmessage = () => guard(runChunk);
const yieldThenRun = () => tick.port2.postMessage(null);

function sendState() {
  const state = new Float64Array(lab.part_state());
  post({ type: 'state', step: lab.steps_done(), done: lab.is_done(), state }, [state.buffer]);
}

// Step n; divergence ends the part (its state says so).
function advance(n) {
  try {
    lab.step(n);
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) throw e;
  }
}

function runChunk() {
  if (!running || !lab) return;
  const t0 = performance.now();
  const at = lab.steps_done();
  // Never step past the next checkpoint, so that every part stops there.
  const n = every > 0 ? Math.min(chunk, every - (at % every)) : chunk;
  advance(n);
  if (every > 0 && !lab.is_done() && lab.steps_done() % every === 0 && lab.steps_done() > at) {
    const state = new Float64Array(lab.part_state());
    post({ type: 'checkpoint', step: lab.steps_done(), state }, [state.buffer]);
  }
  const dt = performance.now() - t0;
  const ideal = (chunk * CHUNK_MS) / Math.max(dt, 0.5);
  chunk = Math.max(1, Math.min(100000, Math.round(0.5 * chunk + 0.5 * ideal)));
  if (lab.is_done()) {
    running = false;
    sendState();
    return;
  }
  const now = performance.now();
  if (now - lastPost >= PROGRESS_MS) {
    post({ type: 'progress', step: lab.steps_done(), total: lab.total_steps() });
    lastPost = now;
  }
  yieldThenRun();
}

function guard(f) {
  try {
    f();
  } catch (e) {
    running = false;
    if (e instanceof WebAssembly.RuntimeError) post({ type: 'crash', message: lastPanic() || text(e) });
    else post({ type: 'error', message: text(e) });
  }
}

function handle(msg) {
  switch (msg.type) {
    case 'build':
      lab = new WasmLab(JSON.stringify(msg.config));
      break;
    case 'play':
      if (!lab || lab.is_done()) {
        if (lab) sendState();
        break;
      }
      running = true;
      every = Math.max(0, msg.every | 0);
      yieldThenRun();
      break;
    case 'pause':
      running = false;
      if (lab) sendState();
      break;
    case 'advance':
      running = false;
      if (lab) {
        if (!lab.is_done() && msg.n > 0) advance(msg.n);
        sendState();
      }
      break;
  }
}

let queue = Promise.resolve();
self.onmessage = (event) => {
  const msg = event.data;
  queue = queue
    .then(() => ready)
    // A data set the wasm does not carry (task=haxby) is fetched before the build.
    .then(() => (msg.type === 'build' ? provideDatasets(JSON.stringify(msg.config)).then(() => true, (e) => post({ type: 'error', message: text(e) })) : true))
    .then((ok) => ok && guard(() => handle(msg)));
};
ready.catch((e) => post({ type: 'crash', message: `could not load the WebAssembly module: ${e}` }));
