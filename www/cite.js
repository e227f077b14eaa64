// "How to cite", under the lab's text: what to cite for the result on the
// screen. The software with this build's version, the link (with its ng=)
// and the result hash; then the papers the lab implements and the data it
// ships (the lab spec's `references`, which CITATION.cff and the README's
// "How to cite" list too).

import * as core from './pkg/neurogeom.js';
import { $, el } from './dom.js';
import { state } from './state.js';
import { shareLink } from './link.js';

/** One reference as a list item, its DOI or page as a link. */
function referenceItem(r) {
  const li = el('li', '', `${r.authors} (${r.year}). ${r.title}. ${r.venue}.`);
  const href = r.doi ? `https://doi.org/${r.doi}` : r.url;
  if (href) {
    li.append(' ');
    const a = el('a', '', r.doi ? `doi:${r.doi}` : href);
    a.href = href;
    a.rel = 'noopener';
    a.target = '_blank';
    li.append(a);
  }
  return li;
}

/** Fill the panel for the current lab and result. */
function fill() {
  const spec = state.spec;
  if (!spec) return;
  const body = $('cite-body');
  const hash = state.snapshot ? state.snapshot.hash : '–';
  const software = `NeuroGeom contributors. NeuroGeom: the geometry of neural representations (software), version ${core.version()}. Result hash ${hash} of ${shareLink()}`;
  const sw = el('p', 'cite-software', software);
  const papers = el('ol', 'cite-papers');
  for (const r of spec.references || []) papers.append(referenceItem(r));
  const more = el('p', 'muted');
  const readme = el('a', '', 'How to cite');
  readme.href = 'README.md#how-to-cite';
  more.append('The README’s ', readme, ' section has every lab’s references, and ');
  const cff = el('a', '', 'CITATION.cff');
  cff.href = 'CITATION.cff';
  more.append(cff, ' gives them to reference managers.');
  body.replaceChildren(
    el('p', '', 'The software, with the version, the link and the result hash that reproduce what you report:'),
    sw,
    el('p', '', spec.references && spec.references.length ? 'and the papers this lab implements (and its data):' : ''),
    papers,
    more,
  );
}

export function wireCite() {
  const details = $('cite');
  details.addEventListener('toggle', () => details.open && fill());
  // Keep it current while open (a new result, another lab).
  const refresh = new MutationObserver(() => details.open && fill());
  for (const id of ['hash', 'lab-title']) refresh.observe($(id), { childList: true, characterData: true, subtree: true });
}
