// A pinned run belongs to its lab (www/pin.js), end to end in real
// Chromium: picking another lab drops it, so lazy-rich's losses are never
// drawn on the modularity autoencoder's loss chart; a pin that a preset
// brought goes with the next preset, so capacity's "self-supervised against
// supervised" comparison does not leak into the next capacity preset; a
// pin the user made stays for the presets of its own lab; and a link that
// pins another lab's run says so and draws nothing of it.
//
// Run with `cargo xtask test` (sets BASE_URL, CHROMIUM_PATH, NEUROGEOM_CLI, E2E_OUT).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
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

const data = (page, name) => page.evaluate((n) => document.body.dataset[n], name);

/** Done, and every canvas shows the latest snapshot. */
async function waitForDrawn(page, timeout = 120000) {
  await page.waitForFunction(
    () => document.body.dataset.state === 'done' && document.body.dataset.drawn === document.getElementById('hash').textContent,
    null,
    { timeout },
  );
}

/** Follow a link as a click on a preset does (the page's hashchange handler). */
async function follow(page, fragment) {
  await page.evaluate(
    (f) =>
      new Promise((resolve) => {
        window.addEventListener('hashchange', () => resolve(), { once: true });
        location.hash = f;
      }),
    fragment,
  );
}

/** A digest (FNV-1a) of a canvas's pixels and its size. */
const digest = (page, id) =>
  page.evaluate((id) => {
    const c = document.getElementById(id);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let h = 0x811c9dc5;
    for (let i = 0; i < d.length; i++) h = Math.imul(h ^ d[i], 0x01000193) >>> 0;
    return `${c.width}x${c.height}:${h.toString(16)}`;
  }, id);

async function presetsOf(page, lab) {
  return page.evaluate(async (lab) => {
    const core = await import('./www/pkg/neurogeom.js');
    return JSON.parse(core.catalog_json()).find((s) => s.name === lab).presets;
  }, lab);
}

test('a pinned lazy-rich run is dropped when the modularity lab is picked: no pinned losses on its chart', async () => {
  const page = await newPage(browser);
  await page.goto(`${baseUrl()}#${LAZY}`);
  await waitForDrawn(page);
  await page.click('#pin');
  const pinned = await data(page, 'pinned');
  assert.ok(pinned, 'pinned');
  // Another lab from the picker.
  await page.selectOption('#lab', 'modularity');
  await waitForDrawn(page);
  assert.equal(await data(page, 'pinned'), undefined, 'the pin is gone');
  assert.equal(await data(page, 'pinDrawn'), undefined, 'nothing pinned is drawn');
  assert.equal(await page.locator('#pin').textContent(), 'Pin');
  assert.ok(!(await page.evaluate(() => location.hash)).includes('pin='));
  assert.ok(await page.locator('#pin-label').isHidden());
  // The autoencoder's loss chart is exactly what a fresh page draws.
  const here = await digest(page, 'chart-loss');
  const fragment = (await page.evaluate(() => location.hash)).slice(1);
  const fresh = await newPage(browser);
  await fresh.goto(`${baseUrl()}#${fragment}`);
  await waitForDrawn(fresh);
  assert.equal(await digest(fresh, 'chart-loss'), here, 'the same loss chart as without any pin');
  await fresh.context().close();
  assert.deepEqual(pageErrorsOf(page), []);
  await page.context().close();
});

test('capacity’s self-supervised-against-supervised preset, then another capacity preset: its pin goes, nothing dashed', async () => {
  const page = await newPage(browser);
  const presets = await (async () => {
    await page.goto(`${baseUrl()}#v=1&lab=capacity&task=points&classes=4&samples=5&dim=20&analyse=input&n_t=50`);
    await waitForDrawn(page);
    return presetsOf(page, 'capacity');
  })();
  const ssl = presets.find((p) => p.fragment.includes('&pin='));
  assert.ok(ssl, 'a capacity preset carries a pin');
  const next = presets.find((p) => p !== ssl && p.fragment.includes('task=digits'));
  await follow(page, ssl.fragment);
  await waitForDrawn(page, 240000);
  await page.waitForFunction(() => document.body.dataset.pinDrawn, null, { timeout: 240000 });
  assert.ok(await page.locator('#pin-label').isVisible());
  await page.screenshot({ path: join(outDir(), 'pin-scope-ssl-1400x900.png') });

  // The next preset, as its link in the gallery is clicked.
  await page.click(`#presets a[href="#${next.fragment}"]`);
  await waitForDrawn(page, 240000);
  assert.equal(await data(page, 'pinned'), undefined, 'the preset’s pin went with it');
  assert.equal(await data(page, 'pinDrawn'), undefined);
  assert.equal(await page.locator('#pin').textContent(), 'Pin');
  assert.ok(await page.locator('#pin-label').isHidden());
  assert.ok(!(await page.evaluate(() => location.hash)).includes('pin='));
  // Its charts are those of the preset opened alone: the legend back to
  // its own entries, no dashed pinned series.
  assert.ok(await page.evaluate(() => Boolean(document.getElementById('chart-capacity').dataset.frame)), 'drawn');
  const here = await digest(page, 'chart-capacity');
  const fresh = await newPage(browser);
  await fresh.goto(`${baseUrl()}#${next.fragment}`);
  await waitForDrawn(fresh, 240000);
  assert.equal(await digest(fresh, 'chart-capacity'), here, 'the same chart as the preset alone');
  await fresh.context().close();
  assert.deepEqual(pageErrorsOf(page), []);
  await page.context().close();
});

test('a pin the user made stays for a preset of its own lab, and a link cannot pin another lab’s run', async () => {
  const page = await newPage(browser);
  await page.goto(`${baseUrl()}#${LAZY}`);
  await waitForDrawn(page);
  await page.click('#pin');
  const pinned = await data(page, 'pinned');
  const presets = await presetsOf(page, 'lazy-rich');
  const rich = presets.find((p) => p.fragment.includes('task=teacher&alpha=0.1'));
  await page.click(`#presets a[href="#${rich.fragment}"]`);
  await waitForDrawn(page);
  await page.waitForFunction((h) => document.body.dataset.pinDrawn === h, pinned);
  assert.equal(await data(page, 'pinned'), pinned, 'the user’s pin stays in its lab');
  assert.ok((await page.evaluate(() => location.hash)).includes('pin='));

  // A hand-made link that pins a lazy-rich run beside a modularity run.
  const other = await newPage(browser);
  await other.goto(`${baseUrl()}#v=1&lab=modularity&seed=1&steps=300&pin=${encodeURIComponent(LAZY)}`);
  await waitForDrawn(other);
  assert.match(await other.locator('#messages').textContent(), /The pinned run is of the lazy-rich lab, not modularity/);
  assert.equal(await data(other, 'pinned'), undefined);
  assert.equal(await data(other, 'pinDrawn'), undefined);
  assert.ok(!(await other.evaluate(() => location.hash)).includes('pin='));
  await other.context().close();
  assert.deepEqual(pageErrorsOf(page), []);
  await page.context().close();
});
