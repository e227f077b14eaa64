// The message area (link warnings, divergence, crashes: always visible,
// never only in the console) and the ⓘ popover (a metric's or a chart's
// formula and paper).
//
// `group` says when a message is cleared: 'link' and 'run' messages go when
// a new config is loaded, 'run' ones also on reset; 'crash' and 'fatal' stay.

import { $, el } from './dom.js';

function closeButton(item) {
  const close = el('button', 'msg-close', '×');
  close.type = 'button';
  close.setAttribute('aria-label', 'Dismiss');
  close.addEventListener('click', () => item.remove());
  return close;
}

/** One message; the same text is never shown twice. Returns its element.
 * `buttons`: [{label, onClick, primary}] under the text; each also closes it. */
export function showMessage(text, { kind = 'warning', group = 'run', title = '', buttons = [] } = {}) {
  const box = $('messages');
  const existing = [...box.children].find((m) => m.dataset.text === text);
  if (existing) return existing;
  const item = el('div', `msg msg-${kind}`);
  item.dataset.group = group;
  item.dataset.text = text;
  if (title) item.append(el('strong', 'msg-title', title));
  item.append(el('span', 'msg-text', text));
  if (buttons.length) {
    const row = el('div', 'msg-actions');
    for (const b of buttons) {
      const button = el('button', b.primary ? 'primary' : '', b.label);
      button.type = 'button';
      button.addEventListener('click', () => {
        item.remove();
        b.onClick();
      });
      row.append(button);
    }
    item.append(row);
  }
  item.append(closeButton(item));
  box.append(item);
  return item;
}

/** Warnings listed in the link's box before the rest fold away. */
export const LISTED_WARNINGS = 8;

/** One box listing a link's warnings; each says what was done instead (a
 * default, a value clamped into range, a key ignored; the core groups many
 * unknown keys into one line). More than LISTED_WARNINGS fold under "N
 * more", so a hostile link cannot push the charts off the page. */
export function showLinkWarnings(warnings) {
  if (!warnings.length) return;
  const box = $('messages');
  let item = box.querySelector('.msg[data-group="link"]');
  if (!item) {
    item = el('div', 'msg msg-warning');
    item.dataset.group = 'link';
    item.append(el('strong', 'msg-title', 'The link had problems; each line says what was used instead:'));
    item.append(el('ul', 'msg-list'));
    const more = el('details', 'msg-more');
    more.hidden = true;
    more.append(el('summary'), el('ul', 'msg-list'));
    item.append(more, closeButton(item));
    box.prepend(item);
  }
  const [list, rest] = item.querySelectorAll('ul');
  const seen = new Set([...item.querySelectorAll('li')].map((li) => li.textContent));
  for (const w of warnings) {
    if (seen.has(w)) continue;
    seen.add(w);
    (list.children.length < LISTED_WARNINGS ? list : rest).append(el('li', '', w));
  }
  const more = item.querySelector('.msg-more');
  more.hidden = rest.children.length === 0;
  more.querySelector('summary').textContent = `${rest.children.length} more problem${rest.children.length === 1 ? '' : 's'}`;
}

/** A lab's own notes on a config (e.g. a setting it cannot honour), unless
 * the link's warning box already says the same. */
export function showNotes(warnings) {
  for (const w of warnings) {
    const inLinkBox = [...document.querySelectorAll('#messages .msg-list li')].some((li) => li.textContent === w);
    if (!inLinkBox) showMessage(w, { kind: 'warning', group: 'link', title: 'Note' });
  }
}

export function clearMessages(...groups) {
  for (const m of [...$('messages').children]) {
    if (groups.includes(m.dataset.group)) m.remove();
  }
}

// ---------------------------------------------------------------------------
// The info popover (ⓘ).

/** An ⓘ button; `text` may be a function, read when clicked. */
export function infoButton(title, text) {
  const b = el('button', 'info', 'i'); // drawn as ⓘ by the CSS (no font needs the glyph)
  b.type = 'button';
  b.title = `About ${title}`;
  b.setAttribute('aria-label', `About ${title}`);
  b.addEventListener('click', (e) => {
    e.stopPropagation();
    showInfo(b, title, typeof text === 'function' ? text() : text);
  });
  return b;
}

function showInfo(anchor, title, text) {
  const pop = $('info-pop');
  $('info-title').textContent = title;
  $('info-text').textContent = text || 'No description yet.';
  pop.hidden = false;
  const r = anchor.getBoundingClientRect();
  const w = pop.offsetWidth;
  const h = pop.offsetHeight;
  const left = Math.min(Math.max(8, r.right - w), window.innerWidth - w - 8);
  const below = r.bottom + 6;
  const top = below + h > window.innerHeight - 8 ? Math.max(8, r.top - h - 6) : below;
  pop.style.left = `${left}px`;
  pop.style.top = `${top}px`;
  pop.querySelector('.close').focus({ preventScroll: true });
}

export function hideInfo() {
  $('info-pop').hidden = true;
}

/** Close the popover on its × and on a click elsewhere. */
export function wireMessages() {
  $('info-pop').querySelector('.close').addEventListener('click', hideInfo);
  document.addEventListener('click', (e) => {
    const pop = $('info-pop');
    if (!pop.hidden && !pop.contains(e.target)) hideInfo();
  });
}
