//! A lab configuration and its shareable URL fragment, and the result hash.
//!
//! The fragment is versioned and human-readable:
//! `#v=1&lab=lazy-rich&seed=7&alpha=0.1&width=128&steps=2000`. Besides the
//! lab's parameters it may carry `sweep=` (see [`crate::sweep`]), `seeds=N`
//! (each sweep point over N seeds), `pin=` (a pinned run's own fragment,
//! percent-encoded, drawn beside the current run for comparison), `ng=`
//! (the NeuroGeom version that made the link, see [`crate::version`]; links
//! the page and the CLI hand out end with it, [`with_version`]), and
//! `embed=CHART[,CHART…]`, which only changes how the page shows the run
//! (those charts alone, for an `<iframe>`): the run and its hash are the same.
//! Parsing is total: whatever the text, it gives a usable [`LabConfig`] and a
//! list of warnings for whatever was unknown, malformed or out of range.

use serde::{Deserialize, Serialize};

pub use crate::config::{LabConfig, DEFAULT_SEED};
use crate::labs;
use crate::params::{grouped_warning, shorten};
pub use crate::run::result_hash;
use crate::sweep::{SweepSpec, MAX_RUNS};
use crate::version::{self, VersionNote};

/// The fragment format version this code writes and reads.
pub const FRAGMENT_VERSION: u32 = 1;

/// The URL fragment of a configuration (without '#'): version, lab, seed,
/// then every parameter in the lab's own order.
pub fn config_fragment(config: &LabConfig) -> String {
    let mut parts = vec![
        format!("v={FRAGMENT_VERSION}"),
        format!("lab={}", encode(&config.lab)),
        format!("seed={}", config.seed),
    ];
    let order: Vec<String> = match labs::spec(&config.lab) {
        Some(spec) => spec.params.iter().map(|p| p.key.clone()).collect(),
        None => config.params.keys().cloned().collect(),
    };
    for key in order {
        if let Some(v) = config.params.get(&key) {
            parts.push(format!(
                "{}={}",
                encode(&key),
                encode(&v.to_fragment_text())
            ));
        }
    }
    parts.join("&")
}

/// The result of reading a link: always a usable configuration, plus what
/// was wrong with the text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParsedLink {
    pub config: LabConfig,
    /// A sweep over one or two parameters (`&sweep=alpha:log:0.01:1000:11`,
    /// `&sweep=alpha:log:0.01:1000:9;width:list:32,64`), if the link asks for
    /// one, with its seeds.
    pub sweep: Option<SweepSpec>,
    /// `&seeds=N`: how many seeds a sweep runs each point over (1 if absent;
    /// `sweep.seeds` when there is a sweep). Kept without a sweep too, for
    /// `neurogeom sweep LINK --sweep ...`.
    pub seeds: u32,
    /// `&pin=<fragment>`: the fragment of a run pinned for comparison,
    /// percent-decoded (the page draws its series beside the current run's).
    pub pin: Option<String>,
    /// `&embed=loss,cka`: the page shows only these charts (by id, in this
    /// order) with a play control, the hash and a link to the full page.
    /// The page names the lab's charts when one is unknown.
    #[serde(default)]
    pub embed: Option<Vec<String>>,
    pub warnings: Vec<String>,
    /// `&ng=<version>`: the NeuroGeom that made the link, as written.
    #[serde(default)]
    pub made_with: Option<String>,
    /// What to say beside the result when `made_with` is another version
    /// than this one (older, newer, or not a version): the link runs all
    /// the same, so this is a note, never one of the `warnings`.
    #[serde(default)]
    pub version_note: Option<VersionNote>,
}

/// A fragment as the page's "Copy link" and the CLI hand it out: with
/// `&ng=<this version>` at the end, so that whoever opens it later learns
/// which version made it. The version is not part of the configuration: the
/// same fragment with another `ng=` runs the same run.
pub fn with_version(fragment: &str) -> String {
    format!(
        "{fragment}&{}={}",
        version::LINK_KEY,
        encode(version::VERSION)
    )
}

/// The fragment for a configuration and, optionally, a sweep (with
/// `&seeds=N` when it runs more than one seed) and a pinned run's fragment
/// (percent-encoded as one value).
pub fn link_fragment(config: &LabConfig, sweep: Option<&SweepSpec>, pin: Option<&str>) -> String {
    let mut out = config_fragment(config);
    if let Some(s) = sweep {
        out.push_str(&format!("&sweep={}", encode(&s.to_text())));
        if s.seeds > 1 {
            out.push_str(&format!("&seeds={}", s.seeds));
        }
    }
    if let Some(pin) = pin {
        out.push_str(&format!("&pin={}", encode(pin)));
    }
    out
}

/// Read a full link (`http://host/#v=1&...`), a fragment with or without
/// its '#', or an empty string. Never panics; every problem becomes a
/// warning and a default.
pub fn parse_link(text: &str) -> ParsedLink {
    let fragment = match text.find('#') {
        Some(i) => &text[i + 1..],
        None if text.contains("://") => "",
        None => text.trim_start_matches('?'),
    };
    parse_fragment(fragment)
}

