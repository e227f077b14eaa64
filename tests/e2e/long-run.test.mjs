// The long-run check (www/long-run.js): a run pauses and asks before going
// on only when it would take more than two minutes here. The estimate skips
// the first step (one-off work: the feedback lab's mean-field theory once
// made its 2-second default ask about "3 min") and weighs the steps by the
// lab's cost model (WasmLab.work()). In real Chromium: no preset of any lab,
// nor any lab's default, asks; a genuinely long run still does.
//
// Run with `cargo xtask test` (sets BASE_URL, CHROMIUM_PATH, NEUROGEOM_CLI, E2E_OUT).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { launch, newPage, baseUrl, pageErrorsOf, outDir } from './browser.mjs';
import { RunClock, LONG_MS, MEASURE_MS, SETTLED_MS } from '../../www/long-run.js';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('the estimate leaves out the first step and weighs steps by the cost model', () => {
  // A first step of 3 s (one-off work), then 100 steps of 10 ms: a run of
  // 1000 steps takes 3 s + 10 s, not 1000 × 3 s.
  const clock = new RunClock();
  const work = (done) => ({ done, total: 1000 });
  clock.add(3000, 0, work(0), work(1));
  assert.equal(clock.estimate(), null, 'nothing timed after the first step yet');
  assert.equal(clock.tooLong(), null);
  for (let s = 1; s < 40; s++) clock.add(10, s, work(s), work(s + 1));
  assert.ok(clock.timedMs >= MEASURE_MS);
  assert.ok(Math.abs(clock.estimate() - (3000 + 390 + 10 * 960)) < 1e-6, String(clock.estimate()));
  assert.equal(clock.tooLong(), null);
  assert.ok(Math.abs(clock.left() - 9600) < 1e-6);

  // Work, not steps: 10 early steps that each record (10 units of work)
  // and take 100 ms, of a run of 10 000 one-unit steps and 100 records.
  const weighted = new RunClock();
  const total = 10000 + 100 * 10;
  let done = 0;
  weighted.add(5, 0, { done, total }, { done: (done += 11), total });
  for (let s = 1; s < 6; s++) weighted.add(100, s, { done, total }, { done: (done += 11), total });
  // 500 ms for 55 units: 9.1 ms a unit, so about 100 s in all; counted by
  // steps (100 ms a step) it would have been 1000 s.
  const estimate = weighted.estimate();
  assert.ok(estimate > 90000 && estimate < 110000, String(estimate));
  assert.equal(weighted.tooLong(), null);

  // Genuinely long: 300 ms a step after the first, 1000 steps.
  const long = new RunClock();
  long.add(300, 0, { done: 0, total: 1000 }, { done: 1, total: 1000 });
  long.add(600, 1, { done: 1, total: 1000 }, { done: 3, total: 1000 });
  assert.ok(long.tooLong() > LONG_MS);
  // ... but no more asking once SETTLED_MS of it were timed.
  long.add(SETTLED_MS, 3, { done: 3, total: 1000 }, { done: 40, total: 1000 });
  assert.ok(long.settled());
  assert.equal(long.tooLong(), null);
});

/** Every lab's default and every preset that is a single run (a sweep
 * preset runs in the sweep pool, which has no such check), from the core's
 * own catalogue. */
async function everyRun(page) {
  return page.evaluate(async () => {
    const core = await import('./www/pkg/neurogeom.js');
    const out = [];
    for (const spec of JSON.parse(core.catalog_json())) {
      out.push({ lab: spec.name, title: '(default)', fragment: `v=1&lab=${spec.name}` });
      for (const p of spec.presets) if (!/[&]sweep=/.test(p.fragment)) out.push({ lab: spec.name, title: p.title, fragment: p.fragment });
    }
    return out;
  });
}

test('no preset of any lab, and no lab’s default, asks before running', async () => {
  const page = await newPage(browser);
  await page.goto(baseUrl());
  await page.waitForSelector('body[data-state="done"]', { timeout: 120000 });
  const runs = await everyRun(page);
  assert.ok(runs.length >= 30, `${runs.length} runs`);
  const rows = [];
  for (const run of runs) {
    const t0 = Date.now();
    // As a click on a preset does: the fragment changes, the page loads it
    // (its hashchange handler has run when this listener, added after it, does).
    await page.evaluate(
      (f) =>
        new Promise((resolve) => {
          window.addEventListener('hashchange', () => resolve(), { once: true });
          location.hash = f;
        }),
      run.fragment,
    );
    // The check is over when the run is done, or once the worker has timed
    // SETTLED_MS of work (after that it never asks).
    await page.waitForFunction(
      () => document.body.dataset.longRun !== undefined || document.body.dataset.state === 'error' || (document.body.dataset.state === 'done' && document.body.dataset.drawn === document.getElementById('hash').textContent) || 'estimateSettled' in document.body.dataset,
      null,
      { timeout: 240000 },
    );
    const seen = await page.evaluate(() => ({
      state: document.body.dataset.state,
      longRun: document.body.dataset.longRun,
      estimate: Number(document.body.dataset.estimate || NaN),
      step: document.getElementById('step').textContent,
      total: document.getElementById('total').textContent,
      messages: document.getElementById('messages').textContent,
    }));
    rows.push(`${run.lab} / ${run.title}: ${seen.state} at ${seen.step}/${seen.total} after ${((Date.now() - t0) / 1000).toFixed(1)} s, estimate ${(seen.estimate / 1000).toFixed(1)} s`);
    assert.equal(seen.longRun, undefined, `${run.lab} / ${run.title} asked: ${seen.messages}`);
    assert.notEqual(seen.state, 'error', `${run.lab} / ${run.title}: ${seen.messages}`);
    assert.ok(!seen.messages.includes('would take'), `${run.lab} / ${run.title}: ${seen.messages}`);
  }
  console.log(`# long-run estimates (${execFileSync('uptime', { encoding: 'utf8' }).trim()}):\n# ${rows.join('\n# ')}`);
  assert.deepEqual(pageErrorsOf(page), []);
  await page.context().close();
});

test('a genuinely long feedback run (N = 2000, RK4, 64 trajectories of 20 000 steps) still asks, in its own units', async () => {
  const page = await newPage(browser);
  await page.goto(`${baseUrl()}#v=1&lab=feedback&seed=1&n=2000&method=rk4&steps=20000&inits=64`);
  await page.waitForSelector('body[data-long-run]', { timeout: 120000 });
  await page.waitForSelector('body[data-state="paused"]');
  const estimate = Number(await page.evaluate(() => document.body.dataset.longRun));
  assert.ok(estimate > LONG_MS, `estimate ${estimate} ms`);
  const said = await page.locator('#messages').textContent();
  assert.match(said, /This run would take about [\d.]+ (min|h) here \(25\d\d\d units, [\d.]+ (ms|s) each on average, timed on the units after the first\)/, said);
  assert.equal(await page.locator('#counter-unit').textContent(), 'unit');
  await page.screenshot({ path: join(outDir(), 'long-run-feedback-1400x900.png') });
  assert.deepEqual(pageErrorsOf(page), []);
  await page.context().close();
});
