// The generated controls for the parameter kinds that no lab of this
// branch uses yet: `multi` (a subset of options, as checkboxes) and `text`
// (a text field with the parameter's maximum length). The panel is built
// from a made-up parameter list through the page's own module.
//
// Run with `cargo xtask test` (sets BASE_URL, CHROMIUM_PATH, NEUROGEOM_CLI, E2E_OUT).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, baseUrl, pageErrorsOf } from './browser.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('multi parameters get checkboxes and text parameters a bounded text field', async () => {
  const page = await newPage(browser);
  await page.goto(`${baseUrl()}#v=1&lab=lazy-rich&steps=10&width=8`);
  await page.waitForSelector('body[data-state="done"]');
  await page.evaluate(async () => {
    const controls = await import('./www/controls.js');
    const { state } = await import('./www/state.js');
    controls.buildPanel({
      ...state.spec,
      params: [
        { key: 'rules', label: 'Learning rules', type: 'multi', options: ['bp', 'fa', 'dfa'], labels: ['Backprop', 'Feedback alignment', 'Direct FA'], default: 'bp,fa', help: 'Rules trained side by side.', group: 'Rules' },
        { key: 'points', label: 'Points', type: 'text', default: '0.1,0.9;0.4,0.2', max_len: 40, help: 'x,y pairs separated by ;', group: 'Rules' },
      ],
    });
    controls.setControls({ seed: '1', params: { rules: 'fa', points: '<b>1</b>' } });
  });
  const checks = page.locator('#param-rules input[type="checkbox"]');
  assert.equal(await checks.count(), 3);
  assert.deepEqual(await page.locator('#param-rules label').allTextContents(), [' Backprop', ' Feedback alignment', ' Direct FA']);
  assert.deepEqual(await checks.evaluateAll((cs) => cs.map((c) => c.checked)), [false, true, false]);
  // The last ticked option cannot be unticked: an empty set is no value.
  await checks.nth(1).uncheck({ force: true }).catch(() => {});
  assert.equal(await checks.nth(1).isChecked(), true);
  assert.match(await page.locator('.control[data-key="rules"] .help').textContent(), /one or more · default Backprop, Feedback alignment/);
  // The text field: its maximum length, and the value as text, not markup.
  const box = page.locator('#param-points');
  assert.equal(await box.getAttribute('maxlength'), '40');
  assert.equal(await box.inputValue(), '<b>1</b>');
  assert.equal(await page.locator('.control[data-key="points"] b').count(), 0);
  assert.match(await page.locator('.control[data-key="points"] .help').textContent(), /at most 40 characters/);
  assert.deepEqual(pageErrorsOf(page), []);
  await page.context().close();
});
