//! `cargo xtask dist [--out DIR] [--base-url URL]`: the page as one static
//! folder that any static host serves, from any sub-path.
//!
//! What goes in is what the two pages reach: `index.html` and
//! `yourdata.html`, the files their `src`/`href` name, every module those
//! import (`'./x.js'` literals, `new URL('./x.js', import.meta.url)` for
//! workers, the wasm and the data sets of `www/data/`), recursively. Pages
//! keep their names; every other file is renamed `stem.HASH.ext`, where HASH digests the file and
//! everything it reaches, and each reference is rewritten to the new name. A
//! visitor's cache therefore never mixes two deploys: a changed module
//! renames itself and every module that imports it, up to the pages.
//! Every link inside the folder is relative, so it works under any sub-path.
//!
//! The wasm comes from the `wasm` profile (see Cargo.toml) without its
//! name and producers sections ([`crate::wasm::build_dist`]). No source
//! maps: none are made, and any `sourceMappingURL` comment is dropped.
//!
//! Beside the pages: `sw.js`, the service worker for offline use, made from
//! `www/service-worker.js` with the build's id and file list; and
//! `.neurogeom-dist.json`, which lists what was written, so the next dist
//! into the same folder removes exactly those files and refuses a non-empty
//! folder that is not a previous dist.
//!
//! Each release keeps its own copy: the build goes to the folder's root (the
//! latest) and, the same, to `v<release>/` (`v0.2.0/`, the release from
//! Cargo.toml; its `--base-url` gains that path). A later dist into the
//! folder never touches another release's `v…/` folder, and replaces its own
//! release's (each copy has its own `.neurogeom-dist.json`). So a link made
//! with an older release can still be opened on that release's copy, which
//! the page offers (www/version.js). Each copy works alone under its path:
//! every link is relative, and each registers its own service worker, whose
//! cache is named after its scope.
//!
//! The pages get `<meta name="neurogeom-build">` (the build id, which
//! turns on the service worker), with `--base-url` `<meta
//! name="neurogeom-base-url">` (which "Copy link" uses instead of the
//! address the page was opened at), and preloads of the wasm and of every
//! module they reach ([`with_preloads`]).

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The pages: entry points, never renamed.
pub const PAGES: [&str; 2] = ["index.html", "yourdata.html"];
/// The service worker's source, and its name in the folder (at the root, so
/// that its scope covers both pages).
const SW_SOURCE: &str = "www/service-worker.js";
const SW_NAME: &str = "sw.js";
/// The file that marks a folder as a dist and lists what it wrote.
pub const MARKER: &str = ".neurogeom-dist.json";
/// Hex digits of SHA-256 in a renamed file.
const NAME_HASH_LEN: usize = 10;

/// `cargo xtask dist`: build the dist wasm, then the folder.
pub fn run(root: &Path, out: &Path, base_url: Option<&str>) -> Result<()> {
    let base_url = base_url.map(check_base_url).transpose()?;
    // Check the folders before the long compile.
    let release = release_of(root)?;
    check_out_dir(out)?;
    check_out_dir(&out.join(release_dir(&release)))?;
    let pkg = crate::wasm::build_dist(root)?;
    write_folder(root, &pkg, out, base_url.as_deref())
}

/// The folder from a built wasm package (`target/dist-pkg/`): the build at
/// the root, and the same build in `v<release>/` ([`release_dir`]). Other
/// releases' folders, left there by earlier dists, stay.
pub fn write_folder(root: &Path, pkg: &Path, out: &Path, base_url: Option<&str>) -> Result<()> {
    let base_url = base_url.map(check_base_url).transpose()?;
    let release = release_of(root)?;
    let sub = release_dir(&release);
    let copy_dir = out.join(&sub);
    let previous = check_out_dir(out)?;
    let previous_copy = check_out_dir(&copy_dir)?;
    let sources = read_sources(root, pkg)?;
    let build = assemble(&sources, base_url.as_deref())?;
    // The copy's links name its own folder; without a base URL the two are
    // the same bytes.
    let copy_build;
    let copy = match &base_url {
        Some(url) => {
            let (dir, page) = url.rsplit_once('/').expect("a checked base URL has a '/'");
            copy_build = assemble(&sources, Some(&format!("{dir}/{sub}/{page}")))?;
            &copy_build
        }
        None => &build,
    };
    clear_previous(out, &previous)?;
    write(out, &build, &release)?;
    clear_previous(&copy_dir, &previous_copy)?;
    write(&copy_dir, copy, &release)?;
    let wasm_bytes = build
        .files
        .iter()
        .find(|(name, _)| name.ends_with(".wasm"))
        .map_or(0, |(_, b)| b.len() as u64);
    println!(
        "xtask: dist {} written to {} ({} files, wasm {}), and as release {release} to {sub}/ there{}",
        build.id,
        out.display(),
        build.files.len() + 1,
        crate::wasm::human_size(wasm_bytes),
        base_url
            .map(|u| format!("; links name {u}"))
            .unwrap_or_default()
    );
    Ok(())
}

/// The release of the package in `root`, from its Cargo.toml: the
/// `MAJOR.MINOR.PATCH` of `[package] version`, as the page reads it from a
/// link's `ng=` (`neurogeom::version::release_path`).
pub fn release_of(root: &Path) -> Result<String> {
    let path = root.join("Cargo.toml");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("could not read {}", path.display()))?;
    let mut in_package = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if let Some(rest) = line.strip_prefix("version").filter(|_| in_package) {
            let value = rest.trim_start().strip_prefix('=').map(str::trim);
            let value = value.and_then(|v| v.strip_prefix('"')?.split('"').next());
            let release = value
                .map(|v| v.split(['-', '+']).next().unwrap_or(""))
                .filter(|r| is_release(r));
            return release.map(String::from).with_context(|| {
                format!(
                    "{}: [package] version is not MAJOR.MINOR.PATCH: {line}",
                    path.display()
                )
            });
        }
    }
    bail!("{} has no [package] version", path.display())
}

