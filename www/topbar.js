// The top bar: play / pause / step / reset (their meaning is app.js's, via
// `actions`), the step counter and the progress bar with its ETA, the
// result hash, "Copy link", export (PNG / SVG / CSV / JSON), and the
// keyboard (space: play/pause, →: one step, Escape: close the popover).

import * as core from './pkg/neurogeom.js';
import { $, el } from './dom.js';
import { state, actions } from './state.js';
import { hideInfo } from './messages.js';
import { drawCharts, HEATMAP_PREFIX } from './charts.js';
import { shareLink } from './link.js';
import { durationText } from './eta.js';
import { updatePin, pinnedChart } from './pin.js';
import { download, snapshotCsv } from './export.js';

/** The counter names what the lab's steps are (its spec's step_unit:
 * "step", or the feedback lab's "unit"), and says it on hover. */
export function showStepUnit(spec) {
  const unit = (spec && spec.step_unit) || { name: 'step', help: '' };
  const label = $('counter-unit');
  label.textContent = unit.name;
  label.title = unit.help;
  label.parentElement.title = unit.help;
  $('step-once').title = `One ${unit.name} (→)`;
}

/** The run's state, on the body (CSS, tests) and on the buttons. */
export function setRunState(run) {
  state.run = run;
  document.body.dataset.state = run;
  const play = $('play');
  const [icon, label] = {
    loading: ['▶', 'Run'],
    running: ['❚❚', 'Pause'],
    paused: ['▶', 'Run'],
    done: ['↻', 'Run again'],
    error: ['▶', 'Run'],
  }[run];
  play.querySelector('.icon').textContent = icon;
  play.querySelector('.label').textContent = label;
  play.setAttribute('aria-pressed', String(run === 'running'));
  const ready = run !== 'loading' && run !== 'error';
  play.disabled = !ready;
  $('step-once').disabled = !ready || run === 'done';
  $('reset').disabled = !ready;
  updatePin();
}

/** The top bar drives a sweep: Cancel while it runs, else Run again. */
export function setSweepButtons(status) {
  const play = $('play');
  const running = status === 'running';
  play.querySelector('.icon').textContent = running ? '■' : '↻';
  play.querySelector('.label').textContent = running ? 'Cancel' : 'Run again';
  play.title = running ? 'Cancel the sweep (space)' : 'Run the sweep again (space)';
  play.setAttribute('aria-pressed', 'false');
  $('step-once').disabled = true;
  $('reset').disabled = true;
}

/** Counter ("step 12 / 300" or "runs 3 / 9") and the unit's word. */
export function setCounter(done, total, unit) {
  $('step').textContent = String(done);
  $('total').textContent = String(total);
  if (unit) $('counter-unit').textContent = unit;
}

/** The progress bar(s): fraction done, red when something stopped. */
export function setProgress(frac, stopped = false, fills = ['progress-fill']) {
  const pct = `${(100 * frac).toFixed(2)}%`;
  for (const id of fills) {
    $(id).style.width = pct;
    $(id).classList.toggle('stopped', stopped);
  }
  for (const bar of document.querySelectorAll('.progress')) bar.setAttribute('aria-valuenow', String(Math.round(100 * frac)));
}

/** The ETA beside the counter: `ms` left (null: none shown). */
export function setEta(ms) {
  const eta = $('eta');
  eta.textContent = ms === null || ms === undefined ? '' : `· ${durationText(ms)} left`;
}

/** The result hash and what it means. */
export function setHash(text, title) {
  $('hash').textContent = text;
  $('hash').title = title;
}

async function copyLink() {
  const link = shareLink();
  const input = $('share-link');
  input.value = link;
  const button = $('copy-link');
  let ok = false;
  try {
    await navigator.clipboard.writeText(link);
    ok = true;
  } catch {
    input.focus();
    input.select();
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
  }
  button.textContent = ok ? 'Copied ✓' : 'Select & copy ↓';
  setTimeout(() => (button.textContent = 'Copy link'), 1600);
}

// Exports: files are made here and saved through a blob link; nothing is sent anywhere.

function fileStem() {
  const s = state.snapshot;
  if (state.mode === 'sweep') return `${state.config.lab}-seed${state.config.seed}-sweep-${state.sweep.axes.map((a) => a.key).join('-')}`;
  return `${state.config.lab}-seed${state.config.seed}-step${s.step}`;
}

/** Columns of the combined figure: 2 for up to 4 charts, else 3. */
const figureColumns = (n) => (n <= 4 ? 2 : 3);

/** The charts as shown (a heatmap not picked is left out) and, for each,
 * the pinned run's chart drawn beside it, or null. */
function shownWithPins(snap) {
  const charts = snap.charts.filter((c) => !c.id.startsWith(HEATMAP_PREFIX) || $(`chart-${c.id}`));
  return { charts, pinned: charts.map((c) => pinnedChart(c.id)) };
}

/** One PNG of every chart in a grid, drawn afresh by the core at twice the
 * CSS size (sharp in print), each with its pinned run as on the page. */
