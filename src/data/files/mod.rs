//! Your data: recordings or activations read from the files people have,
//! into samples × features matrices with class labels, for the same
//! analyses the labs run (manifold capacity, alignment, dimensionality,
//! neural collapse, CKA).
//!
//! Layouts understood ([`load`]):
//! - **NPY**: a 2-D samples × features array, with the labels (a 1-D array,
//!   or a one-column text file) in a second file.
//! - **NPZ** holding both, under the names people use: data `X`, `x`,
//!   `data`, `activations`, `responses`; labels `y`, `labels`, `targets`,
//!   `classes`. With several 2-D arrays and none of those names, we ask which
//!   one (`array`).
//! - **replicaMFT's layout**: an NPZ of `class_0`, `class_1`, …, each
//!   features × points (one manifold per array).
//! - **Trials × neurons × time** (3-D): averaged over a time window
//!   `[start, end)` (all of it by default); one label per trial.
//! - **Layers**: an NPZ of `layer_0`, `layer_1`, … (2-D or 3-D, the same
//!   rows) plus labels, analysed as a sequence of layers.
//! - **CSV / TSV**: features plus a label column (see [`csv`]).
//!
//! Labels are numbers or text: a CSV column of words, or numpy arrays of
//! strings (`<U`, `S` dtypes) as a labels `.npy` or an NPZ's `y`/`labels`.
//!
//! Every problem is a [`FileError`] that names the file and, where it
//! applies, the row, the column and what is wrong. Nothing here panics on
//! any input (a property test feeds random and mutated files).

pub mod csv;
pub mod npy;
pub mod npz;

use nalgebra::DMatrix;
use std::collections::{BTreeMap, BTreeSet};

/// The most values (f64) one upload may hold in the page: 50 million,
/// 400 MB (a browser tab cannot count on more). Natively the limit follows
/// the machine's memory ([`Limit::for_this_machine`]).
pub const MAX_VALUES: usize = 50_000_000;

/// The analyses' peak memory per byte of the data's f64 size (the data, its
/// centred copy, and room for the rest; `neurogeom analyze` measures about
/// 2×, docs/benchmarks.md). A memory budget B takes data up to B / 2.5.
pub const PEAK_FACTOR: f64 = 2.5;

/// How much data a read takes, and why (the reason goes into the message
/// that refuses a larger file).
#[derive(Clone, Debug, PartialEq)]
pub struct Limit {
    /// The most values (items) accepted.
    pub values: u64,
    /// Why, in words: "the page's limit …", "for this machine's …".
    pub why: String,
}

impl Limit {
    /// No limit (beyond the bytes the file holds).
    pub fn unlimited() -> Limit {
        Limit {
            values: u64::MAX,
            why: String::new(),
        }
    }

    /// The page's limit: [`MAX_VALUES`].
    pub fn browser() -> Limit {
        Limit {
            values: MAX_VALUES as u64,
            why: "the limit in a browser tab; `neurogeom analyze` on the command line takes larger files, up to what its machine's memory holds".into(),
        }
    }

    /// A memory budget of `bytes`: data up to bytes / [`PEAK_FACTOR`] as
    /// f64. `source` says where the budget comes from.
    pub fn from_memory(bytes: u64, source: &str) -> Limit {
        Limit {
            values: (bytes as f64 / PEAK_FACTOR / 8.0) as u64,
            why: format!(
                "{source} of {}: the analysis needs about {PEAK_FACTOR} times the data's size; set the budget with --max-memory or NEUROGEOM_MAX_MEMORY",
                human_bytes(bytes)
            ),
        }
    }

    /// The limit where this code runs: in wasm the page's
    /// ([`Limit::browser`]); natively `NEUROGEOM_MAX_MEMORY` if set (e.g.
    /// `16G`), else the machine's memory (`/proc/meminfo`'s MemTotal;
    /// 8 GB where it cannot be read).
    pub fn for_this_machine() -> Result<Limit, String> {
        #[cfg(target_arch = "wasm32")]
        {
            Ok(Limit::browser())
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            if let Ok(v) = std::env::var("NEUROGEOM_MAX_MEMORY") {
                let bytes =
                    parse_memory_size(&v).map_err(|e| format!("NEUROGEOM_MAX_MEMORY: {e}"))?;
                return Ok(Limit::from_memory(bytes, "the budget NEUROGEOM_MAX_MEMORY"));
            }
            Ok(match machine_memory() {
                Some(total) => Limit::from_memory(total, "this machine's memory"),
                None => Limit::from_memory(
                    8_000_000_000,
                    "an assumed memory (this machine's could not be read)",
                ),
            })
        }
    }

