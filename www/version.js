// Which NeuroGeom computed what the page shows, and what a link made with
// another version gets. Shared by the lab page (app.js) and "Your data"
// (yourdata.js).
//
// - Beside the result hash: "NeuroGeom 0.2.0+f609125" (the release and the
//   commit of this build; the core's `version()`).
// - A link whose `ng=` names another version runs all the same; beside the
//   hash the version line becomes the core's note ("made with NeuroGeom
//   0.1.0; this is 0.2.0+…"), and the message area lists the result changes
//   between the two releases, taken from the built-in CHANGELOG.md. A newer
//   or malformed `ng=` says so.
// - In a dist build (`<meta name="neurogeom-build">`), whose root keeps each
//   release under `v<release>/` (`cargo xtask dist`), the message offers the
//   link on its own release's copy, once a HEAD request has found that copy's
//   page on this host; otherwise it says nothing more. The root is this
//   page's folder, or its parent when this page is itself a release's copy.
//
// Text from the link reaches the DOM only through textContent.

import * as core from './pkg/neurogeom.js';
import { $, el } from './dom.js';
import { showMessage, clearMessages } from './messages.js';

/** Show this build's version beside the hash (no note). */
export function showVersion() {
  const v = $('version');
  v.textContent = `NeuroGeom ${core.version()}`;
  v.hidden = false;
  const note = $('version-note');
  note.hidden = true;
  note.textContent = '';
  delete document.body.dataset.versionNote;
  delete document.body.dataset.releaseCopy;
  clearMessages('version');
}

/** The root of a dist build's folder, which holds the latest build and
 * each release's copy under `v<release>/`: this page's folder, or its
 * parent when this page is such a copy. Null outside a dist build. */
export function distRoot(href = location.href) {
  if (!document.querySelector('meta[name="neurogeom-build"]')) return null;
  const here = new URL('./', href);
  return /\/v\d+\.\d+\.\d+\/$/.test(here.pathname) ? new URL('../', here).href : here.href;
}

/** The URL of `note`'s release's copy of this page with the link's
 * `fragment` (without '#'), or null: outside a dist build, for a note with
 * no release, for this very copy, and when the copy is not on this host
 * (a HEAD request, same origin, finds no page there). */
export async function releaseCopyUrl(note, fragment) {
  const root = distRoot();
  if (!root || !note || !note.release_path) return null;
  const dir = new URL(note.release_path, root);
  if (dir.href === new URL('./', location.href).href) return null;
  const name = location.pathname.slice(location.pathname.lastIndexOf('/') + 1);
  const page = name === 'index.html' ? '' : name;
  try {
    const r = await fetch(new URL(page || 'index.html', dir), { method: 'HEAD', cache: 'no-cache' });
    if (!r.ok) return null;
  } catch {
    return null; // offline, or refused: nothing to offer
  }
  return `${new URL(page, dir).href}#${fragment}`;
}

/** A link made with another version: the core's note (or null for this
 * version) beside the hash, and its result changes in the message area.
 * `fragment` is the opened link's fragment, for the versioned copy. */
export function showVersionNote(note, fragment = '') {
  showVersion();
  if (!note) return;
  $('version').hidden = true;
  const chip = $('version-note');
  chip.textContent = note.text;
  chip.dataset.kind = note.kind;
  chip.hidden = false;
  document.body.dataset.versionNote = note.kind;

  const titles = {
    older: 'This link was made with an earlier version',
    newer: 'This link was made with a later version',
    other_build: 'This link was made with another build of this version',
    malformed: 'The link names no version this page can read',
  };
  let text;
  if (note.kind === 'older') {
    text = note.changes.length
      ? `It ran here with NeuroGeom ${note.this}. Changes to results since then (CHANGELOG.md):`
      : `It ran here with NeuroGeom ${note.this}. The changelog lists no change to results between the two, so the hash should be the link's.`;
  } else if (note.kind === 'newer') {
    text = `It ran here with NeuroGeom ${note.this}, which cannot know what the later version changed: the result may differ from the link's.`;
  } else if (note.kind === 'other_build') {
    text = `It ran here with NeuroGeom ${note.this}. Builds of one release give the same results unless the changelog's section for it says otherwise.`;
  } else {
    text = `${note.text}. It ran here with this version.`;
  }
  const item = showMessage(text, { kind: note.kind === 'older' || note.kind === 'other_build' ? 'info' : 'warning', group: 'version', title: titles[note.kind] || 'Another version' });
  if (note.changes.length) {
    const list = el('ul', 'msg-list');
    for (const c of note.changes) list.append(el('li', '', `${c.version}: ${c.text}`));
    item.insertBefore(list, item.querySelector('.msg-close'));
  }
  // The offer comes once the copy is found; `data-release-copy` says the
  // check is over ("offered" or "none").
  releaseCopyUrl(note, fragment).then((copy) => {
    if (!item.isConnected) return; // another note or run replaced this one
    document.body.dataset.releaseCopy = copy ? 'offered' : 'none';
    if (!copy) return;
    const p = el('p', 'msg-copy');
    const a = el('a', '', `Open it on NeuroGeom ${note.release_path.slice(1, -1)}`);
    a.href = copy;
    p.append(a);
    item.insertBefore(p, item.querySelector('.msg-close'));
  });
}