fn parse_fragment(fragment: &str) -> ParsedLink {
    let mut warnings = Vec::new();
    let mut lab: Option<String> = None;
    let mut seed = DEFAULT_SEED;
    let mut raw: Vec<(String, String)> = Vec::new();
    let mut sweep_text: Option<String> = None;
    let mut seeds_text: Option<String> = None;
    let mut pin: Option<String> = None;
    let mut no_value: Vec<String> = Vec::new();
    let mut made_with: Option<String> = None;
    let mut embed: Option<Vec<String>> = None;

    for piece in fragment.split('&').filter(|p| !p.trim().is_empty()) {
        let (k, v) = match piece.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => {
                no_value.push(decode(piece));
                continue;
            }
        };
        match k.as_str() {
            "v" => {
                if v.trim() != FRAGMENT_VERSION.to_string() {
                    warnings.push(format!(
                        "link version '{}' is not {FRAGMENT_VERSION}; reading it as version {FRAGMENT_VERSION}",
                        shorten(&v)
                    ));
                }
            }
            "lab" => lab = Some(v),
            k if k == version::LINK_KEY => made_with = Some(v),
            "sweep" => sweep_text = Some(v),
            "seeds" => seeds_text = Some(v),
            "pin" => {
                let p = v.trim().trim_start_matches('#');
                if p.is_empty() {
                    warnings.push("pin: empty; nothing pinned".into());
                } else {
                    pin = Some(p.to_string());
                }
            }
            "embed" => {
                let mut ids: Vec<String> = Vec::new();
                for id in v.split(',').map(str::trim).filter(|id| !id.is_empty()) {
                    if !ids.iter().any(|x| x == id) {
                        ids.push(id.to_string());
                    }
                }
                if ids.is_empty() {
                    warnings.push("embed: names no chart; showing the whole page".into());
                } else {
                    embed = Some(ids);
                }
            }
            "seed" => match v.trim().parse::<u64>() {
                Ok(s) => seed = s,
                Err(_) => warnings.push(format!(
                    "seed: '{}' is not a whole number from 0 to {}; using {DEFAULT_SEED}",
                    shorten(&v),
                    u64::MAX
                )),
            },
            _ => raw.push((k, v)),
        }
    }

    let spec = match lab {
        Some(name) => match labs::spec(&name) {
            Some(s) => s,
            None => {
                let s = labs::default_spec();
                warnings.push(format!(
                    "unknown lab '{}'; opening '{}' (labs: {})",
                    shorten(&name),
                    s.name,
                    labs::names().join(", ")
                ));
                s
            }
        },
        None => labs::default_spec(),
    };

    warnings.extend(grouped_warning(
        &no_value,
        "has no '=value'",
        "pieces have no '=value'",
    ));
    let mut config = LabConfig {
        seed,
        ..LabConfig::defaults(&spec)
    };
    let mut unknown: Vec<String> = Vec::new();
    for (k, v) in raw {
        match spec.params.iter().find(|p| p.key == k) {
            Some(p) => {
                let (value, w) = p.parse_text(&v);
                warnings.extend(w);
                config.params.insert(k, value);
            }
            None => unknown.push(k),
        }
    }
    warnings.extend(grouped_warning(
        &unknown,
        &format!("is not a parameter of {}", spec.name),
        &format!("keys are not parameters of {}", spec.name),
    ));
    let seeds = match seeds_text {
        None => 1,
        Some(text) => match text.trim().parse::<u32>() {
            Ok(n) if (1..=MAX_RUNS as u32).contains(&n) => n,
            _ => {
                warnings.push(format!(
                    "seeds: '{}' is not a whole number from 1 to {MAX_RUNS}; using 1",
                    shorten(&text)
                ));
                1
            }
        },
    };
    let sweep = sweep_text.and_then(|text| {
        match SweepSpec::parse(&text)
            .and_then(|s| s.with_seeds(seeds))
            .and_then(|s| s.runs(&config).map(|_| s))
        {
            Ok(s) => Some(s),
            Err(e) => {
                warnings.push(format!("{e}; showing a single run"));
                None
            }
        }
    });
    let version_note = made_with.as_deref().and_then(version::note_for);
    ParsedLink {
        config,
        sweep,
        seeds,
        pin,
        embed,
        warnings,
        made_with,
        version_note,
    }
}

