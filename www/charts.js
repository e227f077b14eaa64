// Chart drawing: one card and canvas per chart of the snapshot (the first
// one featured, larger), drawn by the core (plotters on a canvas) at
// devicePixelRatio resolution. While a run is live only the charts on
// screen are redrawn with every snapshot; the others about once a second,
// and at once when scrolled into view or when the run stops.

import * as core from './pkg/neurogeom.js';
import { $, el } from './dom.js';
import { state } from './state.js';
import { showMessage, infoButton } from './messages.js';
import { pinnedChart } from './pin.js';
import { embeddedCharts } from './embed.js';

const drawn = new Map(); // chart id -> the JSON last drawn on its canvas
const frames = new Map(); // chart id -> where its data landed (the core's PlotBox), or null
const drawnAt = new Map(); // chart id -> when it was last drawn (performance.now())
let chartIds = ''; // the chart set the cards were built for
let drawPending = false;

/** The heatmaps of a two-parameter sweep: one chart per metric, ids
 * `sweep-heatmap-<key>`; one is shown at a time (the picker in sweep.js). */
export const HEATMAP_PREFIX = 'sweep-heatmap-';
let heatmapKey = null;

/** Show the heatmap of this metric key (null: the first). */
export function pickHeatmap(key) {
  heatmapKey = key;
  scheduleDraw();
}

/** The charts shown: all but the heatmaps not picked (of an embedded view's, see embed.js). */
function shownCharts(all) {
  const charts = embeddedCharts(all);
  const maps = charts.filter((c) => c.id.startsWith(HEATMAP_PREFIX));
  if (maps.length < 2) return charts;
  const picked = maps.find((c) => c.id === HEATMAP_PREFIX + heatmapKey) || maps[0];
  return charts.filter((c) => !c.id.startsWith(HEATMAP_PREFIX) || c === picked);
}

function chartInfo(id) {
  const c = state.snapshot && state.snapshot.charts.find((x) => x.id === id);
  return c ? c.info : '';
}

/** Where a chart's data landed on its canvas, as the core reported when it
 * last drew it (src/plot/frame.rs, PlotBox): `{left, top, width, height,
 * x: {lo, hi, log, symlog?, px_lo, px_hi}, y: {…}}` in CSS pixels of the canvas,
 * display-space ranges; null if not drawn yet. The canvas carries the same
 * as JSON in `data-frame`, for tests and scripts. */
export function chartFrame(id) {
  return frames.get(id) || null;
}

/** Data → display space along one axis: log10 v on a log axis,
 * sign(v)·log10(1 + |v|/c) on a symlog axis (`symlog` = c), else v. */
function toDisplay(axis, v) {
  if (axis.log) return v > 0 ? Math.log10(v) : NaN;
  if (axis.symlog) return Math.sign(v) * Math.log10(1 + Math.abs(v) / axis.symlog);
  return v;
}

/** Data → CSS pixel along one axis of a frame (null if not shown). */
export function toPixel(axis, v) {
  const d = toDisplay(axis, v);
  if (!Number.isFinite(d) || !(axis.hi > axis.lo)) return null;
  return axis.px_lo + ((d - axis.lo) / (axis.hi - axis.lo)) * (axis.px_hi - axis.px_lo);
}

/** CSS pixel → data along one axis of a frame. */
export function fromPixel(axis, px) {
  const d = axis.lo + ((px - axis.px_lo) / (axis.px_hi - axis.px_lo)) * (axis.hi - axis.lo);
  if (axis.log) return 10 ** d;
  if (axis.symlog) return Math.sign(d) * axis.symlog * (10 ** Math.abs(d) - 1);
  return d;
}

// Rewrites of a chart before it is drawn (the point editor shows the points
// being edited before the run has them), and listeners for new cards.
const transforms = [];
const cardListeners = [];

/** Draw `fn(chart)` instead of each chart (fn returns the chart unchanged
 * when it has nothing to change). */
export function transformCharts(fn) {
  transforms.push(fn);
}

/** Call `fn(charts)` each time the chart cards are built afresh. */
export function onCards(fn) {
  cardListeners.push(fn);
}

/** Draw every chart again (the pinned run changed). */
export function redrawAll() {
  drawn.clear();
  scheduleDraw();
}

/** Forget the cards: the next draw builds fresh ones. */
export function resetCharts() {
  chartIds = '';
}

/** Remove every card (and show `note` in the featured place, if given). */
export function clearCharts(note) {
  chartIds = '';
  $('featured').replaceChildren(...(note ? [el('div', 'card chart-placeholder', note)] : []));
  $('charts').replaceChildren();
}

