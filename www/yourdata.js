// "Your data" (yourdata.html): a user's file analysed in this tab. The file
// is read here as bytes and handed to a worker (analyze-worker.js), which
// runs the core's WasmAnalysis with progress and cancel; the main thread
// only draws the report. Nothing is sent anywhere: no request leaves the
// page after it has loaded.
//
// The link (#v=1&...) records the analysis settings and the file's name and
// SHA-256, never the data, and the version that made it (ng=). Opening such
// a link asks for the file, says so if the chosen file's SHA-256 differs,
// and notes a link made with another version (version.js).
//
// Text from files (names, class labels, messages) reaches the DOM only
// through textContent.

import initWasm, * as core from './pkg/neurogeom.js';
import { coreModule } from './core-module.js';
import { $, el, formatValue, showLinkBox } from './dom.js';
import { showMessage, clearMessages, infoButton, wireMessages } from './messages.js';
import { download, snapshotCsv } from './export.js';
import { showVersion, showVersionNote } from './version.js';
import { pageUrl } from './address.js';
import { registerOffline } from './offline.js';
import { moduleWorker } from './module-worker.js';
import { fetchDataset } from './datasets.js';

const CHECKS = ['mftma', 'simulated', 'glue', 'alignment', 'collapse', 'cka', 'rdm', 'pca'];
const DEFAULT_ON = new Set(['mftma', 'alignment', 'collapse', 'cka', 'rdm', 'pca']);

const GLUE_LABELS = ['random', 'balanced', 'one_vs_rest'];

const state = {
  data: null, // {name, bytes: ArrayBuffer}
  labels: null,
  worker: null,
  report: null, // the parsed report
  reportText: '',
  labelsSha256: '', // the separate labels file's SHA-256 ('' when none)
  linkFile: null, // {name, sha256, labels, labelsSha256} from the opened link
};

// ---- settings <-> link ----

function settings() {
  const s = { seed: String(Math.max(0, Math.floor(Number($('seed').value) || 0))), dimensionality: true };
  for (const k of CHECKS) s[k] = $(k).checked;
  s.kappa = Number($('kappa').value) || 0;
  s.n_t = Math.max(1, Math.floor(Number($('n_t').value) || 300));
  s.max_points = Math.max(0, Math.floor(Number($('max_points').value) || 0));
  s.sim_labels = $('sim_labels').value === 'balanced' ? 'balanced' : 'random';
  s.glue_n_t = Math.max(1, Math.floor(Number($('glue_n_t').value) || 200));
  s.glue_points = Math.max(2, Math.floor(Number($('glue_points').value) || 50));
  s.glue_labels = GLUE_LABELS.includes($('glue_labels').value) ? $('glue_labels').value : 'random';
  s.glue_centre = $('glue_centre').value === 'global' ? 'global' : 'none';
  return s;
}

function loadOptions() {
  const tw = $('time-window').value.trim();
  let time_window = null;
  if (tw) {
    const m = /^(\d+):(\d+)$/.exec(tw);
    time_window = m ? [Number(m[1]), Number(m[2])] : [-1, -1]; // the core names a bad window
  }
  return {
    array: $('array-choice').hidden ? null : $('array').value,
    label_column: $('label-column').value.trim() || null,
    time_window,
    drop_nonfinite: $('drop-nonfinite').checked,
    settings: settings(),
  };
}

/** The link's fragment: settings, the files' names and SHA-256s (the data
 * file's as `sha256`, a separate labels file's as `labels_sha256`), never
 * the data. */
