//! The UCI handwritten digits ("Optical Recognition of Handwritten Digits",
//! Alpaydin & Kaynak 1998; UCI Machine Learning Repository, CC BY 4.0):
//! 1,797 images of 8 × 8 pixels with grey levels 0..16, 10 classes (the
//! digits 0–9), about 180 per class.
//!
//! The file is the copy scikit-learn ships (`sklearn/datasets/data/
//! digits.csv.gz`): one image per line, 64 pixel values row by row, then the
//! label. It lives in `www/data/` (57 KB, with `digits.csv.gz.sha256`) and
//! is inflated with `flate2` (pure Rust), so the page and the CLI read the
//! same bytes. The native build embeds it. The page's wasm does not (it was
//! 57 of the wasm's gzipped kilobytes, fetched by every visitor): like the
//! Haxby recording ([`super::haxby`]), a worker that runs a config needing
//! it ([`crate::labs::datasets_needed`]) fetches it from the page's own
//! origin and hands it to [`provide`] first (`www/datasets.js`).

use std::io::Read;

use super::fetched::FetchedFile;

use nalgebra::DMatrix;

/// The gzip-compressed CSV, as shipped by scikit-learn (native builds only;
/// see the module doc).
#[cfg(not(target_arch = "wasm32"))]
pub static CSV_GZ: &[u8] = include_bytes!("../../www/data/digits.csv.gz");
/// Its SHA-256 (`sha256sum` format).
pub const CSV_GZ_SHA256_FILE: &str = include_str!("../../www/data/digits.csv.gz.sha256");
/// SHA-256 of the inflated CSV: a server that sends the `.gz` file with
/// `Content-Encoding: gzip` (Apache's `AddEncoding x-gzip .gz`) makes the
/// browser hand over the inflated text, which is the same data.
const CSV_SHA256: &str = "6ebb3d2fee246a4e99363262ddf8a00a3c41bee6014c373ed9d9216ba7f651b8";
/// The file's name, for the page and its messages.
pub const FILE_NAME: &str = "digits.csv.gz";
/// The name the page provides it by (`provide_dataset` in `src/web.rs`).
pub const DATASET: &str = "digits";
/// Why a run cannot start when the page has not provided the file.
pub const MISSING: &str = "task=digits needs the UCI digits (data/digits.csv.gz), which this page has not loaded: reload the page; if that does not help, the file is missing from the server";

/// The file, embedded natively and provided by the page in wasm.
static FILE: FetchedFile = FetchedFile::new(
    FILE_NAME,
    CSV_GZ_SHA256_FILE,
    Some(CSV_SHA256),
    MISSING,
    EMBEDDED,
);
#[cfg(not(target_arch = "wasm32"))]
const EMBEDDED: Option<&[u8]> = Some(CSV_GZ);
#[cfg(target_arch = "wasm32")]
const EMBEDDED: Option<&[u8]> = None;

/// The file's SHA-256 (hex), as recorded.
pub fn expected_sha256() -> &'static str {
    FILE.expected_sha256()
}

/// Give the core the file's bytes (the page does, before a run that needs
/// them): the `.gz` file, or its inflated CSV. Refused, with the reason,
/// unless they are the recorded file ([`FetchedFile::provide`]).
pub fn provide(bytes: Vec<u8>) -> Result<(), String> {
    FILE.provide(bytes)
}

/// Whether the file's bytes are at hand (always natively).
pub fn available() -> bool {
    FILE.available()
}

/// The file's bytes: the embedded ones natively, the provided ones in wasm.
pub fn bytes() -> Result<&'static [u8], String> {
    FILE.bytes()
}

/// Images in the file.
pub const N_IMAGES: usize = 1797;
/// Pixels per image (8 × 8).
pub const N_PIXELS: usize = 64;
/// Classes (the digits 0–9).
pub const N_CLASSES: usize = 10;

/// The digits: `pixels` is images × 64 (grey levels 0..16, row-major 8 × 8),
/// `labels` the digit of each image, in file order.
#[derive(Clone, Debug, PartialEq)]
pub struct Digits {
    pub pixels: DMatrix<f64>,
    pub labels: Vec<usize>,
}

/// Inflate and parse the file ([`bytes`]). An error if the page has not
/// provided it (wasm), or if the bytes are corrupt (a build problem, tested).
pub fn load() -> Result<Digits, String> {
    parse(bytes()?)
}

