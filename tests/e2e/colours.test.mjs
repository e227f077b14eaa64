// One colour per rule on every chart of the credit lab (issue 17 §5), read
// from the SVG the page exports (Export → SVG, one file per chart, drawn by
// the core compiled to wasm): each rule's legend swatch has one colour on
// every chart and in every run, whichever rules run beside it; its control
// series ("bp (control: unused B)") takes its colour; every legend entry has
// a line drawn in its colour; and a series with nothing to draw (backprop's
// control angle from a zero init) has no legend entry. The CKA heatmap's
// ticks are the rule names and its colour bar spans [0, 1].
//
// Run with `cargo xtask test` (sets BASE_URL, CHROMIUM_PATH, NEUROGEOM_CLI, E2E_OUT).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, newPage, baseUrl, pageErrorsOf } from './browser.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const RULES = ['bp', 'fa', 'dfa', 'np', 'wp'];
const isRule = (name) => RULES.includes(name) || name.startsWith('bp (control');

/** The legend entries of one exported chart: [{name, colour, end}], the
 * colour being the last stroke or fill before the name's <text> (its
 * swatch), `end` where the entry's text ends. */
function legendColours(svg) {
  const out = [];
  const re = /<text[^>]*>\s*([^<]*?)\s*<\/text>/g;
  let m;
  while ((m = re.exec(svg))) {
    const name = m[1];
    if (!isRule(name)) continue;
    const before = svg.slice(0, m.index);
    const at = Math.max(before.lastIndexOf('stroke="#'), before.lastIndexOf('fill="#'));
    const colour = before.slice(at).match(/="#([0-9A-Fa-f]{6})"/)[1];
    out.push({ name, colour, end: re.lastIndex });
  }
  return out;
}

/** Open a link, run it to its end, export every chart as SVG; the files'
 * texts by chart id. */
async function exportedSvgs(link) {
  const page = await newPage(browser);
  await page.goto(`${baseUrl()}#${link}`);
  await page.waitForSelector('body[data-state="done"]', { timeout: 180000 });
  const files = new Map();
  const downloads = [];
  page.on('download', (d) => downloads.push(d));
  await page.click('#export > summary');
  await page.click('[data-export="svg"]');
  // One file per chart: wait until no more arrive.
  let seen = -1;
  for (let i = 0; i < 50 && (downloads.length === 0 || downloads.length !== seen); i++) {
    seen = downloads.length;
    await page.waitForTimeout(300);
  }
  assert.ok(downloads.length > 3, `${downloads.length} SVG files`);
  for (const d of downloads) {
    const id = d.suggestedFilename().replace(/^.*-step\d+-/, '').replace(/\.svg$/, '');
    files.set(id, readFileSync(await d.path(), 'utf8'));
  }
  assert.deepEqual(pageErrorsOf(page), []);
  await page.context().close();
  return files;
}

test('a rule has one colour on every chart and in every run, as the page exports them', async () => {
  const runs = [
    'v=1&lab=credit&seed=1&task=linear&rules=bp,fa,dfa,np&lr=0.001&perturb_lr=0.05&steps=300',
    'v=1&lab=credit&seed=1&task=linear&rules=fa,np&lr=0.001&perturb_lr=0.05&steps=300',
    'v=1&lab=credit&seed=1&task=teacher&rules=bp,dfa&init_scale=0&lr=0.05&batch=10&steps=300',
  ];
  const colours = new Map(); // rule → Set of colours
  for (const link of runs) {
    const files = await exportedSvgs(link);
    assert.ok(files.has('angle_update') && files.has('nse'), [...files.keys()].join(', '));
    for (const [id, svg] of files) {
      if (id === 'cka') continue; // a heatmap: its rule names are tick labels, not a legend
      const legend = legendColours(svg);
      // The header (title, legend) is drawn first: the plot follows it.
      const plot = svg.slice(Math.max(0, ...legend.map((e) => e.end)));
      for (const { name, colour } of legend) {
        assert.ok(plot.includes(`"#${colour}"`), `${link} / ${id}: '${name}' is in the legend but not drawn`);
        const rule = name.split(' (')[0];
        if (!colours.has(rule)) colours.set(rule, new Set());
        colours.get(rule).add(colour);
      }
      if (link.includes('init_scale=0') && id.startsWith('angle_')) {
        assert.ok(!svg.includes('bp (control'), `${id}: bp's control has nothing to draw, so no legend entry`);
      }
    }
    if (link.includes('init_scale=0')) {
      const cka = files.get('cka');
      for (const tick of ['bp', 'dfa', '0.0', '1.0']) assert.ok(cka.includes(`>\n${tick}\n</text>`), `CKA tick ${tick}`);
      assert.ok(cka.includes('all zeros'), 'the CKA chart says why bp is NaN');
    }
  }
  assert.deepEqual([...colours.keys()].sort(), ['bp', 'dfa', 'fa', 'np']);
  const all = [];
  for (const [rule, set] of colours) {
    assert.equal(set.size, 1, `${rule} is drawn in ${[...set].join(', ')}`);
    all.push(...set);
  }
  assert.equal(new Set(all).size, all.length, `two rules share a colour: ${all.join(', ')}`);
});
