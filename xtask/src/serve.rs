//! A small static file server for the repository root, on 127.0.0.1 only.
//!
//! One thread per connection, so the page, its worker and the wasm load
//! concurrently. GET and HEAD only; every response closes its connection and
//! says `Cache-Control: no-store`, so a rebuilt wasm is always picked up.
//! Paths are percent-decoded, `..` is refused, `/` (or any directory) maps
//! to its `index.html`, anything else missing is a 404. HTML pages carry
//! the Content-Security-Policy header ([`CSP`]), the same policy as their
//! `<meta>` tag; other files carry none, as on a static host, so the browser
//! tests see what a hosted copy does (workers are bound by the page's policy
//! through www/module-worker.js, not by headers).
//!
//! [`start`] is what `cargo xtask test` uses (port 0: an ephemeral port, in a
//! background thread); [`serve_forever`] is `cargo xtask serve`.

use anyhow::{Context, Result};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

/// The longest request head we read; anything longer is refused.
const MAX_HEAD_BYTES: usize = 16 * 1024;

/// The pages' Content-Security-Policy, as in their `<meta http-equiv>` tag
/// (a test checks both pages carry exactly this text). No `frame-ancestors`:
/// a `<meta>` policy cannot carry it (browsers ignore it there), and an
/// embedded chart (`&embed=`) must be framable by any site.
pub const CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
worker-src 'self' blob:; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; \
form-action 'none'; base-uri 'none'";

/// A running server: where it listens.
pub struct Server {
    pub addr: SocketAddr,
}

impl Server {
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }
}

/// Serve `root` on `127.0.0.1:port` (0 = any free port) from a background
/// thread. The thread lives until the process exits.
pub fn start(root: &Path, port: u16, log: bool) -> Result<Server> {
    let root = root
        .canonicalize()
        .with_context(|| format!("cannot serve {}: no such directory", root.display()))?;
    let listener = TcpListener::bind(("127.0.0.1", port))
        .with_context(|| format!("could not listen on 127.0.0.1:{port} (is it in use?)"))?;
    let addr = listener.local_addr()?;
    let root = Arc::new(root);
    thread::Builder::new()
        .name("static-server".into())
        .spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let root = Arc::clone(&root);
                let _ = thread::Builder::new()
                    .name("static-conn".into())
                    .spawn(move || handle(stream, &root, log));
            }
        })
        .context("could not start the server thread")?;
    Ok(Server { addr })
}

/// `cargo xtask serve`: serve until interrupted.
pub fn serve_forever(root: &Path, port: u16) -> Result<()> {
    let server = start(root, port, true)?;
    println!("NeuroGeom at {}", server.url());
    println!("(serving {} — Ctrl-C to stop)", root.display());
    loop {
        thread::park();
    }
}

fn handle(stream: TcpStream, root: &Path, log: bool) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(15)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(30)));
    let mut reader = BufReader::new(stream);
    let response = match read_request_line(&mut reader) {
        Ok(Some(line)) => {
            let response = respond(&line, root);
            if log {
                eprintln!("{} {}", response.status, line);
            }
            response
        }
        Ok(None) => return, // the client closed without a request
        Err(status) => Response::error(status),
    };
    let _ = response.write_to(reader.get_mut());
}

/// Reads the request head; returns its first line (`GET /path HTTP/1.1`).
fn read_request_line(reader: &mut impl BufRead) -> Result<Option<String>, u16> {
    let mut first = String::new();
    let mut total = 0;
    loop {
        let mut line = String::new();
        let n = reader.read_line(&mut line).map_err(|_| 400u16)?;
        if n == 0 {
            return if first.is_empty() { Ok(None) } else { Err(400) };
        }
        total += n;
        if total > MAX_HEAD_BYTES {
            return Err(431);
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if first.is_empty() {
            if line.is_empty() {
                continue; // tolerate stray blank lines before a request
            }
            first = line.to_string();
        } else if line.is_empty() {
            return Ok(Some(first));
        }
    }
}

struct Response {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    head_only: bool,
}

impl Response {
    fn error(status: u16) -> Self {
        Response {
            status,
            content_type: "text/plain; charset=utf-8",
            body: format!("{} {}\n", status, reason(status)).into_bytes(),
            head_only: false,
        }
    }

    fn write_to(&self, out: &mut impl Write) -> std::io::Result<()> {
        let mut head = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
             Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n",
            self.status,
            reason(self.status),
            self.content_type,
            self.body.len()
        );
        if self.content_type.starts_with("text/html") {
            head.push_str(&format!("Content-Security-Policy: {CSP}\r\n"));
        }
        if self.status == 405 {
            head.push_str("Allow: GET, HEAD\r\n");
        }
        head.push_str("\r\n");
        out.write_all(head.as_bytes())?;
        if !self.head_only {
            out.write_all(&self.body)?;
        }
        out.flush()
    }
}