    /// An error unless `items` values fit.
    pub fn check(&self, file: &str, items: u64) -> Result<(), FileError> {
        if items > self.values {
            return Err(FileError::TooLarge {
                file: file.to_string(),
                needed_bytes: items.saturating_mul(8),
                limit_bytes: self.values.saturating_mul(8),
                why: self.why.clone(),
            });
        }
        Ok(())
    }

    /// What is left after `used` values.
    pub fn remaining(&self, used: u64) -> Limit {
        Limit {
            values: self.values.saturating_sub(used),
            why: self.why.clone(),
        }
    }
}

/// The machine's physical memory in bytes (Linux: MemTotal).
#[cfg(not(target_arch = "wasm32"))]
fn machine_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kb: u64 = line
        .trim_start_matches("MemTotal:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

/// A memory size: a number of bytes with an optional unit, `K`, `M`, `G`,
/// `T` (or `KB`, `MB`, `GB`, `TB`: powers of 1000) or `KiB`, `MiB`, `GiB`,
/// `TiB` (powers of 1024); `16G`, `1.5GB`, `800MiB`, `2000000000`.
pub fn parse_memory_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let value: f64 = number.parse().map_err(|_| {
        format!(
            "'{}' is not a memory size (e.g. 16G, 800MiB)",
            crate::params::shorten(t)
        )
    })?;
    let scale = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "t" | "tb" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        other => {
            return Err(format!(
                "unknown unit '{}' (use K, M, G, T or KiB, MiB, GiB, TiB)",
                crate::params::shorten(other)
            ))
        }
    };
    let bytes = value * scale;
    if !(bytes.is_finite() && bytes >= 1e6) {
        return Err(format!(
            "{} is too small a memory size (at least 1M)",
            crate::params::shorten(t)
        ));
    }
    Ok(bytes.min(u64::MAX as f64) as u64)
}

/// Bytes in words: "640 MB", "24.0 GB".
fn human_bytes(b: u64) -> String {
    let b = b as f64;
    if b >= 1e9 {
        format!("{:.1} GB", b / 1e9)
    } else {
        format!("{:.0} MB", b / 1e6)
    }
}

/// Names under which an NPZ holds the data matrix, in order of preference.
pub const DATA_NAMES: [&str; 5] = ["X", "x", "data", "activations", "responses"];
/// Names under which an NPZ holds the labels.
pub const LABEL_NAMES: [&str; 5] = ["y", "labels", "targets", "target", "classes"];
/// Names under which an NPZ holds the class names of integer labels (label
/// `k` is class `names[k]`, as scikit-learn's `target_names`): a text array
/// (`<U…`, `|S…`), or a 2-D `uint8` array of zero-padded UTF-8 rows.
pub const CLASS_NAME_ARRAYS: [&str; 3] = ["label_names", "class_names", "target_names"];

