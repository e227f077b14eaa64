// Sweep mode: one run per value of a parameter, in the pool of workers
// (sweep-pool.js); the core assembles the runs' points into a snapshot
// drawn like a run's. This module owns the sweep form in the panel, the
// sweep's banner, progress and runs table, and the top bar while a sweep is
// on (Cancel / Run again).

import * as core from './pkg/neurogeom.js';
import { $, el, formatValue } from './dom.js';
import { state, actions } from './state.js';
import { showMessage, showNotes, clearMessages } from './messages.js';
import { scheduleDraw, clearCharts, resetCharts } from './charts.js';
import { setRunState, setSweepButtons, setCounter, setProgress, setHash, setEta } from './topbar.js';
import { Eta, durationText } from './eta.js';
import { updateUrl, configFragment, sweepFragment, parseLink } from './link.js';
import { isLogParam, markSwept } from './controls.js';
import { stopRunWorker } from './run-client.js';
import { SweepPool } from './sweep-pool.js';

const numericParams = (spec) => spec.params.filter((p) => p.type === 'number');

// ---------------------------------------------------------------------------
// The form.

/** Fill the sweep form's parameter list; α by default, where the lab has it. */
export function buildSweepForm(spec) {
  const select = $('sweep-key');
  select.replaceChildren();
  const params = numericParams(spec);
  for (const p of params) {
    const o = el('option', '', p.unit ? `${p.label} (${p.unit})` : p.label);
    o.value = p.key;
    select.append(o);
  }
  $('sweep-section').hidden = params.length === 0;
  const first = params.find((p) => p.key === 'alpha') || params.find((p) => p.log) || params[0];
  if (first) {
    select.value = first.key;
    setSweepRange(first);
  }
}

/** The whole range of a parameter, log-spaced where its slider is. */
function setSweepRange(p) {
  $('sweep-from').value = String(p.min);
  $('sweep-to').value = String(p.max);
  $('sweep-log').checked = isLogParam(p);
}

/** Show a sweep (from a link) in the form. */
export function setSweepForm(spec) {
  if (![...$('sweep-key').options].some((o) => o.value === spec.key)) return;
  $('sweep-key').value = spec.key;
  $('sweep-from').value = String(Math.min(...spec.values));
  $('sweep-to').value = String(Math.max(...spec.values));
  $('sweep-count').value = String(spec.values.length);
  $('sweep-log').checked = spec.log;
  $('sweep-section').open = true;
}

/** The form as the core's sweep text, e.g. `alpha:log:0.01:1000:11`. Whole-
 * number parameters get their values listed, rounded and without repeats. */
function sweepTextFromForm() {
  const p = state.spec.params.find((q) => q.key === $('sweep-key').value);
  if (!p) throw new Error('choose a parameter to sweep');
  const num = (id, what) => {
    const text = $(id).value.trim();
    const v = Number(text);
    if (text === '' || !Number.isFinite(v)) throw new Error(`${what} must be a number`);
    return v;
  };
  const from = num('sweep-from', '“From”');
  const to = num('sweep-to', '“To”');
  const count = num('sweep-count', 'The number of runs');
  if (!Number.isInteger(count) || count < 2) throw new Error(`a sweep needs at least 2 runs (a whole number), not ${$('sweep-count').value.trim()}`);
  const log = $('sweep-log').checked;
  if (log && (from <= 0 || to <= 0)) {
    throw new Error(`log spacing needs positive ends; ${p.label} from ${from} to ${to} includes values ≤ 0 (untick “Log spacing” or pick positive ends)`);
  }
  if (!p.integer) return `${p.key}:${log ? 'log' : 'lin'}:${from}:${to}:${count}`;
  if (count > 64) throw new Error(`${count} runs; use 2 to 64`);
  const values = [];
  for (let i = 0; i < count; i++) {
    const t = i / (count - 1);
    const v = Math.round(log ? Math.exp(Math.log(from) + t * (Math.log(to) - Math.log(from))) : from + t * (to - from));
    if (!values.includes(v)) values.push(v);
  }
  if (values.length < 2) throw new Error(`${p.label} takes whole numbers: from ${from} to ${to} gives only ${values[0]}`);
  return `${p.key}:${values.join(',')}`;
}

