// Sweep mode: one run per value of a parameter, in the pool of workers
// (sweep-pool.js); the core assembles the runs' points into a snapshot
// drawn like a run's. This module owns the sweep form in the panel, the
// sweep's banner, progress and runs table, and the top bar while a sweep is
// on (Cancel / Run again).

import * as core from './pkg/neurogeom.js';
import { $, el, formatValue } from './dom.js';
import { state, actions } from './state.js';
import { showMessage, showNotes, clearMessages } from './messages.js';
import { scheduleDraw, clearCharts, resetCharts, pickHeatmap, HEATMAP_PREFIX } from './charts.js';
import { setRunState, setSweepButtons, setCounter, setProgress, setHash, setEta, showStepUnit } from './topbar.js';
import { Eta, durationText } from './eta.js';
import { updateUrl, configFragment, sweepFragment, parseLink } from './link.js';
import { isLogParam, markSwept } from './controls.js';
import { stopRunWorker } from './run-client.js';
import { SweepPool } from './sweep-pool.js';

const numericParams = (spec) => spec.params.filter((p) => p.type === 'number');

/** A sweep's axes, [{key, values, log}] (one or two), whatever the spec's
 * shape: `{axes: [...], seeds}`, or the one-parameter `{key, values, log}`. */
export const axesOf = (spec) => spec.axes || [{ key: spec.key, values: spec.values, log: spec.log }];

/** How many seeds each point runs with. */
export const seedsOf = (spec) => spec.seeds || 1;

// ---------------------------------------------------------------------------
// The form.

/** Fill the sweep form's parameter lists; α first by default, where the
 * lab has it, and no second parameter. */
export function buildSweepForm(spec) {
  const params = numericParams(spec);
  const option = (p) => {
    const o = el('option', '', p.unit ? `${p.label} (${p.unit})` : p.label);
    o.value = p.key;
    return o;
  };
  $('sweep-key').replaceChildren(...params.map(option));
  const none = el('option', '', '— none (one parameter)');
  none.value = '';
  $('sweep-key2').replaceChildren(none, ...params.map(option));
  $('sweep-section').hidden = params.length === 0;
  const first = params.find((p) => p.key === 'alpha') || params.find((p) => p.log) || params[0];
  if (first) {
    $('sweep-key').value = first.key;
    setSweepRange(first, '');
  }
  $('sweep-key2').value = '';
  $('sweep-axis2').hidden = true;
  $('sweep-seeds').value = '1';
  showSeedRange();
}

/** The whole range of a parameter, log-spaced where its slider is
 * (`n`: '' for the first axis, '2' for the second). */
function setSweepRange(p, n) {
  $(`sweep-from${n}`).value = String(p.min);
  $(`sweep-to${n}`).value = String(p.max);
  $(`sweep-log${n}`).checked = isLogParam(p);
}

/** Under the seeds box: which seeds, and what more than one gives. */
export function showSeedRange() {
  const n = Number($('sweep-seeds').value);
  const seed = state.config ? BigInt(state.config.seed) : 1n;
  const many = Number.isInteger(n) && n > 1;
  const range = el('span', '', many ? `${seed} to ${seed + BigInt(n - 1)}` : String(seed));
  range.id = 'sweep-seed-range';
  $('sweep-seed-help').replaceChildren(
    many ? 'Each point runs with seeds ' : 'Each point runs with seed ',
    range,
    many ? ': the charts show their mean and the range from lowest to highest.' : '. With more seeds the charts show their mean and range.',
  );
}

/** Show a sweep (from a link) in the form. */
export function setSweepForm(spec) {
  const axes = axesOf(spec);
  axes.forEach((axis, i) => {
    const n = i === 0 ? '' : '2';
    if (![...$(`sweep-key${n}`).options].some((o) => o.value === axis.key)) return;
    $(`sweep-key${n}`).value = axis.key;
    $(`sweep-from${n}`).value = String(Math.min(...axis.values));
    $(`sweep-to${n}`).value = String(Math.max(...axis.values));
    $(`sweep-count${n}`).value = String(axis.values.length);
    $(`sweep-log${n}`).checked = Boolean(axis.log);
  });
  if (axes.length < 2) $('sweep-key2').value = '';
  $('sweep-axis2').hidden = axes.length < 2;
  $('sweep-seeds').value = String(seedsOf(spec));
  showSeedRange();
  $('sweep-section').open = true;
}