/// Parse the file: gzip-compressed (it starts with gzip's magic bytes) or
/// already inflated.
fn parse(bytes: &[u8]) -> Result<Digits, String> {
    let mut text = String::new();
    if bytes.starts_with(&[0x1f, 0x8b]) {
        flate2::read::GzDecoder::new(bytes)
            .read_to_string(&mut text)
            .map_err(|e| format!("{FILE_NAME} does not inflate: {e}"))?;
    } else {
        text = String::from_utf8(bytes.to_vec())
            .map_err(|_| format!("{FILE_NAME}: the inflated file is not text"))?;
    }
    let mut values = Vec::with_capacity(N_IMAGES * N_PIXELS);
    let mut labels = Vec::with_capacity(N_IMAGES);
    for (line_no, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let fields: Vec<&str> = line.trim().split(',').collect();
        if fields.len() != N_PIXELS + 1 {
            return Err(format!(
                "digits line {}: {} fields, expected {}",
                line_no + 1,
                fields.len(),
                N_PIXELS + 1
            ));
        }
        for f in &fields[..N_PIXELS] {
            let v: f64 = f
                .trim()
                .parse()
                .map_err(|_| format!("digits line {}: bad pixel {f:?}", line_no + 1))?;
            values.push(v);
        }
        let label: usize = fields[N_PIXELS]
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|l| *l >= 0.0 && *l < N_CLASSES as f64 && l.fract() == 0.0)
            .map(|l| l as usize)
            .ok_or_else(|| format!("digits line {}: bad label", line_no + 1))?;
        labels.push(label);
    }
    let n = labels.len();
    Ok(Digits {
        pixels: DMatrix::from_row_slice(n, N_PIXELS, &values),
        labels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_file_is_the_recorded_one() {
        assert_eq!(
            CSV_GZ_SHA256_FILE,
            format!("{}  {FILE_NAME}\n", crate::data::sha256_hex(CSV_GZ))
        );
        let mut csv = Vec::new();
        flate2::read::GzDecoder::new(CSV_GZ)
            .read_to_end(&mut csv)
            .unwrap();
        assert_eq!(crate::data::sha256_hex(&csv), CSV_SHA256);
        // Inflated by the server or not: the same images.
        assert_eq!(parse(&csv).unwrap(), parse(CSV_GZ).unwrap());
    }

    /// The page's copy is checked before it is used; without one, the
    /// message says what is missing and what to do.
    #[test]
    fn provided_bytes_must_be_the_recorded_file() {
        let mut bad = CSV_GZ.to_vec();
        bad[100] ^= 1;
        let e = provide(bad).unwrap_err();
        assert!(e.contains("is not the recorded one"), "{e}");
        assert!(e.contains(expected_sha256()), "{e}");
        assert!(provide(CSV_GZ[..1000].to_vec()).is_err());
        assert!(FILE.provided().is_none(), "a refused copy is not kept");
        provide(CSV_GZ.to_vec()).unwrap();
        assert_eq!(bytes().unwrap(), CSV_GZ);
        assert!(MISSING.contains("task=digits") && MISSING.contains("reload the page"));
    }

    #[test]
    fn the_embedded_file_has_1797_images_of_10_classes() {
        let d = load().unwrap();
        assert_eq!(d.pixels.shape(), (N_IMAGES, N_PIXELS));
        assert_eq!(d.labels.len(), N_IMAGES);
        let mut counts = [0usize; N_CLASSES];
        d.labels.iter().for_each(|&l| counts[l] += 1);
        // scikit-learn's description: 178, 182, 177, 183, 181, 182, 181, 179, 174, 180.
        assert_eq!(counts, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
        assert!(d.pixels.iter().all(|&v| (0.0..=16.0).contains(&v)));
        // The first rows, as in the file: a 0, a 1, a 2.
        assert_eq!(&d.labels[..3], &[0, 1, 2]);
        let first: Vec<f64> = d.pixels.row(0).iter().take(8).copied().collect();
        assert_eq!(first, vec![0.0, 0.0, 5.0, 13.0, 9.0, 1.0, 0.0, 0.0]);
        let second: Vec<f64> = d.pixels.row(1).iter().skip(8).take(8).copied().collect();
        assert_eq!(second, vec![0.0, 0.0, 0.0, 11.0, 16.0, 9.0, 0.0, 0.0]);
    }
}
