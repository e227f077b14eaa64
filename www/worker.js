// The run loop. This module worker owns one lab (a wasm `WasmLab`), steps it
// in chunks of about CHUNK_MS, and posts snapshots to the page. The page
// never computes; it only draws what arrives here.
//
// Messages in (from app.js; 'prebuild' from boot.js):
//   {type: 'prebuild', link}         the page's address, sent before the page has read it:
//                                    build the lab its link names (a single run whose data the
//                                    wasm carries) and its first snapshot, and keep them; post
//                                    nothing. A 'config' of that very config then takes them
//                                    over instead of building again, so the first chart comes
//                                    sooner; any other config drops them
//   {type: 'config', config, play, run}
//                                    build a new lab from a config; play if asked. `run`
//                                    (a number) comes back on every message out from then on
//   {type: 'play', confirm}          run on; `confirm` after a long-run warning
//   {type: 'pause'} | {type: 'step', n} | {type: 'reset', play}
//   {type: 'debug-panic'}           panic inside the wasm (tests of crash recovery)
// Messages out:
//   {type: 'ready', warnings, config, fragment, total}
//   {type: 'snapshot', json, msLeft, estimateMs, settled}
//                                     the snapshot JSON text, as the core wrote it; the compute
//                                     time left and the whole run's (null until known), and
//                                     whether the long-run check is over (long-run.js)
//   {type: 'long', estimateMs, total}
//                                     the whole run would take longer than LONG_MS (long-run.js):
//                                     paused until a {type: 'play', confirm: true}
//   {type: 'state', state}            'running' | 'paused' | 'done'
//   {type: 'stopped', message}        the run diverged (the snapshot says so too)
//   {type: 'error', message}          a config the core refused
//   {type: 'crash', message}          a panic in the core: the page restarts us
//   {type: 'parts', n}                this run splits into n parts, each in its own worker
//   {type: 'progress', step, total, msLeft, estimateMs, settled}
//                                     a split run's progress (its slowest part)
//
// Split runs (a lab with a `Split`, e.g. credit with rules=bp,fa,dfa): the
// run is n independent parts. This worker starts one part-worker.js per
// part, plays, pauses and steps them together, and when they stop combines
// their states (`combine_parts`) into the run's snapshot, the one the CLI
// gives. While they run, every part stops at each multiple of a checkpoint
// interval (about CHECKPOINTS per run) and sends its state; once all parts
// have sent one step, the combined snapshot there is posted, so the charts
// grow as the parts train. Pausing brings every part to the step of the
// furthest one and posts the combined snapshot there. The first part to stop
// early (divergence) stops the others.

import { WasmLab, debug_panic, split_parts, combine_parts, parse_link, datasets_needed } from './pkg/neurogeom.js';
import { ready, lastPanic, text } from './wasm-worker.js';
import { RunClock, LONG_MS, MEASURE_MS, SETTLED_MS } from './long-run.js';
import { moduleWorker } from './module-worker.js';
import { provideDatasets } from './datasets.js';

performance.mark('neurogeom:worker-modules'); // this worker's modules are in

const CHUNK_MS = 30; // compute per chunk, so that messages are handled promptly
const POST_MS = 150; // minimum time between snapshots while running

let lab = null; // the WasmLab
let configJson = null; // the config it was built from, to reset
let running = false;
let chunk = 1; // steps per chunk, adapted to take about CHUNK_MS
let lastPost = 0;
let snapshotCost = 0; // ms to make and post the last snapshot

// The long-run check (long-run.js): the steps after the first are timed,
// weighted by the lab's cost model, and when the whole run would take more
// than LONG_MS the run pauses and the page asks the user.
let clock = new RunClock();
let confirmed = false; // the user chose to go on with a long run

// Combined snapshots of a split run while it plays (see above).
const CHECKPOINTS = 40;

// The lab of the page's link, built ahead ('prebuild'): {json, lab, snapshot}.
let prebuilt = null;

// A split run: {workers, steps, done, states, waiters, total, over,
// checkpoints: Map step -> states so far, shown: last step posted}.
let split = null;