/** Make one card + canvas per chart, the first one featured (larger). */
function ensureChartCards(charts) {
  const ids = charts.map((c) => c.id).join('\n');
  if (ids === chartIds) return;
  chartIds = ids;
  drawn.clear();
  drawnAt.clear();
  $('featured').replaceChildren();
  $('charts').replaceChildren();
  charts.forEach((chart, i) => {
    const card = el('figure', 'card chart-card');
    card.id = `card-${chart.id}`;
    const canvas = el('canvas');
    canvas.id = `chart-${chart.id}`;
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', chart.title);
    card.append(canvas, infoButton(chart.title, () => chartInfo(chart.id)));
    (i === 0 ? $('featured') : $('charts')).append(card);
    visibility.observe(canvas);
  });
  frames.clear();
  for (const fn of cardListeners) fn(charts);
}

// Which canvases are on screen.
const onScreen = new Set();
const visibility = new IntersectionObserver(
  (entries) => {
    for (const e of entries) {
      if (e.isIntersecting) onScreen.add(e.target.id);
      else onScreen.delete(e.target.id);
    }
    scheduleDraw();
  },
  { rootMargin: '200px' },
);

/** Size a canvas for the screen: CSS size × devicePixelRatio. */
function fitCanvas(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const r = canvas.getBoundingClientRect();
  const w = Math.max(1, Math.round(r.width * dpr));
  const h = Math.max(1, Math.round(r.height * dpr));
  if (canvas.width === w && canvas.height === h) return false;
  canvas.width = w;
  canvas.height = h;
  return true;
}

/** Draw at the next animation frame (once, however often asked). */
export function scheduleDraw() {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => {
    drawPending = false;
    drawCharts();
  });
}

/** Draw every chart whose data or size changed since it was last drawn
 * (off-screen ones at most once a second while the run is live; `all`
 * draws them too). */
export function drawCharts(all = false) {
  const snap = state.snapshot;
  if (!snap) return;
  const t0 = performance.now();
  const charts = shownCharts(snap.charts);
  ensureChartCards(charts);
  const live = !all && (state.run === 'running' || state.run === 'loading');
  let skipped = 0;
  for (const original of charts) {
    const chart = transforms.reduce((c, fn) => fn(c), original);
    const canvas = $(`chart-${chart.id}`);
    if (!canvas) continue;
    // Off screen during a run: keep up, but only about once a second.
    const last = drawnAt.get(chart.id);
    if (live && !onScreen.has(canvas.id) && last !== undefined && t0 - last < 1000) {
      skipped++;
      continue;
    }
    const json = JSON.stringify(chart);
    const pinned = pinnedChart(chart.id);
    const key = pinned ? `${json}\npinned ${state.pin.hash} ${state.pin.label}` : json;
    const resized = fitCanvas(canvas);
    if (!resized && drawn.get(chart.id) === key) continue;
    try {
      const t = performance.now();
      const frame = pinned ? drawPinned(canvas, chart, pinned) : core.draw_chart(canvas, json);
      frames.set(chart.id, JSON.parse(frame));
      canvas.dataset.frame = frame;
      performance.measure(`neurogeom:draw:${chart.id}`, { start: t });
      drawn.set(chart.id, key);
      drawnAt.set(chart.id, t);
    } catch (e) {
      showMessage(`Could not draw “${chart.title}”: ${e.message || e}`, { kind: 'error' });
    }
  }
  // For tests and scripts: which snapshot all canvases show, and how long
  // drawing took (DevTools' Performance panel shows these measures).
  if (skipped === 0) {
    document.body.dataset.drawn = snap.hash;
    // ... and which pinned run they show beside it.
    const pinShown = charts.some((c) => pinnedChart(c.id));
    if (pinShown) document.body.dataset.pinDrawn = state.pin.hash;
    else delete document.body.dataset.pinDrawn;
  }
  performance.measure('neurogeom:draw', { start: t0 });
}

/** A chart with a pinned run's beside it, drawn by the core: the pinned
 * series dashed, in the same colours, "(pinned)" in the legend. */
function drawPinned(canvas, chart, pinned) {
  return core.draw_chart_pinned(canvas, JSON.stringify(chart), JSON.stringify(pinned));
}

/** Redraw at the new size when the layout changes. */
export function wireCharts() {
  const ro = new ResizeObserver(() => {
    drawn.clear();
    scheduleDraw();
  });
  ro.observe($('featured'));
  ro.observe($('charts'));
}