/// `0.2.0`: three dot-separated numbers.
fn is_release(text: &str) -> bool {
    let parts: Vec<&str> = text.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

/// The folder of a release's copy under the dist root: `v0.2.0`.
pub fn release_dir(release: &str) -> String {
    format!("v{release}")
}

/// Whether a path's first segment is a release's folder (`v0.2.0/…`),
/// which only the dist of that release writes into.
fn in_release_dir(path: &str) -> bool {
    path.split('/')
        .next()
        .and_then(|first| first.strip_prefix('v'))
        .is_some_and(is_release)
        && path.contains('/')
}

/// A base URL the pages and the CLI can put before `#fragment`: http(s),
/// no query, no fragment, no characters that would need escaping in HTML.
/// A folder URL gets its trailing `/`.
pub fn check_base_url(url: &str) -> Result<String> {
    let url = url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let Some(rest) = rest else {
        bail!("--base-url must start with https:// or http://, got {url:?}");
    };
    if rest.is_empty() || rest.starts_with('/') {
        bail!("--base-url {url:?} names no host");
    }
    if let Some(c) = url
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || "#?\"'<>\\`&".contains(*c))
    {
        bail!("--base-url {url:?} contains {c:?}; give the folder's address, e.g. https://example.org/neurogeom/");
    }
    let last = rest.rsplit('/').next().unwrap_or("");
    Ok(
        if !rest.contains('/') || (!last.ends_with(".html") && !last.is_empty()) {
            format!("{url}/")
        } else {
            url.to_string()
        },
    )
}

/// Files written by a previous dist into `out` (empty for a new or empty
/// folder); an error for a folder with other content.
fn check_out_dir(out: &Path) -> Result<Vec<String>> {
    if !out.exists() {
        return Ok(Vec::new());
    }
    if !out.is_dir() {
        bail!("{} exists and is not a folder", out.display());
    }
    let mut entries = std::fs::read_dir(out)
        .with_context(|| format!("could not read {}", out.display()))?
        .peekable();
    if entries.peek().is_none() {
        return Ok(Vec::new());
    }
    let marker = out.join(MARKER);
    let text = std::fs::read_to_string(&marker).map_err(|_| {
        anyhow::anyhow!(
            "{} is not empty and holds no previous dist (no {MARKER}); refusing to overwrite it. \
             Give an empty or new folder with --out, or empty this one first.",
            out.display()
        )
    })?;
    let files = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| {
            v["files"].as_array().map(|a| {
                a.iter()
                    .map(|f| f.as_str().map(String::from))
                    .collect::<Option<Vec<_>>>()
            })
        })
        .flatten()
        .with_context(|| {
            format!(
                "{} is not a dist's file list; refusing to touch {}",
                marker.display(),
                out.display()
            )
        })?;
    for f in &files {
        if !is_plain_relative(f) {
            bail!(
                "{} lists {f:?}, outside the folder; refusing to touch {}",
                marker.display(),
                out.display()
            );
        }
    }
    Ok(files)
}

/// `a/b.js`: relative, no `..`, no empty or `.` segment.
fn is_plain_relative(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && path
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != "..")
}

/// Remove what the previous dist wrote (and its folders once empty); other
/// files (a CNAME, say) stay, and so do the releases' folders (`v0.1.0/`):
/// a listed file inside one is not touched.
fn clear_previous(out: &Path, files: &[String]) -> Result<()> {
    let mut dirs = BTreeSet::new();
    let files = files
        .iter()
        .map(String::as_str)
        .filter(|f| !in_release_dir(f));
    for f in files.chain([MARKER]) {
        let path = out.join(f);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(e).with_context(|| format!("could not remove {}", path.display()))
            }
        }
        let mut parent = Path::new(f).parent();
        while let Some(p) = parent.filter(|p| !p.as_os_str().is_empty()) {
            dirs.insert(p.to_path_buf());
            parent = p.parent();
        }
    }
    // Deepest first; a folder that still holds something stays.
    for d in dirs.iter().rev() {
        let _ = std::fs::remove_dir(out.join(d));
    }
    Ok(())
}

/// The sources by their path in the folder: the pages, the service worker
/// template, every file of `www/` but `pkg/`, and the dist's wasm package
/// as `www/pkg/`. Only what the pages reach is kept ([`assemble`]).
fn read_sources(root: &Path, pkg: &Path) -> Result<BTreeMap<String, Vec<u8>>> {
    let mut sources = BTreeMap::new();
    let read =
        |p: &Path| std::fs::read(p).with_context(|| format!("could not read {}", p.display()));
    for page in PAGES {
        sources.insert(page.to_string(), read(&root.join(page))?);
    }
    // www/ and its data sets (www/data/, fetched by www/datasets.js).
    for dir in ["www", "www/data"] {
        for entry in
            std::fs::read_dir(root.join(dir)).with_context(|| format!("could not read {dir}/"))?
        {
            let path = entry?.path();
            if path.is_file() {
                let name = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .with_context(|| format!("a non-UTF-8 name in {dir}/"))?;
                sources.insert(format!("{dir}/{name}"), read(&path)?);
            }
        }
    }
    for name in ["neurogeom.js", "neurogeom_bg.wasm"] {
        sources.insert(format!("www/pkg/{name}"), read(&pkg.join(name))?);
    }
    Ok(sources)
}

/// A built folder: file name -> bytes (without the marker), and its id.
pub struct Build {
    pub id: String,
    pub files: BTreeMap<String, Vec<u8>>,
}

/// What a file refers to: (the literal as written, the path it resolves to).
type Refs = Vec<(String, String)>;

