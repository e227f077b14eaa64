// The page's entry: loads the wasm core (on this thread only to read links,
// write fragments and draw charts; every computation runs in workers), and
// ties the modules together. One concern per module:
//
//   dom.js          $, el, formatValue
//   state.js        the page's state, and `actions` (set here)
//   link.js         the link and the URL
//   controls.js     the panel's controls from the lab's ParamSpec list, presets, lab picker
//   messages.js     the message area and the ⓘ popover
//   run-client.js   the single run's worker (worker.js)
//   sweep-pool.js   the pool of sweep workers (sweep-worker.js)
//   sweep.js        sweep mode: form, banner, progress, runs table
//   pin.js          the pinned run, drawn beside the current one
//   eta.js          time left, and durations in words
//   charts.js       chart cards and drawing
//   point-editor.js points drawn by hand (or uploaded) on a lab's scatter
//   topbar.js       buttons, counter, progress, hash, copy link, export, keyboard
//   version.js      this build's version beside the hash; a link from another version
//   cite.js         "How to cite" under the lab's text
//
// Text from the URL or the core reaches the DOM only through textContent.

import initWasm, * as core from './pkg/neurogeom.js';
import { coreModule } from './core-module.js';
import { $, isNarrow } from './dom.js';
import { state, actions } from './state.js';
import { showMessage, showLinkWarnings, clearMessages, wireMessages } from './messages.js';
import { updateUrl, configFragment, parseLink } from './link.js';
import { buildPanel, setControls, fillLabPicker } from './controls.js';
import { startRun, send, resume, warmUp } from './run-client.js';
import { buildSweepForm, setSweepForm, startSweep, exitSweepMode, toggleSweep, wireSweep, showSeedRange } from './sweep.js';
import { wireCharts, redrawAll } from './charts.js';
import { wirePointEditor } from './point-editor.js';
import { setPinFromLink, relabelPin, wirePin, scopePin } from './pin.js';
import { setRunState, wireTopbar, showStepUnit } from './topbar.js';
import { showVersion, showVersionNote } from './version.js';
import { wireCite } from './cite.js';
import { registerOffline, firstChart } from './offline.js';
import { setEmbed, wireEmbed } from './embed.js';

function showLab(spec) {
  state.spec = spec;
  buildPanel(spec);
  buildSweepForm(spec);
  if (state.mode !== 'sweep') showStepUnit(spec);
}

function switchLab(name) {
  const spec = state.catalog.find((s) => s.name === name);
  if (!spec) return;
  const params = Object.fromEntries(spec.params.map((p) => [p.key, p.default]));
  if (state.mode === 'sweep') exitSweepMode(); // the sweep's parameter may not exist here
  state.config = { lab: spec.name, seed: state.config ? state.config.seed : '1', params };
  scopePin(state.config); // a pin belongs to its lab
  showLab(spec);
  applyConfig();
}

/** A control changed: new URL, fresh run (which plays). */
function applyConfig() {
  clearMessages('link', 'run');
  showVersion(); // the run is now this version's own
  setControls(state.config);
  showSeedRange();
  // In a sweep, a change to the fixed settings runs the sweep again.
  if (state.mode === 'sweep' && startSweep(state.sweep.spec)) return;
  if (state.mode === 'sweep') exitSweepMode();
  relabelPin();
  updateUrl(configFragment(state.config));
  startRun(true);
}

/** Read a link (the page's own URL, or a preset), then run it. */
function loadLink(text) {
  const parsed = parseLink(text);
  clearMessages('link', 'run');
  setEmbed(parsed.embed);
  showLinkWarnings(parsed.warnings);
  showVersionNote(parsed.version_note, text.includes('#') ? text.slice(text.indexOf('#') + 1) : text);
  const spec = state.catalog.find((s) => s.name === parsed.config.lab) || state.catalog[0];
  if (spec !== state.spec) showLab(spec);
  $('lab').value = spec.name;
  state.config = parsed.config;
  setControls(state.config);
  showSeedRange();
  // A link's pin replaces the pinned run; a link without one keeps a pin
  // the user made in this lab, so that a preset is drawn beside it, and
  // drops one that another link brought (pin.js).
  scopePin(state.config, { fromLink: true, linkPin: parsed.pin !== null });
  if (parsed.pin !== null) setPinFromLink(parsed.pin);
  else relabelPin();
  // Opening a link reproduces its result without a click: a sweep if it
  // names one, else a single run.
  if (parsed.sweep) {
    setSweepForm(parsed.sweep);
    if (startSweep(parsed.sweep)) return;
  }
  if (state.mode === 'sweep') exitSweepMode();
  updateUrl(configFragment(state.config));
  startRun(true);
}

function togglePlay() {
  if (state.mode === 'sweep') return toggleSweep();
  if (state.run === 'running') send({ type: 'pause' });
  else if (state.run === 'paused') resume();
  else if (state.run === 'done') {
    clearMessages('run');
    setRunState('loading');
    send({ type: 'reset', play: true });
  }
}

function stepOnce() {
  if (state.mode === 'sweep') return;
  if (state.run === 'paused' || state.run === 'running') send({ type: 'step', n: 1 });
}

function reset() {
  if (state.mode === 'sweep') return;
  clearMessages('run');
  setRunState('loading');
  send({ type: 'reset', play: false });
}

Object.assign(actions, { applyConfig, loadLink, startRun, togglePlay, stepOnce, reset, redrawCharts: redrawAll });

// For tests and the console: make the core panic inside the worker.
// chart(id): the current snapshot's chart of that id.
window.neurogeomDebug = {
  panicWorker: () => send({ type: 'debug-panic' }),
  chart: (id) => (state.snapshot ? state.snapshot.charts.find((c) => c.id === id) || null : null),
};

/** The skip links at the top of the page (the first Tab stops): to the
 * presets (opened if folded, the first one focused) or to the results. They
 * act here, never through the URL fragment, which holds the link. */
function wireSkipLinks() {
  for (const a of document.querySelectorAll('[data-skip]')) {
    a.addEventListener('click', (e) => {
      e.preventDefault();
      if (a.dataset.skip === 'presets') {
        const section = $('presets-section');
        section.open = true;
        const first = section.querySelector('#presets a');
        (first || $('presets-title')).focus();
        section.scrollIntoView({ block: 'start' });
      } else {
        $('results').focus({ preventScroll: true });
        $('results').scrollIntoView({ block: 'start' });
      }
    });
  }
}

async function main() {
  // Marks of the way to the first chart (bench/first_chart.mjs reads them,
  // DevTools' Performance panel shows them): the page's modules are in.
  performance.mark('neurogeom:modules');
  $('controls').addEventListener('submit', (e) => e.preventDefault());
  wireSkipLinks();
  // On a phone the sweep form starts folded too (controls.js folds the rest).
  if (isNarrow()) $('sweep-section').open = false;
  wireTopbar();
  wireMessages();
  wireSweep();
  wireCharts();
  wirePointEditor();
  wirePin();
  wireCite();
  wireEmbed();
  // A preset link, or a hand-edited URL.
  window.addEventListener('hashchange', () => loadLink(location.href));
  warmUp();
  try {
    await initWasm({ module_or_path: await coreModule() });
    core.init();
    performance.mark('neurogeom:wasm');
    state.catalog = JSON.parse(core.catalog_json());
  } catch (e) {
    showMessage(`Could not load the WebAssembly core: ${e.message || e}`, { kind: 'error', group: 'fatal' });
    setRunState('error');
    return;
  }
  fillLabPicker(state.catalog, switchLab);
  loadLink(location.href);
  registerOffline(firstChart());
}

main();
