// The point editor (www/point-editor.js) on the modularity lab's source
// scatter: clicking a point onto the scatter changes the theory's verdict
// and the link, and the link reproduces the result in a fresh page; dragging
// and deleting edit the points; "Clear points" empties them; the first click
// on another distribution switches to hand-drawn points seeded from it; an
// uploaded CSV or NPY file gives the same result as the same points in a link.
// Pixels ↔ data come from the frame the core reports when it draws the chart
// (the canvas's data-frame).
// Run with `cargo xtask test` (sets BASE_URL, CHROMIUM_PATH, E2E_OUT).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, baseUrl, foreignRequests, pageErrorsOf, screenshot } from './browser.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** A 6 × 6 grid on [0, 1]² keeping x + y ≤ 1.2: a large corner cut (mixed),
 * with its mean near (0.4, 0.4), so that the left and bottom hull edges,
 * exact in the link, are the tight ones once the corner is filled. */
function cutGrid() {
  const pts = [];
  for (let i = 0; i < 6; i++) {
    for (let j = 0; j < 6; j++) {
      const [x, y] = [i / 5, j / 5];
      if (x + y <= 1.2 + 1e-9) pts.push([Math.round(x * 1e4) / 1e4, Math.round(y * 1e4) / 1e4]);
    }
  }
  return pts;
}
const POINTS = cutGrid();
const POINTS_TEXT = POINTS.map((p) => p.join(',')).join(';');
const LINK = `v=1&lab=modularity&seed=1&dist=points&points=${POINTS_TEXT}&steps=200`;

async function waitForState(page, state, timeout = 60000) {
  try {
    await page.waitForSelector(`body[data-state="${state}"]`, { timeout });
  } catch (e) {
    const now = await page.evaluate(() => ({
      state: document.body.dataset.state,
      messages: document.getElementById('messages').textContent,
    }));
    throw new Error(`waiting for data-state=${state}: ${JSON.stringify(now)}; page errors: ${pageErrorsOf(page).join('\n')}`);
  }
}

/** Wait until the run of the current link is done and drawn. */
async function settle(page) {
  await waitForState(page, 'done');
  await page.waitForFunction(() => {
    const hash = document.getElementById('hash').textContent;
    return hash.length > 1 && document.body.dataset.drawn === hash && document.getElementById('chart-sources')?.dataset.frame;
  });
}

async function open(fragment) {
  const page = await newPage(browser);
  await page.goto(`${baseUrl()}#${fragment}`);
  await settle(page);
  return page;
}

/** A metric's raw value from the metrics table (NaN for "not a number"). */
async function metric(page, key) {
  const title = await page.locator(`#metrics tr[data-key="${key}"] td`).getAttribute('title');
  return title === 'not a number' ? NaN : Number(title);
}

const link = (page) => page.locator('#share-link').inputValue();
const hash = (page) => page.locator('#hash').textContent();

/** The link's points, parsed. */
async function linkPoints(page) {
  const params = new URLSearchParams((await link(page)).split('#')[1]);
  const text = params.get('points') || '';
  return { dist: params.get('dist'), points: text ? text.split(';').map((p) => p.split(',').map(Number)) : [] };
}

/** The page pixel of a data point on the source scatter, from the frame
 * the core reported when it drew the chart. */
async function pixelOf(page, [x, y]) {
  const frame = JSON.parse(await page.locator('#chart-sources').getAttribute('data-frame'));
  const box = await page.locator('#chart-sources').boundingBox();
  const px = (a, v) => a.px_lo + ((v - a.lo) / (a.hi - a.lo)) * (a.px_hi - a.px_lo);
  return { x: box.x + px(frame.x, x), y: box.y + px(frame.y, y) };
}

/** Do something that changes the link, then wait for its run. */
async function edit(page, action) {
  const before = await link(page);
  await action();
  await page.waitForFunction((b) => document.getElementById('share-link').value !== b, before);
  await settle(page);
}

