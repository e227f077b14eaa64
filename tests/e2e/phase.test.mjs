// Phase diagrams and seeds, end to end in real Chromium: a sweep over two
// parameters runs every point of the grid in the pool of workers and draws a
// heatmap per metric (one shown, picked in the banner), a sweep with
// `seeds=N` draws the mean with a band from the lowest to the highest seed,
// and both reach the same sweep hash as `neurogeom sweep`. The form writes
// the same links.
//
// Run with `cargo xtask test` (sets BASE_URL, CHROMIUM_PATH, NEUROGEOM_CLI, E2E_OUT).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { launch, newPage, baseUrl, foreignRequests, pageErrorsOf, outDir } from './browser.mjs';

// 3 × 2 tiny runs: a few seconds in all.
const GRID = 'v=1&lab=lazy-rich&seed=1&width=16&n_train=50&steps=150&sweep=alpha:log:0.01:100:3;width:list:8,32';
// 3 values × 3 seeds.
const SEEDS = 'v=1&lab=lazy-rich&seed=1&width=16&n_train=50&steps=150&sweep=alpha:log:0.01:100:3&seeds=3';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const text = (page, sel) => page.locator(sel).textContent();

async function waitForSweepDrawn(page, timeout = 120000) {
  try {
    await page.waitForSelector('body[data-sweep="done"]', { timeout });
    await page.waitForFunction(() => {
      const hash = document.getElementById('hash').textContent;
      return /^[0-9a-f]{16}$/.test(hash) && document.body.dataset.drawn === hash;
    });
  } catch (e) {
    const now = await page.evaluate(() => ({ sweep: document.body.dataset.sweep, messages: document.getElementById('messages').textContent }));
    throw new Error(`sweep not drawn: ${JSON.stringify(now)}; page errors: ${pageErrorsOf(page).join('\n')}`);
  }
}

/** Pixel counts of a canvas: drawn at all (not white), and in colour
 * (channels apart by more than 60: a heatmap's cells, a band's lines),
 * and how many distinct colours. */
function paint(page, id) {
  return page.evaluate((id) => {
    const c = document.getElementById(id);
    if (!c) return null;
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    let ink = 0;
    let colour = 0;
    const colours = new Set();
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
      if (r < 250 || g < 250 || b < 250) ink++;
      if (Math.max(r, g, b) - Math.min(r, g, b) > 60) {
        colour++;
        colours.add((r >> 4) * 256 + (g >> 4) * 16 + (b >> 4));
      }
    }
    return { ink, colour, colours: colours.size, total: c.width * c.height };
  }, id);
}

/** The CLI's sweep hash for a link: the `hash` of its last output line. */
function cliSweepHash(link) {
  const cli = process.env.NEUROGEOM_CLI;
  assert.ok(cli, 'NEUROGEOM_CLI is set by cargo xtask test');
  const out = spawnSync(cli, ['sweep', link], { encoding: 'utf8' });
  assert.ok(out.status === 0 || out.status === 1, `neurogeom sweep exited ${out.status}: ${out.stderr}`);
  return JSON.parse(out.stdout.trim().split('\n').at(-1)).hash;
}

