// The dist build (`cargo xtask dist`) on a plain static host, under a
// sub-path: a Node static server of this test (no header but the file's
// type, not our xtask server) serves the folder at /lab/. There, a preset
// runs to the CLI's hash, a sweep runs in its workers, "Your data" analyses
// the example file, "Copy link" gives a link under /lab/ that reproduces the
// hash in a fresh page, and a build made with --base-url gives links on the
// public address. The folder keeps its release's copy under v<release>/,
// which runs on its own, and a link made with an older release offers that
// release's copy when the host has it. After a first visit the pages load
// and run with the host off the network (task=haxby and task=digits runs
// too, their data files from the cache), and a new deploy replaces the cached build on the
// next visit.
//
// `cargo xtask test` builds two folders and sets:
//   NEUROGEOM_DIST       a dist build
//   NEUROGEOM_DIST_NEXT  another, made with --base-url https://lab.example.org/neurogeom/
// (and BASE_URL, CHROMIUM_PATH, NEUROGEOM_CLI, E2E_OUT as for every browser test).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { launch, newPage, pageErrorsOf, screenshot } from './browser.mjs';
import { watchViolations, violationsOf } from './policy.mjs';
import { staticServer } from './static-server.mjs';

const DIST = process.env.NEUROGEOM_DIST;
const NEXT = process.env.NEUROGEOM_DIST_NEXT;
const PUBLIC = 'https://lab.example.org/neurogeom/';
const SMALL = 'v=1&lab=lazy-rich&seed=3&steps=300&width=32';
const SMALL_OFFLINE = 'v=1&lab=lazy-rich&seed=5&steps=300&width=32';
// task=haxby: the page's worker fetches data/haxby2001.*.npz before the run.
const HAXBY = 'v=1&lab=capacity&seed=2&task=haxby&samples=30&n_t=60';
// task=digits: the page's worker fetches data/digits.csv.*.gz (the wasm
// does not carry the UCI digits either).
const DIGITS = 'v=1&lab=capacity&seed=1&task=digits&samples=20&depth=2&width=30&steps=300&stages=2&n_t=20';
const HAXBY_SWEEP = 'v=1&lab=capacity&seed=2&task=haxby&samples=20&n_t=40&sweep=samples:lin:10:30:3';
const SWEEP = 'v=1&lab=lazy-rich&seed=1&width=16&n_train=50&steps=200&sweep=alpha:log:0.01:1000:5';

let browser;
let host;
let lab; // e.g. http://127.0.0.1:41234/lab/
before(async () => {
  if (!DIST || !NEXT) {
    throw new Error('NEUROGEOM_DIST and NEUROGEOM_DIST_NEXT are not set: run the browser tests with `cargo xtask test`, which builds them.');
  }
  browser = await launch();
  host = await staticServer({ '/lab/': DIST });
  lab = `${host.origin}/lab/`;
});
after(async () => {
  await browser?.close();
  await host?.close();
});

const cli = (...args) => execFileSync(process.env.NEUROGEOM_CLI, args, { encoding: 'utf8' });
const cliHash = (fragment) => JSON.parse(cli('run', fragment, '--json')).hash;

function files(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...files(path));
    else out.push(relative(DIST, path));
  }
  return out.sort();
}

async function waitFor(page, selector, timeout = 90000) {
  try {
    await page.waitForSelector(selector, { timeout });
  } catch (e) {
    const now = await page.evaluate(() => ({ ...document.body.dataset, messages: document.getElementById('messages')?.textContent }));
    throw new Error(`waiting for ${selector}: ${JSON.stringify(now)}; page errors: ${pageErrorsOf(page).join('\n')}`);
  }
}

async function settled(page) {
  await waitFor(page, 'body[data-state="done"]');
  await page.waitForFunction(() => {
    const hash = document.getElementById('hash').textContent;
    return /^[0-9a-f]{16}$/.test(hash) && document.body.dataset.drawn === hash;
  });
  return page.locator('#hash').textContent();
}

