// The link and the URL: what the address bar and "Copy link" hold, and
// reading a link (the page's own URL, a preset, a pasted one) through the
// core, which owns the fragment's syntax (src/share.rs).
//
// The fragment is the canonical one the core writes for the config (and
// sweep), so that the same settings always give the same link.

import * as core from './pkg/neurogeom.js';
import { $ } from './dom.js';
import { state } from './state.js';

/** The link that reproduces what the page shows. */
export function shareLink() {
  return `${location.origin}${location.pathname}#${state.fragment}`;
}

/** Make `fragment` the page's link (no history entry, no hashchange). A
 * pinned run (pin.js) goes along as `&pin=<its fragment, percent-encoded>`,
 * except in a sweep, whose link is the sweep's alone. */
export function updateUrl(fragment) {
  if (state.pin && state.mode === 'single') fragment += `&pin=${encodeURIComponent(state.pin.fragment)}`;
  state.fragment = fragment;
  if (location.hash !== `#${fragment}`) history.replaceState(null, '', `#${fragment}`);
  $('share-link').value = shareLink();
}

/** The canonical fragment of a config alone. */
export const configFragment = (config) => core.fragment(JSON.stringify(config));

/** The canonical fragment of a config with a sweep. */
export const sweepFragment = (configJson, specJson) => core.link_fragment(configJson, specJson);

/** A link's `pin=` item taken out: {rest, pin} (pin: the decoded fragment
 * of the pinned run, or null). The rest goes to the core. */
function splitPin(text) {
  const hash = text.indexOf('#');
  const head = hash >= 0 ? text.slice(0, hash + 1) : '';
  const items = (hash >= 0 ? text.slice(hash + 1) : text).split('&');
  const at = items.findIndex((item) => item.startsWith('pin='));
  if (at < 0) return { rest: text, pin: null };
  let pin = null;
  try {
    pin = decodeURIComponent(items[at].slice(4)).replace(/^#/, '');
  } catch {
    pin = null; // malformed percent-encoding: no pin
  }
  items.splice(at, 1);
  return { rest: head + items.join('&'), pin: pin || null };
}

/** A link read by the core: {config, warnings, sweep, pin}. Never throws. */
export function parseLink(text) {
  const { rest, pin } = splitPin(text);
  const parsed = JSON.parse(core.parse_link(rest));
  parsed.pin = pin;
  if (pin !== null && pin.includes('pin=')) {
    parsed.warnings.push('pin: a pinned run cannot carry a pin of its own; its pin was ignored');
    parsed.pin = splitPin(pin).rest;
  }
  return parsed;
}