function fragment(sha256, labelsSha256 = state.labelsSha256) {
  const s = settings();
  const p = new URLSearchParams();
  p.set('v', '1');
  for (const k of CHECKS) p.set(k, s[k] ? '1' : '0');
  p.set('kappa', String(s.kappa));
  p.set('n_t', String(s.n_t));
  if (s.max_points) p.set('max_points', String(s.max_points));
  if (s.sim_labels !== 'random') p.set('sim_labels', s.sim_labels);
  if (s.glue) {
    p.set('glue_n_t', String(s.glue_n_t));
    p.set('glue_points', String(s.glue_points));
    p.set('glue_labels', s.glue_labels);
    p.set('glue_centre', s.glue_centre);
  }
  p.set('seed', s.seed);
  const o = loadOptions();
  if (o.array) p.set('array', o.array);
  if (o.label_column) p.set('label_column', o.label_column);
  if ($('time-window').value.trim()) p.set('time_window', $('time-window').value.trim());
  if (o.drop_nonfinite) p.set('drop_nonfinite', '1');
  if (state.data) p.set('file', state.data.name);
  if (state.labels) p.set('labels', state.labels.name);
  if (sha256) p.set('sha256', sha256);
  if (state.labels && labelsSha256) p.set('labels_sha256', labelsSha256);
  p.set('ng', core.version());
  return p.toString();
}

function updateUrl(sha256) {
  const f = fragment(sha256);
  history.replaceState(null, '', `#${f}`);
  showLinkBox(`${pageUrl()}${location.hash}`);
}

function readLink() {
  const p = new URLSearchParams(location.hash.replace(/^#/, ''));
  for (const k of CHECKS) if (p.has(k)) $(k).checked = p.get(k) === '1';
  for (const k of ['kappa', 'n_t', 'max_points', 'seed', 'glue_n_t', 'glue_points']) if (p.has(k) && Number.isFinite(Number(p.get(k)))) $(k).value = p.get(k);
  if (p.has('sim_labels')) $('sim_labels').value = p.get('sim_labels') === 'balanced' ? 'balanced' : 'random';
  if (p.has('glue_labels') && GLUE_LABELS.includes(p.get('glue_labels'))) $('glue_labels').value = p.get('glue_labels');
  if (p.has('glue_centre')) $('glue_centre').value = p.get('glue_centre') === 'global' ? 'global' : 'none';
  if (p.has('label_column')) $('label-column').value = p.get('label_column');
  if (p.has('time_window')) $('time-window').value = p.get('time_window');
  $('drop-nonfinite').checked = p.get('drop_nonfinite') === '1';
  if (p.has('array')) state.linkArray = p.get('array');
  showVersionNote(p.has('ng') ? JSON.parse(core.version_note(p.get('ng'))) : null, location.hash.slice(1));
  if (p.has('file')) {
    state.linkFile = { name: p.get('file'), sha256: p.get('sha256') || '', labels: p.get('labels') || '', labelsSha256: p.get('labels_sha256') || '' };
    const sha = state.linkFile.sha256 ? ` (SHA-256 ${state.linkFile.sha256.slice(0, 16)}…)` : '';
    showMessage(`This link analysed the file “${state.linkFile.name}”${sha}. The data is not in the link: choose that file to reproduce the result.`, { kind: 'info', group: 'link', title: 'Choose the file' });
  }
}

// ---- files ----

// The largest file the page reads (the analysis holds the data as f64,
// about twice an f32 file's size, and its centred copy); the core refuses
// more than 400 MB of f64 data and says that the CLI takes larger files.
const MAX_FILE_BYTES = 800e6;

async function takeFile(file, which) {
  if (file.size > MAX_FILE_BYTES) {
    const mb = (file.size / 1e6).toFixed(0);
    showMessage(`${file.name} is ${mb} MB: reading and analysing it would need about ${(3 * file.size / 1e6).toFixed(0)} MB of this tab's memory, more than a browser tab can count on (files up to ${MAX_FILE_BYTES / 1e6} MB are read). Use \`neurogeom analyze\` on the command line, or a subset of the rows.`, { kind: 'warning', group: 'run', title: 'File too large' });
    return;
  }
  const bytes = await file.arrayBuffer();
  state[which] = { name: file.name, bytes };
  if (which === 'data') {
    $('array-choice').hidden = true;
    $('array').replaceChildren();
  }
  showFileNames();
  $('analyze').disabled = !state.data;
  if (state.data) run();
}

function showFileNames() {
  const parts = [];
  if (state.data) parts.push(`${state.data.name} (${(state.data.bytes.byteLength / 1024).toFixed(1)} kB)`);
  if (state.labels) parts.push(`labels: ${state.labels.name}`);
  $('file-name').textContent = parts.join(' · ');
}

function wireFiles() {
  $('data-file').addEventListener('change', (e) => e.target.files[0] && takeFile(e.target.files[0], 'data'));
  $('labels-file').addEventListener('change', (e) => e.target.files[0] && takeFile(e.target.files[0], 'labels'));
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const files = [...e.dataTransfer.files];
    if (files[0]) takeFile(files[0], 'data');
    if (files[1]) takeFile(files[1], 'labels');
  });
  // The built-in files: the synthetic example (made by the core), and the
  // Haxby et al. 2001 fMRI recording (data/haxby2001.npz, fetched from this
  // page's server on the first click: the wasm does not carry its 1.6 MB).
  const useBuiltIn = (name, bytes) => {
    state.labels = null;
    $('data-file').value = '';
    $('labels-file').value = '';
    state.data = { name, bytes: bytes.buffer };
    $('array-choice').hidden = true;
    showFileNames();
    $('analyze').disabled = false;
    run();
  };
  $('use-example').addEventListener('click', () => useBuiltIn(core.example_file_name(), core.example_file()));
  // The recording's bytes, or null after saying why they could not load.
  const haxby = async () => {
    try {
      return await fetchDataset('haxby2001');
    } catch (e) {
      showMessage(String(e && e.message ? e.message : e), { kind: 'error', group: 'run', title: 'The Haxby 2001 file did not load' });
      return null;
    }
  };
  $('use-haxby').addEventListener('click', async () => {
    const bytes = await haxby();
    if (bytes) useBuiltIn(core.haxby_file_name(), bytes.slice());
  });
  $('download-example').addEventListener('click', () => {
    download(core.example_file_name(), new Blob([core.example_file()], { type: 'application/octet-stream' }));
  });
  $('download-haxby').addEventListener('click', async () => {
    const bytes = await haxby();
    if (bytes) download(core.haxby_file_name(), new Blob([bytes], { type: 'application/octet-stream' }));
  });
}