function sweepRefused(message) {
  showMessage(message.charAt(0).toUpperCase() + message.slice(1), { kind: 'error', group: 'run', title: 'The sweep did not start' });
}

/** "Run sweep": read the form, and run what the resulting link says. */
function runSweepFromForm() {
  clearMessages('run');
  let spec;
  try {
    spec = JSON.parse(core.sweep_parse(sweepTextFromForm()));
    // The page runs what its link says, so that the link reproduces it.
    spec = parseLink(sweepFragment(JSON.stringify(state.config), JSON.stringify(spec))).sweep || spec;
  } catch (e) {
    sweepRefused(e.message || String(e));
    return;
  }
  startSweep(spec);
}

// ---------------------------------------------------------------------------
// Running a sweep.

/** Start a sweep of the current config. False (with a message) if the core
 * refuses it: not a numeric parameter, a value out of range, … */
export function startSweep(spec) {
  const specJson = JSON.stringify(spec);
  const baseJson = JSON.stringify(state.config);
  let configs;
  try {
    configs = JSON.parse(core.sweep_configs(baseJson, specJson));
  } catch (e) {
    sweepRefused(e.message || String(e));
    return false;
  }
  if (state.sweep && state.sweep.pool) state.sweep.pool.stop();
  stopRunWorker(); // every core goes to the sweep
  clearMessages('run');
  const param = state.spec.params.find((p) => p.key === spec.key) || { label: spec.key, unit: '' };
  const runs = spec.values.length;
  const sweep = {
    spec,
    specJson,
    baseJson,
    param,
    points: new Array(runs).fill(null), // JSON text, as the workers sent it
    parsed: new Array(runs).fill(null),
    failed: new Array(runs).fill(null), // why a run gave no point
    progress: new Array(runs).fill(0), // fraction of each run's steps done
    used: new Set(), // slots that delivered a point
    pool: null,
    status: 'running',
    eta: new Eta(), // wall-clock time left for the whole pool
  };
  sweep.eta.start(0);
  state.mode = 'sweep';
  state.sweep = sweep;
  updateUrl(sweepFragment(baseJson, specJson));
  enterSweepView(sweep);

  const size = Math.max(1, Math.min(navigator.hardwareConcurrency || 2, runs));
  document.body.dataset.sweepWorkers = String(size);
  document.body.dataset.sweepWorkersUsed = '0';
  const jobs = configs.map((config, index) => ({ index, value: spec.values[index], config }));
  const mine = () => state.sweep === sweep && sweep.status === 'running';
  sweep.pool = new SweepPool(jobs, size, {
    ready: (index, warnings) => mine() && showNotes(warnings),
    progress: (index, frac) => {
      if (!mine()) return;
      sweep.progress[index] = frac;
      updateSweepProgress(sweep);
      updateSweepTable(sweep);
    },
    point: (index, json, slot) => {
      if (!mine()) return;
      const point = JSON.parse(json);
      sweep.points[index] = json;
      sweep.parsed[index] = point;
      sweep.progress[index] = 1;
      sweep.used.add(slot);
      document.body.dataset.sweepWorkersUsed = String(sweep.used.size);
      if (point.stopped) {
        const text = `${sweepValueText(sweep, index)}: ${point.stopped}. The other runs go on.`;
        showMessage(text, { kind: 'error', group: 'run', title: 'A run of the sweep diverged' });
      }
    },
    failed: (index, message) => mine() && runFailed(sweep, index, message),
    stopped: (detail, crashes) => {
      if (!mine()) return;
      showMessage(`The sweep's workers crashed ${crashes} times (last: ${detail}). Stopped; change a setting to try again.`, {
        kind: 'error',
        group: 'crash',
        title: 'Sweep stopped',
      });
      setSweepState('error');
      renderSweep();
    },
    changed: () => mine() && renderSweep(),
  });
  setSweepState('running');
  renderSweep();
  return true;
}

/** "α = 0.01" */
function sweepValueText(sweep, index) {
  return `${sweep.spec.key} = ${formatValue(sweep.spec.values[index])}`;
}