test('clicking a point onto the scatter changes the verdict and the link; the link reproduces it', async () => {
  const page = await open(LINK);
  assert.equal(await metric(page, 'theory_modular'), 0, 'the cut corner is mixed');
  const startHash = await hash(page);

  // Fill the cut corner with one click at (1, 1).
  const at = await pixelOf(page, [1, 1]);
  await edit(page, () => page.mouse.click(at.x, at.y));
  assert.equal(await metric(page, 'theory_modular'), 1, 'with the corner filled the code is modular');
  const filled = await linkPoints(page);
  assert.equal(filled.dist, 'points');
  assert.equal(filled.points.length, POINTS.length + 1);
  const added = filled.points.at(-1);
  assert.ok(Math.abs(added[0] - 1) < 0.02 && Math.abs(added[1] - 1) < 0.02, `added ${added}`);
  assert.ok(added.every((v) => Math.round(v * 1e4) / 1e4 === v), 'the link holds 4 decimals');
  const filledHash = await hash(page);
  assert.notEqual(filledHash, startHash);
  await screenshot(page, 'points-filled');

  // The link reproduces the result in a fresh page.
  const fresh = await newPage(browser);
  await fresh.goto(await link(page));
  await settle(fresh);
  assert.equal(await hash(fresh), filledHash, 'the shared link gives the same result hash');
  assert.equal(await metric(fresh, 'theory_modular'), 1);
  await fresh.context().close();

  // Drag the new point back onto the cut line (between two grid points): mixed again.
  const from = await pixelOf(page, added);
  const to = await pixelOf(page, [0.7, 0.5]);
  await edit(page, async () => {
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(to.x, to.y, { steps: 8 });
    await page.mouse.up();
  });
  await page.waitForFunction(() => {
    const p = new URLSearchParams(location.hash.slice(1)).get('points').split(';').at(-1).split(',').map(Number);
    return Math.abs(p[0] - 0.7) < 0.02 && Math.abs(p[1] - 0.5) < 0.02;
  });
  await settle(page);
  const dragged = await linkPoints(page);
  assert.equal(dragged.points.length, POINTS.length + 1, 'a drag moves, it does not add');
  assert.equal(await metric(page, 'theory_modular'), 0, 'back on the cut line: mixed');

  // Shift-click deletes it: the original points, the original result.
  const del = await pixelOf(page, dragged.points.at(-1));
  await edit(page, async () => {
    await page.keyboard.down('Shift');
    await page.mouse.click(del.x, del.y);
    await page.keyboard.up('Shift');
  });
  assert.deepEqual((await linkPoints(page)).points, POINTS);
  assert.equal(await hash(page), startHash, 'deleting the added point restores the first result');

  // Clear: no points, no verdict, a note that says how to draw.
  await edit(page, () => page.locator('#clear-points').click());
  assert.deepEqual((await linkPoints(page)).points, []);
  assert.ok(Number.isNaN(await metric(page, 'theory_modular')));
  assert.match(await page.locator('#messages').textContent(), /click on the source scatter/);
  // ... and clicks on the empty scatter draw again.
  const first = await pixelOf(page, [0.5, 0.5]);
  await edit(page, () => page.mouse.click(first.x, first.y));
  assert.equal((await linkPoints(page)).points.length, 1);

  assert.deepEqual(pageErrorsOf(page), []);
  assert.deepEqual(foreignRequests(page), []);
  await page.context().close();
});

test('the first click on another distribution switches to drawn points seeded from it (HiDPI)', async () => {
  // At 2 device pixels per CSS pixel: the frame is in CSS pixels all the same.
  const page = await newPage(browser, { deviceScaleFactor: 2 });
  await page.goto(`${baseUrl()}#v=1&lab=modularity&seed=1&dist=grid&grid_n=11&steps=200`);
  await settle(page);
  const grid = await metric(page, 'theory_modular');
  const at = await pixelOf(page, [0.55, 0.52]);
  await edit(page, () => page.mouse.click(at.x, at.y));
  const now = await linkPoints(page);
  assert.equal(now.dist, 'points');
  assert.equal(now.points.length, 11 * 11 + 1, 'the grid plus the new point');
  const added = now.points.at(-1);
  assert.ok(Math.abs(added[0] - 0.55) < 0.01 && Math.abs(added[1] - 0.52) < 0.01, `added ${added}`);
  assert.equal(await metric(page, 'theory_modular'), grid, 'a point inside the square changes no verdict');
  assert.deepEqual(pageErrorsOf(page), []);
  await page.context().close();
});

/** An .npy file (version 1.0) of little-endian f8 values. */
function npy(shape, values) {
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${shape.join(', ')}), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head.writeUInt16LE(header.length, 8);
  const body = Buffer.alloc(values.length * 8);
  values.forEach((v, i) => body.writeDoubleLE(v, 8 * i));
  return Buffer.concat([head, Buffer.from(header, 'latin1'), body]);
}

test('points uploaded as CSV or NPY give the same result as the same points in the link', async () => {
  const reference = await open(LINK);
  const want = await hash(reference);
  const verdict = await metric(reference, 'theory_modular');
  await reference.context().close();

  const files = [
    { name: 'points.csv', mimeType: 'text/csv', buffer: Buffer.from(`s1,s2\n${POINTS.map((p) => p.join(',')).join('\n')}\n`) },
    { name: 'points.npy', mimeType: 'application/octet-stream', buffer: npy([POINTS.length, 2], POINTS.flat()) },
  ];
  for (const file of files) {
    const page = await open('v=1&lab=modularity&seed=1&dist=grid&steps=200');
    await edit(page, () => page.locator('#upload-points').setInputFiles(file));
    assert.equal(await hash(page), want, `${file.name}: the same result hash as the link`);
    assert.equal(await metric(page, 'theory_modular'), verdict);
    assert.deepEqual((await linkPoints(page)).points, POINTS);
    assert.deepEqual(requestsAfterLoad(page), [], `${file.name}: nothing left the page`);
    await page.context().close();
  }

  // A file that is not points says why.
  const page = await open('v=1&lab=modularity&seed=1&dist=grid&steps=200');
  await page.locator('#upload-points').setInputFiles({ name: 'cube.npy', mimeType: 'application/octet-stream', buffer: npy([2, 2, 2], new Array(8).fill(0)) });
  await page.waitForFunction(() => /cube\.npy/.test(document.getElementById('messages').textContent));
  assert.match(await page.locator('#messages').textContent(), /N × 2/);
  await page.context().close();
});

/** Requests to other origins (the upload is read in the page). */
function requestsAfterLoad(page) {
  return foreignRequests(page);
}