/** Non-white pixels of the first chart. */
function ink(page) {
  return page.evaluate(() => {
    const c = document.querySelector('canvas[id^="chart-"]');
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] < 250 || data[i + 1] < 250 || data[i + 2] < 250) n++;
    return n;
  });
}

/** Every request so far stayed under /lab/ on the host. */
function assertUnderLab() {
  const outside = host.requests.filter((u) => !u.startsWith('/lab/'));
  assert.deepEqual(outside, [], 'every request stays under the sub-path');
}

test('the folder: content-hashed names, relative links, no source maps, the policy in both pages', () => {
  const all = files(DIST);
  for (const f of ['index.html', 'yourdata.html', 'sw.js', '.neurogeom-dist.json']) assert.ok(all.includes(f), `${f} in ${all.join(' ')}`);
  const assets = all.filter((f) => f.startsWith('www/'));
  assert.ok(assets.some((f) => f.endsWith('.wasm')) && assets.some((f) => f.endsWith('.css')));
  for (const f of assets) assert.match(f, /\.[0-9a-f]{10}\.(js|css|wasm|npz|gz)$/, `${f} carries a content hash`);
  // The Haxby 2001 recording: in the folder (the wasm does not carry it),
  // the shipped bytes, listed for the service worker, preloaded by no page.
  const haxby = all.filter((f) => /^www\/data\/haxby2001\.[0-9a-f]{10}\.npz$/.test(f));
  assert.equal(haxby.length, 1, all.join(' '));
  assert.ok(readFileSync(join(DIST, haxby[0])).equals(readFileSync('www/data/haxby2001.npz')), 'the shipped file');
  assert.ok(readFileSync(join(DIST, 'sw.js'), 'utf8').includes(`"${haxby[0]}"`), 'the service worker caches it');
  for (const page of ['index.html', 'yourdata.html']) assert.doesNotMatch(readFileSync(join(DIST, page), 'utf8'), /<link[^>]*haxby2001/, `${page} does not preload it`);
  // The UCI digits likewise.
  const digits = all.filter((f) => /^www\/data\/digits\.csv\.[0-9a-f]{10}\.gz$/.test(f));
  assert.equal(digits.length, 1, all.join(' '));
  assert.ok(readFileSync(join(DIST, digits[0])).equals(readFileSync('www/data/digits.csv.gz')), 'the shipped digits');
  assert.ok(readFileSync(join(DIST, 'sw.js'), 'utf8').includes(`"${digits[0]}"`), 'the service worker caches the digits');
  for (const page of ['index.html', 'yourdata.html']) assert.doesNotMatch(readFileSync(join(DIST, page), 'utf8'), /<link[^>]*digits\.csv/, `${page} does not preload the digits`);
  assert.ok(!all.some((f) => f.endsWith('.map') || f.endsWith('.d.ts')), 'no source maps, no typings');
  for (const f of all.filter((f) => /\.(js|css|html)$/.test(f))) {
    const text = readFileSync(join(DIST, f), 'utf8');
    assert.ok(!text.includes('sourceMappingURL'), `${f} names no source map`);
    // Every module a file names exists in the folder, by its hashed name.
    // (Not an object key: wasm-bindgen's import object has "./neurogeom_bg.js": …)
    for (const [, ref] of text.matchAll(/['"](\.\.?\/[^'"\s]+\.(?:js|wasm|css))['"](?!\s*:)/g)) {
      const dir = f.includes('/') ? f.slice(0, f.lastIndexOf('/') + 1) : '';
      const target = new URL(ref, `http://x/${dir}`).pathname.slice(1);
      assert.ok(all.includes(target), `${f} imports ${ref}, which is in the folder`);
    }
  }
  for (const page of ['index.html', 'yourdata.html']) {
    const html = readFileSync(join(DIST, page), 'utf8');
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
    assert.match(html, /<meta name="neurogeom-build" content="[0-9a-f]{16}">/);
    for (const [, ref] of html.matchAll(/(?:src|href)="([^"]+)"/g)) {
      assert.ok(!ref.startsWith('/') && !/^https?:/.test(ref), `${page}: ${ref} is relative`);
    }
  }
  assert.ok(!readFileSync(join(DIST, 'index.html'), 'utf8').includes('neurogeom-base-url'));
  assert.match(readFileSync(join(NEXT, 'index.html'), 'utf8'), /<meta name="neurogeom-base-url" content="https:\/\/lab\.example\.org\/neurogeom\/">/);
});