function runFailed(sweep, index, message) {
  sweep.failed[index] = message;
  sweep.progress[index] = 1;
  showMessage(`${sweepValueText(sweep, index)}: ${message}`, { kind: 'error', group: 'run', title: 'A run of the sweep failed' });
}

/** Cancel: the pool's workers are terminated at once; the finished runs stay drawn. */
export function cancelSweep() {
  const sweep = state.sweep;
  if (!sweep || sweep.status !== 'running') return;
  sweep.pool.stop();
  sweep.progress = sweep.progress.map((f, i) => (sweep.points[i] || sweep.failed[i] ? 1 : 0));
  setSweepState('cancelled');
  renderSweep();
}

/** Runs that ended, with or without a point. */
const sweepFinished = (sweep) => sweep.points.filter((p, i) => p || sweep.failed[i]).length;

/** Rebuild the sweep's snapshot from the points so far and draw it. */
function renderSweep() {
  const sweep = state.sweep;
  const points = sweep.points.filter(Boolean);
  let json;
  try {
    json = core.sweep_snapshot(sweep.specJson, sweep.baseJson, `[${points.join(',')}]`);
  } catch (e) {
    showMessage(`Could not assemble the sweep: ${e.message || e}`, { kind: 'error' });
    return;
  }
  state.snapshotJson = json;
  state.snapshot = JSON.parse(json);
  if (sweep.status === 'running' && sweepFinished(sweep) === sweep.spec.values.length) {
    sweep.pool.stop();
    setSweepState('done');
  }
  if (sweep.status === 'done') {
    setHash(state.snapshot.hash, sweep.failed.some(Boolean) ? 'Sweep hash of the runs that finished (some failed)' : 'Sweep hash: every run and the sweep charts');
  } else {
    setHash('–', 'The sweep hash appears when every run is done');
  }
  updateSweepProgress(sweep);
  updateSweepTable(sweep);
  if (state.snapshot.charts.length === 0) {
    clearCharts(sweep.status === 'running' ? 'The charts appear as soon as the first run finishes: each point is one full run.' : 'No run of this sweep finished.');
  } else {
    scheduleDraw();
  }
}

function updateSweepProgress(sweep) {
  const runs = sweep.spec.values.length;
  const finished = sweepFinished(sweep);
  const frac = sweep.progress.reduce((a, b) => a + b, 0) / runs;
  const word = runs === 1 ? 'run' : 'runs';
  sweep.eta.update(frac);
  const left = sweep.status === 'running' ? sweep.eta.left() : null;
  setEta(left);
  const tail = { running: left === null ? '' : ` · ${durationText(left)} left`, done: ' · done', cancelled: ' · cancelled', error: ' · stopped' }[sweep.status];
  $('sweep-progress-text').textContent = `${finished} / ${runs} ${word}${tail}`;
  const failed = sweep.failed.some(Boolean) || sweep.parsed.some((p) => p && p.stopped);
  setProgress(frac, failed, ['sweep-fill', 'progress-fill']);
  setCounter(finished, runs);
}

/** The metrics card lists the runs: value, then the headline metric's end
 * value, or where the run is. */
function updateSweepTable(sweep) {
  const body = $('metrics').tBodies[0];
  const keys = `sweep\n${sweep.specJson}`;
  const metricKey = (state.spec.sweep_metrics || [])[0];
  const first = sweep.parsed.find(Boolean);
  const metric = first && first.metrics.find((m) => m.key === metricKey);
  $('metrics-heading').textContent = 'Runs';
  $('metrics-step').textContent = `${sweep.param.label}${metric ? ` → final ${metric.label.toLowerCase()}` : ''}`;
  if (body.dataset.keys !== keys) {
    body.replaceChildren();
    sweep.spec.values.forEach((v) => {
      const tr = el('tr');
      const th = el('th', '', formatValue(v));
      th.scope = 'row';
      th.title = `${sweep.spec.key} = ${v}`;
      tr.append(th, el('td', 'num'));
      body.append(tr);
    });
    body.dataset.keys = keys;
  }
  sweep.spec.values.forEach((v, i) => {
    const td = body.rows[i].cells[1];
    const p = sweep.parsed[i];
    let text;
    let kind = '';
    if (p && p.stopped) [text, kind] = ['diverged', 'bad'];
    else if (p) {
      const m = p.metrics.find((x) => x.key === metricKey);
      text = m ? formatValue(m.value) : 'done';
      td.title = m && m.value !== null ? String(m.value) : '';
    } else if (sweep.failed[i]) [text, kind] = ['failed', 'bad'];
    else if (sweep.pool.running(i) && sweep.status === 'running') [text, kind] = [`running ${Math.round(100 * sweep.progress[i])}%`, 'pending'];
    else [text, kind] = [sweep.status === 'running' ? 'queued' : '—', 'pending'];
    td.textContent = text;
    td.className = `num ${kind}`;
  });
}

