// The modularity lab's recurrent models in real Chromium: each model's link
// (shortened to a few hundred steps) runs in the page's worker to the CLI's
// result hash, and its charts draw: the Lissajous support with its hull and
// ellipse, the heat map of each neuron's spectral shares, the teacher's
// states, the NCMI heat maps. The point editor belongs to the autoencoders'
// source scatter and stays off these charts.
//
// Run with `cargo xtask test` (sets BASE_URL, CHROMIUM_PATH, NEUROGEOM_CLI, E2E_OUT).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { launch, newPage, baseUrl, foreignRequests, pageErrorsOf, screenshot } from './browser.mjs';

const MODELS = [
  {
    name: 'rnn_freq',
    link: 'v=1&lab=modularity&seed=1&model=rnn_freq&freqs=harmonic&lr=0.00075&steps=400',
    charts: ['lissajous', 'freq_history', 'freq_shares', 'fit', 'loss'],
  },
  {
    name: 'rnn_teacher',
    link: 'v=1&lab=modularity&seed=1&model=rnn_teacher&dist=band&leg=0.7&hidden=16&batch=8&steps=200',
    charts: ['teacher_states', 'ncmi_history', 'tuning', 'ncmi', 'loss'],
  },
  {
    name: 'rnn_grid',
    link: 'v=1&lab=modularity&seed=1&model=rnn_grid&reward_fixed=1&hidden=16&rooms=4&walk=10&steps=200',
    charts: ['ncmi_history', 'ncmi', 'place_reward', 'loss'],
  },
];

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Pixels of a canvas darker than the background, -1 if there is no such canvas. */
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

for (const model of MODELS) {
  test(`${model.name}: runs to the CLI's hash and draws its charts`, async () => {
    const page = await newPage(browser, { viewport: { width: 1400, height: 1300 } });
    await page.goto(`${baseUrl()}#${model.link}`);
    try {
      await page.waitForSelector('body[data-state="done"]', { timeout: 120000 });
    } catch (e) {
      throw new Error(`not done: ${await page.textContent('#messages')}; ${pageErrorsOf(page).join('\n')}`);
    }
    await page.waitForFunction(() => document.body.dataset.drawn === document.getElementById('hash').textContent);
    const hash = (await page.textContent('#hash')).trim();
    const cli = JSON.parse(
      execFileSync(process.env.NEUROGEOM_CLI, ['run', model.link, '--json'], { encoding: 'utf8' }),
    );
    assert.equal(hash, cli.hash, 'page and CLI give the same hash');
    for (const id of model.charts) {
      const inked = await inkedPixels(page, `chart-${id}`);
      assert.ok(inked > 2000, `${id} drew (${inked} inked pixels)`);
    }
    assert.equal(await page.locator('button', { hasText: 'Clear points' }).count(), 0, 'no point editor');
    await screenshot(page, `modularity-${model.name}`);
    assert.deepEqual(pageErrorsOf(page), []);
    assert.deepEqual(foreignRequests(page), []);
    await page.context().close();
  });
}
