// The left panel's controls, generated from the lab's parameter list
// (ParamSpec, src/params.rs): `number` → slider + box, `choice` → select,
// `multi` → checkboxes, `text` → a text field with its maximum length; the
// seed; the presets gallery; the lab picker.
//
// A control commits its value with `commitParam`, which rewrites the config
// and calls actions.applyConfig() (new URL, fresh run).

import { $, el, formatValue, isNarrow } from './dom.js';
import { state, actions } from './state.js';
import { parseLink } from './link.js';

function commitParam(key, value) {
  state.config = { ...state.config, params: { ...state.config.params, [key]: value } };
  actions.applyConfig();
}

function commitSeed(seed) {
  state.config = { ...state.config, seed };
  actions.applyConfig();
}

function currentParam(p) {
  const v = state.config.params[p.key];
  return v === undefined ? p.default : v;
}

/** A log slider where the parameter asks for one, or spans 1000× in whole numbers. */
export const isLogParam = (p) => p.min > 0 && (p.log || (p.integer && p.max / p.min >= 1000));

/** How a number's slider maps positions to values. */
function sliderScale(p) {
  const clamp = (v) => Math.min(p.max, Math.max(p.min, v));
  const tidy = (v, digits) => {
    const x = Number(v.toPrecision(digits));
    return clamp(p.integer ? Math.round(x) : x);
  };
  if (isLogParam(p)) {
    const [a, b] = [Math.log(p.min), Math.log(p.max)];
    return {
      steps: 1000,
      toPos: (v) => (1000 * (Math.log(v) - a)) / (b - a),
      fromPos: (pos) => tidy(Math.exp(a + (pos / 1000) * (b - a)), 2),
    };
  }
  if (p.integer && p.max - p.min <= 1000) {
    return { steps: p.max - p.min, toPos: (v) => v - p.min, fromPos: (pos) => p.min + Number(pos) };
  }
  const step = niceStep((p.max - p.min) / 100);
  return {
    steps: 1000,
    toPos: (v) => (1000 * (v - p.min)) / (p.max - p.min),
    fromPos: (pos) => tidy(Math.round((p.min + (pos / 1000) * (p.max - p.min)) / step) * step, 12),
  };
}

function niceStep(raw) {
  const mag = 10 ** Math.floor(Math.log10(raw));
  const m = raw / mag;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * mag;
}

const optionLabel = (p, opt) => {
  const i = p.options.indexOf(opt);
  return i >= 0 ? p.labels[i] || opt : opt;
};

/** The range and default, shown under the help text. */
function rangeText(p) {
  if (p.type === 'choice') return `default ${optionLabel(p, p.default)}`;
  if (p.type === 'multi') {
    const names = p.default.split(',').filter(Boolean).map((o) => optionLabel(p, o));
    return `one or more · default ${names.join(', ')}`;
  }
  if (p.type === 'text') return `at most ${p.max_len} characters · default ${p.default || '(empty)'}`;
  const unit = p.unit ? ` ${p.unit}` : '';
  return `${formatValue(p.min)} – ${formatValue(p.max)}${unit}${p.log ? ' (log)' : ''} · default ${formatValue(p.default)}`;
}

function controlShell(p, inputId) {
  const wrap = el('div', 'control');
  wrap.dataset.key = p.key;
  const label = el(inputId ? 'label' : 'span', 'control-label');
  if (inputId) label.htmlFor = inputId;
  label.append(el('span', '', p.label));
  if (p.unit) label.append(el('span', 'unit', p.unit));
  wrap.append(label);
  return wrap;
}

function controlHelp(p) {
  const help = el('p', 'help');
  if (p.help) help.append(el('span', '', p.help + ' '));
  help.append(el('span', 'range', rangeText(p)));
  return help;
}