function figurePng(snap, stem) {
  const { charts, pinned } = shownWithPins(snap);
  const columns = figureColumns(charts.length);
  const [w, h] = core.charts_grid_size(charts.length, columns, 2);
  const canvas = el('canvas');
  canvas.width = w;
  canvas.height = h;
  core.draw_charts_grid(canvas, JSON.stringify(charts), JSON.stringify(pinned), columns, 2);
  canvas.toBlob((blob) => blob && download(`${stem}-figure.png`, blob), 'image/png');
}

/** The same figure as one SVG (the CLI's `plot --out` layout). */
function figureSvg(snap, stem) {
  const { charts, pinned } = shownWithPins(snap);
  const svg = core.charts_svg(JSON.stringify(charts), JSON.stringify(pinned), figureColumns(charts.length));
  download(`${stem}-figure.svg`, new Blob([svg], { type: 'image/svg+xml' }));
}

/** The pinned run's part of the CSV: its metrics and the charts drawn
 * beside the current ones (null when nothing pinned is drawn). */
function pinnedForCsv(snap) {
  const charts = snap.charts.map((c) => pinnedChart(c.id)).filter(Boolean);
  if (!charts.length) return null;
  const pin = state.pin.snapshot;
  return { step: pin.step, metrics: pin.metrics, charts };
}

function exportAs(kind) {
  const snap = state.snapshot;
  if (!snap) return;
  const stem = fileStem();
  if (kind === 'png-figure') {
    figurePng(snap, stem);
  } else if (kind === 'svg-figure') {
    figureSvg(snap, stem);
  } else if (kind === 'png') {
    drawCharts(true); // off-screen charts may be behind during a run
    for (const c of snap.charts) {
      const canvas = $(`chart-${c.id}`); // a heatmap not picked has none
      if (canvas) canvas.toBlob((blob) => blob && download(`${stem}-${c.id}.png`, blob), 'image/png');
    }
  } else if (kind === 'svg') {
    // Each SVG carries the version, the link and the hash in <metadata>.
    for (const c of snap.charts) {
      const pinned = pinnedChart(c.id); // a comparison exports as drawn
      const svg = pinned ? core.chart_svg_pinned(JSON.stringify(c), JSON.stringify(pinned), 800, 500) : core.chart_svg(JSON.stringify(c), 800, 500);
      download(`${stem}-${c.id}.svg`, new Blob([core.svg_with_metadata(svg, shareLink(), snap.hash)], { type: 'image/svg+xml' }));
    }
  } else if (kind === 'csv') {
    download(`${stem}.csv`, new Blob([snapshotCsv(snap, { pinned: state.mode === 'single' ? pinnedForCsv(snap) : null, link: shareLink(), hash: snap.hash })], { type: 'text/csv' }));
  } else if (kind === 'json') {
    // The core's own text, so that the numbers are exactly as computed.
    const sweep = state.mode === 'sweep' ? `,"sweep":${state.sweep.specJson}` : '';
    // A pinned run drawn beside this one goes along, with its own link.
    const pinned = state.mode === 'single' && pinnedForCsv(snap) ? `,"pinned":{"fragment":${JSON.stringify(state.pin.fragment)},"snapshot":${JSON.stringify(state.pin.snapshot)}}` : '';
    const text = `{"version":${JSON.stringify(core.version())},"link":${JSON.stringify(shareLink())},"config":${JSON.stringify(state.config)}${sweep}${pinned},"snapshot":${state.snapshotJson}}\n`;
    download(`${stem}.json`, new Blob([text], { type: 'application/json' }));
  }
  $('export').open = false;
}

function onKey(e) {
  if (e.altKey || e.ctrlKey || e.metaKey) return;
  if (e.key === 'Escape') return hideInfo();
  const t = e.target;
  if (t.closest && t.closest('input, select, textarea, button, summary, a, [contenteditable]')) return;
  if (e.key === ' ') {
    e.preventDefault();
    actions.togglePlay();
  } else if (e.key === 'ArrowRight') {
    e.preventDefault();
    actions.stepOnce();
  }
}

export function wireTopbar() {
  $('play').addEventListener('click', () => actions.togglePlay());
  $('step-once').addEventListener('click', () => actions.stepOnce());
  $('reset').addEventListener('click', () => actions.reset());
  $('copy-link').addEventListener('click', copyLink);
  $('share-link').addEventListener('focus', (e) => e.target.select());
  for (const b of document.querySelectorAll('[data-export]')) {
    b.addEventListener('click', () => exportAs(b.dataset.export));
  }
  document.addEventListener('keydown', onKey);
  document.addEventListener('click', (e) => {
    const exp = $('export');
    if (exp.open && !exp.contains(e.target)) exp.open = false;
  });
  // The sticky panel sits below the top bar, whose height depends on wrapping.
  const bar = document.querySelector('.topbar');
  new ResizeObserver(() => document.documentElement.style.setProperty('--topbar-h', `${bar.offsetHeight}px`)).observe(bar);
}