/// What went wrong reading a file.
#[derive(Clone, Debug, PartialEq)]
pub enum FileError {
    NotRecognised {
        file: String,
        detail: String,
    },
    Corrupt {
        file: String,
        detail: String,
    },
    Truncated {
        file: String,
        detail: String,
    },
    Unsupported {
        file: String,
        detail: String,
    },
    Empty {
        file: String,
    },
    Ragged {
        file: String,
        line: usize,
        expected: usize,
        found: usize,
    },
    NotANumber {
        file: String,
        line: usize,
        column: String,
        text: String,
    },
    NonFinite {
        what: String,
        rows: Vec<usize>,
        count: usize,
    },
    Labels {
        detail: String,
    },
    Classes {
        detail: String,
    },
    Shape {
        detail: String,
    },
    /// Several arrays could be the data; `options` lists them.
    ChooseArray {
        file: String,
        options: Vec<String>,
    },
    TooLarge {
        file: String,
        needed_bytes: u64,
        limit_bytes: u64,
        /// Why that limit ([`Limit::why`]).
        why: String,
    },
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileError::NotRecognised { file, detail } => {
                write!(f, "{file}: not an .npy, .npz, .csv or .tsv file: {detail}")
            }
            FileError::Corrupt { file, detail } => write!(f, "{file}: {detail}"),
            FileError::Truncated { file, detail } => {
                write!(f, "{file}: the file is truncated: {detail}")
            }
            FileError::Unsupported { file, detail } => write!(f, "{file}: {detail}"),
            FileError::Empty { file } => write!(f, "{file}: the file holds no rows of data"),
            FileError::Ragged {
                file,
                line,
                expected,
                found,
            } => write!(
                f,
                "{file}, line {line}: {found} columns where the first row has {expected}"
            ),
            FileError::NotANumber {
                file,
                line,
                column,
                text,
            } => write!(
                f,
                "{file}, line {line}, column '{column}': '{text}' is not a number; if that column holds the labels, name it as the label column (--label-column '{column}', or the page's “CSV label column”)"
            ),
            FileError::NonFinite { what, rows, count } => {
                let shown: Vec<String> = rows.iter().map(|r| r.to_string()).collect();
                write!(
                    f,
                    "{what}: {count} row(s) hold NaN or infinite values (data rows {}{}, counting from 0, header excluded); drop those rows to go on (--drop-nonfinite, or the page's “Drop rows with NaN or inf”)",
                    shown.join(", "),
                    if *count > rows.len() { ", …" } else { "" }
                )
            }
            FileError::Labels { detail } => write!(f, "labels: {detail}"),
            FileError::Classes { detail } => write!(f, "classes: {detail}"),
            FileError::Shape { detail } => write!(f, "{detail}"),
            FileError::ChooseArray { file, options } => write!(
                f,
                "{file} holds several arrays that could be the data: {}; choose one (the CLI's --array NAME)",
                options.join(", ")
            ),
            FileError::TooLarge {
                file,
                needed_bytes,
                limit_bytes,
                why,
            } => {
                write!(
                    f,
                    "{file} needs {} of memory as 64-bit floats; the limit is {}",
                    human_bytes(*needed_bytes),
                    human_bytes(*limit_bytes)
                )?;
                if !why.is_empty() {
                    write!(f, " ({why})")?;
                }
                Ok(())
            }
        }
    }
}

/// How to read the files; every field has a sensible default.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LoadOptions {
    /// Which array of an NPZ holds the data (when several could).
    pub array: Option<String>,
    /// The label column of a CSV (name, 0-based index, or `none`).
    pub label_column: Option<String>,
    /// For 3-D trials × neurons × time data: average over `[start, end)`.
    pub time_window: Option<(usize, usize)>,
    /// Drop rows with NaN or infinite values instead of refusing them.
    pub drop_nonfinite: bool,
    /// The most data accepted; `None`: [`Limit::for_this_machine`].
    pub limit: Option<Limit>,
}

/// One layer of data: samples × features.
#[derive(Clone, Debug, PartialEq)]
pub struct Layer {
    pub name: String,
    pub x: DMatrix<f64>,
}

/// Data ready for the analyses: one or more layers with the same rows, and
/// a class per row (rows in the file's order).
#[derive(Clone, Debug, PartialEq)]
pub struct Recording {
    pub layers: Vec<Layer>,
    /// The class of each row, 0..n_classes.
    pub labels: Vec<usize>,
    /// The label text of each class, in class order.
    pub class_names: Vec<String>,
    /// What was read, in one line ("NPZ, replicaMFT layout, 10 classes").
    pub layout: String,
    /// What was done that the user should know (rows dropped, window used).
    pub notes: Vec<String>,
}

impl Recording {
    pub fn n_classes(&self) -> usize {
        self.class_names.len()
    }

    /// The rows of class `c` in layer `l`, as a points × features matrix
    /// (one manifold).
    pub fn class_points(&self, l: usize, c: usize) -> DMatrix<f64> {
        let x = &self.layers[l].x;
        let rows: Vec<usize> = (0..self.labels.len())
            .filter(|&i| self.labels[i] == c)
            .collect();
        DMatrix::from_fn(rows.len(), x.ncols(), |i, j| x[(rows[i], j)])
    }
}

/// A file's name and bytes.
#[derive(Clone, Copy, Debug)]
pub struct Input<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
}

