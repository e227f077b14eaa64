// What every worker that runs the core needs: the wasm module loaded (from
// the compiled module its parent sends, core-module.js), and the last panic
// message kept. console_error_panic_hook prints a panic with
// console.error just before the wasm traps, so a crash report can say what
// happened instead of only "unreachable".

import initWasm, { init } from './pkg/neurogeom.js';
import { coreModule } from './core-module.js';

let lastPanicText = '';
const consoleError = console.error.bind(console);
console.error = (...args) => {
  lastPanicText = args.map(String).join(' ');
  consoleError(...args);
};

/** Resolves once the wasm module is loaded and the panic hook installed. */
export const ready = coreModule()
  .then((module) => initWasm({ module_or_path: module }))
  .then(() => {
    init();
    performance.mark('neurogeom:worker-wasm');
  });

/** The last message console_error_panic_hook printed ('' if none). */
export const lastPanic = () => lastPanicText;

/** An error's message, or the value as text. */
export const text = (e) => String(e && e.message ? e.message : e);
