// Comparing runs and long runs, end to end in real Chromium: "Pin" keeps a
// finished run, the next run draws it beside its own (dashed), the link
// carries it as `&pin=…`, and a copied link reproduces both runs, the
// pinned one to the same result hash as the CLI; a link that asks for a
// run of hours pauses after its first steps and says how long it would take.
//
// Run with `cargo xtask test` (sets BASE_URL, CHROMIUM_PATH, NEUROGEOM_CLI, E2E_OUT).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { launch, newPage, baseUrl, foreignRequests, pageErrorsOf, outDir } from './browser.mjs';

const LAZY = 'v=1&lab=lazy-rich&seed=3&steps=300&width=32&alpha=10';
// Lazy-rich at its largest: a step takes about a second in wasm, 100 000 of them a day.
const HUGE = 'v=1&lab=lazy-rich&seed=1&width=1024&n_train=5000&steps=100000';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const text = (page, sel) => page.locator(sel).textContent();
const data = (page, name) => page.evaluate((n) => document.body.dataset[n], name);

async function waitForDone(page) {
  try {
    await page.waitForSelector('body[data-state="done"]', { timeout: 60000 });
  } catch (e) {
    throw new Error(`run not done: ${await text(page, '#messages')}; ${pageErrorsOf(page).join('\n')}`);
  }
}

/** Keep a canvas's pixels in the page as `window[name]`; returns its pixel count
 * and a digest (FNV-1a) of its RGBA bytes, so that pages can be compared. */
const capture = (page, id, name) =>
  page.evaluate(
    ([id, name]) => {
      const c = document.getElementById(id);
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      window[name] = data;
      let h = 0x811c9dc5;
      for (let i = 0; i < data.length; i++) h = Math.imul(h ^ data[i], 0x01000193) >>> 0;
      return { pixels: data.length / 4, digest: `${c.width}x${c.height}:${h.toString(16)}` };
    },
    [id, name],
  );

/** Pixels of a canvas that differ from an earlier capture in the same page. */
const differingFrom = (page, id, name) =>
  page.evaluate(
    ([id, name]) => {
      const c = document.getElementById(id);
      const b = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const a = window[name];
      let n = 0;
      for (let i = 0; i < a.length; i += 4) if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) n++;
      return n;
    },
    [id, name],
  );

/** The decoded `pin=` of a link (the last item of its fragment before the
 * version, `&ng=`). */
function pinOf(link) {
  const m = link.match(/&pin=([^&]*)&ng=[^&]+$/);
  return m ? decodeURIComponent(m[1]) : null;
}

function cliHash(fragment) {
  const cli = process.env.NEUROGEOM_CLI;
  assert.ok(cli, 'NEUROGEOM_CLI is set by cargo xtask test');
  const out = execFileSync(cli, ['run', fragment, '--json'], { encoding: 'utf8' });
  return JSON.parse(out).hash;
}

