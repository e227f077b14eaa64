// Offline use: a `cargo xtask dist` build (its pages carry <meta
// name="neurogeom-build">) registers its service worker (sw.js, made from
// www/service-worker.js), which keeps the build's files so that both pages
// load and run with the network off after a first visit. Registered after
// the page has loaded, so that it never delays the first chart.
//
// Served from the repository (`cargo xtask serve`), the page has no build
// id and registers nothing; a service worker left by a dist once served at
// the same address is removed, so that it cannot serve old files.

export function registerOffline() {
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
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });
}
