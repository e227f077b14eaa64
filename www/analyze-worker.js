// "Your data": reads a user's file and runs the analyses (a wasm
// `WasmAnalysis`) off the main thread, in small units, posting progress.
// The data arrives as bytes from the page and goes nowhere else. Cancel is
// the page terminating this worker (and starting a fresh one).
//
// Messages in (from yourdata.js):
//   {type: 'analyze', data, name, labels, labelsName, options}
//        data, labels: ArrayBuffer (labels may be null); options: the JSON
//        object WasmAnalysis takes ({array, label_column, time_window,
//        drop_nonfinite, settings})
// Messages out:
//   {type: 'ready'}                        the wasm is loaded
//   {type: 'loaded', sha256, labelsSha256} the file (and the labels file, if any: else
//                                          labelsSha256 is '') was read; the analysis starts
//   {type: 'progress', done, total, stage}
//   {type: 'done', report, sha256}         report: the JSON text of `neurogeom analyze --json`
//   {type: 'error', message, choose, nonfinite}
//                                          a file or setting the core refused; `choose`
//                                          lists the NPZ's candidate arrays, `nonfinite`
//                                          means dropping NaN rows would help
//   {type: 'crash', message}               a panic in the core

import { WasmAnalysis } from './pkg/neurogeom.js';
import { ready, lastPanic, text } from './wasm-worker.js';

const POST_MS = 100;

function refused(e) {
  const message = text(e);
  try {
    const j = JSON.parse(message);
    if (j && typeof j.message === 'string') return { message: j.message, choose: j.choose || null, nonfinite: !!j.nonfinite };
  } catch (_) {
    // not JSON: an error from advance()
  }
  return { message, choose: null, nonfinite: false };
}

async function analyze(msg) {
  await ready;
  let job;
  try {
    const labels = msg.labels ? new Uint8Array(msg.labels) : new Uint8Array(0);
    job = new WasmAnalysis(new Uint8Array(msg.data), msg.name, labels, msg.labelsName || '', JSON.stringify(msg.options));
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) throw e;
    postMessage({ type: 'error', ...refused(e) });
    return;
  }
  const sha256 = job.sha256();
  postMessage({ type: 'loaded', sha256, labelsSha256: job.labels_sha256() });
  let last = 0;
  try {
    while (!job.advance(1)) {
      const now = performance.now();
      if (now - last > POST_MS) {
        last = now;
        postMessage({ type: 'progress', ...JSON.parse(job.progress_json()) });
      }
    }
    postMessage({ type: 'progress', ...JSON.parse(job.progress_json()) });
    postMessage({ type: 'done', report: job.report_json(), sha256 });
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) throw e;
    postMessage({ type: 'error', ...refused(e) });
  } finally {
    job.free();
  }
}

ready.then(() => postMessage({ type: 'ready' }));

self.onmessage = (event) => {
  const msg = event.data;
  if (msg.type !== 'analyze') return;
  analyze(msg).catch((e) => postMessage({ type: 'crash', message: lastPanic() || text(e) }));
};
