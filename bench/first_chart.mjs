// How soon a visitor sees a chart: a dist folder served under /lab/ by a
// plain static server on 127.0.0.1, opened in headless Chromium with a cold
// cache (a fresh browser context per run), timed from navigation to the
// first chart drawn (the page sets <body data-drawn> once its canvases show
// a snapshot). Also the DOMContentLoaded and load times, and the bytes
// transferred.
//
//   node bench/first_chart.mjs DIST_DIR [DIST_DIR…] [--runs N] [--link FRAGMENT]
//
// Prints one tab-separated row per run, then the medians; then where the
// time went, run by run and in medians: the marks the page and its run
// worker set on the way (www/boot.js, app.js, run-client.js,
// wasm-worker.js, worker.js, charts.js), in ms from navigation on the
// page's clock, and how many requests asked for the wasm. With several
// folders (two builds to compare), their runs alternate (A B A B …), so
// that the machine's load falls on both alike; each gets its own table.
// `cargo xtask bench page` builds the folder and runs this.

import { launch, newPage } from '../tests/e2e/browser.mjs';
import { staticServer } from '../tests/e2e/static-server.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const dirs = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')));
const runs = Number(opt('--runs', '5'));
const link = opt('--link', ''); // the default lab's default run
if (dirs.length === 0) {
  console.error('usage: node bench/first_chart.mjs DIST_DIR [DIST_DIR…] [--runs N] [--link FRAGMENT]');
  process.exit(2);
}

const host = await staticServer(Object.fromEntries(dirs.map((d, i) => [`/lab${i || ''}/`, d])));
const browser = await launch();

/** Marks and measures of a context as [name, ms from its time origin]
 * (measures give their end; the first of each name), and when its wasm
 * arrived. Runs in the page or a worker. */
const entriesIn = () => {
  const out = [];
  const seen = new Set();
  for (const e of performance.getEntries()) {
    if (!e.name.startsWith('neurogeom:') || seen.has(e.name)) continue;
    seen.add(e.name);
    out.push([e.name.slice('neurogeom:'.length), performance.timeOrigin + e.startTime + e.duration]);
  }
  const wasm = performance.getEntriesByType('resource').find((e) => e.name.endsWith('.wasm'));
  if (wasm) out.push(['wasm fetched', performance.timeOrigin + wasm.responseEnd]);
  return out;
};

/** Where the time went in this run: page and run-worker entries, in ms from navigation. */
async function phases(page, workers) {
  const origin = await page.evaluate(() => performance.timeOrigin);
  const row = {};
  const add = (prefix, list) => {
    for (const [name, at] of list) row[prefix + name] = at - origin;
  };
  add('page: ', await page.evaluate(entriesIn));
  for (const w of workers) {
    const list = await w.evaluate(entriesIn).catch(() => []);
    if (list.some(([name]) => name === 'worker-config')) add('worker: ', list);
  }
  return row;
}

/** One cold visit of the folder mounted at `path`. */
async function visit(path) {
  const page = await newPage(browser);
  await page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (document.body && document.body.dataset.drawn !== undefined) {
        window.__firstChart = performance.now();
        observer.disconnect();
      }
    }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-drawn'] });
  });
  let bytes = 0;
  let wasmFetches = 0;
  page.on('response', async (res) => {
    const len = Number((await res.allHeaders())['content-length'] || 0);
    bytes += len;
  });
  // Every request, the workers' too (the context sees them all).
  page.context().on('request', (req) => {
    if (req.url().endsWith('.wasm')) wasmFetches++;
  });
  const workers = [];
  page.on('worker', (w) => workers.push(w));
  await page.goto(`${host.origin}${path}${link ? `#${link}` : ''}`);
  await page.waitForFunction(() => window.__firstChart !== undefined, null, { timeout: 60000 });
  const t = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    return { chart: window.__firstChart, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd };
  });
  const row = { ...t, bytes, phases: { ...(await phases(page, workers)), 'first chart': t.chart, 'wasm requests': wasmFetches } };
  await page.context().close();
  return row;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const results = dirs.map(() => []);
for (let r = 0; r < runs; r++) {
  for (let d = 0; d < dirs.length; d++) results[d].push(await visit(`/lab${d || ''}/`));
}

dirs.forEach((dir, d) => {
  const rows = results[d];
  if (dirs.length > 1) console.log(`\n# ${dir}`);
  console.log('run\tfirst chart ms\tDOMContentLoaded ms\tload ms\tbytes');
  rows.forEach((t, r) => console.log(`${r + 1}\t${t.chart.toFixed(0)}\t${t.dcl.toFixed(0)}\t${t.load.toFixed(0)}\t${t.bytes}`));
  console.log(`median\t${median(rows.map((r) => r.chart)).toFixed(0)}\t${median(rows.map((r) => r.dcl)).toFixed(0)}\t${median(rows.map((r) => r.load)).toFixed(0)}`);
  // Where the time went: each phase's median over the runs, in time order.
  const phaseRows = rows.map((r) => r.phases);
  const names = [...new Set(phaseRows.flatMap((p) => Object.keys(p)))].filter((n) => n !== 'wasm requests');
  const at = names.map((n) => [n, median(phaseRows.filter((p) => p[n] !== undefined).map((p) => p[n]))]).sort((a, b) => a[1] - b[1]);
  console.log('\nphase (ms from navigation)\t' + phaseRows.map((_, i) => `run ${i + 1}`).join('\t') + '\tmedian');
  for (const [n, m] of at) {
    console.log(`${n}\t${phaseRows.map((p) => (p[n] === undefined ? '-' : p[n].toFixed(0))).join('\t')}\t${m.toFixed(0)}`);
  }
  console.log(`wasm requests\t${phaseRows.map((p) => p['wasm requests']).join('\t')}`);
});
await browser.close();
await host.close();
