// Shared by the wasm benchmarks in Node: command-line options and loading
// the web-target bindings (`neurogeom.js` + `neurogeom_bg.wasm`, made by
// `cargo xtask build`) with initSync, so no fetch is needed.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** `--key value` pairs over `defaults` (numbers stay numbers); exit 2 on an unknown key. */
export function parseOptions(defaults, argv = process.argv.slice(2)) {
  const opts = { ...defaults };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in opts) || argv[i + 1] === undefined) {
      console.error(`unknown or incomplete option ${argv[i]}`);
      process.exit(2);
    }
    opts[key] = typeof opts[key] === 'number' ? Number(argv[i + 1]) : argv[i + 1];
  }
  return opts;
}

/** The initialised bindings in `pkgDir`; exit 1 if `needed` is not exported (a stale build). */
export async function loadWasm(pkgDir, needed) {
  const pkg = resolve(pkgDir);
  const glue = await import(pathToFileURL(join(pkg, 'neurogeom.js')).href);
  glue.initSync({ module: readFileSync(join(pkg, 'neurogeom_bg.wasm')) });
  if (typeof glue[needed] !== 'function') {
    console.error(`${pkg}/neurogeom.js has no ${needed}: rebuild with \`cargo xtask build\``);
    process.exit(1);
  }
  return glue;
}