test('Pin keeps a run, the next run draws it beside its own, and a copied link reproduces both', async () => {
  const page = await newPage(browser);
  await page.goto(`${baseUrl()}#${LAZY}`);
  await waitForDone(page);
  const lazyHash = await text(page, '#hash');
  // The run's fragment without the version the page appends (&ng=...).
  const lazyFragment = (await page.evaluate(() => location.hash)).slice(1).replace(/&ng=[^&]+$/, '');

  // Pin it: the link carries it, and nothing else changes.
  await page.click('#pin');
  assert.equal(await text(page, '#pin'), 'Unpin');
  assert.equal(await data(page, 'pinned'), lazyHash);
  const pinnedLink = await page.evaluate(() => location.href);
  assert.equal(pinOf(pinnedLink), lazyFragment, pinnedLink);

  // A rich run (small α): both are drawn, the pinned one named in the legend.
  await page.fill('#param-alpha', '0.1');
  await page.press('#param-alpha', 'Enter');
  await waitForDone(page);
  await page.waitForFunction((h) => document.body.dataset.pinDrawn === h && document.body.dataset.drawn === document.getElementById('hash').textContent, lazyHash);
  const richHash = await text(page, '#hash');
  assert.notEqual(richHash, lazyHash);
  const link = await page.evaluate(() => location.href);
  assert.match(link, /&alpha=0\.1(&|$)/);
  assert.equal(pinOf(link), lazyFragment, `the pin stays in the link: ${link}`);
  assert.equal(await page.locator('#share-link').inputValue(), link);
  const withPin = await capture(page, 'chart-loss', 'withPin');
  await page.screenshot({ path: join(outDir(), 'pinned-1400x900.png') });

  // Unpin: the pinned series go, and so does the pin from the link.
  await page.click('#pin');
  await page.waitForFunction(() => !document.body.dataset.pinDrawn && document.body.dataset.drawn === document.getElementById('hash').textContent);
  const changed = await differingFrom(page, 'chart-loss', 'withPin');
  assert.ok(changed > 0.002 * withPin.pixels, `the pinned run's lines are drawn (${changed} pixels differ)`);
  assert.ok(!(await page.evaluate(() => location.hash)).includes('pin='));
  assert.deepEqual(pageErrorsOf(page), []);
  assert.deepEqual(foreignRequests(page), []);
  await page.context().close();

  // The copied link, in a fresh page: the current run and the pinned one
  // run again, to the same hashes, and the CLI agrees on both.
  const fresh = await newPage(browser);
  await fresh.goto(link);
  await waitForDone(fresh);
  await fresh.waitForFunction((h) => document.body.dataset.pinDrawn === h, lazyHash, { timeout: 60000 });
  assert.equal(await text(fresh, '#hash'), richHash);
  assert.equal(await data(fresh, 'pinned'), lazyHash);
  assert.equal(await text(fresh, '#pin'), 'Unpin');
  assert.equal(await fresh.evaluate(() => location.href), link, 'the link survives as it was');
  const again = await capture(fresh, 'chart-loss', 'again');
  assert.equal(again.digest, withPin.digest, 'the same comparison, pixel for pixel');
  assert.equal(cliHash(lazyFragment), lazyHash);
  assert.equal(cliHash(link.replace(/&pin=.*$/, '')), richHash);
  assert.deepEqual(pageErrorsOf(fresh), []);
  assert.deepEqual(foreignRequests(fresh), []);
  await fresh.context().close();
});

test('a run of hours pauses after its first steps and says how long it would take', async () => {
  const page = await newPage(browser);
  const t0 = Date.now();
  await page.goto(`${baseUrl()}#${HUGE}`);
  await page.waitForSelector('body[data-long-run]', { timeout: 90000 });
  const waited = Date.now() - t0;
  const estimate = Number(await data(page, 'longRun'));
  assert.ok(estimate > 120000, `estimate ${estimate} ms`);
  const said = await text(page, '#messages');
  assert.match(said, /This run would take about [\d.]+ (min|h) here \(100000 steps, [\d.]+ (ms|s) each on average, timed on the steps after the first\)/, said);
  assert.ok(await page.locator('#messages button', { hasText: 'Run anyway' }).isVisible());
  // Paused, and the page answers at once: nothing froze.
  await page.waitForSelector('body[data-state="paused"]');
  const step = await text(page, '#step');
  assert.ok(Number(step) < 100, `paused early, at step ${step} after ${waited} ms`);
  const t = Date.now();
  await page.fill('#param-steps', '5');
  await page.press('#param-steps', 'Enter');
  await waitForDone(page);
  assert.equal(await text(page, '#step'), '5');
  assert.equal(await data(page, 'longRun'), undefined, 'a new config clears the warning');
  assert.ok(!(await text(page, '#messages')).includes('would take'));
  assert.ok(Date.now() - t < 60000);
  assert.deepEqual(pageErrorsOf(page), []);
  await page.context().close();
});

test('the warning’s “Run anyway” goes on, and the ETA shows while it runs', async () => {
  const page = await newPage(browser);
  await page.goto(`${baseUrl()}#${HUGE}`);
  await page.waitForSelector('body[data-long-run]', { timeout: 90000 });
  await page.click('#messages button:has-text("Run anyway")');
  await page.waitForSelector('body[data-state="running"]');
  assert.equal(await data(page, 'longRun'), undefined);
  await page.waitForFunction(() => /left$/.test(document.getElementById('eta').textContent), null, { timeout: 30000 });
  assert.match(await text(page, '#eta'), /· about [\d.]+ (min|h) left/);
  // It does not ask again for the same config.
  await page.waitForTimeout(1500);
  assert.equal(await data(page, 'longRun'), undefined);
  assert.equal(await data(page, 'state'), 'running');
  await page.keyboard.press('Space');
  await page.waitForSelector('body[data-state="paused"]');
  assert.equal(await text(page, '#eta'), '', 'no ETA while paused');
  await page.context().close();
});
