// index.html's first module, loaded `async` beside app.js. It has two small
// imports, so it runs while the page's other modules are still loading, and
// starts what the first chart waits for: the wasm's compile (core-module.js)
// and the run worker (worker.js), which loads its own modules meanwhile,
// instantiates the compiled core and builds the lab of the page's link
// ('prebuild'). run-client.js takes the worker over; its first config, the
// link's, finds the lab built.

import { coreModule } from './core-module.js';
import { moduleWorker } from './module-worker.js';

let early = null; // {worker, events}: the run worker, and what it said before run-client took it

function start() {
  performance.mark('neurogeom:boot');
  coreModule().catch(() => {}); // app.js reports a failure
  const worker = moduleWorker(new URL('./worker.js', import.meta.url));
  const events = [];
  const keep = (e) => {
    if (e.type === 'error') e.preventDefault(); // run-client reports it
    events.push(e);
  };
  worker.onmessage = keep;
  worker.onerror = keep;
  worker.onmessageerror = keep;
  worker.postMessage({ type: 'prebuild', link: location.href });
  early = { worker, events };
}

/** The run worker started here, and the events it fired so far, for
 * run-client.js to handle; null after the first call. */
export function takeRunWorker() {
  const taken = early;
  early = null;
  if (taken) {
    taken.worker.onmessage = null;
    taken.worker.onerror = null;
    taken.worker.onmessageerror = null;
  }
  return taken;
}

start();