function numberControl(p) {
  const id = `param-${p.key}`;
  const wrap = controlShell(p, id);
  const scale = sliderScale(p);
  const row = el('div', 'control-row');
  const slider = el('input', 'slider');
  Object.assign(slider, { type: 'range', min: 0, max: scale.steps, step: 1 });
  slider.setAttribute('aria-label', `${p.label} slider`);
  const box = el('input', 'number');
  Object.assign(box, { type: 'number', id, min: p.min, max: p.max, step: 'any' });
  box.inputMode = p.integer ? 'numeric' : 'decimal';
  row.append(slider, box);
  wrap.append(row, controlHelp(p));

  const show = (v) => {
    box.value = String(v);
    slider.value = String(Math.round(scale.toPos(v)));
  };
  // Dragging previews the value; releasing commits it (and restarts the run).
  slider.addEventListener('input', () => (box.value = String(scale.fromPos(Number(slider.value)))));
  slider.addEventListener('change', () => commitParam(p.key, scale.fromPos(Number(slider.value))));
  box.addEventListener('change', () => {
    let v = Number(box.value);
    if (box.value.trim() === '' || !Number.isFinite(v)) return show(currentParam(p));
    v = Math.min(p.max, Math.max(p.min, p.integer ? Math.round(v) : v));
    commitParam(p.key, v);
  });
  wrap.setValue = show;
  return wrap;
}

function choiceControl(p) {
  const id = `param-${p.key}`;
  const wrap = controlShell(p, id);
  const select = el('select', 'choice');
  select.id = id;
  p.options.forEach((opt, i) => {
    const o = el('option', '', p.labels[i] || opt);
    o.value = opt;
    select.append(o);
  });
  select.addEventListener('change', () => commitParam(p.key, select.value));
  wrap.append(select, controlHelp(p));
  wrap.setValue = (v) => (select.value = String(v));
  return wrap;
}

/** A subset of options: one checkbox each. The value is the comma list of
 * the ticked options in option order; the last one cannot be unticked. */
function multiControl(p) {
  const wrap = controlShell(p, null);
  const box = el('fieldset', 'multi');
  box.id = `param-${p.key}`;
  box.setAttribute('aria-label', p.label);
  const checks = p.options.map((opt, i) => {
    const label = el('label', 'check');
    const input = el('input');
    input.type = 'checkbox';
    input.value = opt;
    input.dataset.option = opt;
    label.append(input, ` ${p.labels[i] || opt}`);
    box.append(label);
    return input;
  });
  const value = () => checks.filter((c) => c.checked).map((c) => c.value).join(',');
  for (const c of checks) {
    c.addEventListener('change', () => {
      if (!value()) {
        c.checked = true; // an empty set is not a value
        return;
      }
      commitParam(p.key, value());
    });
  }
  wrap.append(box, controlHelp(p));
  wrap.setValue = (v) => {
    const on = new Set(String(v).split(','));
    for (const c of checks) c.checked = on.has(c.value);
  };
  return wrap;
}

/** Free text, at most `max_len` characters; the lab checks what it means
 * and says what it cannot read as a note. */
function textControl(p) {
  const id = `param-${p.key}`;
  const wrap = controlShell(p, id);
  const box = el('input', 'text');
  Object.assign(box, { type: 'text', id, maxLength: p.max_len, spellcheck: false });
  box.addEventListener('change', () => commitParam(p.key, box.value.trim()));
  wrap.append(box, controlHelp(p));
  wrap.setValue = (v) => (box.value = String(v));
  return wrap;
}

const U64_MAX = 18446744073709551615n;

