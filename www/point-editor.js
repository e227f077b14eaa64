// The point editor: draw a lab's source points by hand on its scatter (the
// modularity lab's "sources" chart), or upload them as a CSV or NPY file.
//
//   click on the scatter            add a point (hold and drag to place it)
//   drag a point                    move it
//   shift-click or right-click      delete the point under the pointer
//                                   (shift-drag erases along the way)
//   "Clear points"                  start from an empty scatter
//   "Upload points…"                a .csv/.tsv/.txt or .npy file of N × 2 (or 3)
//                                   numbers, read by the core's Your-data reader
//
// The first edit switches the lab to its hand-drawn distribution (dist=points),
// starting from the points on the scatter when the link can carry them (at
// most MAX_POINTS), else from an empty scatter. The editor draws in the
// scatter's plane (sources 1 and 2): editing three-source points keeps their
// first two coordinates. Every edit writes the points
// into the config's `points` key (4 decimals, as the core writes them), which
// rewrites the link and re-runs the lab (actions.applyConfig), so the theory's
// verdict follows the drawing. A drag re-runs when the pointer rests for
// DRAG_RERUN_MS and when it is released.
//
// Pixels ↔ data: the core reports, each time it draws a chart, where the
// data landed (charts.js chartFrame: the plotting rectangle and the axes'
// pixel ends, in CSS pixels). Until the run has the edited points, the
// scatter shows them in place of the run's (charts.js transformCharts).

import * as core from './pkg/neurogeom.js';
import { $, el } from './dom.js';
import { state, actions } from './state.js';
import { showMessage, clearMessages } from './messages.js';
import { chartFrame, toPixel, fromPixel, transformCharts, onCards, scheduleDraw } from './charts.js';

/** Labs with a hand-drawn distribution: the chart and series drawn on, the
 * key that holds the points and the choice that selects them. */
const EDITABLE = {
  modularity: { chart: 'sources', series: 'samples', key: 'points', dist: 'dist', drawn: 'points' },
};

/** The most points a link carries (src/data/sources.rs, MAX_POINTS). */
const MAX_POINTS = 500;
/** A point is under the pointer within this many CSS pixels. */
const HIT_PX = 8;
/** A press that moves less than this is a click, not a drag. */
const CLICK_PX = 3;
/** A drag re-runs the lab when the pointer rests this long. */
const DRAG_RERUN_MS = 250;

const editor = {
  points: null, // [[x, y], …] being edited, or null: the run's own points
  committed: null, // the `points` text last written into the config
  drag: null, // {index, x0, y0, moved} while a point is held
  erasing: false, // shift-drag deletes what it passes over
  timer: 0,
};

const target = () => (state.spec && EDITABLE[state.spec.name]) || null;

/** Write points as link text, each coordinate rounded to 4 decimals. */
export function formatPoints(points) {
  const num = (v) => {
    const r = Math.round(v * 1e4) / 1e4;
    return String(Object.is(r, -0) ? 0 : r);
  };
  return points.map((p) => p.map(num).join(',')).join(';');
}

/** Read link text into points (bad items are skipped: the core reports them). */
export function parsePoints(text) {
  return String(text || '')
    .split(';')
    .map((item) => item.split(',').map(Number))
    .filter((p) => p.length >= 2 && p.every(Number.isFinite));
}

/** Whether the editor's points are shown: while an edit is under way, and
 * after it as long as the config holds them (a link or a control that
 * changes the config hands the scatter back to the run). */
function editing(t) {
  if (!editor.points) return false;
  if (editor.drag || editor.erasing || editor.timer) return true;
  const params = state.config ? state.config.params : {};
  if (params[t.dist] === t.drawn && params[t.key] === editor.committed) return true;
  editor.points = null;
  return false;
}

/** The points to start editing from: the config's hand-drawn points, or
 * those on the scatter if the link can carry them. */
