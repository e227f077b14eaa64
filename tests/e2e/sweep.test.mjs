// Sweeps, end to end in real Chromium: a link with `&sweep=` runs one run per
// value in a pool of Web Workers (one per core), draws the end-of-training
// metrics against the value, and reproduces the CLI's sweep hash; Cancel
// stops the pool at once; a diverging run is reported while the others go
// on; bad input does not start; the sweep preset works with one click.
//
// Run with `cargo xtask test` (sets BASE_URL, CHROMIUM_PATH, NEUROGEOM_CLI, E2E_OUT).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { launch, newPage, baseUrl, foreignRequests, pageErrorsOf, outDir } from './browser.mjs';

// Nine small runs: a few seconds in all.
const SMALL = 'v=1&lab=lazy-rich&seed=1&width=16&n_train=50&steps=200&sweep=alpha:log:0.01:1000:9';
// Long enough to cancel in the middle.
const LONG = 'v=1&lab=lazy-rich&seed=1&width=64&n_train=200&steps=100000&sweep=alpha:log:0.01:1000:12';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const text = (page, sel) => page.locator(sel).textContent();
const body = (page, name) => page.evaluate((n) => document.body.dataset[n], name);

async function waitForSweep(page, status, timeout = 120000) {
  try {
    await page.waitForSelector(`body[data-sweep="${status}"]`, { timeout });
  } catch (e) {
    const now = await page.evaluate(() => ({
      sweep: document.body.dataset.sweep,
      progress: document.getElementById('sweep-progress')?.textContent,
      messages: document.getElementById('messages').textContent,
    }));
    throw new Error(`waiting for data-sweep=${status}: ${JSON.stringify(now)}; page errors: ${pageErrorsOf(page).join('\n')}`);
  }
}

/** Wait until the canvases show the sweep's final snapshot. */
async function waitForDrawn(page) {
  await page.waitForFunction(() => {
    const hash = document.getElementById('hash').textContent;
    return /^[0-9a-f]{16}$/.test(hash) && document.body.dataset.drawn === hash;
  });
}

/** Non-white pixels of a canvas, and its size. */
function ink(page, id) {
  return page.evaluate((id) => {
    const c = document.getElementById(id);
    if (!c) return null;
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] < 250 || data[i + 1] < 250 || data[i + 2] < 250) n++;
    }
    return { ink: n, total: c.width * c.height };
  }, id);
}

function assertOnlyOwnOrigin(page) {
  assert.deepEqual(foreignRequests(page), [], 'the page contacted only its own origin');
}

/** The CLI's sweep hash for a link: the `hash` of its last output line. */
function cliSweepHash(link) {
  const cli = process.env.NEUROGEOM_CLI;
  assert.ok(cli, 'NEUROGEOM_CLI is set by cargo xtask test');
  // Exit status 1 says a run diverged; the summary line is printed all the same.
  const out = spawnSync(cli, ['sweep', link], { encoding: 'utf8' });
  assert.ok(out.status === 0 || out.status === 1, `neurogeom sweep exited ${out.status}: ${out.stderr}`);
  return JSON.parse(out.stdout.trim().split('\n').at(-1)).hash;
}

