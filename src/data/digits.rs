//! The UCI handwritten digits ("Optical Recognition of Handwritten Digits",
//! Alpaydin & Kaynak 1998; UCI Machine Learning Repository, CC BY 4.0):
//! 1,797 images of 8 × 8 pixels with grey levels 0..16, 10 classes (the
//! digits 0–9), about 180 per class.
//!
//! The file is the copy scikit-learn ships (`sklearn/datasets/data/
//! digits.csv.gz`): one image per line, 64 pixel values row by row, then the
//! label. It is embedded in the binary (57 KB) and inflated with `flate2`
//! (pure Rust), so the page and the CLI read the same bytes.

use std::io::Read;

use nalgebra::DMatrix;

/// The gzip-compressed CSV, as shipped by scikit-learn.
static DIGITS_CSV_GZ: &[u8] = include_bytes!("digits.csv.gz");

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

/// Inflate and parse the embedded file. An error only if the embedded bytes
/// are corrupt (a build problem, tested).
pub fn load() -> Result<Digits, String> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(DIGITS_CSV_GZ)
        .read_to_string(&mut text)
        .map_err(|e| format!("the embedded digits file does not inflate: {e}"))?;
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
