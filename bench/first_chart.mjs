// How soon a visitor sees a chart: a dist folder served under /lab/ by a
// plain static server on 127.0.0.1, opened in headless Chromium with a cold
// cache (a fresh browser context per run), timed from navigation to the
// first chart drawn (the page sets <body data-drawn> once its canvases show
// a snapshot). Also the DOMContentLoaded and load times, and the bytes
// transferred.
//
//   node bench/first_chart.mjs DIST_DIR [--runs N] [--link FRAGMENT]
//
// Prints one tab-separated row per run, then the medians. `cargo xtask bench
// page` builds the folder and runs this.

import { launch, newPage } from '../tests/e2e/browser.mjs';
import { staticServer } from '../tests/e2e/static-server.mjs';

const args = process.argv.slice(2);
const dir = args[0];
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i > 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const runs = Number(opt('--runs', '5'));
const link = opt('--link', ''); // the default lab's default run
if (!dir) {
  console.error('usage: node bench/first_chart.mjs DIST_DIR [--runs N] [--link FRAGMENT]');
  process.exit(2);
}

const host = await staticServer({ '/lab/': dir });
const browser = await launch();
const rows = [];
console.log('run\tfirst chart ms\tDOMContentLoaded ms\tload ms\tbytes');
for (let r = 0; r < runs; r++) {
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
  page.on('response', async (res) => {
    const len = Number((await res.allHeaders())['content-length'] || 0);
    bytes += len;
  });
  await page.goto(`${host.origin}/lab/${link ? `#${link}` : ''}`);
  await page.waitForFunction(() => window.__firstChart !== undefined, null, { timeout: 60000 });
  const t = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    return { chart: window.__firstChart, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd };
  });
  rows.push(t);
  console.log(`${r + 1}\t${t.chart.toFixed(0)}\t${t.dcl.toFixed(0)}\t${t.load.toFixed(0)}\t${bytes}`);
  await page.context().close();
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(`median\t${median(rows.map((r) => r.chart)).toFixed(0)}\t${median(rows.map((r) => r.dcl)).toFixed(0)}\t${median(rows.map((r) => r.load)).toFixed(0)}`);
await browser.close();
await host.close();