test('a sweep runs in several workers and draws its chart', async () => {
  const page = await newPage(browser, { viewport: { width: 1400, height: 900 } });
  await page.goto(`${baseUrl()}#${SMALL}`);
  await waitForSweep(page, 'done');
  await waitForDrawn(page);

  // The pool: one worker per core, as many as there are runs at most.
  const cores = await page.evaluate(() => navigator.hardwareConcurrency || 2);
  const workers = Number(await body(page, 'sweepWorkers'));
  assert.equal(workers, Math.min(cores, 9), `pool of min(${cores} cores, 9 runs)`);
  assert.ok(workers >= Math.min(2, cores), `${workers} workers for ${cores} cores`);
  const used = Number(await body(page, 'sweepWorkersUsed'));
  assert.ok(used >= Math.min(2, cores), `${used} workers delivered runs`);

  // Progress, heading and the top bar.
  assert.match(await text(page, '#sweep-progress'), /9 \/ 9 runs/);
  assert.equal(await page.locator('#sweep-fill').evaluate((e) => e.style.width), '100%');
  assert.match(await text(page, '#sweep-title'), /Sweep of .*α \(9 runs\)/);
  assert.ok(await page.locator('#sweep-back').isVisible(), 'a way back to the single run');
  assert.equal(await text(page, '#step'), '9');
  assert.equal(await text(page, '#total'), '9');

  // The headline chart first (featured), then one per line chart of the runs.
  const ids = await page.evaluate(() => [...document.querySelectorAll('canvas[id^="chart-"]')].map((c) => c.id));
  assert.equal(ids[0], 'chart-sweep-headline', ids.join(', '));
  assert.ok(ids.length >= 2, ids.join(', '));
  for (const id of ids) {
    const c = await ink(page, id);
    assert.ok(c.ink > 0.02 * c.total, `${id} drew ${c.ink} of ${c.total} pixels`);
  }
  // The runs table: one row per value, each with its final metric.
  assert.equal(await page.locator('#metrics tbody tr').count(), 9);
  for (const td of await page.locator('#metrics tbody td').allTextContents()) assert.match(td, /^[-0-9.e]+$/, td);

  // The same sweep hash as the CLI, and a link that carries the sweep.
  const hash = await text(page, '#hash');
  assert.match(hash, /^[0-9a-f]{16}$/);
  const link = await page.evaluate(() => location.href);
  // The core writes a log-spaced grid in its short form (it was a list of values before two-parameter sweeps).
  assert.match(link, /&sweep=alpha:log:0\.01:1000:9&ng=[^&]+$/);
  assert.equal(await page.locator('#share-link').inputValue(), link);
  assert.equal(cliSweepHash(link), hash, 'the CLI reproduces the page’s sweep hash');
  assert.equal(cliSweepHash(SMALL), hash, 'and so does the original link');

  await page.screenshot({ path: join(outDir(), 'sweep-1400x900.png') });
  assert.deepEqual(pageErrorsOf(page), []);
  assertOnlyOwnOrigin(page);

  // The copied link reproduces the sweep in a fresh page.
  await page.context().close();
  const fresh = await newPage(browser);
  await fresh.goto(link);
  await waitForSweep(fresh, 'done');
  assert.equal(await text(fresh, '#hash'), hash, 'a fresh page reproduces the sweep hash');

  // Back to the single run: the sweep's charts give way to the run's.
  await fresh.click('#sweep-back');
  await fresh.waitForSelector('body:not([data-sweep])');
  assert.ok(await fresh.locator('#sweep-banner').isHidden());
  assert.ok(!(await fresh.evaluate(() => location.hash)).includes('sweep='));
  await fresh.waitForSelector('#chart-loss');
  assertOnlyOwnOrigin(fresh);
  await fresh.context().close();
});

test('Cancel stops a sweep at once and nothing more happens', async () => {
  const page = await newPage(browser);
  await page.goto(`${baseUrl()}#${LONG}`);
  await waitForSweep(page, 'running');
  // Some work under way: a run's progress shows in the table.
  await page.waitForFunction(() => /running [1-9]/.test(document.getElementById('metrics').textContent));
  assert.ok(page.workers().length >= Number(await body(page, 'sweepWorkers')), 'the pool is running');
  await page.click('#sweep-cancel');
  await waitForSweep(page, 'cancelled');
  const progress = await text(page, '#sweep-progress');
  assert.match(progress, /0 \/ 12 runs · cancelled/);
  assert.equal(await text(page, '#hash'), '–', 'no sweep hash for a cancelled sweep');
  // The pool's workers are gone, and nothing moves.
  for (let i = 0; i < 20 && page.workers().length > 0; i++) await page.waitForTimeout(100);
  assert.equal(page.workers().length, 0, 'every worker was terminated');
  await page.waitForTimeout(1500);
  assert.equal(await text(page, '#sweep-progress'), progress);
  assert.equal(await body(page, 'sweep'), 'cancelled');
  assert.ok(await page.locator('#sweep-run').isEnabled(), 'a new sweep can start');
  assert.deepEqual(pageErrorsOf(page), []);
  assertOnlyOwnOrigin(page);
  await page.context().close();
});

