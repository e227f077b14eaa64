//! A human fMRI recording: Haxby, Gobbini, Furey, Ishai, Schouten &
//! Pietrini (2001), "Distributed and overlapping representations of faces
//! and objects in ventral temporal cortex", Science 293:2425–2430; the
//! subset PyMVPA ships (`pymvpa2` 2.6.5, `mvpa2/data/`: subject 1, 530
//! ventral-temporal voxels of one slice, 12 runs). The full study is
//! OpenNeuro ds000105.
//!
//! `haxby2001.npz` is written by `cargo xtask data haxby`
//! (`xtask/src/haxby.rs`): each voxel z-scored within each run (over all of
//! the run's volumes), rest volumes dropped, float32. It holds `X` (864
//! volumes × 530 voxels), `y` (the category of each volume, 0–7, in
//! [`CATEGORIES`] order), `runs` (0–11) and `label_names` (8 × 12 bytes,
//! each name's ASCII, zero-padded). 108 volumes per category, 9 per
//! category per run.
//!
//! The file lives in `www/data/` (1.6 MB, with `haxby2001.npz.sha256`, the
//! converter's hash). The native build embeds it, so the CLI and the tests
//! always have it. The page's wasm does not carry it (it would triple the
//! page's download): a worker that runs a config needing it
//! ([`crate::labs::datasets_needed`]) fetches the file from the page's own
//! origin and hands it to [`provide`] first (`www/datasets.js`); a run
//! without it is refused with [`MISSING`]'s message.
//!
//! Terms: the original authors made the data available under CC BY-SA 3.0
//! (PyMVPA's data page), the full study is CC0 on OpenNeuro (ds000105), and
//! PyMVPA ships this subset under MIT; we ship the converted file under
//! CC BY-SA 3.0, with this credit.

use nalgebra::DMatrix;

use super::files::{npy, npz};

use super::fetched::FetchedFile;

/// The converted file, as shipped (native builds only; see the module doc).
#[cfg(not(target_arch = "wasm32"))]
pub static NPZ: &[u8] = include_bytes!("../../www/data/haxby2001.npz");
/// Its SHA-256 as the converter recorded it (`sha256sum` format).
pub const NPZ_SHA256_FILE: &str = include_str!("../../www/data/haxby2001.npz.sha256");
/// The file's name, for the page's download and the CLI.
pub const FILE_NAME: &str = "haxby2001.npz";
/// The name the page provides it by (`provide_dataset` in `src/web.rs`).
pub const DATASET: &str = "haxby2001";
/// Why a run cannot start when the page has not provided the file.
pub const MISSING: &str = "task=haxby needs the Haxby 2001 recording (data/haxby2001.npz), which this page has not loaded: reload the page; if that does not help, the file is missing from the server";

/// The file, embedded natively and provided by the page in wasm.
static FILE: FetchedFile = FetchedFile::new(FILE_NAME, NPZ_SHA256_FILE, None, MISSING, EMBEDDED);
#[cfg(not(target_arch = "wasm32"))]
const EMBEDDED: Option<&[u8]> = Some(NPZ);
#[cfg(target_arch = "wasm32")]
const EMBEDDED: Option<&[u8]> = None;

/// The file's SHA-256 (hex), as the converter recorded it.
pub fn expected_sha256() -> &'static str {
    FILE.expected_sha256()
}

/// Give the core the file's bytes (the page does, before a run that needs
/// them). Refused, with the reason, unless they are the recorded file
/// ([`FetchedFile::provide`]).
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

/// Volumes (rows) after rest is dropped.
pub const N_VOLUMES: usize = 864;
/// Voxels in the mask.
pub const N_VOXELS: usize = 530;
/// Runs.
pub const N_RUNS: usize = 12;
/// The categories, in the file's label order (PyMVPA's numeric order).
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

/// The recording: `x` is volumes × voxels (z-scores), `labels` the
/// category of each volume, `runs` its run.
#[derive(Clone, Debug, PartialEq)]
pub struct Haxby {
    pub x: DMatrix<f64>,
    pub labels: Vec<usize>,
    pub runs: Vec<usize>,
}

impl Haxby {
    /// The rows of category `c`, in file order.
    pub fn category(&self, c: usize) -> DMatrix<f64> {
        let rows: Vec<usize> = (0..self.labels.len())
            .filter(|&i| self.labels[i] == c)
            .collect();
        DMatrix::from_fn(rows.len(), self.x.ncols(), |i, j| self.x[(rows[i], j)])
    }
}

