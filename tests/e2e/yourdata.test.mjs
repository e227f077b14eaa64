// "Your data" (yourdata.html): files uploaded through the real file inputs.
// A good file gives charts (pixels on the canvases) and the same result hash
// as `neurogeom analyze` on the same file and settings; a bad file gives its
// precise message; no request at all is made between choosing the files and
// the end of the analysis (the data never leaves the page).
// Run with `cargo xtask test` (sets BASE_URL, CHROMIUM_PATH, NEUROGEOM_CLI, E2E_OUT).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, newPage, url, foreignRequests, requestsOf, pageErrorsOf, screenshot } from './browser.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** An .npy file (version 1.0) of little-endian f8 or i8 values. */
function npy(shape, values, descr) {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const body = Buffer.alloc(values.length * 8);
  values.forEach((v, i) => (descr === '<i8' ? body.writeBigInt64LE(BigInt(v), 8 * i) : body.writeDoubleLE(v, 8 * i)));
  return Buffer.concat([head, Buffer.from(header, 'latin1'), body]);
}

/** Three classes of 30 points in 12 dimensions around distinct centres (a fixed LCG). */
function cloudFiles(dir) {
  let s = 12345;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  };
  const [p, m, n] = [3, 30, 12];
  const centres = Array.from({ length: p }, () => Array.from({ length: n }, () => 2 * rand()));
  const x = [];
  const y = [];
  for (let c = 0; c < p; c++) {
    for (let i = 0; i < m; i++) {
      for (let f = 0; f < n; f++) x.push(centres[c][f] + 0.5 * rand());
      y.push(c);
    }
  }
  const data = join(dir, 'clouds.npy');
  const labels = join(dir, 'clouds_labels.npy');
  writeFileSync(data, npy([p * m, n], x, '<f8'));
  writeFileSync(labels, npy([p * m], y, '<i8'));
  return { data, labels };
}

async function openPage() {
  const page = await newPage(browser);
  await page.goto(url('yourdata.html'));
  await page.waitForSelector('body[data-state="ready"][data-worker="ready"]', { timeout: 30000 });
  return page;
}

async function inkedPixels(page, id) {
  return page.evaluate((id) => {
    const c = document.getElementById(id);
    if (!c) return -1;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 200 || d[i + 1] < 200 || d[i + 2] < 200)) n++;
    return n;
  }, id);
}

test('a good file gives charts and the CLI hash; no request is made while it is analysed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'yourdata-'));
  const files = cloudFiles(dir);
  const page = await openPage();
  const before = requestsOf(page).length;
  await page.setInputFiles('#labels-file', files.labels);
  await page.setInputFiles('#data-file', files.data);
  await page.waitForSelector('body[data-state="done"]', { timeout: 60000 });
  await page.waitForTimeout(300); // drawn at the next frame
  assert.deepEqual(requestsOf(page).slice(before), [], 'no request between choosing the files and the result');
  assert.deepEqual(foreignRequests(page), []);

  const hash = (await page.textContent('#hash')).trim();
  const cli = process.env.NEUROGEOM_CLI;
  assert.ok(cli, 'NEUROGEOM_CLI is set by cargo xtask test');
  const out = JSON.parse(execFileSync(cli, ['analyze', files.data, '--labels', files.labels, '--json'], { encoding: 'utf8' }));
  assert.equal(hash, out.hash, 'page and CLI give the same hash');
  const capacity = await page.textContent('td[data-key="capacity"]');
  assert.ok(Number(capacity) > 0, `capacity shown: ${capacity}`);

  for (const id of ['chart-pca', 'chart-rdm', 'chart-manifold_capacity']) {
    assert.ok((await inkedPixels(page, id)) > 500, `${id} has pixels`);
  }
  // The link holds the settings, the file's name and SHA-256, never the data.
  const link = new URL(page.url());
  const params = new URLSearchParams(link.hash.slice(1));
  assert.equal(params.get('file'), 'clouds.npy');
  assert.equal(params.get('sha256'), out.file.sha256);
  assert.ok(link.href.length < 600);
  await screenshot(page, 'yourdata-loaded');
  assert.deepEqual(pageErrorsOf(page), []);

  // Opening the link asks for the file; another file is flagged.
  const again = await newPage(browser);
  await again.goto(link.href);
  await again.waitForSelector('body[data-state="ready"][data-worker="ready"]', { timeout: 30000 });
  assert.match(await again.textContent('#messages'), /clouds\.npy/);
  await again.click('#use-example');
  await again.waitForSelector('body[data-state="done"]', { timeout: 60000 });
  assert.match(await again.textContent('#messages'), /different file/);
  await again.context().close();
  await page.context().close();
});

