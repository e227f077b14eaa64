//! `cargo xtask data haxby`: the Haxby et al. 2001 recording that PyMVPA
//! ships, converted to the NPZ the page and the CLI read
//! (`www/data/haxby2001.npz`, its SHA-256 beside it; the page fetches
//! it when a run needs it, the native build embeds it).
//!
//! Source: the PyPI sdist of `pymvpa2` 2.6.5 (MIT, "including all
//! examples"), `mvpa2/data/`: `bold.nii.gz` (40 × 20 × 1 × 1452, int16:
//! the posterior half of one axial slice of subject 1, TR 2.5 s),
//! `mask.nii.gz` (530 ventral-temporal voxels), `attributes_literal.txt`
//! (one "category run" pair per volume: 8 categories × 9 volumes × 12 runs,
//! plus rest). Study: Haxby, Gobbini, Furey, Ishai, Schouten & Pietrini
//! (2001), Science 293:2425; the full data set is OpenNeuro ds000105.
//!
//! `pip download` cannot fetch this sdist (pip prepares its metadata, and
//! its setup.py imports numpy and fails), so we fetch the file PyPI lists
//! for it (the URL below) with curl and check its SHA-256; `--sdist PATH`
//! uses a copy already on disk.
//!
//! The conversion, in order:
//! 1. the mask's nonzero voxels, in storage order (x fastest): 530 features;
//! 2. per run r and voxel v, over all of the run's volumes t (rest
//!    included): z = (x − mean) / std, std = √(Σ (x − mean)² / n) (ddof 0;
//!    a voxel constant within a run gets 0). `--raw` skips this step (to
//!    see how much it matters);
//! 3. rest volumes dropped: 864 rows (8 categories × 108);
//! 4. written as float32 `X` (864 × 530), int64 `y` (category, PyMVPA's
//!    numeric order: face 0, house 1, shoe 2, cat 3, scissors 4,
//!    scrambledpix 5, bottle 6, chair 7), int64 `runs` (0–11), and
//!    `label_names` (8 × 12 uint8: each name's ASCII bytes, zero-padded; a
//!    numeric array so that every NPZ reader takes the file). Deflated, zip
//!    times fixed at 1980-01-01: the same input gives the same bytes.
//!
//! As a check of the conversion it prints the nearest-class-mean accuracy
//! with each run held out in turn (chance 1/8).

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::nifti;

/// The sdist's URL, as PyPI's index lists it.
pub const SDIST_URL: &str = "https://files.pythonhosted.org/packages/86/5c/9020095e1180ab5fefb25ff9299c5a32696664cc9c74ed67ce19768f50f9/pymvpa2-2.6.5.tar.gz";
/// Its SHA-256, as PyPI records it.
pub const SDIST_SHA256: &str = "f98b18e15d012aaa68c0ef6ccf420662df05657673843ab368e7f0adfdda0758";
/// The directory inside the sdist.
const SDIST_DIR: &str = "pymvpa2-2.6.5";

/// The categories in PyMVPA's numeric order (`attributes.txt`, 1–8).
pub const CATEGORIES: [&str; 8] = [
    "face",
    "house",
    "shoe",
    "cat",
    "scissors",
    "scrambledpix",
    "bottle",
    "chair",
];

/// Bytes per name in `label_names`.
const NAME_BYTES: usize = 12;

/// Where the shipped file goes, relative to the repository root.
pub const SHIPPED: &str = "www/data/haxby2001.npz";

/// What `cargo xtask data haxby` was asked.
pub struct Options {
    /// A local copy of the sdist (otherwise downloaded into target/haxby/).
    pub sdist: Option<PathBuf>,
    /// Skip the within-run z-scoring.
    pub raw: bool,
    /// The NPZ to write (default: the shipped file).
    pub out: Option<PathBuf>,
}

/// The converted recording: `x` is rows × voxels, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Converted {
    pub x: Vec<f64>,
    pub voxels: usize,
    pub y: Vec<usize>,
    pub runs: Vec<usize>,
}

impl Converted {
    pub fn rows(&self) -> usize {
        self.y.len()
    }
}

