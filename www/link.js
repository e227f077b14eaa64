// The link and the URL: what the address bar and "Copy link" hold, and
// reading a link (the page's own URL, a preset, a pasted one) through the
// core, which owns the fragment's syntax (src/share.rs).
//
// The fragment is the canonical one the core writes for the config (and
// sweep), so that the same settings always give the same link; the link
// handed out (the address bar, "Copy link") ends with `&ng=<version>`, the
// NeuroGeom that computed what the page shows (core.versioned_fragment).

import * as core from './pkg/neurogeom.js';
import { $, showLinkBox } from './dom.js';
import { state } from './state.js';
import { pageUrl } from './address.js';
import { embedSuffix } from './embed.js';

/** The link that reproduces what the page shows, with this version. */
export function shareLink() {
  return `${pageUrl()}#${core.versioned_fragment(state.fragment)}`;
}

/** Make `fragment` the page's link (no history entry, no hashchange). A
 * pinned run (pin.js) goes along as `&pin=<its fragment, percent-encoded>`,
 * except in a sweep, whose link is the sweep's alone. */
export function updateUrl(fragment) {
  if (state.pin && state.mode === 'single') fragment = core.link_fragment(JSON.stringify(state.config), '', state.pin.fragment);
  state.fragment = fragment;
  const versioned = core.versioned_fragment(fragment);
  const shown = `#${versioned}${embedSuffix()}`; // an embedded view stays one
  if (location.hash !== shown) history.replaceState(null, '', shown);
  showLinkBox(shareLink());
  $('embed-open').href = shareLink();
}

/** The canonical fragment of a config alone. */
export const configFragment = (config) => core.fragment(JSON.stringify(config));

/** The canonical fragment of a config with a sweep. */
export const sweepFragment = (configJson, specJson) => core.link_fragment(configJson, specJson, undefined);

/** A link read by the core: {config, warnings, sweep ({axes, seeds} or
 * null), pin (the pinned run's fragment, decoded, or null), made_with (its
 * `ng=`, or null), version_note (see version.js, or null)}. Never throws. */
export function parseLink(text) {
  const parsed = JSON.parse(core.parse_link(text));
  parsed.pin = parsed.pin || null;
  return parsed;
}