test('the Haxby 2001 recording runs in one click, with the CLI hash; its file is fetched once, from the page\'s server', async () => {
  const page = await openPage();
  const before = requestsOf(page).length;
  await page.click('#use-haxby');
  await page.waitForSelector('body[data-state="done"]', { timeout: 120000 });
  await page.waitForTimeout(300); // drawn at the next frame
  // The wasm does not carry the recording: the button fetches it from the
  // page's own origin, and nothing else is requested.
  const file = url('www/data/haxby2001.npz');
  assert.deepEqual(requestsOf(page).slice(before), [file], 'only the recording, from the page\'s server');
  assert.deepEqual(foreignRequests(page), []);
  assert.match(await page.textContent('#layout'), /haxby2001\.npz/);
  assert.match(await page.textContent('#layout'), /864/);
  const hash = (await page.textContent('#hash')).trim();
  const cli = process.env.NEUROGEOM_CLI;
  assert.ok(cli, 'NEUROGEOM_CLI is set by cargo xtask test');
  const out = JSON.parse(execFileSync(cli, ['analyze', 'www/data/haxby2001.npz', '--json'], { encoding: 'utf8' }));
  assert.equal(hash, out.hash, 'page and CLI give the same hash on the shipped file');
  const capacity = Number(await page.textContent('td[data-key="capacity"]'));
  assert.ok(capacity > 0 && capacity < 1, `capacity shown: ${capacity}`);
  for (const id of ['chart-pca', 'chart-rdm', 'chart-manifold_capacity']) {
    assert.ok((await inkedPixels(page, id)) > 500, `${id} has pixels`);
  }
  await screenshot(page, 'yourdata-haxby');
  // Again: the same file, no second request.
  await page.click('#use-example');
  await page.waitForFunction((h) => document.body.dataset.state === 'done' && /^[0-9a-f]{16}$/.test(document.getElementById('hash').textContent) && document.getElementById('hash').textContent !== h, hash, { timeout: 60000 });
  const example = (await page.textContent('#hash')).trim();
  await page.click('#use-haxby');
  await page.waitForFunction((h) => document.body.dataset.state === 'done' && /^[0-9a-f]{16}$/.test(document.getElementById('hash').textContent) && document.getElementById('hash').textContent !== h, example, { timeout: 120000 });
  assert.equal((await page.textContent('#hash')).trim(), hash, 'the same hash from the fetched copy');
  assert.deepEqual(requestsOf(page).slice(before), [file], 'fetched once');
  assert.deepEqual(pageErrorsOf(page), []);
  await page.context().close();
});

test('a bad file gives its precise message', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'yourdata-'));
  const bad = join(dir, 'ragged.csv');
  writeFileSync(bad, 'a,b,label\n1,2,x\n3,4,5,y\n5,6,x\n');
  const page = await openPage();
  await page.setInputFiles('#data-file', bad);
  await page.waitForSelector('body[data-state="error"]', { timeout: 30000 });
  const text = await page.textContent('#messages');
  assert.match(text, /ragged\.csv, line 3: 4 columns where the first row has 3/);
  assert.equal((await page.textContent('#hash')).trim(), '–');
  assert.deepEqual(foreignRequests(page), []);
  assert.deepEqual(pageErrorsOf(page), []);
  await page.context().close();
});

test('the example runs in the page, and a NaN row is offered to be dropped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'yourdata-'));
  const nan = join(dir, 'nan.csv');
  writeFileSync(nan, 'a,b,label\n1,2,x\n3,nan,y\n5,6,x\n1,1,y\n2,7,x\n4,4,y\n');
  const page = await openPage();
  await page.setInputFiles('#data-file', nan);
  await page.waitForSelector('body[data-state="error"]', { timeout: 30000 });
  assert.match(await page.textContent('#messages'), /NaN/);
  await page.click('#messages button:has-text("Drop those rows")');
  await page.waitForSelector('body[data-state="done"]', { timeout: 30000 });
  assert.match(await page.textContent('#layout'), /nan\.csv/);
  await page.context().close();
});

test('a long analysis shows its progress and Cancel stops it; the next one runs', async () => {
  const page = await openPage();
  await page.fill('#n_t', '100000');
  await page.click('#use-example');
  await page.waitForFunction(() => /MFTMA/.test(document.getElementById('stage').textContent), null, { timeout: 30000 });
  await page.click('#cancel');
  assert.equal(await page.evaluate(() => document.body.dataset.state), 'cancelled');
  await page.waitForSelector('body[data-worker="ready"]', { timeout: 30000 });
  await page.fill('#n_t', '50');
  await page.click('#analyze');
  await page.waitForSelector('body[data-state="done"]', { timeout: 60000 });
  assert.match(await page.textContent('#hash'), /^[0-9a-f]{16}$/);
  assert.equal(new URLSearchParams(new URL(page.url()).hash.slice(1)).get('n_t'), '50');
  assert.deepEqual(pageErrorsOf(page), []);
  await page.context().close();
});

