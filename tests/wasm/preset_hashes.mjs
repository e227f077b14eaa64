// The result hash of every preset of every registered lab, computed by the
// wasm build in Node: the same path as the page's worker (parse the preset's
// link, build a WasmLab, step it to its end, hash the final snapshot).
//
//   node tests/wasm/preset_hashes.mjs [--pkg www/pkg] [--data www/data] [--chunk 997] [--only FRAGMENT_SUBSTRING]
//
// The presets come from the wasm module's own registry (catalog_json()), so a
// lab added to src/labs/mod.rs is picked up with no edit here. Prints one JSON
// line per preset, {lab, title, fragment, hash, stopped, seconds}, then a
// summary line {presets, seconds}. `cargo xtask test` compares these hashes
// with the native CLI's (xtask/src/test.rs). Exit status 1 if the module
// cannot be loaded or a preset cannot be built or run.
//
// The chunk size (steps per WasmLab.step call) is odd on purpose, so that the
// chunks straddle every recording step: step(a); step(b) must equal
// step(a + b), and a different chunking than the CLI's checks that too.
//
// Data sets the wasm does not carry (task=haxby: www/data/haxby2001.npz,
// task=digits: www/data/digits.csv.gz) are read from --data and provided as
// the page's workers do (www/datasets.js), before the lab is built.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const opts = { pkg: 'www/pkg', data: 'www/data', chunk: '997', only: '' };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const key = argv[i].replace(/^--/, '');
  if (!(key in opts) || argv[i + 1] === undefined) {
    console.error(`unknown or incomplete option ${argv[i]}`);
    process.exit(2);
  }
  opts[key] = argv[i + 1];
}
const chunk = Math.max(1, Number(opts.chunk) | 0);
/** Each data set's file in --data, by the name the core knows it by (as in
 * www/datasets.js). */
const DATA_FILES = { haxby2001: 'haxby2001.npz', digits: 'digits.csv.gz' };

const pkg = resolve(opts.pkg);
let glue;
try {
  glue = await import(pathToFileURL(join(pkg, 'neurogeom.js')).href);
  glue.initSync({ module: readFileSync(join(pkg, 'neurogeom_bg.wasm')) });
} catch (e) {
  console.error(`could not load the wasm package in ${pkg} (build it with \`cargo xtask build\`): ${e}`);
  process.exit(1);
}

/** Before a data set is provided, the lab is refused with a message that
 * says what is missing, and a corrupted copy is refused by its SHA-256
 * (what the page relies on: never a panic, never a silent wrong file). */
function refusedWithout(config, name, bytes) {
  const refused = (f, needle, what) => {
    try {
      f();
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) throw new Error(`${what}: a panic, not a message`);
      if (!String(e.message).includes(needle)) throw new Error(`${what}: "${e.message}" does not say "${needle}"`);
      return;
    }
    throw new Error(`${what}: accepted`);
  };
  refused(() => new glue.WasmLab(config), 'reload the page', `a lab without ${name}`);
  const bad = Uint8Array.from(bytes);
  bad[bad.length >> 1] ^= 1;
  refused(() => glue.provide_dataset(name, bad), 'is not the recorded one', `a corrupted ${name}`);
  refused(() => glue.provide_dataset('no-such-set', bytes), 'unknown data set', 'an unknown data set');
}

const started = performance.now();
let count = 0;
let failed = false;
for (const spec of JSON.parse(glue.catalog_json())) {
  for (const preset of spec.presets) {
    if (opts.only && !preset.fragment.includes(opts.only)) continue;
    const t = performance.now();
    const line = { lab: spec.name, title: preset.title, fragment: preset.fragment };
    try {
      const parsed = JSON.parse(glue.parse_link(preset.fragment));
      if (parsed.warnings && parsed.warnings.length) {
        line.warnings = parsed.warnings;
      }
      const config = JSON.stringify(parsed.config);
      for (const name of JSON.parse(glue.datasets_needed(config))) {
        const bytes = readFileSync(join(resolve(opts.data), DATA_FILES[name] ?? `${name}.npz`));
        refusedWithout(config, name, bytes);
        glue.provide_dataset(name, bytes);
      }
      const lab = new glue.WasmLab(config);
      while (!lab.is_done()) {
        try {
          lab.step(chunk);
        } catch (e) {
          // Divergence: the lab stops and its snapshot says why (`stopped`).
          if (!lab.is_done()) throw e;
        }
      }
      const snap = JSON.parse(lab.snapshot_json());
      lab.free();
      if (snap.error) throw new Error(snap.error);
      line.hash = snap.hash;
      line.stopped = snap.stopped ?? null;
    } catch (e) {
      line.error = String(e && e.message ? e.message : e);
      failed = true;
    }
    line.seconds = Number(((performance.now() - t) / 1000).toFixed(3));
    console.log(JSON.stringify(line));
    count += 1;
  }
}
console.log(JSON.stringify({ presets: count, seconds: Number(((performance.now() - started) / 1000).toFixed(3)) }));
process.exit(failed ? 1 : 0);