fn respond(request_line: &str, root: &Path) -> Response {
    let mut parts = request_line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return Response::error(400);
    };
    let head_only = match method {
        "GET" => false,
        "HEAD" => true,
        _ => return Response::error(405),
    };
    let mut response = match resolve(root, target) {
        Ok(path) => match std::fs::read(&path) {
            Ok(body) => Response {
                status: 200,
                content_type: mime_type(&path),
                body,
                head_only,
            },
            Err(_) => Response::error(404),
        },
        Err(status) => Response::error(status),
    };
    response.head_only = head_only;
    response
}

/// Maps a request target to a file under `root`, or an HTTP status.
fn resolve(root: &Path, target: &str) -> Result<PathBuf, u16> {
    let path = target.split(['?', '#']).next().unwrap_or("");
    if !path.starts_with('/') {
        return Err(400);
    }
    let decoded = percent_decode(path).ok_or(400u16)?;
    let mut file = root.to_path_buf();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => continue,
            ".." => return Err(403),
            s if s.contains('\\') || s.contains('\0') => return Err(400),
            s => file.push(s),
        }
    }
    if file.is_dir() {
        file.push("index.html");
    }
    // Symlinks must not lead out of the root either.
    let real = file.canonicalize().map_err(|_| 404u16)?;
    if !real.starts_with(root) {
        return Err(403);
    }
    if !real.is_file() {
        return Err(404);
    }
    Ok(real)
}

/// Decodes `%XX` escapes; `None` for a bad escape or non-UTF-8 result.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn mime_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "ts" => "text/plain; charset=utf-8", // wasm-bindgen's .d.ts, for reading
        _ => "application/octet-stream",
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        _ => "Error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn fixture(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-serve-{}-{name}", std::process::id()));
        std::fs::create_dir_all(dir.join("www/pkg")).unwrap();
        std::fs::write(dir.join("index.html"), "<title>NeuroGeom</title>").unwrap();
        std::fs::write(dir.join("www/pkg/a b.wasm"), b"\0asm").unwrap();
        std::fs::write(dir.join("www/app.js"), "export {}").unwrap();
        dir.canonicalize().unwrap()
    }

    fn get(server: &Server, raw: &str) -> String {
        let mut s = TcpStream::connect(server.addr).unwrap();
        s.write_all(raw.as_bytes()).unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    }

    #[test]
    fn serves_files_with_types_and_refuses_traversal() {
        let root = fixture("files");
        let server = start(&root, 0, false).unwrap();
        let index = get(&server, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        assert!(index.starts_with("HTTP/1.1 200"), "{index}");
        assert!(index.contains("Content-Type: text/html"));
        assert!(index.contains("Cache-Control: no-store"));
        assert!(index.ends_with("<title>NeuroGeom</title>"));

        let wasm = get(&server, "GET /www/pkg/a%20b.wasm?v=1 HTTP/1.1\r\n\r\n");
        assert!(wasm.contains("Content-Type: application/wasm"), "{wasm}");
        let js = get(&server, "HEAD /www/app.js HTTP/1.1\r\n\r\n");
        assert!(js.contains("Content-Type: text/javascript"), "{js}");
        assert!(js.ends_with("\r\n\r\n"), "HEAD has no body: {js}");

        for bad in [
            "/../etc/passwd",
            "/www/%2e%2e/%2e%2e/etc/passwd",
            "/www/..%2f..%2fx",
        ] {
            let r = get(&server, &format!("GET {bad} HTTP/1.1\r\n\r\n"));
            assert!(r.starts_with("HTTP/1.1 403"), "{bad}: {r}");
        }
        assert!(get(&server, "GET /nope.js HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 404"));
        assert!(get(&server, "GET /%zz HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 400"));
        assert!(get(&server, "POST / HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 405"));
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn pages_carry_the_policy_in_a_meta_tag_and_a_header() {
        let root = crate::repo_root();
        for page in ["index.html", "yourdata.html"] {
            let html = std::fs::read_to_string(root.join(page)).unwrap();
            let meta = format!(r#"<meta http-equiv="Content-Security-Policy" content="{CSP}">"#);
            assert!(html.contains(&meta), "{page} lacks {meta}");
            // Nothing inline that the policy would block.
            for inline in [
                "<style",
                " style=",
                "<script>",
                " onclick=",
                " onload=",
                "javascript:",
            ] {
                assert!(!html.contains(inline), "{page} has inline {inline:?}");
            }
        }
        let dir = fixture("csp");
        let server = start(&dir, 0, false).unwrap();
        let page = get(&server, "GET / HTTP/1.1\r\n\r\n");
        assert!(
            page.contains(&format!("Content-Security-Policy: {CSP}\r\n")),
            "{page}"
        );
        let js = get(&server, "GET /www/app.js HTTP/1.1\r\n\r\n");
        assert!(!js.contains("Content-Security-Policy"), "{js}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("/a%20b").as_deref(), Some("/a b"));
        assert_eq!(percent_decode("/%E2%9C%93").as_deref(), Some("/✓"));
        assert_eq!(percent_decode("/%2"), None);
        assert_eq!(percent_decode("/%ff"), None);
    }
}
