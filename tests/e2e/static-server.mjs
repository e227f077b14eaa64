// Two small servers for the browser tests, neither of them ours in spirit:
//
// staticServer(mounts): a plain static file server on 127.0.0.1, like any
// host a dist folder is put on: a file's type from its extension, a
// folder's index.html, an ETag from the content and Last-Modified, with
// 304s (If-None-Match first, as HTTP says: two deploys written within the
// same second have the same Last-Modified), and no other header (no
// Content-Security-Policy: the pages' <meta> policy must do its work
// alone). `mounts` maps a URL prefix ('/lab/') to a folder; `mount(prefix,
// dir)` swaps a folder, as a new deploy does; `stop()` and `start()` take
// the host off the network and back (its port refuses connections between).
//
// recordingServer(): another origin on 127.0.0.1 that records every request
// that reaches it (the CSP tests check that none does).

import http from 'node:http';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

/** A static server; resolves to { origin, mount(prefix, dir), requests, close() }. */
export async function staticServer(mounts) {
  const table = new Map(Object.entries(mounts));
  const requests = [];
  const server = http.createServer(async (req, res) => {
    requests.push(req.url);
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const prefix = [...table.keys()].find((p) => path.startsWith(p));
    if (!prefix || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(prefix ? 405 : 404).end();
      return;
    }
    const root = table.get(prefix);
    let file = normalize(join(root, path.slice(prefix.length)));
    if (!file.startsWith(normalize(root + sep)) && file !== normalize(root)) {
      res.writeHead(403).end();
      return;
    }
    try {
      let info = await stat(file);
      if (info.isDirectory()) {
        file = join(file, 'index.html');
        info = await stat(file);
      }
      const modified = info.mtime.toUTCString();
      const body = await readFile(file);
      const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;
      const match = req.headers['if-none-match'];
      if (match !== undefined ? match === etag : req.headers['if-modified-since'] === modified) {
        res.writeHead(304, { ETag: etag, 'Last-Modified': modified }).end();
        return;
      }
      res.writeHead(200, {
        'Content-Type': TYPES[extname(file)] || 'application/octet-stream',
        'Content-Length': body.length,
        ETag: etag,
        'Last-Modified': modified,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404).end();
    }
  });
  const port = await listen(server);
  const stop = () =>
    new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections();
    });
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    mount: (prefix, dir) => table.set(prefix, dir),
    // The network off and on again: connections are refused while stopped.
    stop,
    start: () => new Promise((resolve) => server.listen(port, '127.0.0.1', resolve)),
    close: stop,
  };
}

/** Another origin that records what reaches it; resolves to { origin, requests, close() }. */
export async function recordingServer() {
  const requests = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(204, { 'Access-Control-Allow-Origin': '*' }).end();
  });
  const port = await listen(server);
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    }),
  };
}
