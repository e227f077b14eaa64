// The page, end to end in real Chromium: it runs a lab from its link, draws
// every chart, reproduces a shared result (in a fresh browser context and in
// the CLI, to the same result hash), survives a malformed link, contacts no
// other host, and looks right at desktop and phone sizes.
//
// Run with `cargo xtask test` (sets BASE_URL, CHROMIUM_PATH, NEUROGEOM_CLI, E2E_OUT).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { launch, newPage, baseUrl, foreignRequests, pageErrorsOf, outDir } from './browser.mjs';

// Small enough to finish in a second or two.
const SMALL = 'v=1&lab=lazy-rich&seed=3&steps=300&width=32';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Open the page at a fragment and wait until the run is done. */
async function openAndFinish(fragment, options = {}) {
  const page = await newPage(browser, options);
  await page.goto(`${baseUrl()}#${fragment}`);
  await waitForState(page, 'done');
  return page;
}

async function waitForState(page, state, timeout = 60000) {
  try {
    await page.waitForSelector(`body[data-state="${state}"]`, { timeout });
  } catch (e) {
    const now = await page.evaluate(() => ({
      state: document.body.dataset.state,
      step: document.getElementById('step').textContent,
      messages: document.getElementById('messages').textContent,
    }));
    throw new Error(`waiting for data-state=${state}: ${JSON.stringify(now)}; page errors: ${pageErrorsOf(page).join('\n')}`);
  }
}

/** Wait until the canvases show the latest snapshot. */
async function waitForDrawn(page) {
  await page.waitForFunction(() => {
    const hash = document.getElementById('hash').textContent;
    return hash.length > 0 && document.body.dataset.drawn === hash;
  });
}

const text = (page, sel) => page.locator(sel).textContent();

function assertOnlyOwnOrigin(page) {
  assert.deepEqual(foreignRequests(page), [], 'the page contacted only its own origin');
}

test('a link runs its lab to the end and shows step, progress and hash', async () => {
  const page = await openAndFinish(SMALL);
  assert.equal(await text(page, '#step'), '300');
  assert.equal(await text(page, '#total'), '300');
  assert.match(await text(page, '#hash'), /^[0-9a-f]{16}$/);
  assert.match(await text(page, '#play'), /Run again/);
  // The metrics table has rows with values and an ⓘ each.
  const rows = await page.locator('#metrics tbody tr').count();
  assert.ok(rows >= 3, `metrics rows: ${rows}`);
  assert.equal(await page.locator('#metrics tbody tr th .info').count(), rows);
  const first = await page.locator('#metrics tbody tr td').first().textContent();
  assert.match(first, /^[-0-9.e]+$/, `a number: ${first}`);
  // The controls reflect the link.
  assert.equal(await page.locator('#param-width').inputValue(), '32');
  assert.equal(await page.locator('#param-seed').inputValue(), '3');
  assert.deepEqual(pageErrorsOf(page), []);
  assertOnlyOwnOrigin(page);
  await page.context().close();
});

test('every chart canvas is drawn, at devicePixelRatio resolution', async () => {
  const page = await openAndFinish(SMALL, { deviceScaleFactor: 2 });
  await waitForDrawn(page);
  const charts = await page.evaluate(() =>
    [...document.querySelectorAll('canvas[id^="chart-"]')].map((c) => {
      const ctx = c.getContext('2d');
      const { data } = ctx.getImageData(0, 0, c.width, c.height);
      // The chart background is white; count everything else.
      let ink = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i] < 250 || data[i + 1] < 250 || data[i + 2] < 250) ink++;
      }
      const r = c.getBoundingClientRect();
      return { id: c.id, width: c.width, height: c.height, cssWidth: r.width, cssHeight: r.height, ink, total: c.width * c.height };
    }),
  );
  const ids = charts.map((c) => c.id);
  for (const id of ['chart-loss', 'chart-weight-change', 'chart-cka']) {
    assert.ok(ids.includes(id), `${id} is among ${ids.join(', ')}`);
  }
  for (const c of charts) {
    assert.ok(c.width > 200 && c.height > 100, `${c.id} has a real size: ${c.width}×${c.height}`);
    assert.ok(Math.abs(c.width - 2 * c.cssWidth) <= 1, `${c.id} is sized for dpr 2: ${c.width} vs css ${c.cssWidth}`);
    assert.ok(Math.abs(c.height - 2 * c.cssHeight) <= 1, `${c.id} height for dpr 2`);
    // Axes, labels and data: well above a blank frame.
    assert.ok(c.ink > 0.02 * c.total, `${c.id} drew ${c.ink} of ${c.total} pixels`);
  }
  // The first chart is the largest.
  const area = (c) => c.cssWidth * c.cssHeight;
  assert.ok(charts.slice(1).every((c) => area(c) < area(charts[0])), 'the first chart is featured');
  assertOnlyOwnOrigin(page);
  await page.context().close();
});