/// Run the converter: fetch, check, convert, write the NPZ and its SHA-256.
pub fn run(root: &Path, opts: Options) -> Result<()> {
    let work = crate::target_dir(root).join("haxby");
    std::fs::create_dir_all(&work)?;
    let sdist = match &opts.sdist {
        Some(p) => p.clone(),
        None => download(&work)?,
    };
    let bytes = std::fs::read(&sdist).with_context(|| format!("reading {}", sdist.display()))?;
    let sha = hex(&Sha256::digest(&bytes));
    if sha != SDIST_SHA256 {
        bail!(
            "{}: SHA-256 {sha}, expected {SDIST_SHA256} (pymvpa2-2.6.5.tar.gz as on PyPI)",
            sdist.display()
        );
    }
    eprintln!("xtask: {} (SHA-256 checked)", sdist.display());
    let data = format!("{SDIST_DIR}/mvpa2/data");
    let members =
        ["bold.nii.gz", "mask.nii.gz", "attributes_literal.txt"].map(|m| format!("{data}/{m}"));
    let mut tar = Command::new("tar");
    tar.arg("-xzf")
        .arg(&sdist)
        .arg("-C")
        .arg(&work)
        .args(&members);
    crate::run_status(&mut tar)?;
    let read = |m: &str| -> Result<Vec<u8>> {
        let p = work.join(m);
        std::fs::read(&p).with_context(|| format!("reading {}", p.display()))
    };
    let bold = nifti::read(&read(&members[0])?).context("bold.nii.gz")?;
    let mask = nifti::read(&read(&members[1])?).context("mask.nii.gz")?;
    let attributes =
        String::from_utf8(read(&members[2])?).context("attributes_literal.txt is not UTF-8")?;
    let converted = convert(&bold, &mask, &attributes, !opts.raw)?;
    let npz = npz(&converted)?;
    let out = opts.out.unwrap_or_else(|| root.join(SHIPPED));
    std::fs::write(&out, &npz).with_context(|| format!("writing {}", out.display()))?;
    let sha = hex(&Sha256::digest(&npz));
    let name = out.file_name().unwrap_or_default().to_string_lossy();
    let sha_path = PathBuf::from(format!("{}.sha256", out.display()));
    std::fs::write(&sha_path, format!("{sha}  {name}\n"))?;
    let mut counts = [0usize; 8];
    converted.y.iter().for_each(|&c| counts[c] += 1);
    println!(
        "{}: {} rows × {} voxels, {} runs, per category {:?}, {} bytes{}",
        out.display(),
        converted.rows(),
        converted.voxels,
        converted.runs.iter().max().map_or(0, |r| r + 1),
        counts,
        npz.len(),
        if opts.raw { " (not z-scored)" } else { "" }
    );
    println!("SHA-256 {sha} (in {})", sha_path.display());
    println!(
        "nearest class mean, each run held out in turn: accuracy {:.4} (chance {:.4})",
        ncm_leave_one_run_out(&converted),
        1.0 / 8.0
    );
    Ok(())
}

/// The sdist in `work`, downloaded there (via a `.part` file) if missing.
fn download(work: &Path) -> Result<PathBuf> {
    let path = work.join("pymvpa2-2.6.5.tar.gz");
    if path.exists() {
        return Ok(path);
    }
    let part = work.join("pymvpa2-2.6.5.tar.gz.part");
    let mut curl = Command::new("curl");
    curl.args(["-fsSL", "--retry", "2", "-o"])
        .arg(&part)
        .arg(SDIST_URL);
    crate::run_status(&mut curl)
        .context("downloading the pymvpa2 sdist from PyPI (or give --sdist PATH)")?;
    std::fs::rename(&part, &path)?;
    Ok(path)
}

/// One "label run" pair per line; blank lines skipped.
pub fn parse_attributes(text: &str) -> Result<Vec<(String, usize)>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            [] => continue,
            [label, run] => {
                let run: usize = run.parse().with_context(|| {
                    format!(
                        "attributes line {}: run {run:?} is not a whole number",
                        i + 1
                    )
                })?;
                out.push((label.to_string(), run));
            }
            _ => bail!(
                "attributes line {}: expected \"label run\", got {line:?}",
                i + 1
            ),
        }
    }
    Ok(out)
}

