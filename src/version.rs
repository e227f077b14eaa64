//! Which NeuroGeom made a result, and what changed in results since.
//!
//! [`VERSION`] is the release from Cargo.toml plus the short commit of the
//! build as semver build metadata (`0.2.0+f609125`; `build.rs` says where the
//! commit comes from, and gives the plain release without one). Every face
//! reports it: `neurogeom --version`, the `version` of every snapshot and
//! analysis JSON, the page beside the result hash, exports, and `ng=` in the
//! links the page and the CLI write. It never enters a result hash, which
//! covers the numbers alone (`run::result_hash`).
//!
//! A link made with another version still runs; [`note_for`] says so, and
//! names the result changes between the two releases from CHANGELOG.md,
//! which is built in and read by [`crate::changelog`].

use std::cmp::Ordering;

use semver::Version;
use serde::{Deserialize, Serialize};

use crate::changelog::{self, Release};

/// This build: `<release>+<short commit>`, or the release alone.
pub const VERSION: &str = env!("NEUROGEOM_VERSION");

/// The release alone, as in Cargo.toml.
pub const RELEASE: &str = env!("CARGO_PKG_VERSION");

/// The changelog, built in (it is small: a few KB).
pub const CHANGELOG: &str = include_str!("../CHANGELOG.md");

/// The URL key that records the version in a link.
pub const LINK_KEY: &str = "ng";

/// Where a dist build keeps the copy of a release, relative to its root
/// (the latest release sits at the root itself, and `cargo xtask dist`
/// also writes it here): `v0.2.0/`.
pub fn release_path(release: &str) -> String {
    format!("v{release}/")
}

/// A link (or fragment) split into the link without its `ng=` and the
/// `ng=` value as written (`None` when absent): two links that differ only
/// in their version ask for the same run.
pub fn split_link(link: &str) -> (String, Option<String>) {
    let (head, fragment) = match link.find('#') {
        Some(i) => link.split_at(i + 1),
        None => ("", link),
    };
    let prefix = format!("{LINK_KEY}=");
    let mut version = None;
    let kept: Vec<&str> = fragment
        .split('&')
        .filter(|piece| match piece.strip_prefix(&prefix) {
            Some(v) => {
                version = Some(v.to_string());
                false
            }
            None => true,
        })
        .collect();
    (format!("{head}{}", kept.join("&")), version)
}

/// Every release section of the built-in changelog.
pub fn releases() -> Vec<Release> {
    changelog::parse(CHANGELOG)
}

/// How a link's `ng=` relates to this build.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// Made with an earlier release.
    Older,
    /// Made with a later release than this one.
    Newer,
    /// The same release, another commit (a development build).
    OtherBuild,
    /// `ng=` does not read as a version.
    Malformed,
}

/// One result change of a release, for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub version: String,
    pub text: String,
}

/// What the page shows beside the hash, and the CLI prints, for a link made
/// with another version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionNote {
    pub kind: NoteKind,
    /// The link's `ng=`, as written.
    pub made_with: String,
    /// This build's [`VERSION`].
    pub this: String,
    /// One line: "made with NeuroGeom 0.3.1; this is 0.4.0".
    pub text: String,
    /// The result changes of every release after the link's up to this one,
    /// oldest first (empty for a newer, malformed or same-release link, and
    /// for an older one when the changelog lists none: then the hash should
    /// be the link's).
    pub changes: Vec<Change>,
    /// The path of the link's release under a dist build's root
    /// ([`release_path`]), where its own copy runs it as it was made; `None`
    /// when `ng=` is malformed or names this release.
    pub release_path: Option<String>,
}

/// The note for a link whose `ng=` is `made_with`, read against this build;
/// `None` when it is this very version.
pub fn note_for(made_with: &str) -> Option<VersionNote> {
    note_between(made_with, VERSION, &releases())
}

/// [`note_for`] against any version `this` and changelog.
pub fn note_between(made_with: &str, this: &str, releases: &[Release]) -> Option<VersionNote> {
    let written = made_with.trim();
    if written == this {
        return None;
    }
    let this_v = Version::parse(this).ok();
    let theirs = Version::parse(written).ok();
    let (Some(theirs), Some(this_v)) = (theirs, this_v) else {
        return Some(VersionNote {
            kind: NoteKind::Malformed,
            made_with: written.to_string(),
            this: this.to_string(),
            text: format!(
                "ng='{}' is not a NeuroGeom version (such as {}); this is {this}",
                crate::params::shorten(written),
                RELEASE
            ),
            changes: Vec::new(),
            release_path: None,
        });
    };
    let release_of = |v: &Version| format!("{}.{}.{}", v.major, v.minor, v.patch);
    let (kind, text, changes) = match theirs.cmp_precedence(&this_v) {
        Ordering::Equal => (
            NoteKind::OtherBuild,
            format!("made with NeuroGeom {written}; this is {this} (the same release, another build)"),
            Vec::new(),
        ),
        Ordering::Greater => (
            NoteKind::Newer,
            format!(
                "made with NeuroGeom {written}, newer than this {this}: its changes to results are not known here"
            ),
            Vec::new(),
        ),
        Ordering::Less => {
            let changes = changes_between(&theirs, &this_v, releases);
            let text = format!("made with NeuroGeom {written}; this is {this}");
            (NoteKind::Older, text, changes)
        }
    };
    let release_path = (kind != NoteKind::OtherBuild).then(|| release_path(&release_of(&theirs)));
    Some(VersionNote {
        kind,
        made_with: written.to_string(),
        this: this.to_string(),
        text,
        changes,
        release_path,
    })
}