/// Everything between the sources and the folder: find what the pages
/// reach, name it by content, rewrite the references, add the build's
/// metadata to the pages and write the service worker.
pub fn assemble(sources: &BTreeMap<String, Vec<u8>>, base_url: Option<&str>) -> Result<Build> {
    // What each reachable file refers to, from the pages down.
    let mut refs: BTreeMap<String, Refs> = BTreeMap::new();
    let mut todo: Vec<String> = PAGES.iter().map(|p| p.to_string()).collect();
    while let Some(file) = todo.pop() {
        if refs.contains_key(&file) {
            continue;
        }
        let bytes = sources
            .get(&file)
            .with_context(|| format!("{file} is missing"))?;
        let found = references(&file, bytes)?;
        for (literal, target) in &found {
            if !sources.contains_key(target) {
                bail!("{file} refers to {literal:?} ({target}), which does not exist");
            }
            todo.push(target.clone());
        }
        refs.insert(file, found);
    }
    for page in PAGES {
        let html = String::from_utf8_lossy(&sources[page]);
        if !html.contains(r#"<meta http-equiv="Content-Security-Policy""#) {
            bail!("{page} has no Content-Security-Policy <meta> tag; a dist must carry the pages' privacy promise");
        }
    }

    // Everything a file reaches, itself included, not through another page.
    let reach_of = |file: &str| {
        let mut reach = BTreeSet::new();
        let mut stack = vec![file.to_string()];
        while let Some(f) = stack.pop() {
            if (f == file || !PAGES.contains(&f.as_str())) && reach.insert(f.clone()) {
                stack.extend(refs[&f].iter().map(|(_, t)| t.clone()));
            }
        }
        reach
    };

    // Names: a digest of the file and of everything it reaches, so that a
    // change anywhere below renames it (this holds through import cycles).
    let digest = |f: &str| hex(&Sha256::digest(&sources[f]));
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for file in refs.keys() {
        if PAGES.contains(&file.as_str()) {
            names.insert(file.clone(), file.clone());
            continue;
        }
        let mut h = Sha256::new();
        for f in &reach_of(file) {
            h.update(f.as_bytes());
            h.update([0]);
            h.update(digest(f).as_bytes());
        }
        let hash = &hex(&h.finalize())[..NAME_HASH_LEN];
        names.insert(file.clone(), hashed_name(file, hash));
    }

    // Rewrite every reference to the new names; drop source-map comments.
    let mut files = BTreeMap::new();
    for (file, found) in &refs {
        let mut bytes = sources[file].clone();
        if is_text(file) {
            let mut text =
                String::from_utf8(bytes).with_context(|| format!("{file} is not UTF-8"))?;
            for (literal, target) in found {
                let renamed = file_name(&names[target]);
                let new_literal = match literal.rfind('/') {
                    Some(i) => format!("{}{renamed}", &literal[..=i]),
                    None => renamed.to_string(),
                };
                text = replace_quoted(&text, literal, &new_literal);
            }
            bytes = drop_source_maps(&text).into_bytes();
        }
        files.insert(names[file].clone(), bytes);
    }

    // The build id: every file but the pages' metadata (which carries it).
    let mut h = Sha256::new();
    if let Some(url) = base_url {
        h.update(url.as_bytes());
    }
    for (name, bytes) in &files {
        h.update(name.as_bytes());
        h.update([0]);
        h.update(Sha256::digest(bytes));
    }
    let id = hex(&h.finalize())[..16].to_string();

    for page in PAGES {
        let html = String::from_utf8(files[page].clone())
            .with_context(|| format!("{page} is not UTF-8"))?;
        let mut meta = format!(r#"<meta name="neurogeom-build" content="{id}">"#);
        if let Some(url) = base_url {
            meta.push_str(&format!(
                "\n  <meta name=\"neurogeom-base-url\" content=\"{url}\">"
            ));
        }
        let at = html
            .find("<meta charset=\"utf-8\">")
            .map(|i| i + "<meta charset=\"utf-8\">".len())
            .with_context(|| format!("{page} has no <meta charset=\"utf-8\">"))?;
        let html = format!("{}\n  {meta}{}", &html[..at], &html[at..]);
        let html = with_preloads(page, &html, &load_order(page, &refs, sources), &names)?;
        files.insert(page.to_string(), html.into_bytes());
    }

    let listed: Vec<String> = files.keys().cloned().collect();
    let sw = service_worker(sources, &id, &listed)?;
    files.insert(SW_NAME.to_string(), sw.into_bytes());
    Ok(Build { id, files })
}

/// Everything a page reaches (not through another page), in the order it
/// needs them: each of its references in the order they appear (its
/// scripts first, in document order), with all that one reaches before the
/// next (depth first, each file once). index.html's first script, boot.js,
/// starts the run worker: its modules come before those of app.js, whose
/// graph is larger.
fn load_order(
    page: &str,
    refs: &BTreeMap<String, Refs>,
    sources: &BTreeMap<String, Vec<u8>>,
) -> Vec<String> {
    // A file's references in text order (`references` gives them sorted).
    let ordered = |f: &str| {
        let text = String::from_utf8_lossy(&sources[f]);
        let mut found: Vec<String> = Vec::new();
        let mut by_place: Vec<&(String, String)> = refs[f].iter().collect();
        by_place.sort_by_key(|(literal, _)| text.find(literal.as_str()).unwrap_or(usize::MAX));
        found.extend(by_place.into_iter().map(|(_, t)| t.clone()));
        found
    };
    let mut seen = BTreeSet::from([page.to_string()]);
    let mut out = Vec::new();
    let mut stack: Vec<String> = ordered(page).into_iter().rev().collect();
    while let Some(f) = stack.pop() {
        if PAGES.contains(&f.as_str()) || !seen.insert(f.clone()) {
            continue;
        }
        stack.extend(ordered(&f).into_iter().rev());
        out.push(f);
    }
    out
}

/// The page with `<link rel="preload">` for the wasm and `<link
/// rel="modulepreload">` for every module it reaches (in [`load_order`]),
/// before its first module script: the browser fetches them all at once
/// instead of one level of imports after another, and the wasm (the
/// largest file) first, while the modules load. The workers' modules come
/// from the HTTP cache then.
fn with_preloads(
    page: &str,
    html: &str,
    reach: &[String],
    names: &BTreeMap<String, String>,
) -> Result<String> {
    let mut links = String::new();
    let preloads = reach.iter().filter(|f| f.as_str() != page);
    for f in preloads.clone().filter(|f| f.ends_with(".wasm")) {
        links.push_str(&format!(
            "<link rel=\"preload\" href=\"{}\" as=\"fetch\" type=\"application/wasm\" crossorigin>\n  ",
            names[f]
        ));
    }
    for f in preloads.filter(|f| f.ends_with(".js")) {
        links.push_str(&format!(
            "<link rel=\"modulepreload\" href=\"{}\">\n  ",
            names[f]
        ));
    }
    let at = html
        .find("<script type=\"module\"")
        .with_context(|| format!("{page} has no <script type=\"module\">"))?;
    Ok(format!("{}{links}{}", &html[..at], &html[at..]))
}

/// The service worker: its template with the build id and the file list.
fn service_worker(
    sources: &BTreeMap<String, Vec<u8>>,
    id: &str,
    files: &[String],
) -> Result<String> {
    let template = sources
        .get(SW_SOURCE)
        .with_context(|| format!("{SW_SOURCE} is missing"))?;
    let template = String::from_utf8_lossy(template);
    let build_line = "const BUILD = 'dev';";
    let files_line = "const FILES = [];";
    for line in [build_line, files_line] {
        if template.lines().filter(|l| l.trim() == line).count() != 1 {
            bail!("{SW_SOURCE} must have the line `{line}` once (dist fills it in)");
        }
    }
    let list = serde_json::to_string(files).expect("strings serialise");
    Ok(drop_source_maps(
        &template
            .replace(build_line, &format!("const BUILD = '{id}';"))
            .replace(files_line, &format!("const FILES = {list};")),
    ))
}

fn write(out: &Path, build: &Build, release: &str) -> Result<()> {
    for (name, bytes) in &build.files {
        let path = out.join(name);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("could not create {}", dir.display()))?;
        }
        std::fs::write(&path, bytes)
            .with_context(|| format!("could not write {}", path.display()))?;
    }
    let marker = serde_json::json!({
        "about": "Written by `cargo xtask dist`; the next dist into this folder removes these files.",
        "build": build.id,
        "release": release,
        "files": build.files.keys().collect::<Vec<_>>(),
    });
    let path = out.join(MARKER);
    std::fs::write(&path, serde_json::to_string_pretty(&marker)? + "\n")
        .with_context(|| format!("could not write {}", path.display()))
}