test('a diverging run is reported and the others go on', async () => {
  const link = 'v=1&lab=lazy-rich&seed=1&width=16&n_train=50&steps=300&lr_scaling=none&sweep=lr:0.1,0.5,10000';
  const page = await newPage(browser);
  await page.goto(`${baseUrl()}#${link}`);
  await waitForSweep(page, 'done');
  const said = await text(page, '#messages');
  assert.match(said, /lr = 10000: stopped at step \d+/, said);
  assert.match(await text(page, '#sweep-progress'), /3 \/ 3 runs/);
  const cells = await page.locator('#metrics tbody td').allTextContents();
  assert.deepEqual(cells.map((c) => c === 'diverged'), [false, false, true], cells.join(' | '));
  assert.equal(await text(page, '#hash'), cliSweepHash(link), 'the CLI agrees, divergence and all');
  assertOnlyOwnOrigin(page);
  await page.context().close();
});

test('bad sweep input says why and does not start', async () => {
  const page = await newPage(browser);
  await page.goto(`${baseUrl()}#v=1&lab=lazy-rich&seed=1&steps=100&width=8`);
  await page.waitForSelector('body[data-state="done"]');
  const tryForm = async (key, from, to, count, log) => {
    await page.evaluate(() => {
      for (const b of document.querySelectorAll('#messages .msg-close')) b.click();
    });
    await page.selectOption('#sweep-key', key);
    await page.fill('#sweep-from', from);
    await page.fill('#sweep-to', to);
    await page.fill('#sweep-count', count);
    await page.setChecked('#sweep-log', log);
    await page.click('#sweep-run');
    assert.equal(await body(page, 'sweep'), undefined, `${key} ${from}..${to} × ${count} did not start`);
    assert.equal(page.workers().length, 1, 'no pool was started');
    return text(page, '#messages');
  };
  assert.match(await tryForm('alpha', '0.01', '1000', '1', true), /at least 2 runs/);
  assert.match(await tryForm('bias_init', '-1', '1', '5', true), /positive ends/);
  assert.match(await tryForm('alpha', '0.001', '10', '5', true), /outside \[0\.01, 1000\]/);
  assert.match(await tryForm('alpha', '0.1', '', '5', false), /number/);
  // A sweep link that cannot run becomes a single run, with a warning.
  await page.goto(`${baseUrl()}#v=1&lab=lazy-rich&seed=1&steps=100&width=8&sweep=alpha:log:0:1:5`);
  await page.waitForSelector('body[data-state="done"]');
  assert.match(await text(page, '#messages'), /positive ends/);
  assert.equal(await body(page, 'sweep'), undefined);
  assertOnlyOwnOrigin(page);
  await page.context().close();
});

test('the presets show title and description, and the sweep preset runs with one click to the CLI’s hash', async () => {
  const page = await newPage(browser);
  await page.goto(`${baseUrl()}#v=1&lab=lazy-rich&seed=1&steps=100&width=8`);
  await page.waitForSelector('body[data-state="done"]');
  const items = page.locator('#presets li');
  const n = await items.count();
  assert.ok(n >= 2, `${n} presets`);
  for (let i = 0; i < n; i++) {
    const title = await items.nth(i).locator('a').textContent();
    const description = await items.nth(i).locator('p').textContent();
    assert.ok(title.length > 5 && description.length > 20, `preset ${i}: ${title} / ${description}`);
  }
  const preset = page.locator('#presets li', { hasText: 'sweep α' }).locator('a');
  await preset.click();
  await waitForSweep(page, 'running');
  assert.match(await text(page, '#sweep-title'), /\(11 runs\)/);
  assert.match(await page.evaluate(() => location.hash), /&sweep=alpha:log:0\.01:1000:11&ng=[^&]+$/);
  assert.equal(await page.locator('#sweep-key').inputValue(), 'alpha');
  assert.equal(await page.locator('#sweep-count').inputValue(), '11');
  assert.ok(await page.locator('.control.swept[data-key="alpha"]').isVisible(), 'α is marked as swept');
  // It runs to the end, and the CLI gets the same sweep hash from the preset's link.
  await waitForSweep(page, 'done');
  assert.equal(await text(page, '#hash'), cliSweepHash(await preset.getAttribute('href')));
  assert.deepEqual(pageErrorsOf(page), []);
  assertOnlyOwnOrigin(page);
  await page.context().close();
});