/// Read the data file (and, optionally, a separate labels file) into a
/// [`Recording`].
pub fn load(
    data: Input,
    labels: Option<Input>,
    options: &LoadOptions,
) -> Result<Recording, FileError> {
    let limit = match &options.limit {
        Some(l) => l.clone(),
        None => Limit::for_this_machine().map_err(|detail| FileError::Shape { detail })?,
    };
    let read_options = npy::ReadOptions {
        limit,
        column_major: true,
    };
    check_kind(data)?;
    if let Some(l) = labels {
        check_kind(l)?;
    }
    let mut notes = Vec::new();
    let (layers, row_labels, layout, class_order) = if npy::looks_like_npy(data.bytes) {
        let a = npy::read_with(data.name, data.bytes, &read_options)?;
        let layout = format!("NPY {:?} {}", a.shape, a.dtype);
        let x = to_samples(data.name, a, options, &mut notes)?;
        (
            vec![Layer {
                name: data.name.to_string(),
                x,
            }],
            None,
            layout,
            None,
        )
    } else if npz::looks_like_zip(data.bytes) {
        read_npz(data.name, data.bytes, options, &read_options, &mut notes)?
    } else if csv::looks_like_text(data.bytes) {
        let t = csv::read(data.name, data.bytes, options.label_column.as_deref())?;
        read_options
            .limit
            .check(data.name, (t.rows as u64).saturating_mul(t.cols as u64))?;
        let x = DMatrix::from_row_slice(t.rows, t.cols, &t.values);
        let layout = match &t.label_name {
            Some(l) => format!(
                "text, {} rows × {} features, labels in column '{l}'",
                t.rows, t.cols
            ),
            None => format!("text, {} rows × {} features", t.rows, t.cols),
        };
        (
            vec![Layer {
                name: data.name.to_string(),
                x,
            }],
            t.labels,
            layout,
            None,
        )
    } else {
        return Err(FileError::NotRecognised {
            file: data.name.to_string(),
            detail: "it is neither an .npy or .npz file nor text".into(),
        });
    };

    let (row_labels, class_order) = match (labels, row_labels) {
        (Some(file), _) => (read_labels(file)?, None),
        (None, Some(l)) => (l, class_order),
        (None, None) => {
            return Err(FileError::Labels {
                detail: format!(
                    "{} has no labels; give a second file with one label per row (an .npy vector or a one-column text file), or an .npz with a 'y' or 'labels' array",
                    data.name
                ),
            })
        }
    };
    assemble(layers, row_labels, class_order, layout, notes, options)
}

/// A file named `.npy` or `.npz` must be one: a text file renamed `.npy`
/// is refused (it would otherwise be read as CSV, silently).
fn check_kind(input: Input) -> Result<(), FileError> {
    let lower = input.name.to_ascii_lowercase();
    let what = if csv::looks_like_text(input.bytes) {
        "; it is text: if it is CSV or TSV, name it .csv or .tsv"
    } else if npz::looks_like_zip(input.bytes) {
        "; it is a zip archive: if it is an .npz, name it .npz"
    } else if npy::looks_like_npy(input.bytes) {
        "; it is an .npy file: name it .npy"
    } else {
        ""
    };
    if lower.ends_with(".npy") && !npy::looks_like_npy(input.bytes) {
        return Err(FileError::Corrupt {
            file: input.name.to_string(),
            detail: format!("not an NPY file (no \\x93NUMPY header){what}"),
        });
    }
    if lower.ends_with(".npz") && !npz::looks_like_zip(input.bytes) {
        return Err(FileError::Corrupt {
            file: input.name.to_string(),
            detail: format!("not an NPZ file (no zip header){what}"),
        });
    }
    Ok(())
}

/// A [`Recording`] from matrices already in memory (the Python bindings'
/// numpy arrays): the same checks, class order and messages as a file's
/// ([`load`]). `row_labels` are the label texts, one per row; numeric
/// labels go through [`number_label`] first, as a file's do.
pub fn from_arrays(
    layers: Vec<Layer>,
    row_labels: Vec<String>,
    options: &LoadOptions,
) -> Result<Recording, FileError> {
    let first = layers.first().ok_or(FileError::Shape {
        detail: "no data: give at least one samples × features array".into(),
    })?;
    let layout = format!(
        "arrays, {} layer(s) of {} rows",
        layers.len(),
        first.x.nrows()
    );
    assemble(layers, row_labels, None, layout, Vec::new(), options)
}