/// Mask, z-score within runs (if `zscore`), drop rest; see the module
/// comment. Categories are [`CATEGORIES`]; any other label but `rest` is an
/// error.
pub fn convert(
    bold: &nifti::Image,
    mask: &nifti::Image,
    attributes: &str,
    zscore: bool,
) -> Result<Converted> {
    let per_volume = bold.voxels_per_volume();
    if mask.dims.iter().take(3).ne(bold.dims.iter().take(3)) || mask.data.len() != per_volume {
        bail!(
            "the mask ({:?}) does not match the volumes of the image ({:?})",
            mask.dims,
            bold.dims
        );
    }
    let voxels: Vec<usize> = (0..per_volume).filter(|&i| mask.data[i] != 0.0).collect();
    if voxels.is_empty() {
        bail!("the mask selects no voxel");
    }
    let attrs = parse_attributes(attributes)?;
    let volumes = bold.volumes();
    if attrs.len() != volumes {
        bail!("{} attribute lines for {volumes} volumes", attrs.len());
    }
    let nv = voxels.len();
    // volumes × voxels.
    let mut x: Vec<f64> = Vec::with_capacity(volumes * nv);
    for t in 0..volumes {
        x.extend(voxels.iter().map(|&v| bold.data[t * per_volume + v]));
    }
    if zscore {
        let mut runs: Vec<usize> = attrs.iter().map(|a| a.1).collect();
        runs.sort_unstable();
        runs.dedup();
        for run in runs {
            let rows: Vec<usize> = (0..volumes).filter(|&t| attrs[t].1 == run).collect();
            let n = rows.len() as f64;
            for v in 0..nv {
                let mut sum = 0.0;
                for &t in &rows {
                    sum += x[t * nv + v];
                }
                let mean = sum / n;
                let mut ss = 0.0;
                for &t in &rows {
                    let d = x[t * nv + v] - mean;
                    ss += d * d;
                }
                let sd = (ss / n).sqrt();
                for &t in &rows {
                    let z = &mut x[t * nv + v];
                    *z = if sd > 0.0 { (*z - mean) / sd } else { 0.0 };
                }
            }
        }
    }
    let mut out = Converted {
        x: Vec::new(),
        voxels: nv,
        y: Vec::new(),
        runs: Vec::new(),
    };
    for (t, (label, run)) in attrs.iter().enumerate() {
        if label == "rest" {
            continue;
        }
        let Some(c) = CATEGORIES.iter().position(|c| c == label) else {
            bail!(
                "volume {t}: unknown category {label:?} (expected rest or one of {CATEGORIES:?})"
            );
        };
        out.x.extend_from_slice(&x[t * nv..(t + 1) * nv]);
        out.y.push(c);
        out.runs.push(*run);
    }
    Ok(out)
}

/// Nearest-class-mean accuracy, each run held out in turn: class means
/// from the other runs, each held-out row assigned to the nearest mean
/// (Euclidean), correct rows over all rows.
pub fn ncm_leave_one_run_out(c: &Converted) -> f64 {
    let nv = c.voxels;
    let classes = c.y.iter().max().map_or(0, |m| m + 1);
    let n_runs = c.runs.iter().max().map_or(0, |m| m + 1);
    let mut correct = 0usize;
    for held in 0..n_runs {
        let mut means = vec![0.0; classes * nv];
        let mut counts = vec![0usize; classes];
        for i in (0..c.rows()).filter(|&i| c.runs[i] != held) {
            counts[c.y[i]] += 1;
            for v in 0..nv {
                means[c.y[i] * nv + v] += c.x[i * nv + v];
            }
        }
        for k in 0..classes {
            for v in 0..nv {
                means[k * nv + v] /= counts[k].max(1) as f64;
            }
        }
        for i in (0..c.rows()).filter(|&i| c.runs[i] == held) {
            let dist = |k: usize| -> f64 {
                (0..nv)
                    .map(|v| (c.x[i * nv + v] - means[k * nv + v]).powi(2))
                    .sum()
            };
            let best = (0..classes)
                .min_by(|&a, &b| dist(a).total_cmp(&dist(b)))
                .unwrap_or(0);
            correct += usize::from(best == c.y[i]);
        }
    }
    correct as f64 / c.rows().max(1) as f64
}