function startPoints(t) {
  if (editing(t)) return editor.points;
  const params = state.config.params;
  editor.points = null;
  if (params[t.dist] === t.drawn) return parsePoints(params[t.key]).map((p) => p.slice(0, 2));
  const chart = state.snapshot && state.snapshot.charts.find((c) => c.id === t.chart);
  const series = chart && chart.body.kind === 'scatter' && chart.body.series.find((s) => s.name === t.series);
  const n = series ? series.x.length : 0;
  if (n > 0 && n <= MAX_POINTS) return series.x.map((x, i) => [x, series.y[i]]);
  if (n > MAX_POINTS) {
    showMessage(`The scatter has ${n} points, more than a link can carry (${MAX_POINTS}): drawing starts from an empty scatter.`, { group: 'points' });
  }
  return [];
}

/** Make the editor's points the config's and re-run the lab. */
function commit() {
  clearTimeout(editor.timer);
  editor.timer = 0;
  const t = target();
  if (!t || !editor.points) return;
  const text = formatPoints(editor.points);
  // Keep the rounded points, so the scatter shows what the link says.
  editor.points = parsePoints(text);
  if (text === editor.committed && state.config.params[t.dist] === t.drawn) return;
  editor.committed = text;
  state.config = { ...state.config, params: { ...state.config.params, [t.dist]: t.drawn, [t.key]: text } };
  actions.applyConfig();
}

/** Show the points being edited in place of the run's. */
function showEdited(chart) {
  const t = target();
  if (!t || chart.id !== t.chart || chart.body.kind !== 'scatter' || !editing(t)) return chart;
  const series = chart.body.series.map((s) =>
    s.name === t.series ? { ...s, x: editor.points.map((p) => p[0]), y: editor.points.map((p) => p[1]) } : s,
  );
  return { ...chart, body: { ...chart.body, series } };
}

/** The pointer's position on the canvas in CSS pixels, and in data. */
function locate(canvas, e, frame) {
  const r = canvas.getBoundingClientRect();
  const px = e.clientX - r.left;
  const py = e.clientY - r.top;
  return { px, py, x: fromPixel(frame.x, px), y: fromPixel(frame.y, py) };
}

const inside = (f, px, py) => px >= f.left - 2 && px <= f.left + f.width + 2 && py >= f.top - 2 && py <= f.top + f.height + 2;

/** The index of the point nearest (px, py) within HIT_PX, or -1. */
function hit(frame, px, py) {
  let best = -1;
  let bestD = HIT_PX * HIT_PX;
  editor.points.forEach(([x, y], i) => {
    const qx = toPixel(frame.x, x);
    const qy = toPixel(frame.y, y);
    if (qx === null || qy === null) return;
    const d = (qx - px) ** 2 + (qy - py) ** 2;
    if (d <= bestD) {
      bestD = d;
      best = i;
    }
  });
  return best;
}

/** Data coordinates kept inside the plotting rectangle. */
function clampTo(frame, px, py) {
  const cx = Math.min(frame.left + frame.width, Math.max(frame.left, px));
  const cy = Math.min(frame.top + frame.height, Math.max(frame.top, py));
  return [fromPixel(frame.x, cx), fromPixel(frame.y, cy)];
}

function eraseAt(frame, px, py) {
  let i = hit(frame, px, py);
  let removed = false;
  while (i >= 0) {
    editor.points.splice(i, 1);
    removed = true;
    i = hit(frame, px, py);
  }
  return removed;
}

