//! A data file that the page fetches from its own origin and the native
//! build embeds: the UCI digits ([`super::digits`]) and the Haxby 2001
//! recording ([`super::haxby`]). The page's wasm does not carry them (they
//! would grow every visitor's download for one task each); a worker that
//! runs a config needing one ([`crate::labs::datasets_needed`]) fetches it
//! and hands it to [`FetchedFile::provide`] first (`www/datasets.js`),
//! which keeps it only if it is the recorded file: a stale or truncated
//! copy would silently change every number.

use std::sync::OnceLock;

/// One such file: its name, its recorded SHA-256, and the bytes at hand.
pub struct FetchedFile {
    /// The file's name, for the page and its messages.
    pub file_name: &'static str,
    /// Its SHA-256 in `sha256sum` format, as recorded beside the file.
    pub sha256_file: &'static str,
    /// Another SHA-256 that stands for the same data, if any (the digits'
    /// inflated CSV, which a server that sends `.gz` files with
    /// `Content-Encoding: gzip` makes the browser hand over).
    pub also_accepted: Option<&'static str>,
    /// Why a run cannot start when the page has not provided the file.
    pub missing: &'static str,
    /// The bytes the native build embeds (`None` in wasm).
    pub embedded: Option<&'static [u8]>,
    /// The bytes the page provided (wasm), checked.
    provided: OnceLock<Vec<u8>>,
}

impl FetchedFile {
    pub const fn new(
        file_name: &'static str,
        sha256_file: &'static str,
        also_accepted: Option<&'static str>,
        missing: &'static str,
        embedded: Option<&'static [u8]>,
    ) -> FetchedFile {
        FetchedFile {
            file_name,
            sha256_file,
            also_accepted,
            missing,
            embedded,
            provided: OnceLock::new(),
        }
    }

    /// The recorded SHA-256 (hex).
    pub fn expected_sha256(&self) -> &'static str {
        self.sha256_file.split_whitespace().next().unwrap_or("")
    }

    /// Take the page's copy. Refused, with the reason, unless its SHA-256
    /// is the recorded one (or [`FetchedFile::also_accepted`]).
    pub fn provide(&self, bytes: Vec<u8>) -> Result<(), String> {
        let got = crate::data::sha256_hex(&bytes);
        if got != self.expected_sha256() && Some(got.as_str()) != self.also_accepted {
            return Err(format!(
                "{}: the file the page loaded ({} bytes, SHA-256 {got}) is not the recorded one ({}); reload the page",
                self.file_name,
                bytes.len(),
                self.expected_sha256()
            ));
        }
        // Provided twice: the same data (the hash says so), keep the first.
        let _ = self.provided.set(bytes);
        Ok(())
    }

    /// The page's copy, once provided.
    pub fn provided(&self) -> Option<&[u8]> {
        self.provided.get().map(Vec::as_slice)
    }

    /// Whether the file's bytes are at hand (always natively).
    pub fn available(&self) -> bool {
        self.bytes().is_ok()
    }

    /// The file's bytes: the provided ones, else the embedded ones, else
    /// the [`FetchedFile::missing`] message.
    pub fn bytes(&self) -> Result<&[u8], String> {
        self.provided()
            .or(self.embedded)
            .ok_or_else(|| self.missing.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file with no embedded copy (as in wasm): missing until provided,
    /// and only the recorded bytes (or the other accepted ones) are kept.
    #[test]
    fn missing_until_the_recorded_bytes_are_provided() {
        let good = b"recorded bytes".to_vec();
        let other = b"the same data, inflated".to_vec();
        let hex = crate::data::sha256_hex(&good);
        let alt = crate::data::sha256_hex(&other);
        let line: &'static str = Box::leak(format!("{hex}  f.bin\n").into_boxed_str());
        let alt: &'static str = Box::leak(alt.into_boxed_str());
        let f = FetchedFile::new("f.bin", line, Some(alt), "f.bin is missing", None);
        assert_eq!(f.expected_sha256(), hex);
        assert_eq!(f.bytes().unwrap_err(), "f.bin is missing");
        assert!(!f.available());
        let e = f.provide(b"recorded bytez".to_vec()).unwrap_err();
        assert!(
            e.starts_with("f.bin: ") && e.contains(&hex) && e.contains("14 bytes"),
            "{e}"
        );
        assert!(f.provided().is_none(), "a refused copy is not kept");
        f.provide(other.clone()).unwrap();
        assert_eq!(f.bytes().unwrap(), &other[..]);
        // Provided again: the first copy stays.
        f.provide(good).unwrap();
        assert_eq!(f.bytes().unwrap(), &other[..]);
        // Embedded bytes serve until a copy is provided.
        let g = FetchedFile::new("g", line, None, "g is missing", Some(b"embedded"));
        assert_eq!(g.bytes().unwrap(), b"embedded");
    }
}
