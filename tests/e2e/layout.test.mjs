// Layout and navigation, end to end in real Chromium: a skip link and a
// short tab order to the presets; on a 390 px phone the lab's text and its
// presets come before the long controls (folded); the capacity lab's
// per-layer metrics as a layer × metric grid; a link with hundreds of
// unknown keys gives one grouped warning and the charts stay in view; a
// clamped value says "clamped to"; the link box shows the link's fragment;
// the step counter names the lab's unit; chart titles wrap on a phone
// instead of being cut.
//
// Run with `cargo xtask test` (sets BASE_URL, CHROMIUM_PATH, NEUROGEOM_CLI, E2E_OUT).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launch, newPage, baseUrl, pageErrorsOf, outDir } from './browser.mjs';

const SMALL = 'v=1&lab=lazy-rich&seed=3&steps=300&width=32';
const PHONE = { viewport: { width: 390, height: 844 } };

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function open(fragment, options = {}) {
  const page = await newPage(browser, options);
  await page.goto(`${baseUrl()}#${fragment}`);
  await page.waitForFunction(
    () => document.body.dataset.state === 'done' && document.body.dataset.drawn === document.getElementById('hash').textContent,
    null,
    { timeout: 120000 },
  );
  return page;
}

/** Tab presses from the top of a freshly loaded page until a preset link
 * has the focus. */
async function tabsToFirstPreset(page) {
  for (let n = 1; n <= 200; n++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => Boolean(document.activeElement?.closest('#presets li')))) return n;
  }
  return Infinity;
}

/** Page-y of an element's top (px), or null. */
const topOf = (page, selector) =>
  page.evaluate((s) => {
    const e = document.querySelector(s);
    return e ? Math.round(e.getBoundingClientRect().top + window.scrollY) : null;
  }, selector);

test('a skip link comes first, and the first preset is a few Tab presses away', async () => {
  const page = await open(SMALL);
  // Without the skip link: the skip links and the top bar, then the
  // presets, before the sweep form and the controls.
  const tabs = await tabsToFirstPreset(page);
  console.log(`# Tab presses to the first preset: ${tabs} (70 before the presets moved above the controls)`);
  assert.ok(tabs <= 15, `${tabs} Tab presses`);
  await page.reload();
  await page.waitForSelector('body[data-state="done"]', { timeout: 120000 });
  const hash = await page.evaluate(() => location.hash);
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => ({ text: document.activeElement.textContent, top: document.activeElement.getBoundingClientRect().top }));
  assert.equal(first.text, 'Skip to the presets');
  assert.ok(first.top >= 0, 'shown when focused');
  await page.keyboard.press('Enter');
  const focused = await page.evaluate(() => document.activeElement.closest('#presets li') !== null);
  assert.ok(focused, 'Enter on the skip link focuses the first preset');
  assert.equal(await page.evaluate(() => location.hash), hash, 'the link is untouched');
  assert.equal(await page.locator('#messages .msg').count(), 0, 'and no link warning');
  // The second skip link goes to the results.
  await page.reload();
  await page.waitForSelector('body[data-state="done"]', { timeout: 120000 });
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to the results');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'results');
  assert.deepEqual(pageErrorsOf(page), []);
  await page.context().close();
});

test('on a 390 px phone the lab text and the presets come before the long controls, which are folded', async () => {
  for (const fragment of [SMALL, 'v=1&lab=capacity&seed=1&task=points&classes=8&samples=5&dim=40&analyse=input&n_t=100']) {
    const page = await open(fragment, PHONE);
    const y = {
      about: await topOf(page, '#lab-summary'),
      presets: await topOf(page, '#presets-section'),
      charts: await topOf(page, '#featured'),
      sweep: await topOf(page, '#sweep-section'),
      controls: await topOf(page, '#controls'),
    };
    console.log(`# 390 px, ${fragment.slice(0, 30)}…: ${JSON.stringify(y)}`);
    assert.ok(y.about < y.presets && y.presets < y.charts && y.charts < y.sweep && y.sweep < y.controls, JSON.stringify(y));
    assert.ok(y.about < 500, `lab text at ${y.about} px`);
    assert.ok(y.presets < 1000, `presets at ${y.presets} px`);
    assert.ok(y.charts < 1200, `first chart at ${y.charts} px`);
    // Folded: the presets (one tap opens them), the sweep and every group of controls.
    assert.equal(await page.evaluate(() => document.getElementById('presets-section').open), false);
    assert.equal(await page.evaluate(() => document.getElementById('sweep-section').open), false);
    assert.equal(await page.evaluate(() => [...document.querySelectorAll('#controls details.group')].filter((d) => d.open).length), 0);
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no sideways scroll (${overflow} px)`);
    console.log(`# page height ${height} px`);
    // The skip link opens the folded presets.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.getElementById('presets-section').open), true);
    assert.ok(await page.evaluate(() => document.activeElement.closest('#presets li') !== null));
    await page.screenshot({ path: join(outDir(), `layout-${fragment.includes('capacity') ? 'capacity' : 'lazy-rich'}-390x844-full.png`), fullPage: true });
    assert.deepEqual(pageErrorsOf(page), []);
    await page.context().close();
  }
});