/** Sweep mode's page: heading, panel, buttons. */
function enterSweepView(sweep) {
  const runs = sweep.spec.values.length;
  const { param } = sweep;
  const lo = Math.min(...sweep.spec.values);
  const hi = Math.max(...sweep.spec.values);
  $('sweep-title').textContent = `Sweep of ${param.label} (${runs} runs)`;
  $('sweep-subtitle').textContent =
    `${formatValue(lo)} to ${formatValue(hi)}${sweep.spec.log ? ', log-spaced' : ''} · every other setting as in the panel · ` +
    `${Math.min(navigator.hardwareConcurrency || 2, runs)} workers in parallel`;
  $('sweep-banner').hidden = false;
  $('sweep-progress').hidden = false;
  $('sweep-section').open = true;
  $('counter-unit').textContent = 'runs';
  markSwept([sweep.spec.key]);
  // Fresh chart cards for the sweep's charts.
  state.snapshot = null;
  resetCharts();
  $('metrics').tBodies[0].dataset.keys = '';
}

function setSweepState(status) {
  const sweep = state.sweep;
  sweep.status = status;
  document.body.dataset.sweep = status;
  // The top bar's state follows the sweep (its CSS and the charts' redraw pace read it).
  setRunState({ running: 'running', done: 'done', cancelled: 'paused', error: 'paused' }[status]);
  setSweepButtons(status);
  const running = status === 'running';
  $('sweep-run').disabled = running;
  $('sweep-cancel').disabled = !running;
  scheduleDraw(); // done or cancelled: bring off-screen charts up to date
}

/** Leave sweep mode without starting anything. */
export function exitSweepMode() {
  if (state.sweep && state.sweep.pool) state.sweep.pool.stop();
  state.mode = 'single';
  state.sweep = null;
  delete document.body.dataset.sweep;
  delete document.body.dataset.sweepWorkers;
  delete document.body.dataset.sweepWorkersUsed;
  $('sweep-banner').hidden = true;
  $('sweep-progress').hidden = true;
  $('sweep-run').disabled = false;
  $('sweep-cancel').disabled = true;
  $('counter-unit').textContent = 'step';
  $('metrics-heading').textContent = 'Metrics';
  $('play').title = 'Run / pause (space)';
  $('sweep-fill').style.width = '0';
  setEta(null);
  markSwept([]);
  state.snapshot = null;
  clearCharts();
  $('metrics').tBodies[0].dataset.keys = '';
  $('hash').textContent = '–';
}

/** "Back to the single run": the panel's settings, run once. */
function backToSingleRun() {
  if (state.mode !== 'sweep') return;
  exitSweepMode();
  clearMessages('run');
  updateUrl(configFragment(state.config));
  actions.startRun(true);
}

/** The top bar's play button in sweep mode: cancel, or run again. */
export function toggleSweep() {
  if (state.sweep.status === 'running') cancelSweep();
  else startSweep(state.sweep.spec);
}

export function wireSweep() {
  $('sweep-form').addEventListener('submit', (e) => {
    e.preventDefault();
    runSweepFromForm();
  });
  $('sweep-cancel').addEventListener('click', cancelSweep);
  $('sweep-back').addEventListener('click', backToSingleRun);
  $('sweep-key').addEventListener('change', () => {
    const p = state.spec.params.find((q) => q.key === $('sweep-key').value);
    if (p) setSweepRange(p);
  });
}