test('under /lab/: a preset runs to the CLI hash, and "Copy link" gives a link under /lab/ that reproduces it in a fresh page', async () => {
  const page = await newPage(browser, { permissions: ['clipboard-read', 'clipboard-write'] });
  await watchViolations(page);
  await page.goto(lab);
  await settled(page); // the default lab's default run
  // The first preset of the default lab, clicked in the gallery.
  const preset = page.locator('#presets a').first();
  const href = await preset.getAttribute('href');
  assert.match(href, /^#v=1&lab=/);
  const before = await page.locator('#share-link').inputValue();
  await preset.click();
  await page.waitForFunction((b) => document.getElementById('share-link').value !== b, before);
  const hash = await settled(page);
  assert.equal(hash, cliHash(href), `the preset ${href} gives the CLI's hash`);
  assert.ok((await ink(page)) > 1000, 'the first chart drew');

  await page.click('#copy-link');
  const link = await page.locator('#share-link').inputValue();
  assert.ok(link.startsWith(`${lab}#v=1&`), `the link is under the sub-path: ${link}`);
  const fresh = await newPage(browser);
  await fresh.goto(link);
  assert.equal(await settled(fresh), hash, 'the copied link reproduces the hash');
  await fresh.context().close();

  const v = await violationsOf(page);
  assert.deepEqual(v.events, [], 'no violation of the <meta> policy');
  assert.deepEqual(v.log, [], 'none in the workers either');
  assert.deepEqual(pageErrorsOf(page), []);
  assertUnderLab();
  await screenshot(page, 'dist-lab');
  await page.context().close();
});

test('under /lab/: a sweep runs in its workers to the CLI hash', async () => {
  const page = await newPage(browser);
  let workers = 0;
  page.on('worker', () => workers++);
  await page.goto(`${lab}#${SWEEP}`);
  await waitFor(page, 'body[data-sweep="done"]', 120000);
  const hash = await page.locator('#hash').textContent();
  const summary = JSON.parse(cli('sweep', SWEEP).trim().split('\n').pop());
  assert.equal(hash, summary.hash);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  assert.ok(workers >= Math.min(cores, 5), `${workers} workers for 5 runs on ${cores} cores`);
  assert.deepEqual(pageErrorsOf(page), []);
  assertUnderLab();
  await page.context().close();
});

test('under /lab/: a task=haxby sweep: each sweep worker fetches the recording and gives the CLI hash', async () => {
  const page = await newPage(browser);
  const fetched = [];
  page.context().on('request', (r) => /haxby2001\.[0-9a-f]{10}\.npz$/.test(r.url()) && fetched.push(r.url()));
  await page.goto(`${lab}#${HAXBY_SWEEP}`);
  await waitFor(page, 'body[data-sweep="done"]', 120000);
  const summary = JSON.parse(cli('sweep', HAXBY_SWEEP).trim().split('\n').pop());
  assert.equal(await page.locator('#hash').textContent(), summary.hash);
  assert.ok(fetched.length >= 1, 'the recording was fetched');
  assert.ok(fetched.every((u) => u.startsWith(`${lab}www/data/`)), fetched.join(' '));
  assert.deepEqual(pageErrorsOf(page), []);
  assertUnderLab();
  await page.context().close();
});

test('under /lab/: "Your data" analyses the example file, to the hash of neurogeom analyze', async () => {
  const page = await newPage(browser, { acceptDownloads: true });
  await page.goto(`${lab}yourdata.html`);
  await waitFor(page, 'body[data-state="ready"][data-worker="ready"]', 30000);
  await page.click('#use-example');
  await waitFor(page, 'body[data-state="done"]', 60000);
  const hash = (await page.textContent('#hash')).trim();
  const download = page.waitForEvent('download');
  await page.click('#download-example');
  const saved = join(mkdtempSync(join(tmpdir(), 'dist-')), (await download).suggestedFilename());
  await (await download).saveAs(saved);
  assert.equal(hash, JSON.parse(cli('analyze', saved, '--json')).hash);
  assert.deepEqual(pageErrorsOf(page), []);
  assertUnderLab();
  await page.context().close();
});

test('a build made with --base-url: "Copy link" gives the public address, on both pages', async () => {
  host.mount('/lab/', NEXT);
  try {
    const page = await newPage(browser);
    await page.goto(`${lab}#${SMALL}`);
    await settled(page);
    await page.click('#copy-link');
    const fragment = new URL(page.url()).hash; // the canonical fragment of SMALL
    assert.match(fragment, /^#v=1&lab=lazy-rich&seed=3&/);
    assert.equal(await page.locator('#share-link').inputValue(), `${PUBLIC}${fragment}`);
    await page.goto(`${lab}yourdata.html#v=1&seed=2`);
    await waitFor(page, 'body[data-state="ready"]', 30000);
    assert.ok((await page.locator('#share-link').inputValue()).startsWith(`${PUBLIC}yourdata.html#`));
    await page.context().close();
  } finally {
    host.mount('/lab/', DIST);
  }
});

/** The build id in the page's <meta>. */
const buildOf = (page) => page.evaluate(() => document.querySelector('meta[name="neurogeom-build"]').content);
/** This scope's caches. */
const cachesOf = (page) => page.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith('neurogeom ')));