test('a copied link reproduces the same result hash in a fresh page and in the CLI', async () => {
  const page = await openAndFinish(SMALL, { permissions: ['clipboard-read', 'clipboard-write'] });
  const hash = await text(page, '#hash');
  await page.click('#copy-link');
  const link = await page.locator('#share-link').inputValue();
  assert.ok(link.startsWith(baseUrl()), link);
  assert.match(link, /#v=1&lab=lazy-rich&seed=3&/);
  assert.equal(await page.evaluate(() => location.href), link, 'the address bar holds the same link');
  const clip = await page.evaluate(() => navigator.clipboard.readText().catch(() => null));
  if (clip !== null) assert.equal(clip, link, 'the clipboard holds the link');
  assertOnlyOwnOrigin(page);
  await page.context().close();

  // A fresh browser context: no shared storage, only the link.
  const fresh = await newPage(browser);
  await fresh.goto(link);
  await waitForState(fresh, 'done');
  assert.equal(await text(fresh, '#hash'), hash, 'the fresh page reproduces the hash');
  assertOnlyOwnOrigin(fresh);
  await fresh.context().close();

  const cli = process.env.NEUROGEOM_CLI;
  assert.ok(cli, 'NEUROGEOM_CLI is set by cargo xtask test');
  const out = JSON.parse(execFileSync(cli, ['run', link, '--json'], { encoding: 'utf8' }));
  assert.equal(out.hash, hash, 'the CLI reproduces the hash');
  assert.equal(out.step, 300);
});

test('a malformed link shows its warnings and still runs', async () => {
  // Also a key that would be markup if it reached innerHTML.
  const evil = encodeURIComponent('<img src=x onerror="window.__pwned=1">');
  const page = await openAndFinish(`v=9&lab=lazy-rich&alpha=banana&width=-5&bogus=1&${evil}=2&steps=200`);
  const messages = page.locator('#messages');
  assert.ok(await messages.isVisible(), '#messages is visible');
  assert.equal(await messages.getAttribute('role'), 'alert');
  const said = await messages.textContent();
  for (const word of ['version', 'alpha', 'banana', 'width', 'bogus', '<img']) {
    assert.ok(said.includes(word), `the warnings mention ${word}: ${said}`);
  }
  assert.equal(await page.locator('#messages img').count(), 0, 'URL text never becomes markup');
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  // Defaults and clamps were applied, and the URL now says what ran.
  assert.equal(await text(page, '#step'), '200');
  assert.equal(await page.locator('#param-width').inputValue(), '2');
  const href = await page.evaluate(() => location.href);
  assert.match(href, /#v=1&lab=lazy-rich&/);
  assert.ok(!href.includes('bogus') && !href.includes('banana'), href);
  assertOnlyOwnOrigin(page);
  await page.context().close();
});

test('a diverging run stops and says where', async () => {
  const page = await openAndFinish('v=1&lab=lazy-rich&seed=1&lr=10000&steps=300&width=32');
  const said = await text(page, '#messages');
  assert.match(said, /stopped at step \d+/i, said);
  assert.notEqual(await text(page, '#step'), '300');
  assertOnlyOwnOrigin(page);
  await page.context().close();
});

test('space pauses and resumes, → steps once, and a control change restarts the run', async () => {
  const page = await newPage(browser);
  // Long enough to pause in the middle, short enough (about 30 s) not to
  // be stopped by the long-run warning (over about two minutes).
  await page.goto(`${baseUrl()}#v=1&lab=lazy-rich&seed=5&steps=30000&width=16`);
  await waitForState(page, 'running');
  await page.locator('body').click({ position: { x: 5, y: 890 } }); // focus the page, not an input
  await page.keyboard.press('Space');
  await waitForState(page, 'paused');
  const before = Number(await text(page, '#step'));
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction((n) => Number(document.getElementById('step').textContent) === n + 1, before);
  await page.keyboard.press('Space');
  await waitForState(page, 'running');

  // A control change: new URL, and the run starts again from step 0.
  await page.locator('#param-steps').fill('150');
  await page.locator('#param-steps').press('Enter');
  await waitForState(page, 'done');
  assert.equal(await text(page, '#step'), '150');
  assert.match(await page.evaluate(() => location.hash), /&steps=150(&|$)/);
  assert.equal(await page.locator('#share-link').inputValue(), await page.evaluate(() => location.href));
  assertOnlyOwnOrigin(page);
  await page.context().close();
});

test('a panic in the worker is reported, the worker restarts, and the run still reproduces', async () => {
  const page = await openAndFinish(SMALL);
  const hash = await text(page, '#hash');
  await page.evaluate(() => window.neurogeomDebug.panicWorker());
  await page.waitForFunction(() => /crashed/.test(document.getElementById('messages').textContent));
  const said = await text(page, '#messages');
  assert.match(said, /deliberate panic/, `the panic message is shown: ${said}`);
  assert.match(said, /restarted/);
  // The new worker holds the same config, paused at step 0; Run reproduces the result.
  await waitForState(page, 'paused');
  assert.equal(await text(page, '#step'), '0');
  await page.click('#play');
  await waitForState(page, 'done');
  assert.equal(await text(page, '#hash'), hash);
  assert.deepEqual(pageErrorsOf(page), []);
  assertOnlyOwnOrigin(page);
  await page.context().close();
});

test('ⓘ explains a metric and a chart; a preset link loads its settings', async () => {
  const page = await openAndFinish(SMALL);
  await page.locator('#metrics tbody tr th .info').first().click();
  const pop = page.locator('#info-pop');
  assert.ok(await pop.isVisible());
  assert.ok((await text(page, '#info-text')).length > 20, 'the metric has an explanation');
  await page.keyboard.press('Escape');
  assert.ok(await pop.isHidden());
  await page.locator('#card-loss .info').click();
  assert.ok(await pop.isVisible());
  assert.equal(await text(page, '#info-title'), 'Loss');
  await page.mouse.click(700, 880); // click elsewhere closes it
  assert.ok(await pop.isHidden());

  // Following a preset loads its settings: the URL (rewritten in canonical
  // form) and the controls carry every value the preset sets.
  const preset = page.locator('#presets a').first();
  const wanted = new URLSearchParams((await preset.getAttribute('href')).slice(1));
  const before = await page.evaluate(() => location.hash);
  await preset.click();
  await page.waitForFunction((h) => location.hash !== h, before);
  // The preset's run starts (a short one may already be done).
  await page.waitForSelector('body[data-state="running"], body[data-state="done"]', { timeout: 60000 });
  const now = new URLSearchParams((await page.evaluate(() => location.hash)).slice(1));
  for (const [key, value] of wanted) {
    const got = now.get(key);
    assert.ok(got === value || Number(got) === Number(value), `${key}: ${got} (preset: ${value})`);
    if (key !== 'v' && key !== 'lab') {
      const control = await page.locator(`#param-${key}`).inputValue();
      assert.ok(control === value || Number(control) === Number(value), `control ${key}: ${control} (preset: ${value})`);
    }
  }
  assertOnlyOwnOrigin(page);
  await page.context().close();
});

test('screenshots at 1400×900 and 390×844', async () => {
  for (const [w, h] of [
    [1400, 900],
    [390, 844],
  ]) {
    const page = await openAndFinish(SMALL, { viewport: { width: w, height: h } });
    await waitForDrawn(page);
    await page.screenshot({ path: join(outDir(), `page-${w}x${h}.png`) });
    await page.screenshot({ path: join(outDir(), `page-${w}x${h}-full.png`), fullPage: true });
    // Nothing sticks out sideways.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal scroll at ${w}px (overflow ${overflow}px)`);
    assertOnlyOwnOrigin(page);
    await page.context().close();
  }
});
