// The Your-data link records a separate labels file's SHA-256 as well as
// the data file's (`labels_sha256=`), and a link whose labels file differs
// from the one chosen says so; links without the key keep working.
//
// Run with `cargo xtask test` (sets BASE_URL, CHROMIUM_PATH, NEUROGEOM_CLI, E2E_OUT).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync, readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, newPage, url, pageErrorsOf } from './browser.mjs';

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

/** Three classes of 20 points in 8 dimensions, labels in a file of their
 * own, and a second labels file with two rows' classes swapped. */
function files(dir) {
  let s = 777;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  };
  const [p, m, n] = [3, 20, 8];
  const x = [];
  const y = [];
  for (let c = 0; c < p; c++) {
    for (let i = 0; i < m; i++) {
      for (let f = 0; f < n; f++) x.push(c + 0.5 * rand());
      y.push(c);
    }
  }
  const swapped = [...y];
  [swapped[0], swapped[m]] = [swapped[m], swapped[0]];
  const out = { data: join(dir, 'x.npy'), labels: join(dir, 'y.npy'), other: join(dir, 'y2.npy') };
  writeFileSync(out.data, npy([p * m, n], x, '<f8'));
  writeFileSync(out.labels, npy([p * m], y, '<i8'));
  writeFileSync(out.other, npy([p * m], swapped, '<i8'));
  return out;
}

const sha256 = (path) => createHash('sha256').update(readFileSync(path)).digest('hex');

async function openPage(href = url('yourdata.html')) {
  const page = await newPage(browser);
  await page.goto(href);
  await page.waitForSelector('body[data-state="ready"][data-worker="ready"]', { timeout: 30000 });
  return page;
}

async function analyse(page, data, labels) {
  await page.setInputFiles('#labels-file', labels);
  await page.setInputFiles('#data-file', data);
  await page.waitForSelector('body[data-state="done"]', { timeout: 60000 });
}

test('the link records the labels file’s SHA-256, and another labels file is flagged', async () => {
  const f = files(mkdtempSync(join(tmpdir(), 'yourdata-link-')));
  const page = await openPage();
  await analyse(page, f.data, f.labels);
  const link = new URL(page.url());
  const params = new URLSearchParams(link.hash.slice(1));
  assert.equal(params.get('file'), 'x.npy');
  assert.equal(params.get('sha256'), sha256(f.data));
  assert.equal(params.get('labels'), 'y.npy');
  assert.equal(params.get('labels_sha256'), sha256(f.labels));
  assert.equal(await page.locator('#share-link').inputValue(), link.href);
  assert.deepEqual(pageErrorsOf(page), []);
  await page.context().close();

  // The same data with other labels: flagged, the data not.
  const again = await openPage(link.href);
  await analyse(again, f.data, f.other);
  const said = await again.locator('#messages').textContent();
  assert.match(said, /Not the same labels/);
  assert.match(said, /labels file “y\.npy”/);
  assert.ok(!/different file/.test(said), said);
  await again.context().close();

  // The same files: nothing to flag.
  const same = await openPage(link.href);
  await analyse(same, f.data, f.labels);
  assert.ok(!/Not the same/.test(await same.locator('#messages').textContent()));
  await same.context().close();

  // A link from before the key (no labels_sha256) still opens and runs.
  params.delete('labels_sha256');
  const old = await openPage(`${link.origin}${link.pathname}#${params}`);
  await analyse(old, f.data, f.other);
  assert.ok(!/Not the same/.test(await old.locator('#messages').textContent()));
  assert.deepEqual(pageErrorsOf(old), []);
  await old.context().close();
});
