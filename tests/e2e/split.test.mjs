// A split run on the page: the credit lab with rules=bp,fa,dfa runs each
// rule in its own worker (worker.js starts one part-worker.js per rule),
// combines the parts into one snapshot, and gives the CLI's result hash;
// while the parts play, combined snapshots at common checkpoint steps keep
// the charts growing; pausing mid-run posts the combined snapshot at one
// common step, and the run then goes on to the same final hash.
//
// Run with `cargo xtask test` (sets BASE_URL, CHROMIUM_PATH, NEUROGEOM_CLI, E2E_OUT).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { launch, newPage, baseUrl, pageErrorsOf } from './browser.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

function cliHash(fragment) {
  const cli = process.env.NEUROGEOM_CLI;
  assert.ok(cli, 'NEUROGEOM_CLI is set by cargo xtask test');
  return JSON.parse(execFileSync(cli, ['run', fragment, '--json'], { encoding: 'utf8' })).hash;
}

const LINK = 'v=1&lab=credit&seed=3&task=teacher&rules=bp,fa,dfa&batch=4&lr=0.01&steps=3000';

test('the credit lab runs each rule in its own worker and gives the CLI hash', async () => {
  const page = await newPage(browser);
  await page.goto(`${baseUrl()}#${LINK}`);
  await page.waitForSelector('body[data-state="done"]', { timeout: 120000 });
  assert.equal(await page.evaluate(() => document.body.dataset.parts), '3', 'three part workers');
  assert.equal(await page.locator('#step').textContent(), '3000');
  const hash = await page.locator('#hash').textContent();
  assert.equal(hash, cliHash(LINK));
  assert.deepEqual(pageErrorsOf(page), []);
  await page.context().close();
});

test('a split run draws as it trains: combined snapshots arrive while the parts play', async () => {
  const link = LINK.replace('steps=3000', 'steps=20000');
  const page = await newPage(browser);
  await page.goto(`${baseUrl()}#${link}`);
  await page.waitForSelector('body[data-state="running"]', { timeout: 60000 });
  // Checkpoints every 20000 / 40 = 500 steps: the metrics move past step 0
  // while the run is still playing.
  await page.waitForFunction(
    () => {
      const m = /at step (\d+)/.exec(document.getElementById('metrics-step').textContent);
      return document.body.dataset.state === 'running' && m && Number(m[1]) >= 500;
    },
    null,
    { timeout: 120000 },
  );
  const shown = Number(/at step (\d+)/.exec(await page.locator('#metrics-step').textContent())[1]);
  assert.equal(shown % 500, 0, `a checkpoint step: ${shown}`);
  await page.click('#play'); // pause
  await page.waitForSelector('body[data-state="paused"]', { timeout: 60000 });
  assert.deepEqual(pageErrorsOf(page), []);
  await page.context().close();
});

test('pausing a split run shows the combined snapshot, and it runs on to the same hash', async () => {
  const link = LINK.replace('steps=3000', 'steps=20000');
  const page = await newPage(browser);
  await page.goto(`${baseUrl()}#${link}`);
  await page.waitForSelector('body[data-state="running"]', { timeout: 60000 });
  await page.waitForFunction(() => Number(document.getElementById('step').textContent) > 100);
  await page.click('#play'); // pause
  await page.waitForSelector('body[data-state="paused"]', { timeout: 60000 });
  const step = Number(await page.locator('#step').textContent());
  assert.ok(step > 0 && step < 20000, `paused at ${step}`);
  assert.match(await page.locator('#hash').textContent(), /^[0-9a-f]{16}$/);
  await page.click('#play'); // play on
  await page.waitForSelector('body[data-state="done"]', { timeout: 180000 });
  assert.equal(await page.locator('#hash').textContent(), cliHash(link));
  assert.deepEqual(pageErrorsOf(page), []);
  await page.context().close();
});

test('a long split run warns, pauses at the combined snapshot, and “Run anyway” goes on with the time left', async () => {
  const huge = 'v=1&lab=credit&seed=1&task=teacher&rules=bp,fa,dfa&width=256&batch=256&lr=0.001&steps=200000';
  const page = await newPage(browser);
  await page.goto(`${baseUrl()}#${huge}`);
  await page.waitForSelector('body[data-long-run]', { timeout: 90000 });
  await page.waitForSelector('body[data-state="paused"]');
  assert.ok(Number(await page.locator('#step').textContent()) < 200000);
  await page.click('#messages button:has-text("Run anyway")');
  await page.waitForSelector('body[data-state="running"]');
  await page.waitForFunction(() => /left$/.test(document.getElementById('eta').textContent), null, { timeout: 30000 });
  await page.click('#play'); // pause
  await page.waitForSelector('body[data-state="paused"]', { timeout: 60000 });
  assert.equal(await page.evaluate(() => document.body.dataset.longRun), undefined, 'it did not ask again');
  assert.deepEqual(pageErrorsOf(page), []);
  await page.context().close();
});
