// One worker of a sweep's pool. The page (app.js) starts
// min(navigator.hardwareConcurrency, runs) of these; each runs whole
// configurations, one at a time, to their last step and sends back the
// run's sweep point. Cancelling a sweep terminates the workers, so there is
// no pause or stop message: a run never has to yield.
//
// Messages in (from app.js):
//   {type: 'run', index, coords, seed_index, config}
//                                         run this config (run `index` of the
//                                         core's sweep_runs) to the end
// Messages out:
//   {type: 'ready', index, warnings}      the lab was built (its notes on the config)
//   {type: 'progress', index, step, total}
//   {type: 'point', index, json}          the run's sweep point (sweep_point_at), JSON as the core wrote it
//   {type: 'error', index, message}       a config the core refused
//   {type: 'crash', index, message}       a panic in the core: the page replaces this worker

import { WasmLab } from './pkg/neurogeom.js';
import { ready, lastPanic, text } from './wasm-worker.js';
import { provideDatasets } from './datasets.js';

const CHUNK_MS = 50; // compute between progress messages, about
const PROGRESS_MS = 150; // minimum time between progress messages

const post = (msg) => self.postMessage(msg);

/** Run one config to its end (or divergence) and post its point. */
function run({ index, coords, seed_index: seedIndex, config }) {
  let lab;
  try {
    lab = new WasmLab(JSON.stringify(config));
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) throw e;
    post({ type: 'error', index, message: text(e) });
    return;
  }
  try {
    post({ type: 'ready', index, warnings: JSON.parse(lab.warnings_json()) });
    const total = lab.total_steps();
    let chunk = 1;
    let lastPost = performance.now();
    while (!lab.is_done()) {
      const t0 = performance.now();
      try {
        lab.step(chunk);
      } catch (e) {
        // Divergence: the lab is done and its snapshot says why.
        if (e instanceof WebAssembly.RuntimeError) throw e;
        break;
      }
      const now = performance.now();
      // Aim for CHUNK_MS per chunk; move gradually to avoid oscillation.
      const ideal = (chunk * CHUNK_MS) / Math.max(now - t0, 0.5);
      chunk = Math.max(1, Math.min(100000, Math.round(0.5 * chunk + 0.5 * ideal)));
      if (now - lastPost >= PROGRESS_MS) {
        post({ type: 'progress', index, step: lab.steps_done(), total });
        lastPost = now;
      }
    }
    let json;
    try {
      json = lab.sweep_point_at(JSON.stringify(coords), seedIndex);
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) throw e;
      post({ type: 'error', index, message: text(e) });
      return;
    }
    post({ type: 'point', index, json });
  } finally {
    try {
      lab.free();
    } catch {
      // After a panic the module is unusable; the page replaces this worker.
    }
  }
}

// Runs are handled one at a time, in order, after the wasm has loaded.
let queue = Promise.resolve();
self.onmessage = (event) => {
  const msg = event.data;
  queue = queue
    .then(() => ready)
    .then(async () => {
      if (msg.type !== 'run') return;
      // A data set the wasm does not carry (task=haxby) is fetched first.
      const failed = await provideDatasets(JSON.stringify(msg.config)).then(() => null, text);
      if (failed !== null) post({ type: 'error', index: msg.index, message: failed });
      else run(msg);
    })
    .catch((e) => {
      const message = e instanceof WebAssembly.RuntimeError ? lastPanic() || text(e) : text(e);
      post({ type: 'crash', index: msg.index, message });
    });
};

ready.catch((e) => post({ type: 'crash', index: -1, message: `could not load the WebAssembly module: ${e}` }));
