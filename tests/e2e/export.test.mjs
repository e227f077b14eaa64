// Exports, end to end in real Chromium, with a pinned run beside the
// current one: one combined figure (a single PNG and a single SVG with
// every chart in a grid, the pinned series in it as drawn), and the CSV and
// JSON with the pinned run's numbers.
//
// Run with `cargo xtask test` (sets BASE_URL, CHROMIUM_PATH, NEUROGEOM_CLI, E2E_OUT).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, newPage, baseUrl, pageErrorsOf, outDir } from './browser.mjs';

const LAZY = 'v=1&lab=lazy-rich&seed=3&steps=300&width=32&alpha=10';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function waitForDrawn(page) {
  await page.waitForFunction(
    () => document.body.dataset.state === 'done' && document.body.dataset.drawn === document.getElementById('hash').textContent,
    null,
    { timeout: 120000 },
  );
}

/** Click an Export menu entry and save what it downloads; its path. */
async function exportFile(page, kind) {
  await page.click('#export summary');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`[data-export="${kind}"]`)]);
  const path = join(outDir(), `export-${download.suggestedFilename()}`);
  await download.saveAs(path);
  return { path, name: download.suggestedFilename() };
}

/** Width and height from a PNG's IHDR. */
function pngSize(bytes) {
  assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

test('one PNG and one SVG hold every chart in a grid, with the pinned run; CSV and JSON hold its numbers', async () => {
  const page = await newPage(browser);
  await page.goto(`${baseUrl()}#${LAZY}`);
  await waitForDrawn(page);
  await page.click('#pin');
  const pinned = await page.evaluate(() => document.body.dataset.pinned);
  await page.fill('#param-alpha', '0.1');
  await page.press('#param-alpha', 'Enter');
  await waitForDrawn(page);
  await page.waitForFunction((h) => document.body.dataset.pinDrawn === h, pinned);
  const charts = await page.evaluate(() => [...document.querySelectorAll('.chart-card canvas')].map((c) => c.id.replace(/^chart-/, '')));
  const n = charts.length;
  assert.ok(n >= 6, `${n} charts`);
  const columns = n <= 4 ? 2 : 3;
  const rows = Math.ceil(n / columns);

  // The PNG: the grid at twice the CSS size, ink in every cell.
  const png = await exportFile(page, 'png-figure');
  assert.match(png.name, /^lazy-rich-seed3-step300-figure\.png$/);
  const bytes = readFileSync(png.path);
  assert.deepEqual(pngSize(bytes), [columns * 1120, rows * 720]);
  const inked = await page.evaluate(
    async ([b64, columns, rows, n]) => {
      const blob = new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: 'image/png' });
      const bmp = await createImageBitmap(blob);
      const c = new OffscreenCanvas(bmp.width, bmp.height);
      const ctx = c.getContext('2d');
      ctx.drawImage(bmp, 0, 0);
      const d = ctx.getImageData(0, 0, bmp.width, bmp.height).data;
      const [cw, ch] = [bmp.width / columns, bmp.height / rows];
      const cells = new Array(n).fill(0);
      for (let y = 0; y < bmp.height; y += 2) {
        for (let x = 0; x < bmp.width; x += 2) {
          const i = 4 * (y * bmp.width + x);
          if (d[i] < 200 || d[i + 1] < 200 || d[i + 2] < 200) {
            const cell = Math.floor(y / ch) * columns + Math.floor(x / cw);
            if (cell < n) cells[cell]++;
          }
        }
      }
      return cells;
    },
    [bytes.toString('base64'), columns, rows, n],
  );
  inked.forEach((k, i) => assert.ok(k > 500, `cell ${i} (${charts[i]}) has ${k} inked pixels`));

  // The SVG: the same grid at the CSS size, every chart's title, the pinned series.
  const svgFile = await exportFile(page, 'svg-figure');
  assert.match(svgFile.name, /-figure\.svg$/);
  const svg = readFileSync(svgFile.path, 'utf8');
  assert.ok(svg.startsWith(`<svg width="${columns * 560}" height="${rows * 360}"`), svg.slice(0, 80));
  const titles = await page.evaluate((ids) => ids.map((id) => window.neurogeomDebug.chart(id).title), charts);
  for (const t of titles) {
    const first = t.split(' ')[0].replace(/&/g, '&amp;').replace(/</g, '&lt;');
    assert.ok(svg.includes(first), `the figure names “${t}”`);
  }
  assert.ok((svg.match(/\(pinned\)/g) || []).length >= 2, 'the pinned run is in the figure');

  // The CSV: a run column, the pinned run's metrics and series.
  const csv = readFileSync((await exportFile(page, 'csv')).path, 'utf8').trim().split('\n');
  // A first comment line says where the numbers came from, then the header.
  assert.match(csv[0], /^# NeuroGeom \S+; link http.*; result hash [0-9a-f]{16}$/);
  assert.equal(csv[1], 'chart,kind,series,x,y,row,col,value,run');
  const current = csv.filter((l) => l.endsWith(',current'));
  const pin = csv.filter((l) => l.endsWith(',pinned'));
  assert.ok(current.length > 100 && pin.length > 100, `${current.length} current, ${pin.length} pinned rows`);
  assert.ok(pin.some((l) => l.startsWith('metrics,metric,train_loss,300,')));
  assert.ok(pin.some((l) => l.startsWith('loss,lines,')));
  // The pinned train loss is the pinned run's, not the current one's.
  const metric = (rows, key) => Number(rows.find((l) => l.startsWith(`metrics,metric,${key},`)).split(',')[4]);
  assert.notEqual(metric(pin, 'train_loss'), metric(current, 'train_loss'));

  // The JSON: the pinned run's fragment and snapshot beside the current one.
  const json = JSON.parse(readFileSync((await exportFile(page, 'json')).path, 'utf8'));
  assert.match(json.pinned.fragment, /^v=1&lab=lazy-rich&seed=3&.*alpha=10&/);
  assert.equal(json.pinned.snapshot.hash, pinned);
  assert.equal(json.snapshot.hash, await page.locator('#hash').textContent());
  assert.deepEqual(pageErrorsOf(page), []);
  await page.context().close();
});