fn is_text(file: &str) -> bool {
    [".html", ".js", ".css"].iter().any(|e| file.ends_with(e))
}

/// The files a page, module or style sheet refers to. HTML: `src="…"` and
/// `href="…"` (not `data:`, `#…` or another host); JS: quoted literals that
/// start with `./` or `../`; CSS: `url(…)`. A relative literal naming a
/// `.js`, `.wasm`, `.css`, `.html`, `.npz` or `.gz` (a data set) file that does not
/// exist is an error
/// (caught in [`assemble`]); other such literals are left alone.
fn references(file: &str, bytes: &[u8]) -> Result<Refs> {
    if !is_text(file) {
        return Ok(Vec::new());
    }
    let text = std::str::from_utf8(bytes).with_context(|| format!("{file} is not UTF-8"))?;
    let mut literals = Vec::new();
    if file.ends_with(".html") {
        for attr in ["src=\"", "href=\""] {
            for (i, _) in text.match_indices(attr) {
                let start = i + attr.len();
                if let Some(end) = text[start..].find('"') {
                    literals.push(text[start..start + end].to_string());
                }
            }
        }
        literals.retain(|l| !l.contains(':') && !l.starts_with('#') && !l.is_empty());
    } else if file.ends_with(".js") {
        // A quote directly followed by ./ or ../, up to the same quote on
        // that line: apostrophes in comments cannot pair up wrongly.
        for quote in ['\'', '"'] {
            for start in ["./", "../"] {
                let open = format!("{quote}{start}");
                for (i, _) in text.match_indices(&open) {
                    let after = &text[i + 1..];
                    if let Some(end) = after.find([quote, '\n']) {
                        let lit = &after[..end];
                        // `"./x.js": value` is an object key (wasm-bindgen's
                        // import object), not a file the module loads.
                        let is_key = after[end + 1..].trim_start().starts_with(':');
                        if after[end..].starts_with(quote)
                            && !is_key
                            && !lit.contains(char::is_whitespace)
                        {
                            literals.push(lit.to_string());
                        }
                    }
                }
            }
        }
    } else if file.ends_with(".css") {
        for (i, _) in text.match_indices("url(") {
            let rest = &text[i + 4..];
            if let Some(end) = rest.find(')') {
                let lit = rest[..end].trim().trim_matches(['\'', '"']);
                if !lit.contains(':') && !lit.starts_with('#') && !lit.is_empty() {
                    literals.push(lit.to_string());
                }
            }
        }
    }
    literals.sort();
    literals.dedup();
    let dir = file.rsplit_once('/').map_or("", |(d, _)| d);
    let mut found = Vec::new();
    for lit in literals {
        let target = resolve(dir, &lit)
            .with_context(|| format!("{file} refers to {lit:?}, outside the folder"))?;
        let is_asset = [".js", ".wasm", ".css", ".html", ".npz", ".gz"]
            .iter()
            .any(|e| target.ends_with(e));
        if is_asset {
            found.push((lit, target));
        }
    }
    Ok(found)
}