// ---- the worker ----

function setProgress(frac, text) {
  $('progress-fill').style.width = `${Math.round(100 * frac)}%`;
  document.querySelector('.progress').setAttribute('aria-valuenow', String(Math.round(100 * frac)));
  $('stage').textContent = text;
}

// One worker, started with the page (so that its script and the wasm are
// fetched at load, not when a file is analysed), kept between analyses;
// cancelling terminates it and starts a fresh one.
function startWorker() {
  const w = moduleWorker(new URL('./analyze-worker.js', import.meta.url));
  w.onmessage = (e) => onWorker(e.data);
  w.onerror = (e) => {
    showMessage(`The analysis crashed: ${e.message || 'worker error'}`, { kind: 'error', group: 'run' });
    document.body.dataset.state = 'error';
    restartWorker();
  };
  state.worker = w;
}

function restartWorker() {
  if (state.worker) state.worker.terminate();
  document.body.dataset.worker = 'starting';
  startWorker();
  idle();
}

function idle() {
  state.busy = false;
  $('cancel').disabled = true;
  $('analyze').disabled = !state.data;
}

function run() {
  if (!state.data) return;
  if (state.busy) restartWorker();
  clearMessages('run');
  state.report = null;
  state.busy = true;
  document.body.dataset.state = 'running';
  $('hash').textContent = '…';
  setProgress(0, 'reading the file…');
  $('cancel').disabled = false;
  $('analyze').disabled = true;
  // Copies: the page keeps its bytes for a re-run with other settings.
  const data = state.data.bytes.slice(0);
  const labels = state.labels ? state.labels.bytes.slice(0) : null;
  state.worker.postMessage({ type: 'analyze', data, name: state.data.name, labels, labelsName: state.labels?.name || '', options: loadOptions() }, labels ? [data, labels] : [data]);
}

