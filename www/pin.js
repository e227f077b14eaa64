// Compare runs: "Pin" keeps the current run; the next runs draw the pinned
// one's series beside theirs (dashed, same colours, named in the legend).
// The pinned run's fragment goes in the link as `&pin=…` (link.js), so a
// shared comparison reproduces: opening such a link runs the pinned
// configuration again, in a worker of its own, and draws both.
//
// A pin belongs to its lab: picking another lab drops it, and it is never
// drawn on another lab's charts (a chart id like "loss" means different
// things in different labs). A pin that a link brought (a preset that
// compares two runs) belongs to that link: the next link without one (the
// next preset) drops it. A pin the user made with the button stays for the
// presets and settings of its lab, until Unpin.
//
// state.pin = {fragment, config, label, snapshot (null until its run is
// done), hash, fromLink}.

import { $, formatValue } from './dom.js';
import { state, actions } from './state.js';
import { showMessage } from './messages.js';
import { configFragment, parseLink, updateUrl } from './link.js';
import { moduleWorker } from './module-worker.js';

let worker = null; // runs a pinned configuration opened from a link

/** What the pinned run is, beside the current one: its settings that
 * differ ("α = 0.01, seed 2"), or just "pinned". */
export function pinLabel(pin, config = state.config) {
  if (!config || pin.config.lab !== config.lab) return `pinned: ${pin.config.lab}`;
  const spec = state.catalog.find((s) => s.name === pin.config.lab);
  const diffs = [];
  if (pin.config.seed !== config.seed) diffs.push(`seed ${pin.config.seed}`);
  for (const [key, v] of Object.entries(pin.config.params)) {
    if (config.params[key] === v) continue;
    const p = spec && spec.params.find((q) => q.key === key);
    const shown = typeof v === 'number' ? formatValue(v) : String(v);
    diffs.push(`${p ? p.label.replace(/ \(.*\)$/, '') : key} = ${shown}`);
  }
  return diffs.length ? `pinned: ${diffs.slice(0, 3).join(', ')}${diffs.length > 3 ? ', …' : ''}` : 'pinned';
}

/** The pinned run's chart with this id, when it should be drawn: in a
 * single run of the pin's own lab, on a chart of the same kind. */
export function pinnedChart(id) {
  const pin = state.pin;
  if (!pin || !pin.snapshot || state.mode !== 'single') return null;
  if (!state.config || pin.config.lab !== state.config.lab) return null;
  if (pin.fragment === configFragment(state.config)) return null; // the same run
  const chart = pin.snapshot.charts.find((c) => c.id === id);
  const current = state.snapshot && state.snapshot.charts.find((c) => c.id === id);
  if (!chart || (current && current.body.kind !== chart.body.kind)) return null;
  return chart;
}

/** A new config is about to run (a link, a preset, another lab): drop the
 * pin unless it still belongs. `linkPin`: whether the link carried a pin
 * of its own (which then replaces this one). */
export function scopePin(config, { fromLink = false, linkPin = false } = {}) {
  const pin = state.pin;
  if (!pin || linkPin) return;
  if (pin.config.lab !== config.lab || (fromLink && pin.fromLink)) unpin();
}

function showPinButton() {
  const b = $('pin');
  const pinned = Boolean(state.pin);
  b.textContent = pinned ? 'Unpin' : 'Pin';
  b.setAttribute('aria-pressed', String(pinned));
  b.title = pinned
    ? `Drop the pinned run (${state.pin.label.replace(/^pinned: ?/, '') || 'these settings'})`
    : 'Keep this run’s charts: the next runs draw it beside theirs, dashed';
  b.disabled = state.mode !== 'single' || (!pinned && !(state.snapshot && state.snapshot.done));
  // Which run is pinned, in words: the legend only says "(pinned)".
  const label = $('pin-label');
  label.hidden = !pinned;
  const what = pinned ? state.pin.label.replace(/^pinned: ?/, '') || 'the same settings' : '';
  label.textContent = pinned ? `Dashed: the pinned run (${what})${state.pin.snapshot ? '' : ', running…'}` : '';
  label.hidden = !pinned || state.mode !== 'single';
  label.title = pinned ? `The dashed series are the pinned run: ${state.pin.fragment}` : '';
  if (pinned && state.pin.hash) document.body.dataset.pinned = state.pin.hash;
  else delete document.body.dataset.pinned;
}

/** The run or sweep changed state: the button follows. */
export const updatePin = showPinButton;

function stopWorker() {
  if (worker) worker.terminate();
  worker = null;
}

/** Pin the current (finished) run. */
function pin() {
  const snap = state.snapshot;
  if (!snap || !snap.done || state.mode !== 'single') return;
  const config = state.config;
  state.pin = { fragment: configFragment(config), config, snapshot: snap, hash: snap.hash, label: 'pinned', fromLink: false };
  afterChange();
}

export function unpin() {
  stopWorker();
  state.pin = null;
  afterChange();
}

function afterChange() {
  if (state.mode === 'single') updateUrl(configFragment(state.config));
  showPinButton();
  actions.redrawCharts();
}

/** The label follows the current config (what differs from the pin). */
export function relabelPin() {
  if (state.pin) state.pin.label = pinLabel(state.pin);
  showPinButton();
}

/** A link named a pinned run (its fragment): keep it if it is the one
 * already pinned, else run it again in a worker of its own. A pinned run
 * of another lab than the link's is not drawn: say so, and drop it. */
export function setPinFromLink(fragment) {
  const parsed = parseLink(fragment);
  const canonical = configFragment(parsed.config);
  if (state.config && parsed.config.lab !== state.config.lab) {
    showMessage(`The pinned run is of the ${parsed.config.lab} lab, not ${state.config.lab}: its charts mean other things, so it is not drawn.`, {
      kind: 'warning',
      group: 'link',
    });
    if (state.pin) unpin();
    return;
  }
  if (state.pin && state.pin.fragment === canonical) {
    state.pin.fromLink = true;
    return relabelPin();
  }
  stopWorker();
  for (const w of parsed.warnings) showMessage(`The pinned run's link: ${w}`, { kind: 'warning', group: 'link' });
  state.pin = { fragment: canonical, config: parsed.config, snapshot: null, hash: null, label: 'pinned', fromLink: true };
  relabelPin();
  const mine = state.pin;
  let last = null;
  worker = moduleWorker(new URL('./worker.js', import.meta.url));
  worker.onmessage = (e) => {
    const msg = e.data;
    if (state.pin !== mine) return;
    if (msg.type === 'snapshot') last = msg.json;
    else if (msg.type === 'long') worker.postMessage({ type: 'play', confirm: true }); // the link asked for it
    else if (msg.type === 'state' && msg.state === 'done' && last) {
      mine.snapshot = JSON.parse(last);
      mine.hash = mine.snapshot.hash;
      stopWorker();
      showPinButton();
      actions.redrawCharts();
    } else if (msg.type === 'error' || msg.type === 'crash') {
      showMessage(`The pinned run could not run: ${msg.message}`, { kind: 'error', group: 'run' });
      stopWorker();
    }
  };
  worker.onerror = (e) => {
    e.preventDefault();
    showMessage(`The pinned run could not run: ${e.message || 'the worker failed to start'}`, { kind: 'error', group: 'run' });
    stopWorker();
  };
  worker.postMessage({ type: 'config', config: parsed.config, play: true });
  showPinButton();
}

export function wirePin() {
  $('pin').addEventListener('click', () => (state.pin ? unpin() : pin()));
}
