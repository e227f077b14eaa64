// Data sets the core's wasm does not carry, fetched from the page's own
// origin when a run needs one (the Content-Security-Policy's connect-src
// 'self' allows exactly that). Natively the core embeds them; in the page,
// embedding the Haxby 2001 recording (1.6 MB) would triple the wasm that
// every visitor downloads before the first chart, and the UCI digits (57 KB)
// would be fetched by every visitor, most of whom never run task=digits.
//
// Every context that builds a WasmLab (worker.js, part-worker.js,
// sweep-worker.js) calls provideDatasets(config) first: the core says which
// data sets that config needs and does not have yet (datasets_needed), and
// each is fetched once per context and handed to provide_dataset, which
// checks its SHA-256. "Your data"'s Haxby button uses fetchDataset.
//
// `cargo xtask dist` follows the new URL(...) below, so the file is in the
// dist under a content-hashed name and its service worker caches it.

import { datasets_needed, provide_dataset } from './pkg/neurogeom.js';

/** Each data set's file, by the name the core knows it by. */
const FILES = {
  haxby2001: new URL('./data/haxby2001.npz', import.meta.url),
  digits: new URL('./data/digits.csv.gz', import.meta.url),
};

const fetched = new Map(); // name -> Promise<Uint8Array>

/** A data set's bytes (fetched once per context). Rejects with a message
 * that names the file and what went wrong. */
export function fetchDataset(name) {
  if (!fetched.has(name)) {
    const url = FILES[name];
    const load = (async () => {
      if (!url) throw new Error(`unknown data set ${JSON.stringify(name)}`);
      const file = url.pathname.split('/').pop();
      let response;
      try {
        response = await fetch(url);
      } catch (e) {
        throw new Error(`could not load ${file} from this page's server (${e && e.message ? e.message : e}); check the connection and reload`);
      }
      if (!response.ok) throw new Error(`could not load ${file} from this page's server: HTTP ${response.status}`);
      return new Uint8Array(await response.arrayBuffer());
    })();
    // A failed fetch is tried again next time.
    load.catch(() => fetched.delete(name));
    fetched.set(name, load);
  }
  return fetched.get(name);
}

/** Fetch and provide every data set the config (a JSON string) needs that
 * the core does not have yet. Resolves at once for every other config. */
export async function provideDatasets(configJson) {
  for (const name of JSON.parse(datasets_needed(configJson))) {
    provide_dataset(name, await fetchDataset(name));
  }
}
