// The run-worker client: one module worker (worker.js, whose message
// protocol is listed at its top) owns the single run. This module starts
// it, sends it the config and the play / pause / step / reset commands, and
// shows what comes back: counters, progress, hash, metrics, charts. A panic
// in the core restarts the worker.

import { $, el, formatValue } from './dom.js';
import { state } from './state.js';
import { showMessage, showNotes, infoButton } from './messages.js';
import { scheduleDraw } from './charts.js';
import { setRunState, setCounter, setProgress, setHash, setEta } from './topbar.js';
import { durationText } from './eta.js';
import { moduleWorker } from './module-worker.js';
import { takeRunWorker } from './boot.js';

let worker = null;
let workerId = 0; // messages from replaced workers are ignored
let runId = 0; // ... and so are those of a config the worker was running before this one
let crashes = []; // times of recent worker crashes
let msLeft = null; // the run's compute time left, as the worker estimated it (long-run.js)
let msLeftAt = 0; // when that estimate came

function startWorker() {
  if (worker) worker.terminate();
  const id = ++workerId;
  // The first one was started by boot.js, before the page's modules had loaded.
  const early = takeRunWorker();
  worker = early ? early.worker : moduleWorker(new URL('./worker.js', import.meta.url));
  worker.onmessage = (e) => id === workerId && onWorkerMessage(e.data);
  worker.onerror = (e) => {
    e.preventDefault();
    if (id === workerId) onCrash(e.message || 'the worker failed to start');
  };
  worker.onmessageerror = () => id === workerId && onCrash('a message from the worker could not be read');
  // What it said before it was ours, handled as if it came now.
  const w = worker;
  for (const e of early ? early.events : []) queueMicrotask(() => w[`on${e.type}`]?.(e));
}

/** Take over the run worker (started by boot.js, or start one), so that it
 * has loaded the wasm by the time the page sends a config. startRun() uses it. */
export function warmUp() {
  if (!worker) startWorker();
}

/** Stop the single run's worker (a sweep takes every core). */
export function stopRunWorker() {
  if (!worker) return;
  worker.terminate();
  worker = null;
  workerId++;
}

/** A command for the worker: play, pause, step, reset, debug-panic. */
export function send(msg) {
  if (worker) worker.postMessage(msg);
}

/** Build the lab of state.config in the worker; play if asked. */
export function startRun(play) {
  if (!worker) startWorker();
  setRunState('loading');
  msLeft = null;
  clearLongRun();
  delete document.body.dataset.parts;
  delete document.body.dataset.estimate;
  delete document.body.dataset.estimateSettled;
  performance.mark('neurogeom:config-sent');
  send({ type: 'config', config: state.config, play, run: ++runId });
}

/** Play (after a long-run warning, playing is the user's yes). */
export function resume() {
  const confirm = 'longRun' in document.body.dataset;
  clearLongRun();
  send({ type: 'play', confirm });
}

/** Time left while the run runs (nothing when paused or done). */
function showEta() {
  const snap = state.snapshot;
  const live = state.run === 'running' && snap && !snap.done && msLeft !== null;
  setEta(live ? Math.max(0, msLeft - (performance.now() - msLeftAt)) : null);
}

/** For tests and scripts: the worker's estimate of the whole run (ms) on
 * the body, and whether its long-run check is over. */
function showEstimate({ estimateMs, settled }) {
  if (estimateMs != null) document.body.dataset.estimate = String(Math.round(estimateMs));
  if (settled) document.body.dataset.estimateSettled = '';
}

/** "4.5 ms", "1.3 s". */
const perStepText = (ms) => (ms >= 1000 ? `${Number((ms / 1000).toPrecision(2))} s` : `${Number(ms.toPrecision(2))} ms`);

/** The worker timed the steps after the first, and the whole run would take
 * more than about two minutes: it paused. Say so, and let the user choose. */
function onLongRun({ estimateMs, total }) {
  document.body.dataset.longRun = String(Math.round(estimateMs));
  const unit = (state.spec && state.spec.step_unit && state.spec.step_unit.name) || 'step';
  showMessage(
    `This run would take ${durationText(estimateMs)} here (${total} ${unit}s, ${perStepText(estimateMs / total)} each on average, ` +
      `timed on the ${unit}s after the first). ` +
      'It is paused: run it anyway, or change the settings (fewer steps, a smaller network or data set).',
    {
      kind: 'warning',
      group: 'run',
      title: 'A long run',
      buttons: [
        { label: 'Run anyway', primary: true, onClick: resume },
        { label: 'Change settings', onClick: () => document.querySelector('#controls input, #controls select')?.focus() },
      ],
    },
  );
}

