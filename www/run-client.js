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

let worker = null;
let workerId = 0; // messages from replaced workers are ignored
let crashes = []; // times of recent worker crashes
let msPerStep = null; // the run's compute time per step, as the worker measured it

function startWorker() {
  if (worker) worker.terminate();
  const id = ++workerId;
  worker = moduleWorker(new URL('./worker.js', import.meta.url));
  worker.onmessage = (e) => id === workerId && onWorkerMessage(e.data);
  worker.onerror = (e) => {
    e.preventDefault();
    if (id === workerId) onCrash(e.message || 'the worker failed to start');
  };
  worker.onmessageerror = () => id === workerId && onCrash('a message from the worker could not be read');
}

/** Start the run worker now, so that it loads the wasm while the page
 * does: the first chart comes sooner. startRun() uses it. */
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
  msPerStep = null;
  clearLongRun();
  delete document.body.dataset.parts;
  send({ type: 'config', config: state.config, play });
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
  const live = state.run === 'running' && snap && !snap.done && msPerStep !== null;
  setEta(live ? msPerStep * (snap.total_steps - snap.step) : null);
}

/** The worker measured the first steps, and the whole run would take more
 * than about two minutes: it paused. Say so, and let the user choose. */
function onLongRun({ estimateMs, msPerStep: perStep, total }) {
  document.body.dataset.longRun = String(Math.round(estimateMs));
  const per = perStep >= 1000 ? `${Number((perStep / 1000).toPrecision(2))} s` : `${Number(perStep.toPrecision(2))} ms`;
  showMessage(
    `This run would take ${durationText(estimateMs)} here (${total} steps at ${per} per step, measured on the first steps). ` +
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
  switch (msg.type) {
    case 'ready':
      state.total = msg.total;
      $('total').textContent = String(msg.total);
      showNotes(msg.warnings);
      break;
    case 'snapshot':
      msPerStep = msg.msPerStep;
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
      setEta(state.run === 'running' && msg.msPerStep != null ? msg.msPerStep * (msg.total - msg.step) : null);
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

function updateMetrics(snap) {
  $('metrics-step').textContent = `at step ${snap.step}`;
  const body = $('metrics').tBodies[0];
  const keys = snap.metrics.map((m) => m.key).join('\n');
  if (body.dataset.keys !== keys) {
    body.replaceChildren();
    for (const m of snap.metrics) {
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
  snap.metrics.forEach((m, i) => {
    const td = body.rows[i].cells[1];
    td.textContent = formatValue(m.value);
    td.title = m.value === null ? 'not a number' : String(m.value);
  });
}