// A zero-delay yield to the event loop (setTimeout is clamped to 4 ms when
// nested), so that pause/step messages get in between chunks.
const tick = new MessageChannel();
tick.port1.onmessage = runChunk;
const yieldThenRun = () => tick.port2.postMessage(null);

// Which config of the page's this worker runs (the `run` of its last
// 'config' message): every message out carries it, so that the page can
// drop what was already on its way from the run it replaced.
let runId = 0;

function post(msg) {
  self.postMessage({ ...msg, run: runId });
}

/** The lab's work so far and planned (its cost model). */
function workOf() {
  const [done, total] = lab.work();
  return { done, total };
}

function postSnapshot(json = lab.snapshot_json()) {
  const t0 = performance.now();
  post({ type: 'snapshot', json, msLeft: clock.left(), estimateMs: clock.estimate(), settled: clock.settled() || lab.is_done() });
  lastPost = performance.now();
  snapshotCost = lastPost - t0;
  performance.measure('neurogeom:worker-snapshot', { start: t0 });
}

function setRunning(on) {
  if (split) return setSplitRunning(on);
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

// Step `n` times, timed for the estimate; on divergence post the final
// snapshot and the reason. Returns the ms it took, or null after divergence
// or a crash.
function advance(n) {
  try {
    const from = lab.steps_done();
    const before = workOf();
    const t0 = performance.now();
    lab.step(n);
    const ms = performance.now() - t0;
    clock.add(ms, from, before, workOf());
    return ms;
  } catch (e) {
    if (isPanic(e)) {
      crash(e);
      return null;
    }
    running = false;
    postSnapshot();
    post({ type: 'stopped', message: String(e && e.message ? e.message : e) });
    post({ type: 'state', state: 'done' });
    return null;
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
  const dt = advance(chunk);
  if (dt === null) return;
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
  if (confirmed || lab.is_done()) return false;
  const estimateMs = clock.tooLong();
  if (estimateMs === null) return false;
  running = false;
  postSnapshot();
  post({ type: 'long', estimateMs, total: lab.total_steps() });
  post({ type: 'state', state: 'paused' });
  return true;
}

// ---- split runs ----

function stopSplit() {
  if (!split) return;
  for (const w of split.workers) w.terminate();
  split = null;
}

function startSplit(parts, total) {
  const n = parts.length;
  split = { workers: [], steps: new Array(n).fill(0), done: new Array(n).fill(false), states: new Array(n).fill(null), waiters: new Array(n).fill(null), total, over: false, lastProgress: 0, checkpoints: new Map(), shown: 0 };
  const mine = split;
  parts.forEach((config, i) => {
    const w = moduleWorker(new URL('./part-worker.js', import.meta.url));
    w.onmessage = (e) => split === mine && onPart(i, e.data);
    w.onerror = (e) => {
      e.preventDefault();
      if (split === mine) partCrash(e.message || 'a part worker failed to start');
    };
    w.postMessage({ type: 'build', config });
    mine.workers.push(w);
  });
  post({ type: 'parts', n });
}

function partCrash(message) {
  stopSplit();
  running = false;
  lab = null;
  post({ type: 'crash', message });
}

function onPart(i, msg) {
  switch (msg.type) {
    case 'progress': {
      split.steps[i] = msg.step;
      const now = performance.now();
      const step = Math.min(...split.steps);
      // Time per step of the whole run (its slowest part), in wall-clock
      // time from when every part had started stepping.
      if (running && !split.base && step > split.playStep) split.base = { t: now, step };
      const b = split.base;
      const msPerStep = b && now - b.t >= MEASURE_MS && step > b.step ? (now - b.t) / (step - b.step) : null;
      if (running && msPerStep !== null && splitTooLong(msPerStep, now - b.t)) break;
      split.msPerStep = msPerStep;
      if (now - split.lastProgress >= POST_MS) {
        split.lastProgress = now;
        post({ type: 'progress', step, total: split.total, ...splitEstimate(step) });
      }
      break;
    }
    case 'checkpoint':
      onCheckpoint(i, msg);
      break;
    case 'state': {
      split.steps[i] = msg.step;
      split.done[i] = msg.done;
      split.states[i] = msg.state;
      const waiter = split.waiters[i];
      split.waiters[i] = null;
      if (waiter) waiter();
      else if (running) onPartEnded(msg);
      break;
    }
    case 'error':
      running = false;
      post({ type: 'error', message: msg.message });
      break;
    case 'crash':
      partCrash(msg.message);
      break;
  }
}

/** Send every part a message and wait for their states. */
function ask(indices, msgFor) {
  return Promise.all(
    indices.map(
      (i) =>
        new Promise((resolve) => {
          split.waiters[i] = resolve;
          split.workers[i].postMessage(msgFor(i));
        }),
    ),
  );
}

const all = () => split.workers.map((_, i) => i);

/** A part ended while playing: at its last step, or early (diverged), which
 * ends the run. Combine once every part has stopped. */
async function onPartEnded(msg) {
  if (msg.step < split.total) {
    const mine = split;
    running = false;
    await ask(all().filter((i) => !split.done[i]), () => ({ type: 'pause' }));
    if (split === mine) finishSplit();
    return;
  }
  if (split.done.every(Boolean)) finishSplit();
}

/** Bring the parts to one step (the furthest part's, or where the first
 * stopped) and post the combined snapshot. */
async function finishSplit() {
  const mine = split;
  running = false;
  const stopped = split.done.some((d, i) => d && split.steps[i] < split.total);
  if (!stopped) {
    const target = Math.max(...split.steps);
    const behind = all().filter((i) => !split.done[i] && split.steps[i] < target);
    await ask(behind, (i) => ({ type: 'advance', n: target - split.steps[i] }));
  }
  if (split !== mine) return;
  split.checkpoints.clear();
  const json = combined(split.states);
  if (json === null) return;
  post({ type: 'snapshot', json, msLeft: null });
  const snap = JSON.parse(json);
  split.over = snap.done;
  if (snap.stopped) post({ type: 'stopped', message: snap.stopped });
  post({ type: 'state', state: snap.done ? 'done' : 'paused' });
}

/** The parts' states packed as `combine_parts` reads them ([n, len_1 …
 * len_n, state_1 …, state_n]) and combined: the snapshot JSON, or null after
 * reporting an error or crash. */
function combined(states) {
  const n = states.length;
  const lens = states.map((s) => s.length);
  const packed = new Float64Array(1 + n + lens.reduce((a, b) => a + b, 0));
  packed[0] = n;
  lens.forEach((len, i) => (packed[1 + i] = len));
  let at = 1 + n;
  for (const s of states) {
    packed.set(s, at);
    at += s.length;
  }
  try {
    return combine_parts(configJson, packed);
  } catch (e) {
    if (isPanic(e)) crash(e);
    else post({ type: 'error', message: text(e) });
    return null;
  }
}

/** A part reached a checkpoint while playing. Once every part has, post the
 * combined snapshot there (the live charts) and forget older checkpoints. */
function onCheckpoint(i, msg) {
  split.steps[i] = Math.max(split.steps[i], msg.step);
  if (!running || msg.step <= split.shown) return;
  const n = split.workers.length;
  let states = split.checkpoints.get(msg.step);
  if (!states) split.checkpoints.set(msg.step, (states = new Array(n).fill(null)));
  states[i] = msg.state;
  if (!states.every(Boolean)) return;
  for (const step of [...split.checkpoints.keys()]) if (step <= msg.step) split.checkpoints.delete(step);
  split.shown = msg.step;
  const json = combined(states);
  if (json === null) return;
  post({ type: 'snapshot', json, msLeft: null });
  // The parts are already further on: keep the counter and time left there.
  const step = Math.min(...split.steps);
  post({ type: 'progress', step, total: split.total, ...splitEstimate(step) });
}

/** A split run's time left at `step` and its whole time (its parts count
 * steps: they are the credit lab's rules, whose steps cost the same), null
 * until measured, and whether its long-run check is over. */
function splitEstimate(step) {
  const known = split.msPerStep != null;
  return {
    msLeft: known ? split.msPerStep * (split.total - step) : null,
    estimateMs: known ? split.msPerStep * split.total : null,
    settled: Boolean(split.warned || (split.base && performance.now() - split.base.t > SETTLED_MS)),
  };
}

/** The long-run check of a split run: as `tooLong`, on the parts' wall-clock
 * rate. Pauses (the combined snapshot) and asks the user. */
function splitTooLong(msPerStep, measuredMs) {
  if (confirmed || split.warned || measuredMs > SETTLED_MS) return false;
  const estimateMs = msPerStep * split.total;
  if (estimateMs <= LONG_MS) return false;
  split.warned = true;
  setSplitRunning(false).then(() => post({ type: 'long', estimateMs, total: split.total }));
  return true;
}

async function setSplitRunning(on) {
  if (split.over) {
    post({ type: 'state', state: 'done' });
    return;
  }
  if (on) {
    running = true;
    split.base = null;
    split.playStep = Math.min(...split.steps);
    post({ type: 'state', state: 'running' });
    const every = Math.max(1, Math.ceil(split.total / CHECKPOINTS));
    for (const i of all()) split.workers[i].postMessage({ type: 'play', every });
    return;
  }
  const wasRunning = running;
  running = false;
  if (wasRunning) {
    await ask(all(), () => ({ type: 'pause' }));
    await finishSplit();
  } else post({ type: 'state', state: 'paused' });
}

async function stepSplit(n) {
  if (split.over) return;
  running = false;
  await ask(all(), () => ({ type: 'advance', n }));
  finishSplit();
}

function build(json) {
  stopSplit();
  if (json !== configJson) confirmed = false; // a reset keeps the user's answer
  configJson = json;
  clock = new RunClock();
  lab = null;
  running = false;
  chunk = 1;
  const t0 = performance.now();
  const ahead = takePrebuilt(json);
  try {
    lab = ahead ? ahead.lab : new WasmLab(json);
    performance.measure('neurogeom:worker-lab', { start: t0 });
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
  postSnapshot(ahead ? ahead.snapshot : undefined);
  const parts = JSON.parse(split_parts(json));
  if (parts.length >= 2) startSplit(parts, lab.total_steps());
  return true;
}

/** Build the lab of the page's link ahead of its config: a single run
 * (not a sweep) whose data sets the wasm has. The same lab as the config
 * would build: the core reads the same link the page will. */
function prebuild(link) {
  try {
    const parsed = JSON.parse(parse_link(link));
    if (parsed.sweep) return;
    const json = JSON.stringify(parsed.config);
    if (JSON.parse(datasets_needed(json)).length > 0) return;
    const lab = new WasmLab(json);
    prebuilt = { json, lab, snapshot: lab.snapshot_json() };
    performance.mark('neurogeom:worker-prebuilt');
  } catch (e) {
    if (isPanic(e)) throw e;
    // A config the core refuses: its 'config' message will say why.
  }
}

/** The prebuilt lab if it is that of `json` (else it is dropped); null if none. */
function takePrebuilt(json) {
  const ahead = prebuilt;
  prebuilt = null;
  if (ahead && ahead.json === json) return ahead;
  if (ahead) ahead.lab.free();
  return null;
}

async function handle(msg) {
  await ready;
  try {
    switch (msg.type) {
      case 'prebuild':
        prebuild(msg.link);
        break;
      case 'config': {
        performance.mark('neurogeom:worker-config');
        runId = msg.run ?? 0;
        const json = JSON.stringify(msg.config);
        // A data set the wasm does not carry (task=haxby) is fetched first.
        const failed = await provideDatasets(json).then(() => null, text);
        if (failed !== null) {
          stopSplit();
          lab = null;
          running = false;
          post({ type: 'error', message: failed });
          break;
        }
        if (build(json)) setRunning(Boolean(msg.play));
        break;
      }
      case 'reset':
        if (configJson && build(configJson)) setRunning(Boolean(msg.play));
        break;
      case 'play':
        if (msg.confirm) confirmed = true;
        setRunning(true);
        break;
      case 'pause':
        if (split) {
          setSplitRunning(false);
          break;
        }
        running = false;
        if (lab) postSnapshot();
        setRunning(false);
        break;
      case 'step':
        if (split) {
          await stepSplit(Math.max(1, msg.n | 0));
          break;
        }
        if (!lab || lab.is_done()) break;
        running = false;
        if (advance(Math.max(1, msg.n | 0)) !== null) {
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