/// The result changes of the releases after `from` up to and including `to`,
/// oldest release first.
fn changes_between(from: &Version, to: &Version, releases: &[Release]) -> Vec<Change> {
    let mut sections: Vec<(Version, &Release)> = releases
        .iter()
        .filter_map(|r| Version::parse(&r.version).ok().map(|v| (v, r)))
        .filter(|(v, _)| {
            v.cmp_precedence(from) == Ordering::Greater && v.cmp_precedence(to) != Ordering::Greater
        })
        .collect();
    crate::sort::sort_by(&mut sections, &|a, b| a.0.cmp_precedence(&b.0));
    sections
        .into_iter()
        .flat_map(|(_, r)| {
            r.result_changes.iter().map(|c| Change {
                version: r.version.clone(),
                text: c.text.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log() -> Vec<Release> {
        changelog::parse(
            "## [0.4.0] — b\n### Result changes\n- `credit`, every preset: four.\n\
             ## [0.3.1] — a\n### Result changes\n- `feedback` \"X\": three-one.\n\
             ## [0.3.0]\n### Result changes\n- `capacity`, every preset: three.\n\
             ## [0.2.0]\nNo result changes.\n",
        )
    }

    #[test]
    fn the_version_is_the_release_and_maybe_a_commit() {
        assert!(VERSION == RELEASE || VERSION.starts_with(&format!("{RELEASE}+")));
        let v = Version::parse(VERSION).expect("VERSION is semver");
        assert_eq!(
            Version::parse(RELEASE).unwrap().cmp_precedence(&v),
            Ordering::Equal
        );
        assert_eq!(note_for(VERSION), None);
    }

    #[test]
    fn an_older_link_names_the_result_changes_since() {
        let n = note_between("0.3.0+abc1234", "0.4.0+def5678", &log()).unwrap();
        assert_eq!(n.kind, NoteKind::Older);
        assert_eq!(
            n.text,
            "made with NeuroGeom 0.3.0+abc1234; this is 0.4.0+def5678"
        );
        let texts: Vec<(&str, &str)> = n
            .changes
            .iter()
            .map(|c| (c.version.as_str(), c.text.as_str()))
            .collect();
        // 0.3.0's own changes were already in the link's results.
        assert_eq!(
            texts,
            [
                ("0.3.1", "feedback \"X\": three-one."),
                ("0.4.0", "credit, every preset: four.")
            ]
        );
        assert_eq!(n.release_path.as_deref(), Some("v0.3.0/"));
        let n = note_between("0.3.1", "0.4.0", &log()).unwrap();
        assert_eq!(n.changes.len(), 1);
        let n = note_between("0.2.0", "0.3.0", &log()).unwrap();
        assert_eq!(n.changes[0].text, "capacity, every preset: three.");
        let none = note_between("0.2.0", "0.2.1", &log()).unwrap();
        assert_eq!(none.kind, NoteKind::Older);
        assert!(none.changes.is_empty());
        assert_eq!(none.text, "made with NeuroGeom 0.2.0; this is 0.2.1");
    }

    #[test]
    fn newer_malformed_and_other_builds_say_so() {
        let n = note_between("0.5.0", "0.4.0+def", &log()).unwrap();
        assert_eq!(n.kind, NoteKind::Newer);
        assert!(n.text.contains("newer than this 0.4.0+def"), "{}", n.text);
        assert!(n.changes.is_empty());
        assert_eq!(n.release_path.as_deref(), Some("v0.5.0/"));
        for bad in ["", "banana", "1.2", "v0.3.0", "0.3.0+a+b", "<script>"] {
            let n = note_between(bad, "0.4.0", &log()).unwrap();
            assert_eq!(n.kind, NoteKind::Malformed, "{bad}");
            assert!(n.text.contains("is not a NeuroGeom version"), "{}", n.text);
            assert_eq!(n.release_path, None);
        }
        let n = note_between("0.4.0+abc", "0.4.0+def", &log()).unwrap();
        assert_eq!(n.kind, NoteKind::OtherBuild);
        assert!(n.text.contains("the same release"), "{}", n.text);
        assert_eq!(note_between("0.4.0+def", "0.4.0+def", &log()), None);
    }

    #[test]
    fn links_split_from_their_version() {
        assert_eq!(
            split_link("#v=1&lab=x&ng=0.2.0+abc"),
            ("#v=1&lab=x".to_string(), Some("0.2.0+abc".to_string()))
        );
        assert_eq!(
            split_link("http://h/p/#v=1&ng=0.1.0&lab=x"),
            (
                "http://h/p/#v=1&lab=x".to_string(),
                Some("0.1.0".to_string())
            )
        );
        assert_eq!(split_link("v=1&lab=x"), ("v=1&lab=x".to_string(), None));
        // `pin=` holds a fragment percent-encoded: its own keys are not split.
        assert_eq!(split_link("v=1&pin=v%3D1%26ng%3D0").1, None);
    }

    #[test]
    fn the_built_in_changelog_has_this_release() {
        let r = releases();
        assert!(
            r.iter().any(|r| r.version == RELEASE),
            "CHANGELOG.md has no `## [{RELEASE}]` section: add one for this release"
        );
        for r in &r {
            assert!(Version::parse(&r.version).is_ok(), "{}", r.version);
        }
    }
}