function onWorker(msg) {
  if (msg.type === 'ready') {
    document.body.dataset.worker = 'ready';
  } else if (msg.type === 'loaded') {
    state.labelsSha256 = msg.labelsSha256 || '';
    checkLinkHash(msg.sha256, state.labelsSha256);
    updateUrl(msg.sha256);
  } else if (msg.type === 'progress') {
    const frac = msg.total ? msg.done / msg.total : 0;
    setProgress(frac, `${msg.stage} (${msg.done}/${msg.total})`);
  } else if (msg.type === 'done') {
    idle();
    state.reportText = msg.report;
    state.report = JSON.parse(msg.report);
    setProgress(1, 'done');
    document.body.dataset.state = 'done';
    showReport(state.report);
  } else if (msg.type === 'error' || msg.type === 'crash') {
    if (msg.type === 'crash') restartWorker();
    else idle();
    document.body.dataset.state = 'error';
    setProgress(0, 'stopped');
    $('hash').textContent = '–';
    showRefusal(msg);
  }
}

/** The files chosen against the link's SHA-256s (the data file's, and a
 * separate labels file's when the link has one; older links have none). */
function checkLinkHash(sha256, labelsSha256) {
  const f = state.linkFile;
  if (!f || (!f.sha256 && !f.labelsSha256)) return;
  clearMessages('link');
  if (f.sha256 && f.sha256 !== sha256) {
    showMessage(`The link was made with “${f.name}” (SHA-256 ${f.sha256.slice(0, 16)}…), but this file's SHA-256 is ${sha256.slice(0, 16)}…: it is a different file, so the results may differ from the link's.`, { kind: 'warning', group: 'link', title: 'Not the same file' });
  }
  if (f.labelsSha256 && f.labelsSha256 !== labelsSha256) {
    const now = labelsSha256 ? `this labels file's SHA-256 is ${labelsSha256.slice(0, 16)}…` : 'no labels file was chosen';
    showMessage(`The link was made with the labels file “${f.labels}” (SHA-256 ${f.labelsSha256.slice(0, 16)}…), but ${now}: the classes may differ from the link's.`, { kind: 'warning', group: 'link', title: 'Not the same labels' });
  }
  state.linkFile = null;
}

function showRefusal(msg) {
  const buttons = [];
  if (msg.choose && msg.choose.length) {
    const sel = $('array');
    sel.replaceChildren(...msg.choose.map((name) => {
      const o = el('option', '', name);
      o.value = name;
      return o;
    }));
    if (state.linkArray && msg.choose.includes(state.linkArray)) sel.value = state.linkArray;
    $('array-choice').hidden = false;
    buttons.push({ label: `Analyse “${sel.value}”`, primary: true, onClick: run });
  }
  if (msg.nonfinite) {
    buttons.push({
      label: 'Drop those rows',
      primary: true,
      onClick: () => {
        $('drop-nonfinite').checked = true;
        run();
      },
    });
  }
  showMessage(msg.message, { kind: msg.type === 'crash' ? 'error' : 'warning', group: 'run', title: msg.type === 'crash' ? 'The analysis crashed' : 'The file could not be analysed', buttons });
}

// ---- the report ----

function showReport(r) {
  $('hash').textContent = r.hash;
  $('layout').textContent = `${r.file.name}: ${r.layout}${r.notes.length ? ` · ${r.notes.join(' · ')}` : ''}`;
  const rows = r.metrics.map((m) => {
    const tr = el('tr');
    const name = el('th', '', m.label);
    name.append(infoButton(m.label, m.info));
    const value = el('td', '', formatValue(m.value));
    value.dataset.key = m.key;
    tr.append(name, value);
    return tr;
  });
  $('metrics').replaceChildren(...rows);
  const cards = r.charts.map((c) => {
    const card = el('figure', 'card chart-card');
    const canvas = el('canvas');
    canvas.id = `chart-${c.id}`;
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', c.title);
    card.append(canvas);
    if (c.info) card.append(infoButton(c.title, c.info));
    return card;
  });
  $('charts').replaceChildren(...cards);
  requestAnimationFrame(drawAll);
}