test('offline: after a first visit both pages load and run with the network off; a new deploy replaces the cache on the next visit', async () => {
  const page = await newPage(browser);
  await page.goto(`${lab}#${SMALL}`);
  await settled(page);
  // The service worker has taken the page and kept the build.
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30000 });
  const first = await buildOf(page);
  assert.deepEqual(await cachesOf(page), [`neurogeom ${lab} ${first}`]);

  // The network off: the browser offline, the host down.
  await page.context().setOffline(true);
  await host.stop();
  try {
    await page.goto(`${lab}#${SMALL_OFFLINE}`);
    await page.reload();
    assert.equal(await settled(page), cliHash(SMALL_OFFLINE), 'a run, offline');
    await page.goto(`${lab}#${HAXBY}`);
    await page.reload();
    assert.equal(await settled(page), cliHash(HAXBY), 'task=haxby, offline: its file from the cache');
    await page.goto(`${lab}#${DIGITS}`);
    await page.reload();
    assert.equal(await settled(page), cliHash(DIGITS), 'task=digits, offline: the digits from the cache');
    await page.goto(`${lab}#${SWEEP}`);
    await page.reload();
    await waitFor(page, 'body[data-sweep="done"]', 120000);
    await page.goto(`${lab}yourdata.html`);
    await waitFor(page, 'body[data-state="ready"][data-worker="ready"]', 30000);
    await page.click('#use-example');
    await waitFor(page, 'body[data-state="done"]', 60000);
    assert.match(await page.textContent('#hash'), /^[0-9a-f]{16}$/, '"Your data", offline');
    await screenshot(page, 'dist-offline-yourdata');
  } finally {
    await host.start();
    await page.context().setOffline(false);
  }

  // A new deploy: the next visit shows it, and its service worker replaces
  // the cached build. Its pages written within the same second as the old
  // ones, as a quick redeploy makes them: Last-Modified cannot tell them
  // apart, the content's ETag must.
  for (const p of ['index.html', 'yourdata.html']) {
    const { atime, mtime } = statSync(join(DIST, p));
    utimesSync(join(NEXT, p), atime, mtime);
  }
  host.mount('/lab/', NEXT);
  try {
    await page.goto(`${lab}#${SMALL}`);
    const next = await buildOf(page);
    assert.notEqual(next, first, 'the new deploy is shown on the next visit');
    await settled(page);
    const want = [`neurogeom ${lab} ${next}`];
    for (let i = 0; i < 120 && JSON.stringify(await cachesOf(page)) !== JSON.stringify(want); i++) await page.waitForTimeout(250);
    assert.deepEqual(await cachesOf(page), want, 'the new build replaced the cached one');
    await page.context().setOffline(true);
    await host.stop();
    try {
      await page.reload();
      assert.equal(await buildOf(page), next, 'offline, the new build is what loads');
      assert.equal(await settled(page), cliHash(SMALL));
    } finally {
      await host.start();
      await page.context().setOffline(false);
    }
  } finally {
    host.mount('/lab/', DIST);
  }
  assert.deepEqual(pageErrorsOf(page), []);
  await page.context().close();
});

