// Offline use: a `cargo xtask dist` build (its pages carry <meta
// name="neurogeom-build">) registers its service worker (sw.js, made from
// www/service-worker.js), which keeps the build's files so that both pages
// load and run with the network off after a first visit. Registered after
// the page has loaded and, on the lab's page, after its first chart (or
// FIRST_CHART_WAIT_MS at most): its install fetches the whole build (the
// wasm, a 1.5 MB data set), which would otherwise share the network and the
// cores with the first run.
//
// Served from the repository (`cargo xtask serve`), the page has no build
// id and registers nothing; a service worker left by a dist once served at
// the same address is removed, so that it cannot serve old files.

/** How long registration waits for the first chart at most (a link that
 * opens a sweep, or a run that fails, draws none at once). */
const FIRST_CHART_WAIT_MS = 5000;

/** Resolves when the page has drawn its first chart (<body data-drawn>),
 * or after FIRST_CHART_WAIT_MS. */
export function firstChart() {
  return new Promise((resolve) => {
    if (document.body.dataset.drawn !== undefined) return resolve();
    const observer = new MutationObserver(() => {
      if (document.body.dataset.drawn !== undefined) done();
    });
    const timer = setTimeout(() => done(), FIRST_CHART_WAIT_MS);
    function done() {
      observer.disconnect();
      clearTimeout(timer);
      resolve();
    }
    observer.observe(document.body, { attributes: true, attributeFilter: ['data-drawn'] });
  });
}

/** Register the service worker once the page has loaded and `after` has
 * resolved. */
export function registerOffline(after = Promise.resolve()) {
  if (!('serviceWorker' in navigator)) return;
  const build = document.querySelector('meta[name="neurogeom-build"]')?.content;
  if (!build) {
    navigator.serviceWorker
      .getRegistration()
      .then((r) => r && r.unregister())
      .catch(() => {});
    return;
  }
  // A registration checks for a new sw.js by itself only once a day; ask on
  // every visit, so that a new deploy replaces the cached build at once.
  const register = () =>
    navigator.serviceWorker.register('sw.js').then(
      (r) => r.update().catch(() => {}), // offline: the cached build stays
      (e) => console.warn(`NeuroGeom: offline use is not available here: ${e.message || e}`),
    );
  const loaded = new Promise((resolve) => {
    if (document.readyState === 'complete') resolve();
    else window.addEventListener('load', resolve, { once: true });
  });
  Promise.all([loaded, after]).then(register);
}