function drawAll() {
  if (!state.report) return;
  const dpr = window.devicePixelRatio || 1;
  for (const c of state.report.charts) {
    const canvas = $(`chart-${c.id}`);
    if (!canvas) continue;
    const rect = canvas.getBoundingClientRect();
    canvas.width = Math.max(1, Math.round(rect.width * dpr));
    canvas.height = Math.max(1, Math.round(rect.height * dpr));
    try {
      core.draw_chart(canvas, JSON.stringify(c));
    } catch (e) {
      showMessage(`Chart ${c.title}: ${e.message || e}`, { kind: 'warning', group: 'run' });
    }
  }
}

function stem() {
  const name = state.report ? state.report.file.name.replace(/\.[^.]*$/, '') : 'analysis';
  return `${name}-analysis`;
}

function exportAs(kind) {
  const r = state.report;
  if (!r) return;
  if (kind === 'png') {
    for (const c of r.charts) {
      const canvas = $(`chart-${c.id}`);
      if (canvas) canvas.toBlob((blob) => blob && download(`${stem()}-${c.id}.png`, blob), 'image/png');
    }
  } else if (kind === 'svg') {
    for (const c of r.charts) {
      const svg = core.svg_with_metadata(core.chart_svg(JSON.stringify(c), 800, 500), location.href, r.hash);
      download(`${stem()}-${c.id}.svg`, new Blob([svg], { type: 'image/svg+xml' }));
    }
  } else if (kind === 'csv') {
    download(`${stem()}.csv`, new Blob([snapshotCsv({ step: '', metrics: r.metrics, charts: r.charts }, { link: location.href, hash: r.hash })], { type: 'text/csv' }));
  } else if (kind === 'json') {
    download(`${stem()}.json`, new Blob([state.reportText + '\n'], { type: 'application/json' }));
  }
  $('export').open = false;
}

async function copyLink() {
  const input = $('share-link');
  input.value = `${pageUrl()}${location.hash}`;
  let ok = false;
  try {
    await navigator.clipboard.writeText(input.value);
    ok = true;
  } catch (_) {
    input.select();
  }
  $('copy-link').textContent = ok ? 'Copied ✓' : 'Select & copy ↓';
  setTimeout(() => ($('copy-link').textContent = 'Copy link'), 1600);
}

async function main() {
  await initWasm({ module_or_path: await coreModule() });
  core.init();
  wireMessages();
  startWorker();
  readLink();
  wireFiles();
  $('settings').addEventListener('submit', (e) => {
    e.preventDefault();
    run();
  });
  $('settings').addEventListener('change', (e) => {
    if (e.target.type !== 'file') {
      showVersion(); // new settings: the link is now this version's
      updateUrl(new URLSearchParams(location.hash.slice(1)).get('sha256'));
    }
  });
  $('cancel').addEventListener('click', () => {
    restartWorker();
    setProgress(0, 'cancelled');
    document.body.dataset.state = 'cancelled';
  });
  $('copy-link').addEventListener('click', copyLink);
  for (const b of document.querySelectorAll('[data-export]')) b.addEventListener('click', () => exportAs(b.dataset.export));
  let resize = 0;
  window.addEventListener('resize', () => {
    cancelAnimationFrame(resize);
    resize = requestAnimationFrame(drawAll);
  });
  showLinkBox(`${pageUrl()}${location.hash}`);
  document.body.dataset.state = 'ready';
  registerOffline();
}

main().catch((e) => {
  document.body.dataset.state = 'error';
  showMessage(`The page could not start: ${e.message || e}`, { kind: 'error', group: 'fatal' });
});