/// Read the file ([`bytes`]). An error if the page has not provided it
/// (wasm), or if the bytes are not what the converter writes (a build
/// problem, tested).
pub fn load() -> Result<Haxby, String> {
    let arrays =
        npz::read(FILE_NAME, bytes()?, &npy::ReadOptions::default()).map_err(|e| e.to_string())?;
    let get = |name: &str| {
        arrays
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, a)| a)
            .ok_or_else(|| format!("{FILE_NAME} has no array {name:?}"))
    };
    let x = get("X")?;
    if x.shape != [N_VOLUMES, N_VOXELS] {
        return Err(format!("{FILE_NAME}: X has shape {:?}", x.shape));
    }
    let ints = |name: &str, below: usize| -> Result<Vec<usize>, String> {
        let a = get(name)?;
        if a.shape != [N_VOLUMES] || a.data.iter().any(|&v| !(0.0..below as f64).contains(&v)) {
            return Err(format!(
                "{FILE_NAME}: {name} is not {N_VOLUMES} values in 0..{below}"
            ));
        }
        Ok(a.data.iter().map(|&v| v as usize).collect())
    };
    Ok(Haxby {
        x: DMatrix::from_row_slice(N_VOLUMES, N_VOXELS, &x.data),
        labels: ints("y", CATEGORIES.len())?,
        runs: ints("runs", N_RUNS)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    #[test]
    fn the_embedded_file_is_the_one_the_converter_recorded() {
        let hex: String = Sha256::digest(NPZ)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(NPZ_SHA256_FILE, format!("{hex}  {FILE_NAME}\n"));
    }

    /// The page's copy is checked before it is used; without one, the
    /// message says what is missing and what to do.
    #[test]
    fn provided_bytes_must_be_the_recorded_file() {
        let mut bad = NPZ.to_vec();
        bad[100] ^= 1;
        let e = provide(bad).unwrap_err();
        assert!(e.contains("is not the recorded one"), "{e}");
        assert!(e.contains(expected_sha256()), "{e}");
        assert!(provide(NPZ[..1000].to_vec()).is_err());
        assert!(FILE.provided().is_none(), "a refused copy is not kept");
        provide(NPZ.to_vec()).unwrap();
        assert_eq!(bytes().unwrap(), NPZ);
        assert_eq!(expected_sha256().len(), 64);
        // Without the file (as in wasm before the page provides it).
        let without = FetchedFile::new(FILE_NAME, NPZ_SHA256_FILE, None, MISSING, None);
        let e = without.bytes().unwrap_err();
        assert!(
            e.contains("task=haxby") && e.contains("reload the page"),
            "{e}"
        );
    }

    #[test]
    fn eight_categories_of_108_volumes_over_12_runs() {
        let h = load().unwrap();
        let mut per = [[0usize; N_RUNS]; 8];
        for (&c, &r) in h.labels.iter().zip(&h.runs) {
            per[c][r] += 1;
        }
        assert!(per.iter().flatten().all(|&n| n == 9), "{per:?}");
        // Every voxel z-scored within its run over all the run's volumes:
        // what remains after dropping rest is finite and of order 1.
        assert!(h.x.iter().all(|v| v.is_finite() && v.abs() < 10.0));
        assert_eq!(h.category(0).shape(), (108, N_VOXELS));
        let arrays = npz::read(FILE_NAME, NPZ, &npy::ReadOptions::default()).unwrap();
        let names = &arrays.iter().find(|(n, _)| n == "label_names").unwrap().1;
        assert_eq!(names.shape, [8, 12]);
        for (k, name) in CATEGORIES.iter().enumerate() {
            let bytes: Vec<u8> = names.data[k * 12..(k + 1) * 12]
                .iter()
                .map(|&b| b as u8)
                .take_while(|&b| b != 0)
                .collect();
            assert_eq!(bytes, name.as_bytes());
        }
    }

    /// The conversion's sanity check, by a second path (nalgebra rows, not
    /// the converter's flat loops): nearest class mean with each run held
    /// out gives 368 of 864 right (0.426; chance 0.125), as numpy does on
    /// the same z-scores.
    #[test]
    fn nearest_class_mean_across_runs_is_well_above_chance() {
        let h = load().unwrap();
        let mut correct = 0;
        for held in 0..N_RUNS {
            let means: Vec<_> = (0..8)
                .map(|c| {
                    let rows: Vec<usize> = (0..N_VOLUMES)
                        .filter(|&i| h.labels[i] == c && h.runs[i] != held)
                        .collect();
                    let mut m = nalgebra::RowDVector::zeros(N_VOXELS);
                    for &i in &rows {
                        m += h.x.row(i);
                    }
                    m / rows.len() as f64
                })
                .collect();
            for i in (0..N_VOLUMES).filter(|&i| h.runs[i] == held) {
                let d: Vec<f64> = means
                    .iter()
                    .map(|m| (h.x.row(i) - m).norm_squared())
                    .collect();
                let best = (0..8).min_by(|&a, &b| d[a].total_cmp(&d[b])).unwrap();
                correct += usize::from(best == h.labels[i]);
            }
        }
        assert_eq!(correct, 368);
    }
}
