// Where links point: the public address that a dist build recorded
// (`cargo xtask dist --base-url URL` puts it in <meta
// name="neurogeom-base-url">), else the address this page was opened at. So
// "Copy link" in a local preview of a build already gives the public link.

/** This page's address, without query or fragment. */
export function pageUrl() {
  const base = document.querySelector('meta[name="neurogeom-base-url"]')?.content;
  if (!base) return `${location.origin}${location.pathname}`;
  const file = location.pathname.split('/').pop(); // '', 'index.html' or 'yourdata.html'
  if (file === '' || file === 'index.html') return base;
  return base.slice(0, base.lastIndexOf('/') + 1) + file;
}