test('a two-parameter sweep draws its heatmap, with a metric picker, to the CLI’s hash', async () => {
  const page = await newPage(browser);
  await page.goto(`${baseUrl()}#${GRID}`);
  await waitForSweepDrawn(page);
  assert.match(await text(page, '#sweep-title'), /Phase diagram of .*α × Width \(6 runs\)/);
  assert.match(await text(page, '#sweep-progress'), /6 \/ 6 runs · done/);
  assert.equal(await page.locator('#metrics tbody tr').count(), 6);
  assert.ok(await page.locator('.control.swept[data-key="alpha"]').isVisible());
  assert.ok(await page.locator('.control.swept[data-key="width"]').isVisible());

  // The featured chart is a heatmap, drawn: coloured cells, many colours.
  const featured = await page.locator('#featured canvas').getAttribute('id');
  assert.match(featured, /^chart-sweep-heatmap-/);
  const p = await paint(page, featured);
  assert.ok(p.colour > 0.15 * p.total, `${featured}: ${p.colour} coloured pixels of ${p.total}`);
  assert.ok(p.colours >= 4, `${featured}: ${p.colours} colours`);
  await page.screenshot({ path: join(outDir(), 'sweep-2d-1400x900.png') });

  // The picker shows one heatmap per metric; another metric, another drawing.
  const options = await page.locator('#heatmap-metric option').evaluateAll((os) => os.map((o) => o.value));
  assert.ok(options.length >= 2, options.join(', '));
  assert.equal(await page.locator('canvas[id^="chart-sweep-heatmap-"]').count(), 1, 'one heatmap shown at a time');
  await page.selectOption('#heatmap-metric', options[1]);
  await page.waitForSelector(`#chart-sweep-heatmap-${options[1]}`);
  await page.waitForFunction(() => document.body.dataset.drawn === document.getElementById('hash').textContent);
  const q = await paint(page, `chart-sweep-heatmap-${options[1]}`);
  assert.ok(q.colour > 0.15 * q.total, `second heatmap: ${q.colour} coloured pixels`);

  // The CLI gets the same sweep hash, from the page's link and the original.
  const hash = await text(page, '#hash');
  const link = await page.evaluate(() => location.href);
  assert.match(link, /&sweep=alpha:[^&]*;width:/);
  assert.equal(cliSweepHash(link), hash);
  assert.equal(cliSweepHash(GRID), hash);
  assert.deepEqual(pageErrorsOf(page), []);
  assert.deepEqual(foreignRequests(page), []);

  // The narrow window stacks it all, with nothing wider than the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForFunction(() => document.body.dataset.drawn === document.getElementById('hash').textContent);
  await page.waitForTimeout(300);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${overflow} px wider than the window`);
  await page.screenshot({ path: join(outDir(), 'sweep-2d-390x844.png') });
  await page.context().close();
});

test('the form runs a two-parameter sweep with seeds, and its link says so', async () => {
  const page = await newPage(browser);
  await page.goto(`${baseUrl()}#v=1&lab=lazy-rich&seed=4&width=8&n_train=40&steps=60`);
  await page.waitForSelector('body[data-state="done"]');
  await page.selectOption('#sweep-key', 'alpha');
  await page.fill('#sweep-from', '0.1');
  await page.fill('#sweep-to', '10');
  await page.fill('#sweep-count', '2');
  await page.setChecked('#sweep-log', true);
  await page.selectOption('#sweep-key2', 'width');
  assert.ok(await page.locator('#sweep-axis2').isVisible());
  await page.fill('#sweep-from2', '4');
  await page.fill('#sweep-to2', '8');
  await page.fill('#sweep-count2', '2');
  await page.setChecked('#sweep-log2', false);
  await page.fill('#sweep-seeds', '2');
  assert.equal(await text(page, '#sweep-seed-range'), '4 to 5');
  await page.click('#sweep-run');
  await waitForSweepDrawn(page);
  assert.match(await text(page, '#sweep-title'), /\(8 runs: 2 × 2 values × 2 seeds\)/);
  const link = await page.evaluate(() => location.href);
  assert.match(link, /&sweep=alpha:[^&]*;width:[^&]*&seeds=2&ng=[^&]+$/);
  assert.equal(cliSweepHash(link), await text(page, '#hash'));
  // The same link in a fresh page fills the form the same way.
  await page.context().close();
  const fresh = await newPage(browser);
  await fresh.goto(link);
  await fresh.waitForSelector('body[data-sweep]');
  assert.equal(await fresh.locator('#sweep-key2').inputValue(), 'width');
  assert.equal(await fresh.locator('#sweep-seeds').inputValue(), '2');
  await fresh.context().close();
});

test('a sweep with seeds draws the mean and the band of the seeds, to the CLI’s hash', async () => {
  const page = await newPage(browser);
  await page.goto(`${baseUrl()}#${SEEDS}`);
  await waitForSweepDrawn(page);
  assert.match(await text(page, '#sweep-title'), /\(9 runs: 3 values × 3 seeds\)/);
  assert.equal(await page.locator('#metrics tbody tr').count(), 9);
  assert.match(await page.locator('#metrics tbody th').first().textContent(), /· s1$/);
  const ids = await page.evaluate(() => [...document.querySelectorAll('canvas[id^="chart-"]')].map((c) => c.id));
  assert.equal(ids[0], 'chart-sweep-headline');
  const snapshotKinds = await page.evaluate(() => {
    // The core's charts for this sweep: bands (mean and seed range).
    const c = document.getElementById('chart-sweep-headline');
    return c.getAttribute('aria-label');
  });
  assert.ok(snapshotKinds.length > 0);
  for (const id of ids) {
    const p = await paint(page, id);
    assert.ok(p.ink > 0.02 * p.total, `${id} drew ${p.ink} of ${p.total} pixels`);
  }
  // Shaded bands: light, coloured pixels (a fill, not only lines).
  const light = await page.evaluate(() => {
    const c = document.getElementById('chart-sweep-headline');
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
      const lo = Math.min(r, g, b);
      if (lo > 150 && lo < 245 && Math.max(r, g, b) - lo > 12) n++;
    }
    return n / (c.width * c.height);
  });
  assert.ok(light > 0.01, `band fill covers ${(100 * light).toFixed(2)}% of the chart`);
  await page.screenshot({ path: join(outDir(), 'sweep-seeds-1400x900.png') });
  const hash = await text(page, '#hash');
  assert.equal(cliSweepHash(await page.evaluate(() => location.href)), hash);
  assert.equal(cliSweepHash(SEEDS), hash);
  assert.deepEqual(pageErrorsOf(page), []);
  assert.deepEqual(foreignRequests(page), []);
  await page.context().close();
});
