// Exports shared by the lab page (topbar.js) and "Your data" (yourdata.js):
// files are made here and saved through a blob link; nothing is sent anywhere.

import * as core from './pkg/neurogeom.js';
import { el } from './dom.js';

/** Save a blob under a file name (a blob: link, no request leaves the page). */
export function download(name, blob) {
  const a = el('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 5000);
}

function csvField(v) {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The rows of one run's snapshot (metrics, then every chart's numbers),
 * each ending with `run`. */
function runRows(snap, run) {
  const rows = [];
  for (const m of snap.metrics) rows.push(['metrics', 'metric', m.key, snap.step, m.value, '', '', '', run]);
  for (const c of snap.charts) {
    const b = c.body;
    if (b.kind === 'heatmap') {
      for (let r = 0; r < b.rows; r++) {
        for (let k = 0; k < b.cols; k++) rows.push([c.id, 'heatmap', b.value_label, '', '', r, k, b.values[r * b.cols + k], run]);
      }
    } else if (b.series) {
      for (const s of b.series) {
        s.x.forEach((x, i) => rows.push([c.id, b.kind, s.name, x, s.y[i], '', '', '', run]));
      }
    }
  }
  return rows;
}

/** Every number of the snapshot in one tidy table, after one comment line
 * saying where it came from: "# NeuroGeom <version>; link <link>; result
 * hash <hash>" (read it with pandas' `read_csv(..., comment='#')`, or skip
 * the first row). The lab page passes `pinned` (null, or {step, metrics,
 * charts}: the pinned run's metrics and the charts drawn beside the current
 * ones): a last column `run` then says "current" or "pinned", and the pinned
 * run's rows follow. Without it ("Your data") there is no such column. */
export function snapshotCsv(snap, { pinned, link = '', hash = '' } = {}) {
  const provenance = [`# NeuroGeom ${core.version()}`, link && `link ${link}`, hash && `result hash ${hash}`].filter(Boolean).join('; ');
  const header = ['chart', 'kind', 'series', 'x', 'y', 'row', 'col', 'value', 'run'];
  let rows = [header, ...runRows(snap, 'current')];
  if (pinned) rows.push(...runRows(pinned, 'pinned'));
  if (pinned === undefined) rows = rows.map((r) => r.slice(0, -1));
  return `${provenance.replace(/[\r\n]/g, ' ')}\n${rows.map((r) => r.map(csvField).join(',')).join('\n')}\n`;
}