/// `dir` + a relative path, normalised; `None` if it climbs out.
fn resolve(dir: &str, rel: &str) -> Option<String> {
    let rel = rel.split(['?', '#']).next().unwrap_or("");
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// Replace `literal` where it stands quoted (`'…'`, `"…"`) or in `url(…)`.
fn replace_quoted(text: &str, literal: &str, new: &str) -> String {
    let mut out = text.to_string();
    for (open, close) in [("'", "'"), ("\"", "\""), ("url(", ")")] {
        out = out.replace(
            &format!("{open}{literal}{close}"),
            &format!("{open}{new}{close}"),
        );
    }
    out
}

/// Text without `//# sourceMappingURL=` lines or `/*# sourceMappingURL=… */`.
fn drop_source_maps(text: &str) -> String {
    let kept: Vec<&str> = text
        .split_inclusive('\n')
        .filter(|l| {
            let t = l.trim_start();
            !(t.starts_with("//# sourceMappingURL=") || t.starts_with("/*# sourceMappingURL="))
        })
        .collect();
    kept.concat()
}

/// `www/app.js` + `3f2a…` -> `www/app.3f2a….js`.
fn hashed_name(file: &str, hash: &str) -> String {
    let (dir, name) = file.rsplit_once('/').map_or(("", file), |(d, n)| (d, n));
    let renamed = match name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
        None => format!("{name}.{hash}"),
    };
    if dir.is_empty() {
        renamed
    } else {
        format!("{dir}/{renamed}")
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The default output folder.
pub fn default_out(root: &Path) -> PathBuf {
    root.join("dist")
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSP_META: &str =
        r#"<meta http-equiv="Content-Security-Policy" content="default-src 'none'">"#;

    fn page(script: &str) -> Vec<u8> {
        format!("<!doctype html><head><meta charset=\"utf-8\">{CSP_META}<link rel=\"icon\" href=\"data:,\"><link rel=\"stylesheet\" href=\"www/style.css\"><script type=\"module\" src=\"www/{script}\"></script></head><a href=\"yourdata.html\">x</a><a href=\"#top\">top</a>").into_bytes()
    }

    fn sources() -> BTreeMap<String, Vec<u8>> {
        let mut s = BTreeMap::new();
        s.insert("index.html".into(), page("app.js"));
        s.insert("yourdata.html".into(), page("yourdata.js"));
        s.insert(
            "www/style.css".into(),
            b"body { color: red }\n/*# sourceMappingURL=style.css.map */\n".to_vec(),
        );
        s.insert(
            "www/app.js".into(),
            b"import init from './pkg/neurogeom.js';\nimport { a } from \"./a.js\";\nconst w = new URL('./worker.js', import.meta.url);\nconst m = 'see ./notes for why';\n//# sourceMappingURL=app.js.map\n".to_vec(),
        );
        s.insert(
            "www/a.js".into(),
            b"import { b } from './b.js';\nexport const a = 1;\n".to_vec(),
        );
        // b and a import each other: a cycle.
        s.insert(
            "www/b.js".into(),
            b"import { a } from './a.js';\nexport const b = 2;\n".to_vec(),
        );
        s.insert(
            "www/worker.js".into(),
            b"import { b } from './b.js';\nnew URL('./pkg/neurogeom_bg.wasm', import.meta.url);\nconst d = new URL('./data/set.npz', import.meta.url);\nconst g = new URL('./data/other.csv.gz', import.meta.url);\n"
                .to_vec(),
        );
        s.insert("www/data/set.npz".into(), b"PK\x03\x04 a data set".to_vec());
        s.insert(
            "www/data/other.csv.gz".into(),
            b"\x1f\x8b a gzip data set".to_vec(),
        );
        s.insert("www/data/unused.npz".into(), b"PK\x03\x04".to_vec());
        s.insert(
            "www/yourdata.js".into(),
            b"import { a } from './a.js';\n".to_vec(),
        );
        s.insert("www/unused.js".into(), b"export {};\n".to_vec());
        s.insert(
            "www/pkg/neurogeom.js".into(),
            b"const imports = { \"./neurogeom_bg.js\": {} };\nexport default function init() {}\n"
                .to_vec(),
        );
        s.insert(
            "www/pkg/neurogeom_bg.wasm".into(),
            b"\0asm\x01\0\0\0".to_vec(),
        );
        s.insert(
            SW_SOURCE.into(),
            b"const BUILD = 'dev';\nconst FILES = [];\nself.addEventListener('fetch', () => {});\n"
                .to_vec(),
        );
        s
    }

    fn name_of<'a>(b: &'a Build, stem: &str) -> &'a str {
        b.files
            .keys()
            // `stem` ends with its dot: stem + HASH + "." + extension.
            .find(|k| {
                k.starts_with(stem)
                    && k.len()
                        == stem.len() + NAME_HASH_LEN + 1 + k.rsplit('.').next().unwrap().len()
            })
            .unwrap_or_else(|| {
                panic!(
                    "no {stem}.HASH.* in {:?}",
                    b.files.keys().collect::<Vec<_>>()
                )
            })
    }

    fn text(b: &Build, name: &str) -> String {
        String::from_utf8(b.files[name].clone()).unwrap()
    }

    /// A data set the page fetches (`www/data/*.npz`) is in the folder under
    /// a content-hashed name, the worker fetches that name, the service
    /// worker caches it for offline use, and no page preloads it.
    #[test]
    fn data_sets_are_hashed_cached_and_not_preloaded() {
        let b = assemble(&sources(), None).unwrap();
        let data = name_of(&b, "www/data/set.");
        assert!(data.ends_with(".npz"), "{data}");
        assert_eq!(b.files[data], b"PK\x03\x04 a data set");
        assert!(!b.files.keys().any(|k| k.contains("unused.npz")));
        let worker = name_of(&b, "www/worker.");
        let file = data.rsplit('/').next().unwrap();
        assert!(
            text(&b, worker).contains(&format!("new URL('./data/{file}', import.meta.url)")),
            "{}",
            text(&b, worker)
        );
        assert!(text(&b, "sw.js").contains(&format!("\"{data}\"")));
        // A gzip file (the UCI digits) likewise, its hash before `.gz`.
        let gz = name_of(&b, "www/data/other.csv.");
        assert!(
            gz.ends_with(".gz") && gz.len() == "www/data/other.csv..gz".len() + 10,
            "{gz}"
        );
        assert_eq!(b.files[gz], b"\x1f\x8b a gzip data set");
        assert!(text(&b, "sw.js").contains(&format!("\"{gz}\"")));
        assert!(text(&b, worker).contains(&format!(
            "new URL('./data/{}', import.meta.url)",
            &gz["www/data/".len()..]
        )));
        for page in PAGES {
            assert!(
                !text(&b, page).contains(".npz"),
                "{page} preloads no data set"
            );
        }
        // A changed data set renames itself and the worker that fetches it.
        let mut changed = sources();
        changed.insert("www/data/set.npz".into(), b"PK\x03\x04 another".to_vec());
        let c = assemble(&changed, None).unwrap();
        assert_ne!(name_of(&c, "www/data/set."), data);
        assert_ne!(name_of(&c, "www/worker."), worker);
    }

    #[test]
    fn preloads_come_in_load_order() {
        // Two scripts: boot.js (first in the page) and app.js. Each one's
        // graph comes whole, depth first, in the order its file names them,
        // each file once; the other page and non-module files are left out.
        let mut s = sources();
        s.insert(
            "index.html".into(),
            String::from_utf8(page("app.js"))
                .unwrap()
                .replace(
                    "<script type=\"module\" src=\"www/app.js\">",
                    "<script type=\"module\" async src=\"www/boot.js\"></script><script type=\"module\" src=\"www/app.js\">",
                )
                .into_bytes(),
        );
        s.insert(
            "www/boot.js".into(),
            b"import { b } from './b.js';\nconst w = new URL('./worker.js', import.meta.url);\n"
                .to_vec(),
        );
        let b = assemble(&s, None).unwrap();
        let index = text(&b, "index.html");
        let order: Vec<&str> = index
            .match_indices("rel=\"modulepreload\" href=\"")
            .map(|(i, m)| {
                let rest = &index[i + m.len()..];
                &rest[..rest.find('"').unwrap()]
            })
            .collect();
        let expected: Vec<&str> = [
            "www/boot.",
            "www/b.",
            "www/a.",
            "www/worker.",
            "www/app.",
            "www/pkg/neurogeom.",
        ]
        .iter()
        .map(|f| name_of(&b, f))
        .collect();
        assert_eq!(order, expected, "{index}");
        assert!(
            index.find("rel=\"preload\"").unwrap() < index.find("modulepreload").unwrap(),
            "the wasm first"
        );
    }

    #[test]
    fn names_by_content_and_rewrites_every_reference() {
        let b = assemble(&sources(), None).unwrap();
        let app = name_of(&b, "www/app.");
        let a = name_of(&b, "www/a.");
        let worker = name_of(&b, "www/worker.");
        let glue = name_of(&b, "www/pkg/neurogeom.");
        let wasm = name_of(&b, "www/pkg/neurogeom_bg.");
        let css = name_of(&b, "www/style.");
        assert!(
            !b.files.keys().any(|k| k.contains("unused")),
            "only what the pages reach"
        );
        assert!(!b.files.contains_key("www/app.js"));

        let index = text(&b, "index.html");
        assert!(index.contains(&format!("src=\"{app}\"")), "{index}");
        assert!(index.contains(&format!("href=\"{css}\"")), "{index}");
        assert!(index.contains("href=\"yourdata.html\"") && index.contains("href=\"data:,\""));
        assert!(index.contains(&format!(
            "<meta name=\"neurogeom-build\" content=\"{}\">",
            b.id
        )));
        assert!(!index.contains("neurogeom-base-url"));
        // Preloads: the wasm and every module the page reaches, before its script.
        let script = index.find("<script type=\"module\"").unwrap();
        let before = |tag: String| index.find(&tag).is_some_and(|i| i < script);
        assert!(
            before(format!(
                "<link rel=\"preload\" href=\"{wasm}\" as=\"fetch\""
            )),
            "{index}"
        );
        assert!(
            before(format!("<link rel=\"modulepreload\" href=\"{worker}\">")),
            "{index}"
        );
        assert!(
            !index.contains("modulepreload\" href=\"www/yourdata."),
            "not the other page's"
        );
        assert!(!index.contains("href=\"yourdata.html\" as="));

        let app_text = text(&b, app);
        assert!(
            app_text.contains(&format!("'./pkg/{}'", file_name(glue))),
            "{app_text}"
        );
        assert!(
            app_text.contains(&format!("\"./{}\"", file_name(a))),
            "{app_text}"
        );
        assert!(app_text.contains(&format!(
            "new URL('./{}', import.meta.url)",
            file_name(worker)
        )));
        assert!(
            app_text.contains("'see ./notes for why'"),
            "prose is left alone"
        );
        assert!(
            !app_text.contains("sourceMappingURL") && !text(&b, css).contains("sourceMappingURL")
        );
        assert!(text(&b, worker).contains(&format!("'./pkg/{}'", file_name(wasm))));

        // The service worker lists every file but itself, with the build id.
        let sw = text(&b, SW_NAME);
        assert!(sw.contains(&format!("const BUILD = '{}';", b.id)), "{sw}");
        for name in b.files.keys().filter(|k| *k != SW_NAME) {
            assert!(sw.contains(&format!("\"{name}\"")), "{name} not in {sw}");
        }
    }

    #[test]
    fn a_change_renames_the_file_and_everything_that_reaches_it() {
        let before = assemble(&sources(), None).unwrap();
        let mut changed = sources();
        changed.insert(
            "www/b.js".into(),
            b"import { a } from './a.js';\nexport const b = 3;\n".to_vec(),
        );
        let after = assemble(&changed, None).unwrap();
        for stem in [
            "www/a.",
            "www/b.",
            "www/app.",
            "www/worker.",
            "www/yourdata.",
        ] {
            assert_ne!(
                name_of(&before, stem),
                name_of(&after, stem),
                "{stem} must be renamed"
            );
        }
        for stem in ["www/pkg/neurogeom.", "www/pkg/neurogeom_bg.", "www/style."] {
            assert_eq!(
                name_of(&before, stem),
                name_of(&after, stem),
                "{stem} is unchanged"
            );
        }
        assert_ne!(before.id, after.id);
        // The same sources give the same folder.
        let again = assemble(&changed, None).unwrap();
        assert_eq!(again.id, after.id);
        assert_eq!(again.files, after.files);
    }

    #[test]
    fn the_base_url_is_recorded_in_both_pages() {
        let b = assemble(&sources(), Some("https://example.org/lab/")).unwrap();
        for p in PAGES {
            assert!(text(&b, p).contains(
                r#"<meta name="neurogeom-base-url" content="https://example.org/lab/">"#
            ));
        }
        assert_ne!(
            b.id,
            assemble(&sources(), None).unwrap().id,
            "another build"
        );
    }

    #[test]
    fn a_missing_module_or_policy_is_an_error() {
        let mut s = sources();
        s.insert("www/a.js".into(), b"import { c } from './c.js';\n".to_vec());
        let err = assemble(&s, None).err().unwrap().to_string();
        assert!(err.contains("www/a.js") && err.contains("./c.js"), "{err}");

        let mut s = sources();
        s.insert(
            "index.html".into(),
            String::from_utf8(page("app.js"))
                .unwrap()
                .replace(CSP_META, "")
                .into_bytes(),
        );
        let err = assemble(&s, None).err().unwrap().to_string();
        assert!(err.contains("Content-Security-Policy"), "{err}");

        let mut s = sources();
        s.insert(
            "www/a.js".into(),
            b"import x from '../../etc/x.js';\n".to_vec(),
        );
        assert!(assemble(&s, None).is_err());
    }

    #[test]
    fn base_urls() {
        assert_eq!(
            check_base_url("https://example.org").unwrap(),
            "https://example.org/"
        );
        assert_eq!(
            check_base_url("https://example.org/lab").unwrap(),
            "https://example.org/lab/"
        );
        assert_eq!(
            check_base_url("https://example.org/lab/").unwrap(),
            "https://example.org/lab/"
        );
        assert_eq!(
            check_base_url("http://127.0.0.1:8080/index.html").unwrap(),
            "http://127.0.0.1:8080/index.html"
        );
        for bad in [
            "example.org",
            "ftp://x/",
            "https://",
            "https://x/a b",
            "https://x/#v=1",
            "https://x/?a=1",
            "https://x/\"><script>",
        ] {
            assert!(check_base_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn refuses_a_folder_that_is_not_a_dist_and_replaces_one_that_is() {
        let dir = std::env::temp_dir().join(format!("xtask-dist-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        assert!(check_out_dir(&dir).unwrap().is_empty(), "a new folder");
        std::fs::create_dir_all(&dir).unwrap();
        assert!(check_out_dir(&dir).unwrap().is_empty(), "an empty folder");

        std::fs::write(dir.join("thesis.tex"), "precious").unwrap();
        let err = check_out_dir(&dir).unwrap_err().to_string();
        assert!(err.contains("refusing to overwrite"), "{err}");
        assert_eq!(
            std::fs::read_to_string(dir.join("thesis.tex")).unwrap(),
            "precious"
        );
        std::fs::remove_file(dir.join("thesis.tex")).unwrap();

        // A previous dist: its files go, a file of the owner's stays.
        let b = assemble(&sources(), None).unwrap();
        write(&dir, &b, "0.2.0").unwrap();
        std::fs::write(dir.join("CNAME"), "lab.example.org").unwrap();
        let listed = check_out_dir(&dir).unwrap();
        assert_eq!(listed.len(), b.files.len());
        clear_previous(&dir, &listed).unwrap();
        let left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, ["CNAME"]);

        // A marker that points outside is refused.
        std::fs::write(dir.join(MARKER), r#"{"files": ["../x"]}"#).unwrap();
        assert!(check_out_dir(&dir).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A repository in a temporary folder with [`sources`] and `version`.
    fn source_tree(name: &str, version: &str) -> PathBuf {
        let root = std::env::temp_dir().join(format!("xtask-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for (path, bytes) in sources() {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
        std::fs::write(
            root.join("Cargo.toml"),
            format!("[package]\nname = \"neurogeom\"\nversion = \"{version}\"\n\n[dependencies]\nserde = {{ version = \"1\" }}\n"),
        )
        .unwrap();
        root
    }

    /// Every file under `dir`, relative, sorted.
    fn tree(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        let mut todo = vec![dir.to_path_buf()];
        while let Some(d) = todo.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let path = e.unwrap().path();
                if path.is_dir() {
                    todo.push(path);
                } else {
                    let rel = path.strip_prefix(dir).unwrap();
                    out.push(rel.to_str().unwrap().replace('\\', "/"));
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn the_release_is_read_from_the_package() {
        let root = source_tree("release", "0.3.1-rc.1+build");
        assert_eq!(release_of(&root).unwrap(), "0.3.1");
        std::fs::write(root.join("Cargo.toml"), "[package]\nversion = \"banana\"\n").unwrap();
        assert!(release_of(&root).is_err());
        std::fs::write(
            root.join("Cargo.toml"),
            "[dependencies]\nversion = \"1.0.0\"\n",
        )
        .unwrap();
        assert!(release_of(&root).is_err(), "only [package] counts");
        std::fs::remove_dir_all(&root).unwrap();
        assert!(in_release_dir("v0.1.9/index.html") && in_release_dir("v10.0.2/www/a.js"));
        for not in ["v0.1.9", "www/v0.1.9/x", "v0.1/x", "vx.1.2/x", "index.html"] {
            assert!(!in_release_dir(not), "{not}");
        }
    }

    #[test]
    fn each_release_keeps_its_folder_beside_the_latest() {
        let out = std::env::temp_dir().join(format!("xtask-dist-releases-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        let old = source_tree("old", "0.1.9");
        write_folder(&old, &old.join("www/pkg"), &out, None).unwrap();
        let first = tree(&out);
        let root_files: Vec<&String> = first.iter().filter(|f| !f.starts_with("v0.1.9/")).collect();
        let copy_files: Vec<String> = first
            .iter()
            .filter_map(|f| f.strip_prefix("v0.1.9/").map(String::from))
            .collect();
        // The same build at the root and in v0.1.9/, byte for byte.
        assert!(
            root_files.iter().any(|f| *f == "index.html")
                && root_files.iter().any(|f| *f == "sw.js")
        );
        assert_eq!(root_files.len(), copy_files.len(), "{first:?}");
        for f in &copy_files {
            assert_eq!(
                std::fs::read(out.join(f)).unwrap(),
                std::fs::read(out.join("v0.1.9").join(f)).unwrap(),
                "{f}"
            );
        }
        let old_index = std::fs::read(out.join("v0.1.9/index.html")).unwrap();

        // A later release into the same folder: the root is the new build,
        // v0.1.9/ stays as it was, and v0.2.0/ holds the new one.
        let new = source_tree("new", "0.2.0");
        std::fs::write(
            new.join("www/a.js"),
            "import { b } from './b.js';\nexport const a = 2;\n",
        )
        .unwrap();
        std::fs::write(out.join("CNAME"), "lab.example.org").unwrap();
        write_folder(
            &new,
            &new.join("www/pkg"),
            &out,
            Some("https://lab.example.org/ng/"),
        )
        .unwrap();
        let second = tree(&out);
        assert_eq!(
            second
                .iter()
                .filter(|f| f.starts_with("v0.1.9/"))
                .cloned()
                .collect::<Vec<_>>(),
            first
                .iter()
                .filter(|f| f.starts_with("v0.1.9/"))
                .cloned()
                .collect::<Vec<_>>(),
            "the older release's folder is kept"
        );
        assert_eq!(
            std::fs::read(out.join("v0.1.9/index.html")).unwrap(),
            old_index
        );
        assert!(second.contains(&"CNAME".to_string()));
        let root_index = std::fs::read_to_string(out.join("index.html")).unwrap();
        let copy_index = std::fs::read_to_string(out.join("v0.2.0/index.html")).unwrap();
        assert_ne!(
            root_index.as_bytes(),
            &old_index[..],
            "the root is the new build"
        );
        assert!(root_index
            .contains(r#"<meta name="neurogeom-base-url" content="https://lab.example.org/ng/">"#));
        assert!(copy_index.contains(
            r#"<meta name="neurogeom-base-url" content="https://lab.example.org/ng/v0.2.0/">"#
        ));
        let marker: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join(MARKER)).unwrap()).unwrap();
        assert_eq!(marker["release"], "0.2.0");
        // The root's file list names only the root's files; the old ones went.
        let listed = check_out_dir(&out).unwrap();
        assert!(listed.iter().all(|f| !f.starts_with('v')), "{listed:?}");
        let root_now: Vec<&String> = second
            .iter()
            .filter(|f| !f.starts_with("v0.") && *f != "CNAME")
            .collect();
        assert_eq!(
            root_now.len(),
            listed.len() + 1,
            "the files of the list and the list: {root_now:?}"
        );

        // The same release again replaces its own folder's files, nothing else.
        std::fs::write(
            new.join("www/a.js"),
            "import { b } from './b.js';\nexport const a = 3;\n",
        )
        .unwrap();
        let before_copy = check_out_dir(&out.join("v0.2.0")).unwrap();
        write_folder(&new, &new.join("www/pkg"), &out, None).unwrap();
        let third = tree(&out);
        assert_eq!(
            third.iter().filter(|f| f.starts_with("v0.2.0/")).count(),
            before_copy.len() + 1
        );
        assert!(third.contains(&"v0.1.9/index.html".to_string()));
        for f in before_copy.iter().filter(|f| f.starts_with("www/a.")) {
            assert!(!third.contains(&format!("v0.2.0/{f}")), "{f} was replaced");
        }

        // A foreign file in the current release's folder is never overwritten.
        std::fs::remove_dir_all(out.join("v0.2.0")).unwrap();
        std::fs::create_dir_all(out.join("v0.2.0")).unwrap();
        std::fs::write(out.join("v0.2.0/notes.txt"), "mine").unwrap();
        let err = write_folder(&new, &new.join("www/pkg"), &out, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("refusing to overwrite"), "{err}");
        for d in [&out, &old, &new] {
            std::fs::remove_dir_all(d).unwrap();
        }
    }
}
