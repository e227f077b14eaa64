// Embedded charts: a link with `&embed=CHART[,CHART…]` in an <iframe> of a
// page on another origin (a host page served by this test) draws only those
// charts, with play / replay, the result hash (the CLI's) and a link that
// opens the run in the full page; "Embed" gives the <iframe> for the current
// run; an unknown chart is named with the lab's charts.
//
// Run with `cargo xtask test` (sets BASE_URL, CHROMIUM_PATH, NEUROGEOM_CLI, E2E_OUT).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { launch, newPage, baseUrl, pageErrorsOf, screenshot } from './browser.mjs';
import { watchViolations, violationsOf } from './policy.mjs';

const SMALL = 'v=1&lab=lazy-rich&seed=3&steps=300&width=32';

let browser;
let host; // another origin, serving the page that embeds ours
let hostPage = '';
before(async () => {
  browser = await launch();
  host = http.createServer((req, res) => res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(hostPage));
  await new Promise((r) => host.listen(0, '127.0.0.1', r));
});
after(async () => {
  await browser?.close();
  host?.closeAllConnections();
  await new Promise((r) => host?.close(r));
});

const hostUrl = () => `http://127.0.0.1:${host.address().port}/post.html`;
const cliHash = (fragment) => JSON.parse(execFileSync(process.env.NEUROGEOM_CLI, ['run', fragment, '--json'], { encoding: 'utf8' })).hash;

async function settled(frame) {
  await frame.waitForSelector('body[data-state="done"]', { timeout: 90000 });
  await frame.waitForFunction(() => {
    const hash = document.getElementById('hash').textContent;
    return /^[0-9a-f]{16}$/.test(hash) && document.body.dataset.drawn === hash;
  });
  return frame.locator('#hash').textContent();
}

/** Visible chart canvases and their non-white pixels. */
function canvases(frame) {
  return frame.evaluate(() =>
    [...document.querySelectorAll('canvas[id^="chart-"]')]
      .filter((c) => c.getBoundingClientRect().width > 0)
      .map((c) => {
        const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
        let ink = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i] < 250 || data[i + 1] < 250 || data[i + 2] < 250) ink++;
        return { id: c.id, ink, total: c.width * c.height };
      }),
  );
}

const visible = (frame, selector) => frame.locator(selector).first().isVisible();

test('"Embed" gives an <iframe> for the run; in a host page on another origin it draws only its chart, with play, the hash and a link to the full page', async () => {
  const page = await newPage(browser, { permissions: ['clipboard-read', 'clipboard-write'] });
  await page.goto(`${baseUrl()}#${SMALL}`);
  const hash = await settled(page.mainFrame());
  await page.click('#export summary');
  await page.click('#embed-copy');
  const snippet = await page.locator('#share-link').inputValue();
  const canonical = new URL(page.url()).hash.slice(1);
  assert.match(snippet, /^<iframe src="[^"]+" title="NeuroGeom: [^"]+" width="\d+" height="\d+"/);
  const src = snippet.match(/src="([^"]+)"/)[1].replace(/&amp;/g, '&');
  assert.equal(src, `${baseUrl()}#${canonical}&embed=loss`, 'the run\'s link, with its first chart');
  await page.context().close();

  hostPage = `<!doctype html><title>A blog post</title><h1>A post</h1><p>The run:</p>\n${snippet}\n<p>The end.</p>`;
  const reader = await newPage(browser);
  await watchViolations(reader);
  await reader.goto(hostUrl());
  const frame = await (await reader.waitForSelector('iframe')).contentFrame();
  await frame.waitForURL((u) => u.href.startsWith(baseUrl()));
  assert.equal(await settled(frame), hash, 'the embedded run gives the same hash');
  assert.equal(hash, cliHash(src), 'and the CLI gives it for the embed link');

  const shown = await canvases(frame);
  assert.deepEqual(shown.map((c) => c.id), ['chart-loss'], 'only the embedded chart');
  assert.ok(shown[0].ink > 0.02 * shown[0].total, `the chart drew: ${shown[0].ink} of ${shown[0].total}`);
  assert.ok(await visible(frame, '#play'), 'play / replay');
  assert.match(await frame.locator('#play').textContent(), /Run again/);
  assert.ok(await visible(frame, '#hash'));
  for (const hidden of ['#lab', '#copy-link', '#export', '#panel', '#metrics', '#step-once', '#reset', '#pin', '#your-data']) {
    assert.equal(await visible(frame, hidden), false, `${hidden} is not shown`);
  }
  const open = frame.locator('#embed-open');
  assert.ok(await open.isVisible());
  assert.equal(await open.getAttribute('href'), `${baseUrl()}#${canonical}`, 'opens the run, not embedded');
  assert.equal(await open.getAttribute('target'), '_blank');
  // The link of the embedded page keeps its embed= (a reload stays embedded).
  assert.ok(frame.url().endsWith('&embed=loss'), frame.url());

  // Replay: the run again, to the same hash.
  await frame.click('#play');
  assert.equal(await settled(frame), hash);
  const v = await violationsOf(reader);
  assert.deepEqual(v.log, [], 'no policy violation in the frame');
  assert.deepEqual(pageErrorsOf(reader), []);
  await screenshot(reader, 'embed-host-page');
  await reader.context().close();
});

test('an embed link shows several charts in its order; an unknown one is named with the lab\'s charts', async () => {
  const page = await newPage(browser);
  await page.goto(`${baseUrl()}#${SMALL}&embed=cka,loss`);
  const hash = await settled(page.mainFrame());
  assert.equal(hash, cliHash(SMALL));
  assert.deepEqual((await canvases(page.mainFrame())).map((c) => c.id), ['chart-cka', 'chart-loss']);
  await page.context().close();

  const bad = await newPage(browser);
  await bad.goto(`${baseUrl()}#${SMALL}&embed=loss,lossy`);
  await settled(bad.mainFrame());
  await bad.waitForFunction(() => /lossy/.test(document.getElementById('messages').textContent));
  const message = await bad.locator('#messages').textContent();
  assert.match(message, /no chart “lossy”/);
  for (const id of ['loss', 'weight-change', 'cka']) assert.ok(message.includes(id), `names ${id}: ${message}`);
  assert.ok(await visible(bad, '#messages'), 'the message shows in the embedded view');
  assert.deepEqual((await canvases(bad.mainFrame())).map((c) => c.id), ['chart-loss'], 'the known one is drawn');
  await bad.context().close();
});