function onPointerDown(e) {
  const t = target();
  const canvas = e.target;
  if (!t || state.mode !== 'single' || canvas.id !== `chart-${t.chart}`) return;
  const frame = chartFrame(t.chart);
  if (!frame || (e.button !== 0 && e.button !== 2)) return;
  const at = locate(canvas, e, frame);
  if (!inside(frame, at.px, at.py)) return;
  e.preventDefault();
  clearMessages('points');
  clearTimeout(editor.timer);
  editor.timer = 0;
  editor.points = startPoints(t).map((p) => p.slice());
  editor.committed = state.config.params[t.dist] === t.drawn ? state.config.params[t.key] : null;
  canvas.setPointerCapture(e.pointerId);
  if (e.button === 2 || e.shiftKey) {
    editor.erasing = true;
    if (eraseAt(frame, at.px, at.py)) scheduleDraw();
    return;
  }
  let index = hit(frame, at.px, at.py);
  if (index < 0) {
    editor.points.push(clampTo(frame, at.px, at.py));
    index = editor.points.length - 1;
    scheduleDraw();
  }
  editor.drag = { index, x0: at.px, y0: at.py, moved: false };
}

function onPointerMove(e) {
  const t = target();
  if (!t || !(editor.drag || editor.erasing) || !editor.points) return;
  const frame = chartFrame(t.chart);
  if (!frame) return;
  const at = locate(e.target, e, frame);
  if (editor.erasing) {
    if (eraseAt(frame, at.px, at.py)) scheduleDraw();
    return;
  }
  const d = editor.drag;
  if (!d.moved && Math.hypot(at.px - d.x0, at.py - d.y0) < CLICK_PX) return;
  d.moved = true;
  editor.points[d.index] = clampTo(frame, at.px, at.py);
  scheduleDraw();
  clearTimeout(editor.timer);
  editor.timer = setTimeout(commit, DRAG_RERUN_MS);
}

function onPointerUp() {
  if (!editor.drag && !editor.erasing) return;
  editor.drag = null;
  editor.erasing = false;
  commit();
}

function clearPoints() {
  const t = target();
  if (!t) return;
  editor.points = [];
  editor.committed = null;
  commit();
}

/** Read an uploaded file through the core (CSV/TSV or NPY) into points. */
async function uploadPoints(input) {
  const t = target();
  const file = input.files && input.files[0];
  input.value = '';
  if (!t || !file) return;
  clearMessages('points');
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const text = core.points_from_file(file.name, bytes);
    editor.points = parsePoints(text);
    editor.committed = null;
    commit();
  } catch (e) {
    showMessage(`Could not use ${file.name} as points: ${e.message || e}`, { kind: 'error', group: 'points' });
  }
}

/** The tools under the editable scatter: how to draw, clear, upload. */
function addTools(charts) {
  const t = target();
  if (!t || !charts.some((c) => c.id === t.chart)) return;
  const card = $(`card-${t.chart}`);
  if (!card) return;
  const tools = el('div', 'point-tools');
  tools.id = 'point-tools';
  const help = el('span', 'help', 'Draw: click to add a point, drag to move it, shift-click or right-click to delete.');
  const clear = el('button', 'small', 'Clear points');
  clear.type = 'button';
  clear.id = 'clear-points';
  clear.addEventListener('click', clearPoints);
  const label = el('label', 'small upload', 'Upload points…');
  const input = el('input');
  Object.assign(input, { type: 'file', id: 'upload-points', accept: '.csv,.tsv,.txt,.npy' });
  input.addEventListener('change', () => uploadPoints(input));
  label.append(input);
  label.title = 'A CSV/TSV or NPY file of N × 2 (or N × 3) numbers, one point per row; read in this browser';
  tools.append(help, clear, label);
  card.append(tools);
  const canvas = $(`chart-${t.chart}`);
  if (canvas) canvas.classList.add('editable');
}

/** Wire the editor (once, at start). */
export function wirePointEditor() {
  transformCharts(showEdited);
  onCards(addTools);
  for (const box of [$('featured'), $('charts')]) {
    box.addEventListener('pointerdown', onPointerDown);
    box.addEventListener('pointermove', onPointerMove);
    box.addEventListener('pointerup', onPointerUp);
    box.addEventListener('pointercancel', onPointerUp);
    box.addEventListener('contextmenu', (e) => {
      const t = target();
      if (t && e.target.id === `chart-${t.chart}`) e.preventDefault();
    });
  }
}