/** One axis of the form as the core's sweep text, e.g. `alpha:log:0.01:1000:11`.
 * Whole-number parameters get their values listed, rounded and without repeats. */
function axisTextFromForm(n) {
  const p = state.spec.params.find((q) => q.key === $(`sweep-key${n}`).value);
  if (!p) throw new Error('choose a parameter to sweep');
  const num = (id, what) => {
    const text = $(id).value.trim();
    const v = Number(text);
    if (text === '' || !Number.isFinite(v)) throw new Error(`${what} must be a number`);
    return v;
  };
  const from = num(`sweep-from${n}`, '“From”');
  const to = num(`sweep-to${n}`, '“To”');
  const count = num(`sweep-count${n}`, 'The number of runs');
  if (!Number.isInteger(count) || count < 2) throw new Error(`a sweep needs at least 2 runs (a whole number), not ${$(`sweep-count${n}`).value.trim()}`);
  const log = $(`sweep-log${n}`).checked;
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

/** The form as the core's sweep spec, {axes, seeds}. */
function sweepSpecFromForm() {
  let text = axisTextFromForm('');
  if ($('sweep-key2').value) {
    if ($('sweep-key2').value === $('sweep-key').value) throw new Error('the two parameters of a sweep must differ');
    text += `;${axisTextFromForm('2')}`;
  }
  const seeds = Number($('sweep-seeds').value.trim() || '1');
  if (!Number.isInteger(seeds) || seeds < 1) throw new Error(`seeds: give a whole number from 1, not ${$('sweep-seeds').value.trim()}`);
  return JSON.parse(core.sweep_spec(text, seeds)); // says what is wrong, if anything
}

function sweepRefused(message) {
  showMessage(message.charAt(0).toUpperCase() + message.slice(1), { kind: 'error', group: 'run', title: 'The sweep did not start' });
}

/** "Run sweep": read the form, and run what the resulting link says, so
 * that the link reproduces it. */
function runSweepFromForm() {
  clearMessages('run');
  let spec;
  try {
    spec = sweepSpecFromForm();
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
  let runList; // [{index, coords, seed_index, seed, config}], in run order
  try {
    runList = JSON.parse(core.sweep_runs(baseJson, specJson));
  } catch (e) {
    sweepRefused(e.message || String(e));
    return false;
  }
  if (state.sweep && state.sweep.pool) state.sweep.pool.stop();
  stopRunWorker(); // every core goes to the sweep
  clearMessages('run');
  const axes = axesOf(spec);
  const params = axes.map((a) => state.spec.params.find((p) => p.key === a.key) || { key: a.key, label: a.key, unit: '' });
  const configs = runList.map((r) => r.config);
  const runs = configs.length;
  const sweep = {
    spec,
    specJson,
    baseJson,
    axes,
    params, // the swept parameters' specs, one per axis
    seeds: seedsOf(spec),
    configs,
    runs,
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
  const jobs = runList.map((r, index) => ({ index, coords: r.coords, seed_index: r.seed_index, config: r.config }));
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

/** "α = 0.01", "α = 0.01, width = 64, seed 2": a run's place in the sweep,
 * read from its config. */
function sweepValueText(sweep, index) {
  const config = sweep.configs[index];
  const values = sweep.axes.map((a) => `${a.key} = ${formatValue(config.params[a.key])}`);
  if (sweep.seeds > 1) values.push(`seed ${config.seed}`);
  return values.join(', ');
}

/** The runs table's row heading: the value(s), and the seed. */
function runLabel(sweep, index) {
  const config = sweep.configs[index];
  const values = sweep.axes.map((a) => formatValue(config.params[a.key]));
  if (sweep.seeds > 1) values.push(`s${config.seed}`);
  return values.join(' · ');
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
  if (sweep.status === 'running' && sweepFinished(sweep) === sweep.runs) {
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
  fillHeatmapPicker(state.snapshot.charts);
  if (state.snapshot.charts.length === 0) {
    clearCharts(sweep.status === 'running' ? 'The charts appear as soon as the first run finishes: each point is one full run.' : 'No run of this sweep finished.');
  } else {
    scheduleDraw();
  }
}

/** The metric picker for a phase diagram's heatmaps (one chart each). */
function fillHeatmapPicker(charts) {
  const maps = charts.filter((c) => c.id.startsWith(HEATMAP_PREFIX));
  const select = $('heatmap-metric');
  $('heatmap-pick').hidden = maps.length < 2;
  const ids = maps.map((c) => c.id).join('\n');
  if (select.dataset.ids === ids) return;
  const before = select.value;
  select.replaceChildren(
    ...maps.map((c) => {
      const o = el('option', '', c.title);
      o.value = c.id.slice(HEATMAP_PREFIX.length);
      return o;
    }),
  );
  select.dataset.ids = ids;
  if ([...select.options].some((o) => o.value === before)) select.value = before;
  pickHeatmap(select.value || null);
}

function updateSweepProgress(sweep) {
  const runs = sweep.runs;
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
  const names = sweep.params.map((p) => p.label).join(' · ') + (sweep.seeds > 1 ? ' · seed' : '');
  $('metrics-step').textContent = `${names}${metric ? ` → final ${metric.label.toLowerCase()}` : ''}`;
  if (body.dataset.keys !== keys) {
    body.replaceChildren();
    sweep.configs.forEach((config, i) => {
      const tr = el('tr');
      const th = el('th', '', runLabel(sweep, i));
      th.scope = 'row';
      th.title = sweepValueText(sweep, i);
      tr.append(th, el('td', 'num'));
      body.append(tr);
    });
    body.dataset.keys = keys;
  }
  sweep.configs.forEach((config, i) => {
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
  const { runs, axes, params, seeds } = sweep;
  const count = seeds > 1 ? `${runs} runs: ${axes.map((a) => a.values.length).join(' × ')} values × ${seeds} seeds` : `${runs} runs`;
  $('sweep-title').textContent =
    axes.length === 1 ? `Sweep of ${params[0].label} (${count})` : `Phase diagram of ${params[0].label} × ${params[1].label} (${count})`;
  const ranges = axes.map((a, i) => {
    const range = `${formatValue(Math.min(...a.values))} to ${formatValue(Math.max(...a.values))}${a.log ? ', log-spaced' : ''}`;
    return axes.length === 1 ? range : `${params[i].label} ${range}`;
  });
  $('sweep-subtitle').textContent =
    `${ranges.join('; ')} · every other setting as in the panel · ` + `${Math.min(navigator.hardwareConcurrency || 2, runs)} workers in parallel`;
  $('sweep-banner').hidden = false;
  $('sweep-progress').hidden = false;
  $('sweep-section').open = true;
  $('counter-unit').textContent = 'runs';
  $('counter-unit').title = '';
  $('counter-unit').parentElement.title = 'Runs of the sweep finished';
  markSwept(axes.map((a) => a.key));
  // Fresh chart cards for the sweep's charts.
  state.snapshot = null;
  resetCharts();
  $('metrics').tBodies[0].dataset.keys = '';
  $('metrics-grid').hidden = true; // the runs table only
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
  showStepUnit(state.spec);
  $('metrics-heading').textContent = 'Metrics';
  $('play').title = 'Run / pause (space)';
  $('sweep-fill').style.width = '0';
  $('heatmap-pick').hidden = true;
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
  for (const n of ['', '2']) {
    $(`sweep-key${n}`).addEventListener('change', () => {
      const p = state.spec.params.find((q) => q.key === $(`sweep-key${n}`).value);
      if (p) setSweepRange(p, n);
      if (n === '2') $('sweep-axis2').hidden = !p;
    });
  }
  $('sweep-seeds').addEventListener('input', showSeedRange);
  $('heatmap-metric').addEventListener('change', () => pickHeatmap($('heatmap-metric').value));
}
