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
// - Where the host keeps each release under its own path (a dist build:
//   `<meta name="neurogeom-dist-root" content="…">` gives the way from this
//   page to the root that holds `v/<release>/`), the message offers the link
//   on its own version's copy.
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
  clearMessages('version');
}

/** The URL of the copy of `note`'s release on this host, or null where the
 * host keeps no versioned copies. `fragment` is the link's, without '#'. */
export function releaseCopyUrl(note, fragment) {
  const meta = document.querySelector('meta[name="neurogeom-dist-root"]');
  if (!meta || !note || !note.release_path) return null;
  try {
    return new URL(`${meta.content}${note.release_path}#${fragment}`, location.href).href;
  } catch {
    return null;
  }
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
  const copy = releaseCopyUrl(note, fragment);
  if (copy) {
    const p = el('p', 'msg-copy');
    const a = el('a', '', `Open it on NeuroGeom ${note.made_with.split('+')[0]}’s own copy`);
    a.href = copy;
    p.append(a);
    item.insertBefore(p, item.querySelector('.msg-close'));
  }
}
