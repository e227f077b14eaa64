//! CHANGELOG.md, read by machines: each release's result changes.
//!
//! The file stays plain Markdown for people. Three conventions make it
//! readable here too (the file's own header repeats them):
//!
//! - a release is a second-level heading that starts with its version in
//!   brackets: `## [0.2.0] — 2026-12-01` (anything after the bracket is free);
//! - its result changes are the bullets under any deeper heading whose text
//!   starts with "Result changes" (`### Result changes`);
//! - each bullet names what changed before its first `: ` outside quotes
//!   (the subject), then says why: the lab in backquotes, then either
//!   `every preset` or the presets' titles in double quotes:
//!
//!   ```text
//!   - `feedback`, every preset: the multishift eigensolver (…) …
//!   - `modularity` "The MLP autoencoder: a modular square": smaller initial weights …
//!   ```
//!
//! The page and the CLI name these changes when a link was made with an
//! older version ([`crate::version`]); `cargo xtask test` checks that every
//! preset whose golden hash changed in the current version is named in its
//! section. This file uses only `std` and no `crate::` path, so xtask
//! compiles the same parser (`#[path]`) instead of keeping a second one.

/// One release's section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Release {
    /// The version in the heading's brackets, e.g. `0.2.0`.
    pub version: String,
    /// The rest of the heading (a date, or a note such as "not yet tagged").
    pub note: String,
    /// The bullets under its "Result changes" headings, in file order.
    pub result_changes: Vec<ResultChange>,
}

/// One bullet of a release's result changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultChange {
    /// The lab named in backquotes in the subject, if any.
    pub lab: Option<String>,
    /// The subject says "every preset" (of `lab`).
    pub every_preset: bool,
    /// The preset titles quoted in the subject.
    pub presets: Vec<String>,
    /// The whole bullet as plain text (backquotes and `**` removed, lines
    /// joined), for people.
    pub text: String,
}

impl ResultChange {
    /// Whether this bullet names the preset `title` of `lab`.
    pub fn names(&self, lab: &str, title: &str) -> bool {
        self.lab.as_deref() == Some(lab)
            && (self.every_preset || self.presets.iter().any(|p| p == title))
    }
}

/// Every release section of the changelog, in file order (newest first by
/// convention; callers that compare versions sort for themselves).
pub fn parse(markdown: &str) -> Vec<Release> {
    let mut releases: Vec<Release> = Vec::new();
    let mut in_release = false;
    let mut in_results = false;
    let mut bullet: Option<String> = None;

    fn flush(bullet: &mut Option<String>, releases: &mut [Release]) {
        if let (Some(text), Some(release)) = (bullet.take(), releases.last_mut()) {
            release.result_changes.push(read_bullet(&text));
        }
    }

    for line in markdown.lines() {
        let trimmed = line.trim_end();
        let hashes = trimmed.chars().take_while(|&c| c == '#').count();
        let is_heading = hashes > 0 && trimmed[hashes..].starts_with(' ');
        if is_heading {
            flush(&mut bullet, &mut releases);
            let text = trimmed[hashes..].trim();
            if hashes <= 2 {
                in_results = false;
                in_release = false;
                if hashes == 2 {
                    if let Some((version, note)) = release_heading(text) {
                        releases.push(Release {
                            version,
                            note,
                            result_changes: Vec::new(),
                        });
                        in_release = true;
                    }
                }
            } else {
                in_results = in_release && text.to_ascii_lowercase().starts_with("result changes");
            }
            continue;
        }
        if !in_results {
            continue;
        }
        if let Some(rest) = trimmed
            .strip_prefix("- ")
            .or_else(|| trimmed.strip_prefix("* "))
        {
            flush(&mut bullet, &mut releases);
            bullet = Some(rest.trim().to_string());
        } else if trimmed.trim().is_empty() {
            flush(&mut bullet, &mut releases);
        } else if let Some(b) = bullet.as_mut() {
            // A continuation line of the bullet.
            b.push(' ');
            b.push_str(trimmed.trim());
        }
    }
    flush(&mut bullet, &mut releases);
    releases
}

/// `[0.2.0] — 2026-12-01` → ("0.2.0", "2026-12-01").
fn release_heading(text: &str) -> Option<(String, String)> {
    let rest = text.strip_prefix('[')?;
    let (version, after) = rest.split_once(']')?;
    let version = version.trim();
    let looks_like_version = version.chars().next()?.is_ascii_digit()
        && version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-+".contains(c));
    if !looks_like_version {
        return None;
    }
    let note = after
        .trim()
        .trim_start_matches(['—', '–', '-'])
        .trim()
        .to_string();
    Some((version.to_string(), note))
}

