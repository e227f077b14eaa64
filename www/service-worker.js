// The service worker of a `cargo xtask dist` build, for offline use: after a
// first visit, both pages load and run with the network off (a demo on a
// conference room's Wi-Fi).
//
// `cargo xtask dist` writes this file as `sw.js` at the folder's root (so
// its scope covers both pages) with BUILD and FILES filled in: the build's
// id and every file of the build. The page registers it only in a dist
// build (www/offline.js); `cargo xtask serve` never uses it.
//
//   install   fetch every file of the build into the cache "neurogeom
//             <scope> <BUILD>"; activate at once.
//   activate  delete this scope's caches of other builds: a new deploy
//             replaces the old one on the first visit that sees it.
//   fetch     pages (navigations): the network first, revalidated, so a new
//             deploy shows at once; the cached page when the network fails.
//             Other files: the cache first. Their names carry a content
//             hash, so a cached file is never stale. Anything not in the
//             build goes to the network.
//
// It sees only requests to its own origin: the pages' Content-Security-
// Policy blocks any other before a service worker would see it.

const BUILD = 'dev';
const FILES = [];

const SCOPE = self.registration.scope; // e.g. https://example.org/lab/
const PREFIX = `neurogeom ${SCOPE} `;
const CACHE = PREFIX + BUILD;
const PAGES = ['index.html', 'yourdata.html'];

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // Pages revalidated (the host may cache them for minutes); hashed
      // files may come from the HTTP cache, whose copy cannot be stale.
      await cache.addAll(FILES.map((f) => new Request(new URL(f, SCOPE), { cache: PAGES.includes(f) ? 'no-cache' : 'default' })));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith(PREFIX) && key !== CACHE) await caches.delete(key);
      }
      await self.clients.claim();
    })(),
  );
});

/** The cached page for a navigation: the folder itself is index.html. */
function pageFor(url) {
  const path = url.pathname.slice(new URL(SCOPE).pathname.length);
  return new URL(path === '' ? 'index.html' : path, SCOPE).href;
}

async function navigate(request) {
  try {
    return await fetch(request, { cache: 'no-cache' });
  } catch (offline) {
    const cached = await caches.match(pageFor(new URL(request.url)), { cacheName: CACHE });
    if (cached) return cached;
    throw offline;
  }
}

async function file(request) {
  const cached = await caches.match(request, { cacheName: CACHE, ignoreSearch: true });
  return cached || fetch(request);
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || !request.url.startsWith(SCOPE)) return;
  event.respondWith(request.mode === 'navigate' ? navigate(request) : file(request));
});
