// Embedded charts. A link with `&embed=CHART[,CHART…]` (read by the core,
// src/share.rs) shows only those charts, in that order, for an <iframe> in a
// blog post, slides or an article: the charts, a play / replay control, the
// result hash and a small link that opens the run in the full page; nothing
// else of the page (style.css, "Embedded"). The run is the link's own, so
// its hash is the full page's and the CLI's. A chart the run does not draw
// is named in the message area with the ones it does.
//
// "Embed" (in the Export menu, beside "Copy link") copies the <iframe> for
// the current run, showing its first (featured) chart, and shows it in the
// link box.

import { $ } from './dom.js';
import { state } from './state.js';
import { showMessage } from './messages.js';
import { shareLink } from './link.js';

let warned = '';

/** The link's chart ids (or null: the whole page). */
export function setEmbed(ids) {
  state.embed = ids && ids.length ? ids : null;
  warned = '';
  if (state.embed) document.body.dataset.embed = state.embed.join(',');
  else delete document.body.dataset.embed;
}

/** `&embed=…` for the page's own URL (empty when not embedded). */
export function embedSuffix() {
  return state.embed ? `&embed=${state.embed.map(encodeURIComponent).join(',')}` : '';
}

/** The charts to show of a snapshot's: all of them, or the embedded ones
 * (the first chart while none of them is there). Once the run is done, a
 * chart it does not draw is named with those it does. */
export function embeddedCharts(charts) {
  if (!state.embed) return charts;
  const byId = new Map(charts.map((c) => [c.id, c]));
  const shown = state.embed.map((id) => byId.get(id)).filter(Boolean);
  const unknown = state.embed.filter((id) => !byId.has(id));
  const key = `${unknown.join(',')}|${charts.map((c) => c.id).join(',')}`;
  const done = state.run === 'done' || (state.snapshot && state.snapshot.done);
  if (unknown.length && done && key !== warned) {
    warned = key;
    const list = unknown.map((id) => `“${id}”`).join(', ');
    showMessage(`embed: this run draws no chart ${list}. Its charts are: ${charts.map((c) => c.id).join(', ')}.`, { kind: 'warning', group: 'link', title: 'Unknown chart' });
  }
  return shown.length ? shown : charts.slice(0, 1);
}

/** Text for an HTML attribute. */
const attr = (s) => String(s).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The <iframe> that embeds the current run's first chart. */
export function embedSnippet() {
  const chart = state.snapshot && state.snapshot.charts[0];
  const src = `${shareLink()}&embed=${encodeURIComponent(chart ? chart.id : '')}`;
  const title = `NeuroGeom: ${chart ? chart.title : state.config.lab}`;
  return `<iframe src="${attr(src)}" title="${attr(title)}" width="720" height="460" style="border:0;max-width:100%" loading="lazy"></iframe>`;
}

async function copyEmbed() {
  const snippet = embedSnippet();
  const input = $('share-link');
  input.value = snippet;
  let ok = false;
  try {
    await navigator.clipboard.writeText(snippet);
    ok = true;
  } catch {
    input.focus();
    input.select();
  }
  $('export').open = false;
  const button = $('copy-link');
  button.textContent = ok ? 'Embed copied ✓' : 'Select & copy ↓';
  setTimeout(() => (button.textContent = 'Copy link'), 1600);
}

export function wireEmbed() {
  $('embed-copy').addEventListener('click', copyEmbed);
}