/// A page's public address, as `--base-url` and `NEUROGEOM_BASE_URL` give
/// it to the CLI and `cargo xtask dist --base-url` to a built folder (the
/// same rules there): `http://` or `https://`, a host, no query, fragment,
/// space, quote or `<>&\``. A folder's address gets its trailing `/`
/// (`https://example.org/lab` → `https://example.org/lab/`); a page's
/// (`…/index.html`) stays as it is.
pub fn base_url(url: &str) -> Result<String, String> {
    let url = url.trim();
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return Err(format!(
            "the base URL must start with https:// or http://, got '{}'",
            shorten(url)
        ));
    };
    if rest.is_empty() || rest.starts_with('/') {
        return Err(format!("the base URL '{}' names no host", shorten(url)));
    }
    if let Some(c) = url
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || "#?\"'<>\\`&".contains(*c))
    {
        return Err(format!(
            "the base URL '{}' contains {c:?}; give the page's folder, e.g. https://example.org/neurogeom/",
            shorten(url)
        ));
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

/// The full link of a fragment on a host given by [`base_url`]:
/// `https://example.org/lab/` and `v=1&lab=…` → `https://example.org/lab/#v=1&lab=…`.
pub fn public_link(base: &str, fragment: &str) -> String {
    format!("{base}#{}", fragment.trim_start_matches('#'))
}

/// Percent-encode the characters that would break a fragment.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'~'
            | b'+'
            | b':'
            | b';'
            | b',' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Percent-decode, leaving malformed escapes as they are and replacing
/// invalid UTF-8.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_handles_escapes_and_garbage() {
        assert_eq!(decode("a%20b"), "a b");
        assert_eq!(decode("%"), "%");
        assert_eq!(decode("%4"), "%4");
        assert_eq!(decode("%zz"), "%zz");
        assert_eq!(decode("%C3%A9"), "é");
        assert_eq!(decode("%FF"), "\u{FFFD}");
    }

    /// A value out of range is clamped, and the warning says "clamped to",
    /// not that a default was used; unknown keys and pieces without a value
    /// come as one grouped warning each, however many there are.
    #[test]
    fn warnings_say_what_was_done_and_group_the_many() {
        let parsed = parse_link("#v=1&lab=lazy-rich&steps=-5&width=2.5");
        assert_eq!(parsed.config.int("steps"), 1);
        assert_eq!(parsed.config.int("width"), 3);
        assert_eq!(
            parsed.warnings,
            [
                "steps: -5 is outside [1, 100000]; clamped to 1",
                "width: 2.5 is not a whole number; rounded to 3"
            ]
        );
        let one = parse_link("#v=1&lab=lazy-rich&bogus=1&lonely");
        assert_eq!(
            one.warnings,
            [
                "'lonely' has no '=value'; ignored",
                "'bogus' is not a parameter of lazy-rich; ignored"
            ]
        );
        let keys: String = (0..420).map(|i| format!("&k{i}=1")).collect();
        let bare: String = (0..9).map(|i| format!("&p{i}")).collect();
        let many = parse_link(&format!("#v=1&lab=credit{keys}{bare}&steps=7"));
        assert_eq!(many.config.int("steps"), 7);
        assert_eq!(
            many.warnings,
            [
                "9 pieces have no '=value'; ignored: 'p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7' (and 1 more)",
                "420 keys are not parameters of credit; ignored: 'k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7' (and 412 more)"
            ]
        );
        let two = parse_link("#v=1&lab=credit&a=1&b=2");
        assert_eq!(
            two.warnings,
            ["2 keys are not parameters of credit; ignored: 'a', 'b'"]
        );
    }

    #[test]
    fn embed_names_charts_and_leaves_the_run_alone() {
        let plain = parse_link("v=1&lab=capacity&seed=2");
        let embedded = parse_link("v=1&lab=capacity&seed=2&embed=capacity,%20radius,,capacity");
        assert_eq!(
            embedded.embed.as_deref(),
            Some(&["capacity".to_string(), "radius".to_string()][..])
        );
        assert!(embedded.warnings.is_empty(), "{:?}", embedded.warnings);
        assert_eq!(embedded.config, plain.config, "the same run");
        assert_eq!(plain.embed, None);
        let empty = parse_link("v=1&lab=capacity&embed=");
        assert_eq!(empty.embed, None);
        assert!(
            empty.warnings[0].starts_with("embed:"),
            "{:?}",
            empty.warnings
        );
    }

    #[test]
    fn base_urls_and_public_links() {
        let ok = |u: &str| base_url(u).unwrap();
        assert_eq!(ok("https://example.org"), "https://example.org/");
        assert_eq!(ok(" https://example.org/lab "), "https://example.org/lab/");
        assert_eq!(ok("https://example.org/lab/"), "https://example.org/lab/");
        assert_eq!(
            ok("http://127.0.0.1:8080/index.html"),
            "http://127.0.0.1:8080/index.html"
        );
        for bad in [
            "example.org",
            "ftp://x/",
            "https://",
            "https:///x",
            "https://x/a b",
            "https://x/#v=1",
            "https://x/?a=1",
            "https://x/\"><b>",
        ] {
            assert!(base_url(bad).is_err(), "{bad}");
        }
        assert_eq!(
            public_link(&ok("https://example.org/lab"), "#v=1&lab=capacity&seed=2"),
            "https://example.org/lab/#v=1&lab=capacity&seed=2"
        );
        // The link reads back as the fragment does.
        let link = public_link(&ok("https://x.org/a"), "v=1&lab=capacity&seed=2");
        assert_eq!(parse_link(&link), parse_link("v=1&lab=capacity&seed=2"));
    }

    #[test]
    fn encode_decode_round_trip() {
        for s in ["lazy-rich", "a b&c=d#e", "é", "1e-3", ""] {
            assert_eq!(decode(&encode(s)), s);
        }
    }
}