/// A bullet's subject (before the first `: ` outside quotes), read for the
/// lab, "every preset" and quoted titles.
fn read_bullet(text: &str) -> ResultChange {
    let subject = subject_of(text);
    let lab = subject.split('`').nth(1).map(|s| s.trim().to_string());
    let every_preset = subject.to_ascii_lowercase().contains("every preset");
    ResultChange {
        lab: lab.filter(|l| !l.is_empty()),
        every_preset,
        presets: quoted(subject),
        text: text.replace("**", "").replace('`', ""),
    }
}

/// The text before the first `: ` that is not inside a quoted title.
fn subject_of(text: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match (quote, c) {
            (None, '"') => quote = Some('"'),
            (None, '“') => quote = Some('”'),
            (Some(close), c) if c == close => quote = None,
            (None, ':') if chars.peek().is_none_or(|&(_, n)| n == ' ') => return &text[..i],
            _ => {}
        }
    }
    text
}

/// Every "…" or “…” string in `text`.
fn quoted(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<(char, String)> = None;
    for c in text.chars() {
        match current.as_mut() {
            None if c == '"' => current = Some(('"', String::new())),
            None if c == '“' => current = Some(('”', String::new())),
            None => {}
            Some((close, s)) if c == *close => {
                out.push(std::mem::take(s));
                current = None;
            }
            Some((_, s)) => s.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# Changelog\n\nIntro with a - dash.\n\n## Format\n\n### Result changes\n- not a release's\n\n\
## [0.3.0] — 2027-01-02\n\n### Added\n- a feature: not a result change\n\n### Result changes\n\
- `feedback`, every preset: the new solver\n  rounds differently.\n\
- `modularity` \"The MLP autoencoder: a modular square\", “A cut corner mixes”: smaller init.\n\
- All sweeps: the band is drawn from the **lowest** seed.\n\n\
## [0.2.0] — not yet tagged\n\nNo result changes.\n\n\
## [0.1.0] — the history before 0.2.0\n\n### Landing 2\n#### Result changes\n- `capacity`, every preset: a new chart.\n";

    #[test]
    fn reads_releases_and_their_result_changes() {
        let r = parse(SAMPLE);
        let versions: Vec<&str> = r.iter().map(|r| r.version.as_str()).collect();
        assert_eq!(versions, ["0.3.0", "0.2.0", "0.1.0"]);
        assert_eq!(r[0].note, "2027-01-02");
        assert_eq!(r[1].note, "not yet tagged");
        let c = &r[0].result_changes;
        assert_eq!(c.len(), 3, "{c:?}");
        assert_eq!(c[0].lab.as_deref(), Some("feedback"));
        assert!(c[0].every_preset);
        assert_eq!(
            c[0].text,
            "feedback, every preset: the new solver rounds differently."
        );
        assert_eq!(c[1].lab.as_deref(), Some("modularity"));
        assert!(!c[1].every_preset);
        assert_eq!(
            c[1].presets,
            [
                "The MLP autoencoder: a modular square",
                "A cut corner mixes"
            ]
        );
        assert!(c[1].names("modularity", "A cut corner mixes"));
        assert!(!c[1].names("modularity", "A modular square"));
        assert!(!c[1].names("credit", "A cut corner mixes"));
        assert_eq!(c[2].lab, None);
        assert!(c[2].text.contains("lowest seed"));
        assert!(r[1].result_changes.is_empty());
        // Result changes under a deeper heading of a release count too.
        assert!(r[2].result_changes[0].names("capacity", "anything"));
    }

    #[test]
    fn a_subject_ends_at_the_first_colon_outside_quotes() {
        assert_eq!(subject_of("`a` \"x: y\": why: more"), "`a` \"x: y\"");
        assert_eq!(subject_of("no colon here"), "no colon here");
        // "every preset" in the explanation does not make it every preset.
        let c = read_bullet("`lazy-rich` \"Rich limit: small α\": unlike every preset before");
        assert!(!c.every_preset);
        assert_eq!(c.presets, ["Rich limit: small α"]);
    }

    #[test]
    fn headings_that_are_not_releases_are_skipped() {
        assert_eq!(release_heading("[Unreleased]"), None);
        assert_eq!(release_heading("Format"), None);
        assert_eq!(
            release_heading("[1.2.3-rc.1] – x"),
            Some(("1.2.3-rc.1".into(), "x".into()))
        );
    }
}