test('a CSV of word labels, subsampled classes and balanced dichotomies give the CLI hash; the link keeps the settings', async () => {
  // Three classes named by words in the first column, 30 points each.
  let s = 777;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  };
  const names = ['whale', 'cat', 'dog'];
  const centres = names.map(() => Array.from({ length: 8 }, () => 2 * rand()));
  const rows = ['species,' + Array.from({ length: 8 }, (_, f) => `f${f}`).join(',')];
  for (let i = 0; i < 30; i++) {
    for (let c = 0; c < 3; c++) rows.push([names[c], ...centres[c].map((v) => (v + 0.5 * rand()).toFixed(6))].join(','));
  }
  const dir = mkdtempSync(join(tmpdir(), 'yourdata-'));
  const file = join(dir, 'animals.csv');
  writeFileSync(file, rows.join('\n') + '\n');
  const page = await openPage();
  await page.fill('#max_points', '12');
  await page.check('#simulated');
  await page.selectOption('#sim_labels', 'balanced');
  await page.setInputFiles('#data-file', file);
  await page.waitForSelector('body[data-state="done"]', { timeout: 60000 });
  const layout = await page.textContent('#layout');
  assert.match(layout, /labels in column 'species'/);
  assert.match(layout, /at most 12 points per class/);
  const out = JSON.parse(execFileSync(process.env.NEUROGEOM_CLI, ['analyze', file, '--max-points', '12', '--simulated', '--sim-labels', 'balanced', '--json'], { encoding: 'utf8' }));
  assert.equal((await page.textContent('#hash')).trim(), out.hash, 'page and CLI give the same hash');
  assert.deepEqual(out.manifolds.class, ['cat', 'dog', 'whale'], 'classes in sorted order');
  const params = new URLSearchParams(new URL(page.url()).hash.slice(1));
  assert.equal(params.get('max_points'), '12');
  assert.equal(params.get('sim_labels'), 'balanced');
  // The link restores both settings.
  const again = await newPage(browser);
  await again.goto(page.url());
  await again.waitForSelector('body[data-state="ready"][data-worker="ready"]', { timeout: 30000 });
  assert.equal(await again.inputValue('#max_points'), '12');
  assert.equal(await again.inputValue('#sim_labels'), 'balanced');
  await again.context().close();
  assert.deepEqual(pageErrorsOf(page), []);
  await page.context().close();
});

test('GLUE on the page gives the CLI’s numbers and hash, names its settings, and the link keeps them', async () => {
  // Four classes of 20 points in 10 dimensions whose centres share one
  // direction (correlated manifolds, GLUE's case).
  let s = 4242;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  };
  const shared = Array.from({ length: 10 }, () => 2 * rand());
  const rows = ['label,' + Array.from({ length: 10 }, (_, f) => `f${f}`).join(',')];
  for (let c = 0; c < 4; c++) {
    const centre = shared.map((v) => v + rand());
    for (let i = 0; i < 20; i++) rows.push([c, ...centre.map((v) => (v + 0.4 * rand()).toFixed(6))].join(','));
  }
  const dir = mkdtempSync(join(tmpdir(), 'yourdata-glue-'));
  const file = join(dir, 'correlated.csv');
  writeFileSync(file, rows.join('\n') + '\n');
  const page = await openPage();
  await page.check('#glue');
  await page.fill('#glue_n_t', '60');
  await page.fill('#glue_points', '15');
  await page.selectOption('#glue_labels', 'balanced');
  await page.selectOption('#glue_centre', 'global');
  await page.setInputFiles('#data-file', file);
  await page.waitForSelector('body[data-state="done"]', { timeout: 120000 });
  const out = JSON.parse(execFileSync(process.env.NEUROGEOM_CLI, ['analyze', file, '--glue', '--glue-n-t', '60', '--glue-points', '15', '--glue-labels', 'balanced', '--glue-centre', 'global', '--json'], { encoding: 'utf8' }));
  assert.equal((await page.textContent('#hash')).trim(), out.hash, 'page and CLI give the same hash');
  const keys = out.metrics.map((m) => m.key);
  for (const k of ['glue_capacity', 'glue_radius', 'glue_dimension', 'glue_utility', 'glue_center_alignment', 'glue_axis_alignment', 'glue_center_axis_alignment']) {
    assert.ok(keys.includes(k), `${k} in the CLI's metrics`);
  }
  const glue = out.metrics.find((m) => m.key === 'glue_capacity');
  assert.ok(Number.isFinite(glue.value) && glue.value > 0, `GLUE capacity ${glue.value}`);
  assert.match(glue.info, /balanced/, 'the ⓘ names the labels');
  const params = new URLSearchParams(new URL(page.url()).hash.slice(1));
  assert.equal(params.get('glue'), '1');
  assert.equal(params.get('glue_labels'), 'balanced');
  assert.equal(params.get('glue_centre'), 'global');
  const again = await newPage(browser);
  await again.goto(page.url());
  await again.waitForSelector('body[data-state="ready"][data-worker="ready"]', { timeout: 30000 });
  assert.ok(await again.isChecked('#glue'));
  assert.equal(await again.inputValue('#glue_n_t'), '60');
  assert.equal(await again.inputValue('#glue_labels'), 'balanced');
  assert.equal(await again.inputValue('#glue_centre'), 'global');
  await again.context().close();
  assert.deepEqual(pageErrorsOf(page), []);
  await page.context().close();
});