function seedControl() {
  const p = { key: 'seed', label: 'Seed', unit: '' };
  const wrap = controlShell(p, 'param-seed');
  const row = el('div', 'control-row');
  const box = el('input', 'number seed');
  Object.assign(box, { type: 'text', id: 'param-seed', spellcheck: false });
  box.inputMode = 'numeric';
  const dice = el('button', 'small', 'New');
  dice.type = 'button';
  dice.title = 'Draw a new random seed';
  row.append(box, dice);
  const help = el('p', 'help', 'Every random draw (data, initial weights, minibatches) comes from this seed. Same seed, same result.');
  wrap.append(row, help);
  box.addEventListener('change', () => {
    const text = box.value.trim();
    if (/^\d{1,20}$/.test(text) && BigInt(text) <= U64_MAX) commitSeed(BigInt(text).toString());
    else box.value = state.config.seed;
  });
  dice.addEventListener('click', () => {
    const [n] = crypto.getRandomValues(new Uint32Array(1));
    commitSeed(String(n));
  });
  wrap.setValue = (v) => (box.value = v);
  return wrap;
}

const CONTROLS = { number: numberControl, choice: choiceControl, multi: multiControl, text: textControl };

/** Build the left panel for a lab: about, grouped controls, presets. */
export function buildPanel(spec) {
  $('lab-title').textContent = spec.title;
  $('lab-summary').textContent = spec.summary;
  $('lab-steps').textContent = spec.step_unit ? `The counter counts ${spec.step_unit.name}s. ${spec.step_unit.help}` : '';
  const form = $('controls');
  form.replaceChildren();
  const groups = new Map([['Run', [seedControl()]]]);
  for (const p of spec.params) {
    const group = p.group || 'Settings';
    if (!groups.has(group)) groups.set(group, []);
    groups.get(group).push((CONTROLS[p.type] || numberControl)(p));
  }
  // Folded on a phone, where they would push the charts thousands of pixels down.
  const open = !isNarrow();
  for (const [name, controls] of groups) {
    const section = el('details', 'group');
    section.open = open;
    section.append(el('summary', '', name), ...controls);
    form.append(section);
  }
  buildPresets(spec);
}

function buildPresets(spec) {
  const list = $('presets');
  list.replaceChildren();
  for (const preset of spec.presets || []) {
    const li = el('li');
    const a = el('a', '', preset.title);
    a.href = `#${preset.fragment}`; // followed by the hashchange handler
    // Already at this link: no hashchange, so load it again here.
    a.addEventListener('click', (e) => {
      if (location.hash === a.getAttribute('href')) {
        e.preventDefault();
        actions.loadLink(a.href);
      }
    });
    li.append(a);
    const sweep = parseLink(preset.fragment).sweep;
    if (sweep) {
      const axes = sweep.axes || [sweep]; // two-parameter sweeps list their axes
      const runs = axes.reduce((n, a) => n * a.values.length, 1) * (sweep.seeds || 1);
      const names = axes.map((a) => (spec.params.find((p) => p.key === a.key) || { label: a.key }).label).join(' and ');
      const badge = el('span', 'badge', `sweep · ${runs} runs`);
      badge.title = `One run per value of ${names}, in parallel`;
      li.append(' ', badge);
    }
    li.append(el('p', 'help', preset.description));
    list.append(li);
  }
  $('presets-section').hidden = !(spec.presets || []).length;
  $('presets-section').open = !isNarrow();
}

/** Show a config's values in the controls. */
export function setControls(config) {
  for (const wrap of $('controls').querySelectorAll('.control')) {
    const key = wrap.dataset.key;
    const v = key === 'seed' ? config.seed : config.params[key];
    if (v !== undefined && wrap.setValue) wrap.setValue(v);
  }
}

/** Mark the swept parameters' controls and lock them (none: unlock all). */
export function markSwept(keys) {
  for (const wrap of $('controls').querySelectorAll('.control')) {
    const swept = keys.includes(wrap.dataset.key);
    wrap.classList.toggle('swept', swept);
    for (const input of wrap.querySelectorAll('input, select, button')) input.disabled = swept;
  }
}

/** The lab picker, filled from the catalog; `onPick(name)` on change. */
export function fillLabPicker(catalog, onPick) {
  const select = $('lab');
  select.replaceChildren();
  for (const spec of catalog) {
    const o = el('option', '', spec.title);
    o.value = spec.name;
    select.append(o);
  }
  select.addEventListener('change', () => onPick(select.value));
}