function clearLongRun() {
  delete document.body.dataset.longRun;
  for (const m of document.querySelectorAll('#messages .msg')) {
    if (m.querySelector('.msg-title')?.textContent === 'A long run') m.remove();
  }
}

function onWorkerMessage(msg) {
  // Posted by the worker before it took the latest config: stale. (Errors
  // and crashes always show: the wasm may fail before any config is read.)
  if (msg.run !== undefined && msg.run !== runId && msg.type !== 'crash' && msg.type !== 'error') return;
  switch (msg.type) {
    case 'ready':
      state.total = msg.total;
      $('total').textContent = String(msg.total);
      showNotes(msg.warnings);
      break;
    case 'snapshot':
      msLeft = msg.msLeft;
      msLeftAt = performance.now();
      showEstimate(msg);
      onSnapshot(msg.json);
      break;
    case 'long':
      onLongRun(msg);
      break;
    case 'parts':
      // A split run: one worker per part (the credit lab's rules).
      document.body.dataset.parts = String(msg.n);
      break;
    case 'progress':
      // A split run while its parts run: counter, bar and time left.
      setCounter(msg.step, msg.total);
      setProgress(msg.total > 0 ? msg.step / msg.total : 0, false);
      setEta(state.run === 'running' && msg.msLeft != null ? msg.msLeft : null);
      showEstimate(msg);
      break;
    case 'state':
      setRunState(msg.state);
      showEta();
      scheduleDraw(); // paused or done: bring off-screen charts up to date
      break;
    case 'stopped': {
      // The snapshot (posted just before) says where and why, in the core's words.
      const snap = state.snapshot;
      const text = snap && snap.stopped ? snap.stopped : `stopped at step ${snap ? snap.step : '?'}: ${msg.message}`;
      showMessage(text.charAt(0).toUpperCase() + text.slice(1), { kind: 'error', group: 'run', title: 'The run diverged' });
      break;
    }
    case 'error':
      showMessage(msg.message, { kind: 'error', group: 'run' });
      setRunState('error');
      break;
    case 'crash':
      onCrash(msg.message);
      break;
  }
}

/** A panic in the core: report it, restart the worker with the same config
 * (paused, so a deterministic crash does not loop). Give up after 3 crashes
 * in 30 s. */
function onCrash(detail) {
  const now = Date.now();
  crashes = crashes.filter((t) => now - t < 30000).concat(now);
  const step = state.snapshot ? state.snapshot.step : 0;
  worker.terminate();
  worker = null;
  if (crashes.length >= 3) {
    showMessage(`The computation crashed again at step ${step}: ${detail}. Stopped; change a setting to try again.`, {
      kind: 'error',
      group: 'crash',
      title: 'Worker crashed',
    });
    setRunState('error');
    return;
  }
  showMessage(`The computation crashed at step ${step}: ${detail}. The worker was restarted with the same settings; press Run to try again.`, {
    kind: 'error',
    group: 'crash',
    title: 'Worker restarted',
  });
  startWorker();
  startRun(false);
}

function onSnapshot(json) {
  performance.mark('neurogeom:snapshot');
  const snap = JSON.parse(json);
  if (snap.error) {
    showMessage(snap.error, { kind: 'error' });
    return;
  }
  state.snapshotJson = json;
  state.snapshot = snap;
  setCounter(snap.step, snap.total_steps);
  setProgress(snap.total_steps > 0 ? snap.step / snap.total_steps : 0, Boolean(snap.stopped));
  setHash(snap.hash, snap.done ? 'Final result hash' : 'Hash of the run so far');
  showEta();
  updateMetrics(snap);
  scheduleDraw();
}

function metricInfo(key) {
  const m = state.snapshot && state.snapshot.metrics.find((x) => x.key === key);
  return m ? m.info : '';
}

/**
 * Per-layer metrics as a grid: metrics whose key ends in `_<layer index>`
 * and whose label ends in `, <layer name>` (the capacity lab's
 * `capacity_0` "α, input", `radius_2` "R_M, h2", …) make one row per
 * metric and one column per layer, when at least two metrics over at least
 * two layers do and each index names one layer of its own. Returns {rows:
 * [{label, cells: Map(layer index → metric)}], layers: [{index, name}],
 * rest: [metrics not in the grid, in order]} or null.
 */