test('capacity’s per-layer metrics are a layer × metric grid, the rest a short table', async () => {
  const page = await open('v=1&lab=capacity&seed=1&task=digits&samples=20&depth=2&width=30&steps=300&stages=2&n_t=20');
  const grid = page.locator('#metrics-grid');
  assert.ok(await grid.isVisible());
  const layers = await grid.locator('thead th.layer').allTextContents();
  assert.deepEqual(layers, ['input', 'h1', 'h2', 'out']);
  const rows = await grid.locator('tbody tr').count();
  assert.equal(rows, 10, 'α, R_M, D_M, ρ_c, K, PR, three alignments, α untrained');
  const rest = await page.locator('#metrics tbody tr').count();
  assert.ok(rest <= 6, `${rest} rows beside the grid`);
  // Each cell is its metric, from the snapshot.
  const snap = await page.evaluate(() => {
    const m = {};
    for (const row of document.querySelectorAll('#metrics-grid td[data-key]')) m[row.dataset.key] = row.title;
    return m;
  });
  assert.equal(Object.keys(snap).length, 40);
  for (const key of ['capacity_0', 'radius_3', 'center_axis_align_2', 'capacity_init_1']) assert.ok(Number.isFinite(Number(snap[key])), `${key}: ${snap[key]}`);
  // A row's ⓘ explains its metric.
  await grid.locator('tbody tr').first().locator('.info').click();
  assert.match(await page.locator('#info-text').textContent(), /capacity/i);
  await page.screenshot({ path: join(outDir(), 'layout-capacity-grid-1400x900.png') });
  await page.context().close();
});

test('420 unknown keys give one grouped warning, a clamped value says so, and the charts stay in view', async () => {
  const junk = Array.from({ length: 420 }, (_, i) => `&junk${i}=1`).join('');
  const bad = '&alpha=x&init_std=x&readout_std=x&bias_init=x&depth=x&lr=x&momentum=x&weight_decay=x&batch=x&n_train=x';
  const page = await open(`v=1&lab=lazy-rich&seed=3&width=32&steps=-5${bad}${junk}`);
  const box = page.locator('#messages .msg[data-group="link"]');
  assert.match(await box.locator('.msg-title').textContent(), /each line says what was used instead/);
  const text = await box.textContent();
  assert.match(text, /420 keys are not parameters of lazy-rich; ignored: 'junk0', 'junk1'.*\(and 412 more\)/);
  assert.match(text, /steps: -5 is outside \[1, 100000\]; clamped to 1/);
  assert.ok(!/defaults were used/.test(text));
  assert.equal(await page.locator('#step').textContent(), '1');
  // 12 lines: 8 listed, 4 folded under "4 more problems".
  assert.equal(await box.locator(':scope > ul > li').count(), 8);
  assert.equal(await box.locator('.msg-more summary').textContent(), '4 more problems');
  assert.ok(await box.locator('.msg-more').isVisible());
  const chartTop = await topOf(page, '#featured');
  assert.ok(chartTop < 700, `the first chart at ${chartTop} px`);
  await page.screenshot({ path: join(outDir(), 'layout-many-warnings-1400x900.png') });
  await page.context().close();
});

test('the link box shows the link from its lab on; the counter names the lab’s unit; titles wrap on a phone', async () => {
  const page = await open('v=1&lab=feedback&seed=2&A=0.4&n=300&steps=100&inits=4');
  const box = await page.evaluate(() => {
    const i = document.getElementById('share-link');
    return { value: i.value, scroll: i.scrollLeft, width: i.clientWidth, title: i.title };
  });
  assert.equal(box.value, await page.evaluate(() => location.href));
  assert.equal(box.title, box.value);
  assert.ok(box.scroll > 100, `scrolled to the fragment (${box.scroll} px)`);
  assert.equal(await page.locator('#counter-unit').textContent(), 'unit');
  assert.match(await page.locator('.counter').getAttribute('title'), /One work unit: the mean-field theory, 50 integration steps/);
  assert.match(await page.locator('#metrics-step').textContent(), /^at unit \d+$/);
  assert.match(await page.locator('#lab-steps').textContent(), /integration steps per trajectory/);
  await page.context().close();

  // On a phone, a chart title that holds a value is drawn whole: wrapped,
  // never cut with "…" (the core's drawing code, at each canvas's width).
  const phone = await open('v=1&lab=feedback&seed=2&A=0.4&n=300&steps=100&inits=4', PHONE);
  const cut = await phone.evaluate(async () => {
    const core = await import('./www/pkg/neurogeom.js');
    const out = [];
    for (const canvas of document.querySelectorAll('.chart-card canvas')) {
      const id = canvas.id.replace(/^chart-/, '');
      const chart = window.neurogeomDebug.chart(id);
      const svg = core.chart_svg(JSON.stringify(chart), Math.round(canvas.clientWidth), Math.round(canvas.clientHeight));
      const title = [...svg.matchAll(/<text[^>]*font-weight="bold"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]).join(' ');
      out.push({ id, title: chart.title, drawn: title });
    }
    return out;
  });
  const spectrum = cut.find((c) => c.id === 'spectrum');
  assert.ok(spectrum && /z = -?\d/.test(spectrum.title), JSON.stringify(spectrum));
  for (const c of cut) {
    assert.ok(!c.drawn.includes('…'), `${c.id}: “${c.drawn}”`);
    assert.equal(c.drawn.replace(/\s+/g, ' ').trim(), c.title.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'), `${c.id}: drawn “${c.drawn}”`);
  }
  await phone.screenshot({ path: join(outDir(), 'layout-feedback-390x844-full.png'), fullPage: true });
  await phone.context().close();
});
