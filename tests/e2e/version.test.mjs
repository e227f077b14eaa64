// The version in the page (issue: results that can be cited): beside the
// result hash, at the end of the link (`ng=`), in every export (JSON, CSV's
// first line, SVG <metadata>); a link made with another version runs to the
// same hash and says so beside it, naming the result changes; "How to cite"
// under the lab's text gives the software line and the lab's papers.
//
// Run with `cargo xtask test` (sets BASE_URL, CHROMIUM_PATH, NEUROGEOM_CLI, E2E_OUT).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { launch, newPage, baseUrl, foreignRequests, pageErrorsOf, outDir } from './browser.mjs';

const SMALL = 'v=1&lab=lazy-rich&seed=3&steps=300&width=32';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** The CLI's version: the page must report the same. */
function cliVersion() {
  const out = execFileSync(process.env.NEUROGEOM_CLI, ['--version'], { encoding: 'utf8' });
  return out.trim().replace(/^neurogeom /, '');
}

function cliHash(fragment) {
  return JSON.parse(execFileSync(process.env.NEUROGEOM_CLI, ['run', fragment, '--json'], { encoding: 'utf8' })).hash;
}

async function openAndFinish(fragment, options = {}) {
  const page = await newPage(browser, options);
  await page.goto(`${baseUrl()}#${fragment}`);
  await page.waitForSelector('body[data-state="done"]', { timeout: 60000 });
  return page;
}

const text = (page, sel) => page.locator(sel).textContent();

test('the version is beside the hash, in the link, and in every export', async () => {
  const version = cliVersion();
  const page = await openAndFinish(SMALL, { acceptDownloads: true });
  const hash = await text(page, '#hash');
  assert.equal(hash, cliHash(SMALL));
  assert.equal(await text(page, '#version'), `NeuroGeom ${version}`);
  assert.ok(await page.locator('#version').isVisible());
  assert.ok(await page.locator('#version-note').isHidden());
  // The address bar and "Copy link" end with ng=<version>, and the CLI
  // runs that link to the same hash with no note.
  const link = await page.evaluate(() => location.href);
  assert.ok(link.endsWith(`&ng=${version}`), link);
  assert.equal(await page.locator('#share-link').inputValue(), link);
  const cli = JSON.parse(execFileSync(process.env.NEUROGEOM_CLI, ['run', link, '--json'], { encoding: 'utf8' }));
  assert.equal(cli.hash, hash);
  assert.equal(cli.version_note, undefined);

  const saved = async (kind) => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.evaluate((k) => {
        document.getElementById('export').open = true;
        document.querySelector(`[data-export="${k}"]`).click();
      }, kind),
    ]);
    return readFile(await download.path(), 'utf8');
  };
  const json = JSON.parse(await saved('json'));
  assert.equal(json.version, version);
  assert.equal(json.link, link);
  assert.equal(json.snapshot.version, version);
  assert.equal(json.snapshot.hash, hash);
  const csv = await saved('csv');
  const [first, header] = csv.split('\n');
  assert.equal(first, `# NeuroGeom ${version}; link ${link}; result hash ${hash}`);
  assert.equal(header, 'chart,kind,series,x,y,row,col,value,run');
  const svg = await saved('svg');
  const meta = /<metadata id="neurogeom">(.*?)<\/metadata>/s.exec(svg);
  assert.ok(meta, 'the SVG has NeuroGeom metadata');
  const m = JSON.parse(meta[1].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
  assert.deepEqual([m.version, m.link, m.hash], [version, link, hash]);
  assert.deepEqual(pageErrorsOf(page), []);
  assert.deepEqual(foreignRequests(page), []);
  await page.context().close();
});