/// Check the layers against the labels and each other, drop or refuse
/// non-finite rows, and map the labels to classes (in `class_order` when
/// the file gives one).
fn assemble(
    mut layers: Vec<Layer>,
    mut row_labels: Vec<String>,
    class_order: ClassOrder,
    layout: String,
    mut notes: Vec<String>,
    options: &LoadOptions,
) -> Result<Recording, FileError> {
    let rows = layers[0].x.nrows();
    for l in &layers {
        if l.x.nrows() != rows {
            return Err(FileError::Shape {
                detail: format!(
                    "layer '{}' has {} rows where '{}' has {rows}; every layer needs one row per sample",
                    l.name,
                    l.x.nrows(),
                    layers[0].name
                ),
            });
        }
        if l.x.ncols() == 0 {
            return Err(FileError::Shape {
                detail: format!("layer '{}' has no features", l.name),
            });
        }
    }
    if row_labels.len() != rows {
        return Err(FileError::Labels {
            detail: format!(
                "{} labels for {rows} rows of data; they must match one to one",
                row_labels.len()
            ),
        });
    }
    // Rows with NaN or inf in any layer.
    // Column by column (the matrices' storage order).
    let mut is_bad = vec![false; rows];
    for l in &layers {
        for col in l.x.column_iter() {
            for (b, v) in is_bad.iter_mut().zip(col.iter()) {
                *b |= !v.is_finite();
            }
        }
    }
    let bad: Vec<usize> = (0..rows).filter(|&i| is_bad[i]).collect();
    if !bad.is_empty() {
        if !options.drop_nonfinite {
            return Err(FileError::NonFinite {
                what: layers[0].name.clone(),
                rows: bad.iter().take(8).copied().collect(),
                count: bad.len(),
            });
        }
        let keep: Vec<usize> = (0..rows).filter(|&i| !is_bad[i]).collect();
        for l in layers.iter_mut() {
            let x = &l.x;
            l.x = DMatrix::from_fn(keep.len(), x.ncols(), |i, j| x[(keep[i], j)]);
        }
        row_labels = keep.iter().map(|&i| row_labels[i].clone()).collect();
        notes.push(format!(
            "dropped {} row(s) with NaN or infinite values",
            bad.len()
        ));
    }
    let (labels, class_names) = match &class_order {
        Some(order) => ordered_classes(&row_labels, order),
        None => classes(&row_labels),
    };
    if class_names.len() < 2 {
        return Err(FileError::Classes {
            detail: format!(
                "only one class ('{}'); the analyses compare at least two",
                class_names.first().cloned().unwrap_or_default()
            ),
        });
    }
    let small: Vec<String> = class_names
        .iter()
        .enumerate()
        .filter(|(c, _)| labels.iter().filter(|&&l| l == *c).count() < 2)
        .map(|(_, n)| format!("'{}'", crate::params::shorten(n)))
        .collect();
    if !small.is_empty() {
        return Err(FileError::Classes {
            detail: format!(
                "class {} has fewer than 2 points; each class is a manifold and needs at least 2",
                small.join(", ")
            ),
        });
    }
    Ok(Recording {
        layers,
        labels,
        class_names,
        layout,
        notes,
    })
}

/// Map label texts to class indices, in a canonical order that does not
/// depend on the rows' order: when every label is a number, numeric order
/// (and `1`, `1.0` and `1e0` are one class, named `1`); otherwise
/// lexicographic order of the texts.
fn classes(row_labels: &[String]) -> (Vec<usize>, Vec<String>) {
    let numbers: Option<Vec<f64>> = row_labels
        .iter()
        .map(|s| s.trim().parse::<f64>().ok().filter(|v| !v.is_nan()))
        .collect();
    let canonical: Vec<String> = match &numbers {
        Some(v) => v.iter().map(|&x| number_label(x)).collect(),
        None => row_labels.to_vec(),
    };
    let mut order: Vec<usize> = (0..canonical.len()).collect();
    match &numbers {
        Some(v) => crate::sort::sort_by(&mut order, &|&a, &b| v[a].total_cmp(&v[b])),
        None => crate::sort::sort_by(&mut order, &|&a, &b| canonical[a].cmp(&canonical[b])),
    }
    let mut names: Vec<String> = Vec::new();
    for &i in &order {
        if names.last() != Some(&canonical[i]) {
            names.push(canonical[i].clone());
        }
    }
    let labels = canonical
        .iter()
        .map(|s| match &numbers {
            Some(_) => names
                .binary_search_by(|n| {
                    let (x, y) = (
                        n.parse::<f64>().unwrap_or(0.0),
                        s.parse::<f64>().unwrap_or(0.0),
                    );
                    x.total_cmp(&y)
                })
                .unwrap_or(0),
            None => names.binary_search(s).unwrap_or(0),
        })
        .collect();
    (labels, names)
}

/// Map label texts to class indices in a given order (the classes that
/// occur, in `order`); every label is one of `order` ([`named_labels`]).
fn ordered_classes(row_labels: &[String], order: &[String]) -> (Vec<usize>, Vec<String>) {
    let used: BTreeSet<&str> = row_labels.iter().map(String::as_str).collect();
    let names: Vec<String> = order
        .iter()
        .filter(|n| used.contains(n.as_str()))
        .cloned()
        .collect();
    let index: BTreeMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let labels = row_labels.iter().map(|l| index[l.as_str()]).collect();
    (labels, names)
}

/// Row labels and the order of the classes they name.
type Labelled = (Vec<String>, Vec<String>);
/// The order of a file's classes, when it names them.
type ClassOrder = Option<Vec<String>>;

