// The wasm sweep API, driven as the page drives it, against the native CLI:
// the same runs, the same points (through JSON, in reverse order) and the
// same sweep hash as `neurogeom sweep`.
//
//   cargo xtask build && cargo build
//   node tests/wasm/sweep_api.mjs [www/pkg] [target/debug/neurogeom]
//
// Exits non-zero on any mismatch.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';

const pkg = resolve(process.argv[2] || 'www/pkg');
const cli = resolve(process.argv[3] || 'target/debug/neurogeom');
const core = await import(pathToFileURL(join(pkg, 'neurogeom.js')).href);
core.initSync({ module: readFileSync(join(pkg, 'neurogeom_bg.wasm')) });

const fail = (msg) => {
  console.error(`FAIL: ${msg}`);
  process.exit(1);
};
const expectError = (fn, needle) => {
  try {
    fn();
  } catch (e) {
    if (!String(e.message).includes(needle)) fail(`error "${e.message}" does not say "${needle}"`);
    return;
  }
  fail(`no error (expected "${needle}")`);
};

const links = [
  '#v=1&lab=lazy-rich&seed=5&width=8&n_train=16&steps=40&sweep=alpha:0.1,1,10;width:4,8&seeds=2',
  '#v=1&lab=lazy-rich&seed=5&width=8&n_train=16&steps=40&sweep=alpha:log:0.01:1000:5&seeds=3',
  '#v=1&lab=lazy-rich&seed=5&width=8&n_train=16&steps=40&sweep=lr:0.5,10000',
];
for (const link of links) {
  const parsed = JSON.parse(core.parse_link(link));
  if (parsed.warnings.length) fail(`${link}: ${parsed.warnings}`);
  const spec = JSON.stringify(parsed.sweep);
  const base = JSON.stringify(parsed.config);
  const runs = JSON.parse(core.sweep_runs(base, spec));
  const points = runs.map((run) => {
    const lab = new core.WasmLab(JSON.stringify(run.config));
    while (!lab.is_done()) {
      try {
        lab.step(7);
      } catch {
        break; // divergence: the snapshot says why
      }
    }
    const point = lab.sweep_point_at(JSON.stringify(run.coords), run.seed_index);
    lab.free();
    return point;
  });
  points.reverse();
  const snap = JSON.parse(core.sweep_snapshot(spec, base, `[${points.join(',')}]`));
  // Exit status 1 when a run diverged: read the output anyway.
  const out = spawnSync(cli, ['sweep', link], { encoding: 'utf8' }).stdout;
  const summary = JSON.parse(out.trim().split('\n').pop());
  if (snap.hash !== summary.hash) fail(`${link}: wasm ${snap.hash} ≠ native ${summary.hash}`);
  if (!snap.done || snap.step !== runs.length) fail(`${link}: not done`);
  const frag = core.link_fragment(base, spec, 'v=1&lab=lazy-rich&alpha=100');
  const again = JSON.parse(core.parse_link(frag));
  if (JSON.stringify(again.sweep) !== spec || again.pin !== 'v=1&lab=lazy-rich&alpha=100') fail(`link: ${frag}`);
  console.log(`ok ${snap.hash} ${runs.length} runs, charts ${snap.charts.map((c) => c.id).join(' ')}`);
}
expectError(() => core.sweep_spec('alpha:lin:1:2:30;width:lin:2:40:20', 1), '400');
expectError(() => core.sweep_parse('alpha:1,1'), 'twice');
const base = JSON.parse(core.parse_link('#v=1&lab=lazy-rich')).config;
expectError(() => core.sweep_runs(JSON.stringify(base), core.sweep_parse('alpha:0.001,1')), 'outside');
const spec1 = core.sweep_parse('alpha:0.1,1');
expectError(() => core.sweep_snapshot(spec1, JSON.stringify(base), '[{"coords":[0.5],"seed_index":0,"hash":"x","stopped":null,"metrics":[],"finals":[]}]'), 'not a run');
// The earlier page's calls still work: old spec JSON, sweep_configs, sweep_point_json(value), two-argument link_fragment.
const old = '{"key":"alpha","values":[0.1,1],"log":false}';
if (JSON.parse(core.sweep_configs(JSON.stringify(base), old)).length !== 2) fail('sweep_configs');
if (!core.link_fragment(JSON.stringify(base), old).includes('&sweep=alpha:list:0.1,1')) fail('two-argument link_fragment');
console.log('ok errors and the earlier calls');