test('a link made with another version runs to the same hash and says so beside it', async () => {
  const version = cliVersion();
  const hash = cliHash(SMALL);
  // An older release: the note beside the hash, the result changes since in
  // the message area, and (on a host that keeps each release, as a dist
  // build says in a meta tag) the link on that release's own copy.
  const page = await newPage(browser);
  await page.addInitScript(() => {
    document.addEventListener('DOMContentLoaded', () => {
      const meta = document.createElement('meta');
      meta.name = 'neurogeom-dist-root';
      meta.content = './';
      document.head.append(meta);
    });
  });
  await page.goto(`${baseUrl()}#${SMALL}&ng=0.1.0%2Babc1234`);
  await page.waitForSelector('body[data-state="done"]', { timeout: 60000 });
  assert.equal(await text(page, '#hash'), hash, 'the version never enters the hash');
  assert.equal(await text(page, '#version-note'), `made with NeuroGeom 0.1.0+abc1234; this is ${version}`);
  assert.ok(await page.locator('#version-note').isVisible());
  assert.ok(await page.locator('#version').isHidden());
  const box = page.locator('.msg[data-group="version"]');
  assert.match(await box.locator('.msg-title').textContent(), /made with an earlier version/);
  const changes = await box.locator('li').allTextContents();
  const boxText = await box.textContent();
  assert.ok(changes.length > 0 || /lists no change to results/.test(boxText), boxText);
  for (const c of changes) assert.match(c, /^\d+\.\d+\.\d+: /, c);
  const copy = await box.locator('a').getAttribute('href');
  assert.equal(copy, `${baseUrl()}v/0.1.0/#${SMALL}&ng=0.1.0%2Babc1234`);
  // The address bar now names the version that computed what is shown.
  assert.ok((await page.evaluate(() => location.href)).endsWith(`&ng=${version}`));
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.screenshot({ path: join(outDir(), 'version-note-1400x900.png') });
  // Changing a setting makes the run this version's own: the note goes.
  await page.fill('#param-width', '33');
  await page.press('#param-width', 'Enter');
  await page.waitForSelector('body[data-state="done"]', { timeout: 60000 });
  assert.ok(await page.locator('#version-note').isHidden());
  assert.equal(await page.locator('.msg[data-group="version"]').count(), 0);
  await page.context().close();

  // A later release and a malformed ng= say so, and run all the same.
  for (const [ng, note] of [
    ['99.1.0', `made with NeuroGeom 99.1.0, newer than this ${version}`],
    ['not-a-version', "ng='not-a-version' is not a NeuroGeom version"],
  ]) {
    const p = await openAndFinish(`${SMALL}&ng=${ng}`);
    assert.equal(await text(p, '#hash'), hash, ng);
    assert.match(await text(p, '#version-note'), new RegExp(note.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.equal(await p.locator('.msg[data-group="version"]').count(), 1);
    assert.equal(await p.locator('.msg[data-group="link"]').count(), 0, 'not a link problem');
    assert.deepEqual(pageErrorsOf(p), []);
    await p.context().close();
  }
});

test('How to cite, under the lab text, gives the software line and the lab papers', async () => {
  const version = cliVersion();
  const page = await openAndFinish('v=1&lab=capacity&seed=1&task=points&classes=20&samples=5&dim=100&kappa=0.5&analyse=input&n_t=50');
  await page.click('#cite summary');
  const software = await text(page, '#cite-body .cite-software');
  const hash = await text(page, '#hash');
  assert.ok(software.includes(`version ${version}`) && software.includes(hash), software);
  assert.ok(software.includes(`&ng=${version}`), software);
  const papers = await page.locator('#cite-body .cite-papers li').allTextContents();
  assert.ok(papers.some((p) => p.includes('Classification and geometry of general perceptual manifolds') && p.includes('doi:10.1103/PhysRevX.8.031003')), papers.join('\n'));
  assert.ok(papers.some((p) => p.includes('Optical Recognition of Handwritten Digits') && p.includes('CC BY 4.0')), 'the data keep their credit and licence');
  assert.equal(await page.locator('#cite-body a[href="README.md#how-to-cite"]').count(), 1);
  await page.screenshot({ path: join(outDir(), 'cite-1400x900.png') });
  await page.context().close();
});

test('Your data: the version beside the hash and in its link', async () => {
  const version = cliVersion();
  const page = await newPage(browser);
  await page.goto(`${baseUrl()}yourdata.html#v=1&mftma=0&ng=0.1.0`);
  await page.waitForSelector('body[data-state="ready"]');
  assert.equal(await text(page, '#version-note'), `made with NeuroGeom 0.1.0; this is ${version}`);
  await page.click('#kappa');
  await page.fill('#kappa', '0.5');
  await page.press('#kappa', 'Tab');
  await page.waitForFunction(() => new URLSearchParams(location.hash.slice(1)).get('kappa') === '0.5');
  assert.equal(new URLSearchParams((await page.evaluate(() => location.hash)).slice(1)).get('ng'), version);
  assert.equal(await text(page, '#version'), `NeuroGeom ${version}`);
  assert.deepEqual(pageErrorsOf(page), []);
  await page.context().close();
});