/// An `.npy` (version 1.0) of raw little-endian bytes: header padded with
/// spaces to a multiple of 64 bytes, ending in a newline, as numpy writes.
fn npy(descr: &str, shape: &[usize], data: &[u8]) -> Vec<u8> {
    let shape_text = match shape {
        [n] => format!("({n},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut header =
        format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_text}, }}");
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = Vec::with_capacity(10 + header.len() + data.len());
    out.extend_from_slice(b"\x93NUMPY\x01\x00");
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out
}

/// The NPZ: `X` (float32), `y`, `runs` (int64), `label_names` (uint8).
pub fn npz(c: &Converted) -> Result<Vec<u8>> {
    let x: Vec<u8> = c.x.iter().flat_map(|&v| (v as f32).to_le_bytes()).collect();
    let ints =
        |v: &[usize]| -> Vec<u8> { v.iter().flat_map(|&k| (k as i64).to_le_bytes()).collect() };
    let mut names = vec![0u8; CATEGORIES.len() * NAME_BYTES];
    for (k, name) in CATEGORIES.iter().enumerate() {
        names[k * NAME_BYTES..k * NAME_BYTES + name.len()].copy_from_slice(name.as_bytes());
    }
    let members = [
        ("X", npy("<f4", &[c.rows(), c.voxels], &x)),
        ("y", npy("<i8", &[c.rows()], &ints(&c.y))),
        ("runs", npy("<i8", &[c.rows()], &ints(&c.runs))),
        (
            "label_names",
            npy("|u1", &[CATEGORIES.len(), NAME_BYTES], &names),
        ),
    ];
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut zw = zip::ZipWriter::new(&mut buf);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(9))
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(0o644);
        for (name, bytes) in &members {
            zw.start_file(format!("{name}.npy"), options)?;
            zw.write_all(bytes)?;
        }
        zw.finish()?;
    }
    Ok(buf.into_inner())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 2 × 2 × 1 image over 8 volumes in 2 runs, int16, scaled by 2, of
    /// which the mask keeps voxels 0 and 3.
    fn small() -> (nifti::Image, nifti::Image, String) {
        // volume t, voxel v: stored value.
        let stored: Vec<f64> = (0..8)
            .flat_map(|t| [t as f64, 100.0, -5.0, (t * t) as f64])
            .collect();
        let bold = nifti::read(&nifti::write(&[2, 2, 1, 8], 4, &stored, 2.0, 0.0, true)).unwrap();
        let mask = nifti::read(&nifti::write(
            &[2, 2, 1],
            2,
            &[1.0, 0.0, 0.0, 1.0],
            0.0,
            0.0,
            false,
        ))
        .unwrap();
        let attrs =
            "rest 0\nface 0\nhouse 0\nrest 0\nrest 1\nhouse 1\nface 1\nchair 1\n".to_string();
        (bold, mask, attrs)
    }

    #[test]
    fn masks_drops_rest_and_labels_in_pymvpa_order() {
        let (bold, mask, attrs) = small();
        let c = convert(&bold, &mask, &attrs, false).unwrap();
        assert_eq!(c.voxels, 2);
        assert_eq!(c.y, vec![0, 1, 1, 0, 7]);
        assert_eq!(c.runs, vec![0, 0, 1, 1, 1]);
        // Volumes 1, 2, 5, 6, 7; voxel 0 is 2t, voxel 3 is 2t².
        assert_eq!(
            c.x,
            vec![2.0, 2.0, 4.0, 8.0, 10.0, 50.0, 12.0, 72.0, 14.0, 98.0]
        );
    }

    #[test]
    fn z_scores_within_each_run_over_all_its_volumes() {
        let (bold, mask, attrs) = small();
        let c = convert(&bold, &mask, &attrs, true).unwrap();
        // Voxel 0 in run 0: 2t for t = 0..3, mean 3, std √5 (ddof 0).
        let s5 = 5f64.sqrt();
        assert!((c.x[0] - (2.0 - 3.0) / s5).abs() < 1e-12);
        assert!((c.x[2] - (4.0 - 3.0) / s5).abs() < 1e-12);
        // Voxel 3 in run 1: 2t² for t = 4..7 = 32, 50, 72, 98; mean 63.
        let v = [32.0f64, 50.0, 72.0, 98.0];
        let sd = (v.iter().map(|x| (x - 63.0).powi(2)).sum::<f64>() / 4.0).sqrt();
        assert!((c.x[5] - (50.0 - 63.0) / sd).abs() < 1e-12);
        assert!((c.x[9] - (98.0 - 63.0) / sd).abs() < 1e-12);
    }

    #[test]
    fn a_constant_voxel_is_zero_not_nan() {
        let (bold, _, attrs) = small();
        // Voxel 1 is 100 in every volume.
        let mask = nifti::read(&nifti::write(
            &[2, 2, 1],
            2,
            &[0.0, 1.0, 0.0, 0.0],
            0.0,
            0.0,
            false,
        ))
        .unwrap();
        let c = convert(&bold, &mask, &attrs, true).unwrap();
        assert!(c.x.iter().all(|&v| v == 0.0));
    }

    #[test]
    fn mismatches_are_errors() {
        let (bold, mask, attrs) = small();
        let short = "rest 0\n".repeat(7);
        assert!(convert(&bold, &mask, &short, true)
            .unwrap_err()
            .to_string()
            .contains("7 attribute lines"));
        let odd = attrs.replace("chair", "dog");
        assert!(convert(&bold, &mask, &odd, true)
            .unwrap_err()
            .to_string()
            .contains("\"dog\""));
        let mask3 = nifti::read(&nifti::write(&[3, 1, 1], 2, &[1.0; 3], 0.0, 0.0, false)).unwrap();
        assert!(convert(&bold, &mask3, &attrs, true)
            .unwrap_err()
            .to_string()
            .contains("does not match"));
        assert!(parse_attributes("face x\n").is_err());
        assert!(parse_attributes("face 1 2\n").is_err());
    }

    #[test]
    fn nearest_class_mean_against_a_hand_count() {
        // Two classes on a line, two runs; run 1's class-1 point sits nearer
        // class 0's mean: 3 of 4 right.
        let c = Converted {
            x: vec![0.0, 10.0, 1.0, 4.0],
            voxels: 1,
            y: vec![0, 1, 0, 1],
            runs: vec![0, 0, 1, 1],
        };
        assert_eq!(ncm_leave_one_run_out(&c), 0.75);
    }

    #[test]
    fn the_npz_is_numpys_layout_and_deterministic() {
        let (bold, mask, attrs) = small();
        let c = convert(&bold, &mask, &attrs, true).unwrap();
        let a = npz(&c).unwrap();
        assert_eq!(a, npz(&c).unwrap());
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&a)).unwrap();
        let names: Vec<String> = zip.file_names().map(|n| n.unwrap().to_string()).collect();
        assert_eq!(names, ["X.npy", "y.npy", "runs.npy", "label_names.npy"]);
        let mut x = Vec::new();
        std::io::Read::read_to_end(&mut zip.by_name("X.npy").unwrap(), &mut x).unwrap();
        let header_len = u16::from_le_bytes([x[8], x[9]]) as usize;
        assert_eq!((10 + header_len) % 64, 0);
        let header = std::str::from_utf8(&x[10..10 + header_len]).unwrap();
        assert!(header.starts_with("{'descr': '<f4', 'fortran_order': False, 'shape': (5, 2), }"));
        let first = f32::from_le_bytes(x[10 + header_len..14 + header_len].try_into().unwrap());
        assert_eq!(first, c.x[0] as f32);
        let mut names = Vec::new();
        std::io::Read::read_to_end(&mut zip.by_name("label_names.npy").unwrap(), &mut names)
            .unwrap();
        let body = &names[names.len() - 96..];
        assert_eq!(&body[12..17], b"house");
        assert_eq!(body[17], 0);
    }
}