test('each release under its own path: the copy runs on its own, and a link made with an older release offers that release\'s copy when the host keeps it', async () => {
  const release = JSON.parse(readFileSync(join(DIST, '.neurogeom-dist.json'), 'utf8')).release;
  assert.match(release, /^\d+\.\d+\.\d+$/);
  for (const f of ['index.html', 'yourdata.html', 'sw.js']) {
    assert.equal(readFileSync(join(DIST, `v${release}`, f), 'utf8'), readFileSync(join(DIST, f), 'utf8'), `v${release}/${f} is the root's`);
  }
  // A host whose root also keeps an older release (its page stands for it).
  const older = mkdtempSync(join(tmpdir(), 'older-'));
  writeFileSync(join(older, 'index.html'), '<!doctype html><title>NeuroGeom 0.1.9</title>');
  const site = await staticServer({ '/site/v0.1.9/': older, '/site/': DIST });
  const root = `${site.origin}/site/`;
  const copyRoot = `${root}v${release}/`;
  const link = `${SMALL}&ng=0.1.9%2Babc1234`;
  try {
    const page = await newPage(browser);
    const hashes = [];
    // From the latest build and from this release's copy: the same offer.
    for (const start of [root, copyRoot]) {
      await page.goto(`${start}#${link}`);
      hashes.push(await settled(page));
      await waitFor(page, 'body[data-release-copy]');
      assert.equal(await page.locator('body').getAttribute('data-release-copy'), 'offered', start);
      const a = page.locator('.msg[data-group="version"] .msg-copy a');
      assert.equal(await a.textContent(), 'Open it on NeuroGeom 0.1.9');
      assert.equal(await a.getAttribute('href'), `${root}v0.1.9/#${link}`, start);
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30000 });
    }
    assert.equal(hashes[0], hashes[1], 'the copy runs to the same hash');
    await screenshot(page, 'dist-release-copy-offer');
    // Two service workers, one per copy, each with its own cache.
    const build = await buildOf(page);
    const want = [`neurogeom ${copyRoot} ${build}`, `neurogeom ${root} ${build}`].sort();
    for (let i = 0; i < 120 && JSON.stringify((await cachesOf(page)).sort()) !== JSON.stringify(want); i++) await page.waitForTimeout(250);
    assert.deepEqual((await cachesOf(page)).sort(), want, 'the root and the copy keep apart caches');
    await page.waitForFunction((sw) => navigator.serviceWorker.controller?.scriptURL === sw, `${copyRoot}sw.js`, { timeout: 30000 });
    // The offer leads to that release's copy.
    await page.click('.msg[data-group="version"] .msg-copy a');
    await page.waitForURL(`${root}v0.1.9/#${link}`);
    assert.equal(await page.title(), 'NeuroGeom 0.1.9');

    // No copy of 0.1.8 on this host: nothing more is said.
    await page.goto(`${root}#${SMALL}&ng=0.1.8%2Bdef5678`);
    await settled(page);
    await waitFor(page, 'body[data-release-copy]');
    assert.equal(await page.locator('body').getAttribute('data-release-copy'), 'none');
    assert.match(await page.locator('#version-note').textContent(), /^made with NeuroGeom 0\.1\.8\+def5678; this is /);
    assert.equal(await page.locator('.msg-copy').count(), 0);
    assert.ok(site.requests.includes('/site/v0.1.8/index.html'), 'the page asked the host');
    assert.deepEqual(pageErrorsOf(page), []);
    await page.context().close();
  } finally {
    await site.close();
  }
});