export function layerGrid(metrics) {
  const rows = new Map(); // metric label -> Map(layer index -> metric)
  const names = new Map(); // layer index -> layer name
  for (const m of metrics) {
    const k = /^(.+)_(\d+)$/.exec(m.key);
    const l = /^(.+), ([^,]+)$/.exec(m.label);
    if (!k || !l || (names.has(k[2]) && names.get(k[2]) !== l[2])) continue;
    names.set(k[2], l[2]);
    if (!rows.has(l[1])) rows.set(l[1], new Map());
    rows.get(l[1]).set(k[2], m);
  }
  // A layer is one index with one name of its own ("R² latent 1, supervised
  // twin", "…2, supervised twin" are not layers).
  const byName = new Map();
  for (const name of names.values()) byName.set(name, (byName.get(name) || 0) + 1);
  for (const [index, name] of names) {
    if (byName.get(name) > 1) {
      names.delete(index);
      for (const cells of rows.values()) cells.delete(index);
    }
  }
  const kept = [...rows].filter(([, cells]) => cells.size >= 2);
  if (kept.length < 2) return null;
  const layers = [...names].map(([index, name]) => ({ index, name })).sort((a, b) => Number(a.index) - Number(b.index));
  const keptMetrics = new Set(kept.flatMap(([, cells]) => [...cells.values()]));
  return {
    rows: kept.map(([label, cells]) => ({ label, cells })),
    layers: layers.filter((l) => kept.some(([, cells]) => cells.has(l.index))),
    rest: metrics.filter((m) => !keptMetrics.has(m)),
  };
}

/** A value cell: formatted, the exact value on hover. */
function fillCell(td, m) {
  td.textContent = m ? formatValue(m.value) : '';
  td.title = !m ? '' : m.value === null ? 'not a number' : String(m.value);
}

/** The per-layer grid above the metrics table (hidden when there is none). */
function updateLayerGrid(grid) {
  const table = $('metrics-grid');
  table.hidden = !grid;
  table.closest('.overview').classList.toggle('has-grid', Boolean(grid));
  if (!grid) {
    table.replaceChildren();
    delete table.dataset.keys;
    return;
  }
  const keys = grid.rows.map((r) => `${r.label}:${[...r.cells.keys()].join(',')}`).join('\n') + `|${grid.layers.map((l) => l.name).join(',')}`;
  if (table.dataset.keys !== keys) {
    const head = el('thead');
    const hr = el('tr');
    hr.append(el('th', 'corner', 'layer →'));
    for (const l of grid.layers) {
      const th = el('th', 'layer', l.name);
      th.scope = 'col';
      hr.append(th);
    }
    head.append(hr);
    const body = el('tbody');
    for (const r of grid.rows) {
      const tr = el('tr');
      const th = el('th', '', r.label);
      th.scope = 'row';
      const first = [...r.cells.values()][0];
      th.append(infoButton(r.label, () => metricInfo(first.key)));
      tr.append(th);
      for (const l of grid.layers) {
        const td = el('td', 'num');
        const m = r.cells.get(l.index);
        if (m) td.dataset.key = m.key;
        tr.append(td);
      }
      body.append(tr);
    }
    table.replaceChildren(head, body);
    table.dataset.keys = keys;
  }
  grid.rows.forEach((r, i) => {
    const cells = table.tBodies[0].rows[i].cells;
    grid.layers.forEach((l, j) => fillCell(cells[j + 1], r.cells.get(l.index)));
  });
}

function updateMetrics(snap) {
  const unit = (state.spec && state.spec.step_unit && state.spec.step_unit.name) || 'step';
  $('metrics-step').textContent = `at ${unit} ${snap.step}`;
  const grid = layerGrid(snap.metrics);
  updateLayerGrid(grid);
  const metrics = grid ? grid.rest : snap.metrics;
  const body = $('metrics').tBodies[0];
  const keys = metrics.map((m) => m.key).join('\n');
  if (body.dataset.keys !== keys) {
    body.replaceChildren();
    for (const m of metrics) {
      const tr = el('tr');
      tr.dataset.key = m.key;
      const th = el('th', '', m.label);
      th.scope = 'row';
      th.append(infoButton(m.label, () => metricInfo(m.key)));
      tr.append(th, el('td', 'num'));
      body.append(tr);
    }
    body.dataset.keys = keys;
  }
  metrics.forEach((m, i) => fillCell(body.rows[i].cells[1], m));
}
