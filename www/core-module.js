// The core's wasm, compiled once per page. The page fetches and compiles
// neurogeom_bg.wasm (streaming, while it downloads) and every worker it
// starts gets the compiled WebAssembly.Module in a message, as does every
// worker those start (a split run's parts): a worker only instantiates it,
// which takes milliseconds, instead of fetching 2 MB and compiling them
// again on a machine whose cores the page needs. Instances share nothing
// but the code: each has its own memory.
//
// Used by boot.js (which starts the compile before the page's other
// modules have loaded), the pages (app.js, yourdata.js), module-worker.js
// (which sends the module to each worker it starts) and wasm-worker.js
// (which loads the core from it in a worker). It imports nothing, so that
// boot.js can run early. The message a worker receives first:
//   {type: 'core-module', module}   the compiled module
//   {type: 'core-module', error}    the page could not compile it (why)
// Workers' own message handlers ignore it.

const WASM = new URL('./pkg/neurogeom_bg.wasm', import.meta.url);
const inWorker = typeof WorkerGlobalScope !== 'undefined' && self instanceof WorkerGlobalScope;

let compiled = null; // Promise<WebAssembly.Module>

/** Fetch and compile the wasm. A host that serves it under another MIME
 * type than application/wasm gets it compiled from the bytes (as
 * wasm-bindgen's own loader does). */
async function compile() {
  const response = await fetch(WASM);
  if (!response.ok) throw new Error(`${WASM.pathname.split('/').pop()}: HTTP ${response.status}`);
  const type = response.headers.get('Content-Type') || '';
  if (typeof WebAssembly.compileStreaming === 'function' && type.startsWith('application/wasm')) {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

/** The module this worker's parent sends. */
function received() {
  return new Promise((resolve, reject) => {
    self.addEventListener('message', function take(e) {
      if (!e.data || e.data.type !== 'core-module') return;
      self.removeEventListener('message', take);
      if (e.data.module) resolve(e.data.module);
      else reject(new Error(e.data.error || 'no module'));
    });
  });
}

/** The compiled core (a promise of a WebAssembly.Module): compiled on the
 * first call in a page; in a worker, the one its parent sends (a worker
 * calls this while its modules evaluate, before any message arrives). */
export function coreModule() {
  if (!compiled) compiled = inWorker ? received() : compile();
  return compiled;
}

/** Send the compiled core to a worker this context started (or why there is none). */
export function shareCore(worker) {
  coreModule().then(
    (module) => worker.postMessage({ type: 'core-module', module }),
    (e) => worker.postMessage({ type: 'core-module', error: String(e && e.message ? e.message : e) }),
  );
}