/// Integer labels named by the NPZ's class-name array ([`CLASS_NAME_ARRAYS`]):
/// label `k` becomes `names[k]`, and the classes keep the names' order.
/// `Ok(None)` when the file has no such array. A label that is not an index
/// into the names, or a name given twice, is an error.
fn named_labels(
    file: &str,
    arrays: &[(String, npy::Array)],
    row_labels: &[String],
) -> Result<Option<Labelled>, FileError> {
    let Some((key, a)) = CLASS_NAME_ARRAYS
        .iter()
        .find_map(|n| arrays.iter().find(|(k, _)| k == n))
    else {
        return Ok(None);
    };
    let bad = |detail: String| FileError::Labels {
        detail: format!("{file}: '{key}' {detail}"),
    };
    let names: Vec<String> = match &a.text {
        Some(t) if a.ndim() == 1 => t.iter().map(|s| s.trim().to_string()).collect(),
        None if a.ndim() == 2 && a.dtype.ends_with("u1") => (0..a.shape[0])
            .map(|r| {
                let bytes: Vec<u8> = (0..a.shape[1])
                    .map(|c| a.at2(r, c) as u8)
                    .take_while(|&b| b != 0)
                    .collect();
                String::from_utf8(bytes)
                    .map(|s| s.trim().to_string())
                    .map_err(|_| bad(format!("row {r} is not UTF-8 text")))
            })
            .collect::<Result<_, _>>()?,
        _ => {
            return Err(bad(format!(
                "has shape {:?} ({}); class names are a 1-D text array, or a 2-D uint8 array of zero-padded UTF-8 rows",
                a.shape, a.dtype
            )))
        }
    };
    let mut seen = BTreeSet::new();
    for n in &names {
        if n.is_empty() {
            return Err(bad("has an empty name".into()));
        }
        if !seen.insert(n.as_str()) {
            return Err(bad(format!("names '{n}' twice")));
        }
    }
    let named = row_labels
        .iter()
        .map(|l| {
            l.trim()
                .parse::<usize>()
                .ok()
                .and_then(|k| names.get(k).cloned())
                .ok_or_else(|| {
                    bad(format!(
                        "names {} classes (0 to {}), but a label is '{}'; with class names, labels are their indices",
                        names.len(),
                        names.len().saturating_sub(1),
                        crate::params::shorten(l)
                    ))
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some((named, names)))
}

/// Label texts from a labels file: an `.npy` vector (or an N × 1 column), or
/// a one-column text file (a header row is skipped if its cell is `label`,
/// `labels`, `y`, `class` or `target`).
fn read_labels(file: Input) -> Result<Vec<String>, FileError> {
    if npy::looks_like_npy(file.bytes) {
        let a = npy::read(file.name, file.bytes)?;
        let is_vector = a.ndim() == 1 || (a.ndim() == 2 && a.shape[1] == 1);
        if !is_vector {
            return Err(FileError::Labels {
                detail: format!(
                    "{} has shape {:?}; labels are one value per row (a 1-D array)",
                    file.name, a.shape
                ),
            });
        }
        return Ok(label_texts(&a));
    }
    if !csv::looks_like_text(file.bytes) {
        return Err(FileError::NotRecognised {
            file: file.name.to_string(),
            detail: "labels are read from an .npy vector or a text file".into(),
        });
    }
    let t = csv::read(file.name, file.bytes, Some("none")).or_else(|_| {
        // A column of names: read it as a one-column label table.
        csv::read(file.name, file.bytes, Some("0"))
    })?;
    if let Some(l) = t.labels {
        return Ok(l);
    }
    if t.cols != 1 {
        return Err(FileError::Labels {
            detail: format!(
                "{} has {} columns; a labels file has one",
                file.name, t.cols
            ),
        });
    }
    Ok(t.values.iter().map(|&v| number_label(v)).collect())
}

/// The labels of a 1-D array: its strings (numpy `<U…`, `|S…`), or its
/// numbers as text.
fn label_texts(a: &npy::Array) -> Vec<String> {
    match &a.text {
        Some(t) => t.clone(),
        None => a.data.iter().map(|&v| number_label(v)).collect(),
    }
}

/// A numeric label as text: integers without a decimal point.
pub fn number_label(v: f64) -> String {
    if v.is_finite() && v == v.trunc() && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// A 2-D samples × features array as a matrix (without a copy when it was
/// read in column order), or a 3-D trials × neurons × time array averaged
/// over the time window.
fn to_samples(
    name: &str,
    a: npy::Array,
    options: &LoadOptions,
    notes: &mut Vec<String>,
) -> Result<DMatrix<f64>, FileError> {
    if a.text.is_some() {
        return Err(FileError::Unsupported {
            file: name.to_string(),
            detail: format!(
                "dtype '{}' holds text, not numbers; the data must be numeric (text labels go in a labels array or file)",
                a.dtype
            ),
        });
    }
    match *a.shape.as_slice() {
        [rows, cols] => Ok(if a.column_major {
            DMatrix::from_vec(rows, cols, a.data)
        } else {
            DMatrix::from_row_slice(rows, cols, &a.data)
        }),
        [trials, neurons, time] => {
            let (t0, t1) = options.time_window.unwrap_or((0, time));
            if t0 >= t1 || t1 > time {
                return Err(FileError::Shape {
                    detail: format!(
                        "{name}: time window [{t0}, {t1}) is not inside the {time} time bins"
                    ),
                });
            }
            if options.time_window.is_some() || time > 1 {
                notes.push(format!(
                    "{name}: trials × neurons × time; averaged over time bins [{t0}, {t1}) of {time}"
                ));
            }
            let width = (t1 - t0) as f64;
            Ok(DMatrix::from_fn(trials, neurons, |i, j| {
                let base = (i * neurons + j) * time;
                let mut s = 0.0;
                for t in t0..t1 {
                    s += a.data[base + t];
                }
                s / width
            }))
        }
        ref other => Err(FileError::Shape {
            detail: format!(
                "{name}: an array of shape {other:?}; the data is 2-D (samples × features) or 3-D (trials × neurons × time)"
            ),
        }),
    }
}

/// What a data file gives: its layers, its row labels if it has any, its
/// layout, and the order of its classes when it names them
/// ([`CLASS_NAME_ARRAYS`]).
type Read = (Vec<Layer>, Option<Vec<String>>, String, ClassOrder);

fn read_npz(
    name: &str,
    bytes: &[u8],
    options: &LoadOptions,
    read_options: &npy::ReadOptions,
    notes: &mut Vec<String>,
) -> Result<Read, FileError> {
    let mut arrays = npz::read(name, bytes, read_options)?;
    let find = |arrays: &[(String, npy::Array)], n: &str| arrays.iter().position(|(k, _)| k == n);
    let numbered = |arrays: &[(String, npy::Array)], prefix: &str| -> Vec<usize> {
        let mut out = Vec::new();
        while let Some(i) = find(arrays, &format!("{prefix}{}", out.len())) {
            out.push(i);
        }
        out
    };
    let labels_at = LABEL_NAMES
        .iter()
        .find_map(|n| find(&arrays, n).map(|i| (*n, i)));
    let labels =
        |arrays: &[(String, npy::Array)], what: &str| -> Result<Option<Vec<String>>, FileError> {
            match labels_at {
                Some((n, i)) => {
                    let a = &arrays[i].1;
                    if a.ndim() == 1 || (a.ndim() == 2 && a.shape[1] == 1) {
                        Ok(Some(label_texts(a)))
                    } else {
                        Err(FileError::Labels {
                            detail: format!(
                            "{name}: '{n}' has shape {:?}; labels are one value per row of {what}",
                            a.shape
                        ),
                        })
                    }
                }
                None => Ok(None),
            }
        };
    let take = |arrays: &mut Vec<(String, npy::Array)>, i: usize| {
        std::mem::replace(
            &mut arrays[i].1,
            npy::Array {
                shape: vec![0],
                data: Vec::new(),
                dtype: String::new(),
                column_major: false,
                text: None,
            },
        )
    };

    // replicaMFT: class_0, class_1, … each features × points.
    let classes = numbered(&arrays, "class_");
    if options.array.is_none() && !classes.is_empty() {
        let first = &arrays[classes[0]].1;
        let features = first.shape.first().copied().unwrap_or(0);
        let mut owner = Vec::new(); // (class, point) of each row
        for (c, &i) in classes.iter().enumerate() {
            let a = &arrays[i].1;
            if a.ndim() != 2 || a.shape[0] != features || a.text.is_some() {
                return Err(FileError::Shape {
                    detail: format!(
                        "{name}: class_{c} has shape {:?} ({}); replicaMFT's layout is numbers, features × points, with the same features ({features}) in every class",
                        a.shape, a.dtype
                    ),
                });
            }
            owner.extend((0..a.shape[1]).map(|p| (i, p)));
        }
        let x = DMatrix::from_fn(owner.len(), features, |r, f| {
            let (i, p) = owner[r];
            arrays[i].1.at2(f, p)
        });
        let row_labels = owner
            .iter()
            .map(|&(i, _)| {
                let c = classes.iter().position(|&k| k == i).unwrap_or(0);
                c.to_string()
            })
            .collect();
        return Ok((
            vec![Layer {
                name: name.to_string(),
                x,
            }],
            Some(row_labels),
            format!(
                "NPZ, replicaMFT layout: {} classes of {features} features",
                classes.len()
            ),
            None,
        ));
    }

    // Layers: layer_0, layer_1, …
    let layer_arrays = numbered(&arrays, "layer_");
    if options.array.is_none() && !layer_arrays.is_empty() {
        let row_labels = labels(&arrays, "the layers")?;
        let mut layers = Vec::new();
        for (l, &i) in layer_arrays.iter().enumerate() {
            let lname = format!("layer_{l}");
            let a = take(&mut arrays, i);
            layers.push(Layer {
                x: to_samples(&lname, a, options, notes)?,
                name: lname,
            });
        }
        let n = layers.len();
        let (row_labels, order) = with_class_names(name, &arrays, row_labels, notes)?;
        return Ok((layers, row_labels, format!("NPZ, {n} layers"), order));
    }

    // One data array: asked for, by a usual name, or the only candidate.
    let candidates: Vec<usize> = (0..arrays.len())
        .filter(|&i| {
            let (k, a) = &arrays[i];
            (a.ndim() == 2 || a.ndim() == 3)
                && a.text.is_none()
                && !LABEL_NAMES.contains(&k.as_str())
                && !CLASS_NAME_ARRAYS.contains(&k.as_str())
                && !(a.ndim() == 2 && a.shape[1] == 1)
        })
        .collect();
    let chosen: usize = match &options.array {
        Some(want) => find(&arrays, want).ok_or_else(|| FileError::Shape {
            detail: format!(
                "{name} has no array '{}' (arrays: {})",
                crate::params::shorten(want),
                arrays
                    .iter()
                    .map(|(k, _)| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })?,
        None => match DATA_NAMES.iter().find_map(|n| find(&arrays, n)) {
            Some(found) => found,
            None => match candidates.as_slice() {
                [only] => *only,
                [] => {
                    return Err(FileError::Shape {
                        detail: format!(
                            "{name} holds no 2-D or 3-D array of numbers (arrays: {})",
                            arrays
                                .iter()
                                .map(|(k, a)| format!("{k} {:?} {}", a.shape, a.dtype))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    })
                }
                many => {
                    return Err(FileError::ChooseArray {
                        file: name.to_string(),
                        options: many.iter().map(|&i| arrays[i].0.clone()).collect(),
                    })
                }
            },
        },
    };
    let data_name = arrays[chosen].0.clone();
    let row_labels = labels(&arrays, &data_name)?;
    let layout = format!(
        "NPZ, array '{data_name}' {:?} {}",
        arrays[chosen].1.shape, arrays[chosen].1.dtype
    );
    let a = take(&mut arrays, chosen);
    let x = to_samples(&data_name, a, options, notes)?;
    let (row_labels, order) = with_class_names(name, &arrays, row_labels, notes)?;
    Ok((
        vec![Layer { name: data_name, x }],
        row_labels,
        layout,
        order,
    ))
}

/// The NPZ's own labels, named by its class-name array if it has one
/// ([`named_labels`]), and the classes' order; a note says so.
fn with_class_names(
    file: &str,
    arrays: &[(String, npy::Array)],
    row_labels: Option<Vec<String>>,
    notes: &mut Vec<String>,
) -> Result<(Option<Vec<String>>, ClassOrder), FileError> {
    let Some(labels) = row_labels else {
        return Ok((None, None));
    };
    let named: Option<Labelled> = named_labels(file, arrays, &labels)?;
    match named {
        Some((named, order)) => {
            let shown = match order.len() {
                n if n <= 8 => order.join(", "),
                n => format!("{}, … ({n} in all)", order[..8].join(", ")),
            };
            notes.push(format!("class names from the file's names array: {shown}"));
            Ok((Some(named), Some(order)))
        }
        None => Ok((Some(labels), None)),
    }
}

/// The list of arrays in an NPZ (name and shape), for the page's chooser.
pub fn npz_arrays(name: &str, bytes: &[u8]) -> Result<Vec<(String, Vec<usize>)>, FileError> {
    Ok(npz::read(name, bytes, &npy::ReadOptions::default())?
        .into_iter()
        .map(|(k, a)| (k, a.shape))
        .collect())
}
