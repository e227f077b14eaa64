// Module workers that the page's Content-Security-Policy binds.
//
// A worker loaded from its own URL takes its policy from the HTTP headers of
// its script, and a static host sends none: the page's <meta> policy would
// not reach it. A worker started from a blob: URL inherits the policy of the
// page (or worker) that starts it (HTML's "policy container" of a local
// URL). So every worker starts from a one-line blob: module that imports the
// real script by its URL; the script, its imports and the wasm load from the
// host as before, and inside the worker fetch, WebSocket and nested workers
// obey the page's policy. The policy allows blob: for workers only.
//
// Used by the page (run-client, pin, sweep-pool, yourdata) and by worker.js
// (a split run's part workers), so nested workers are bound too. Each
// worker gets the compiled core in its first message (core-module.js).

import { shareCore } from './core-module.js';

const bootstraps = new Map(); // script URL -> the blob: URL importing it

/** A module worker running `url` (a URL or string, absolute or relative to this module). */
export function moduleWorker(url) {
  const href = new URL(url, import.meta.url).href;
  let boot = bootstraps.get(href);
  if (!boot) {
    boot = URL.createObjectURL(new Blob([`import ${JSON.stringify(href)};\n`], { type: 'text/javascript' }));
    bootstraps.set(href, boot); // a few bytes per script, kept for the page's life
  }
  const worker = new Worker(boot, { type: 'module' });
  shareCore(worker);
  return worker;
}
