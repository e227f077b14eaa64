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

/// The most values (f64) one upload may hold: 50 million, 400 MB.
pub const MAX_VALUES: usize = 50_000_000;

/// Names under which an NPZ holds the data matrix, in order of preference.
pub const DATA_NAMES: [&str; 5] = ["X", "x", "data", "activations", "responses"];
/// Names under which an NPZ holds the labels.
pub const LABEL_NAMES: [&str; 4] = ["y", "labels", "targets", "classes"];

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
            } => write!(f, "{file}, line {line}, column '{column}': '{text}' is not a number"),
            FileError::NonFinite { what, rows, count } => {
                let shown: Vec<String> = rows.iter().map(|r| r.to_string()).collect();
                write!(
                    f,
                    "{what}: {count} row(s) hold NaN or infinite values (data rows {}{}, counting from 0, header excluded); drop those rows to go on",
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
            } => write!(
                f,
                "{file} needs {:.0} MB of memory as 64-bit floats; the limit is {:.0} MB",
                *needed_bytes as f64 / 1e6,
                *limit_bytes as f64 / 1e6
            ),
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
}

/// One layer of data: samples × features.
#[derive(Clone, Debug, PartialEq)]
pub struct Layer {
    pub name: String,
    pub x: DMatrix<f64>,
}

/// Data ready for the analyses: one or more layers with the same rows, and
/// a class per row.
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
    let mut notes = Vec::new();
    let (layers, row_labels, layout) = if npy::looks_like_npy(data.bytes) {
        let a = npy::read(data.name, data.bytes)?;
        check_size(data.name, &a)?;
        let x = to_samples(data.name, &a, options, &mut notes)?;
        (
            vec![Layer {
                name: data.name.to_string(),
                x,
            }],
            None,
            format!("NPY {:?} {}", a.shape, a.dtype),
        )
    } else if npz::looks_like_zip(data.bytes) {
        read_npz(data.name, data.bytes, options, &mut notes)?
    } else if csv::looks_like_text(data.bytes) {
        let t = csv::read(data.name, data.bytes, options.label_column.as_deref())?;
        let x = DMatrix::from_row_slice(t.rows, t.cols, &t.values);
        (
            vec![Layer {
                name: data.name.to_string(),
                x,
            }],
            t.labels,
            format!("text, {} rows × {} features", t.rows, t.cols),
        )
    } else {
        return Err(FileError::NotRecognised {
            file: data.name.to_string(),
            detail: "it is neither an .npy or .npz file nor text".into(),
        });
    };

    let row_labels = match (labels, row_labels) {
        (Some(file), _) => read_labels(file)?,
        (None, Some(l)) => l,
        (None, None) => {
            return Err(FileError::Labels {
                detail: format!(
                    "{} has no labels; give a second file with one label per row (an .npy vector or a one-column text file), or an .npz with a 'y' or 'labels' array",
                    data.name
                ),
            })
        }
    };
    assemble(layers, row_labels, layout, notes, options)
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
    assemble(layers, row_labels, layout, Vec::new(), options)
}

/// Check the layers against the labels and each other, drop or refuse
/// non-finite rows, and map the labels to classes.
fn assemble(
    mut layers: Vec<Layer>,
    mut row_labels: Vec<String>,
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
    let bad: Vec<usize> = (0..rows)
        .filter(|&i| {
            layers
                .iter()
                .any(|l| l.x.row(i).iter().any(|v| !v.is_finite()))
        })
        .collect();
    if !bad.is_empty() {
        if !options.drop_nonfinite {
            return Err(FileError::NonFinite {
                what: layers[0].name.clone(),
                rows: bad.iter().take(8).copied().collect(),
                count: bad.len(),
            });
        }
        let mut is_bad = vec![false; rows];
        bad.iter().for_each(|&i| is_bad[i] = true);
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
    let (labels, class_names) = classes(&row_labels);
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

/// Map label texts to class indices: numbers in numeric order, other text
/// in lexicographic order.
fn classes(row_labels: &[String]) -> (Vec<usize>, Vec<String>) {
    let mut names: Vec<String> = row_labels.to_vec();
    let numeric = names.iter().all(|s| s.trim().parse::<f64>().is_ok());
    if numeric {
        names.sort_by(|a, b| {
            let (x, y) = (
                a.trim().parse::<f64>().unwrap_or(0.0),
                b.trim().parse::<f64>().unwrap_or(0.0),
            );
            x.total_cmp(&y)
        });
    } else {
        names.sort();
    }
    names.dedup();
    let labels = row_labels
        .iter()
        .map(|s| names.iter().position(|n| n == s).unwrap_or(0))
        .collect();
    (labels, names)
}

/// Label texts from a labels file: an `.npy` vector (or an N × 1 column), or
/// a one-column text file (a header row is skipped if its cell is `label`,
/// `labels`, `y`, `class` or `target`).
fn read_labels(file: Input) -> Result<Vec<String>, FileError> {
    if npy::looks_like_npy(file.bytes) {
        if let Some((shape, strings)) = npy::read_text(file.name, file.bytes)? {
            if !(shape.len() == 1 || (shape.len() == 2 && shape[1] == 1)) {
                return Err(FileError::Labels {
                    detail: format!(
                        "{} has shape {shape:?}; labels are one value per row (a 1-D array)",
                        file.name
                    ),
                });
            }
            return Ok(strings);
        }
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
        return Ok(a.data.iter().map(|&v| number_label(v)).collect());
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

/// A numeric label as text: integers without a decimal point.
pub fn number_label(v: f64) -> String {
    if v.is_finite() && v == v.trunc() && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

fn check_size(file: &str, a: &npy::Array) -> Result<(), FileError> {
    if a.data.len() > MAX_VALUES {
        return Err(FileError::TooLarge {
            file: file.to_string(),
            needed_bytes: a.data.len() as u64 * 8,
            limit_bytes: MAX_VALUES as u64 * 8,
        });
    }
    Ok(())
}

/// A 2-D samples × features array as a matrix, or a 3-D trials × neurons ×
/// time array averaged over the time window.
fn to_samples(
    name: &str,
    a: &npy::Array,
    options: &LoadOptions,
    notes: &mut Vec<String>,
) -> Result<DMatrix<f64>, FileError> {
    match a.shape.as_slice() {
        [rows, cols] => Ok(DMatrix::from_row_slice(*rows, *cols, &a.data)),
        [trials, neurons, time] => {
            let (t0, t1) = options.time_window.unwrap_or((0, *time));
            if t0 >= t1 || t1 > *time {
                return Err(FileError::Shape {
                    detail: format!(
                        "{name}: time window [{t0}, {t1}) is not inside the {time} time bins"
                    ),
                });
            }
            if options.time_window.is_some() || *time > 1 {
                notes.push(format!(
                    "{name}: trials × neurons × time; averaged over time bins [{t0}, {t1}) of {time}"
                ));
            }
            let width = (t1 - t0) as f64;
            Ok(DMatrix::from_fn(*trials, *neurons, |i, j| {
                let base = (i * neurons + j) * time;
                let mut s = 0.0;
                for t in t0..t1 {
                    s += a.data[base + t];
                }
                s / width
            }))
        }
        other => Err(FileError::Shape {
            detail: format!(
                "{name}: an array of shape {other:?}; the data is 2-D (samples × features) or 3-D (trials × neurons × time)"
            ),
        }),
    }
}

type Read = (Vec<Layer>, Option<Vec<String>>, String);

fn read_npz(
    name: &str,
    bytes: &[u8],
    options: &LoadOptions,
    notes: &mut Vec<String>,
) -> Result<Read, FileError> {
    let (arrays, texts) = npz::read_all(name, bytes)?;
    let total: usize = arrays.iter().map(|(_, a)| a.data.len()).sum();
    if total > MAX_VALUES {
        return Err(FileError::TooLarge {
            file: name.to_string(),
            needed_bytes: total as u64 * 8,
            limit_bytes: MAX_VALUES as u64 * 8,
        });
    }
    let find = |n: &str| arrays.iter().find(|(k, _)| k == n).map(|(_, a)| a);
    let numbered = |prefix: &str| -> Vec<&npy::Array> {
        let mut out = Vec::new();
        while let Some(a) = find(&format!("{prefix}{}", out.len())) {
            out.push(a);
        }
        out
    };
    let labels_array = LABEL_NAMES.iter().find_map(|n| find(n).map(|a| (*n, a)));
    // Text labels (numpy `<U`/`S` arrays) under the same names.
    let text_labels = LABEL_NAMES
        .iter()
        .find_map(|n| texts.iter().find(|(k, _, _)| k == n));
    let labels = |notes_for: &str| -> Result<Option<Vec<String>>, FileError> {
        if let (Some((n, shape, strings)), None) = (text_labels, labels_array) {
            return if shape.len() == 1 || (shape.len() == 2 && shape[1] == 1) {
                Ok(Some(strings.clone()))
            } else {
                Err(FileError::Labels {
                    detail: format!(
                        "{name}: '{n}' has shape {shape:?}; labels are one value per row of {notes_for}"
                    ),
                })
            };
        }
        match labels_array {
            Some((n, a)) => {
                if a.ndim() == 1 || (a.ndim() == 2 && a.shape[1] == 1) {
                    Ok(Some(a.data.iter().map(|&v| number_label(v)).collect()))
                } else {
                    Err(FileError::Labels {
                        detail: format!(
                            "{name}: '{n}' has shape {:?}; labels are one value per row of {notes_for}",
                            a.shape
                        ),
                    })
                }
            }
            None => Ok(None),
        }
    };

    // replicaMFT: class_0, class_1, … each features × points.
    let classes = numbered("class_");
    if options.array.is_none() && !classes.is_empty() {
        let features = classes[0].shape.first().copied().unwrap_or(0);
        let mut rows = Vec::new();
        let mut row_labels = Vec::new();
        for (c, a) in classes.iter().enumerate() {
            if a.ndim() != 2 || a.shape[0] != features {
                return Err(FileError::Shape {
                    detail: format!(
                        "{name}: class_{c} has shape {:?}; replicaMFT's layout is features × points with the same features ({features}) in every class",
                        a.shape
                    ),
                });
            }
            let points = a.shape[1];
            for p in 0..points {
                rows.push(
                    (0..features)
                        .map(|f| a.data[f * points + p])
                        .collect::<Vec<_>>(),
                );
                row_labels.push(c.to_string());
            }
        }
        let x = DMatrix::from_fn(rows.len(), features, |i, j| rows[i][j]);
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
        ));
    }

    // Layers: layer_0, layer_1, …
    let layer_arrays = numbered("layer_");
    if options.array.is_none() && !layer_arrays.is_empty() {
        let mut layers = Vec::new();
        for (i, a) in layer_arrays.iter().enumerate() {
            let lname = format!("layer_{i}");
            layers.push(Layer {
                x: to_samples(&lname, a, options, notes)?,
                name: lname,
            });
        }
        let n = layers.len();
        return Ok((layers, labels("the layers")?, format!("NPZ, {n} layers")));
    }

    // One data array: asked for, by a usual name, or the only candidate.
    let candidates: Vec<&(String, npy::Array)> = arrays
        .iter()
        .filter(|(k, a)| {
            (a.ndim() == 2 || a.ndim() == 3)
                && !LABEL_NAMES.contains(&k.as_str())
                && !(a.ndim() == 2 && a.shape[1] == 1)
        })
        .collect();
    let chosen: &(String, npy::Array) = match &options.array {
        Some(want) => arrays
            .iter()
            .find(|(k, _)| k == want)
            .ok_or_else(|| FileError::Shape {
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
        None => match DATA_NAMES
            .iter()
            .find_map(|n| arrays.iter().find(|(k, _)| k == n))
        {
            Some(found) => found,
            None => match candidates.as_slice() {
                [only] => only,
                [] => {
                    return Err(FileError::Shape {
                        detail: format!(
                            "{name} holds no 2-D or 3-D array (arrays: {})",
                            arrays
                                .iter()
                                .map(|(k, a)| format!("{k} {:?}", a.shape))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    })
                }
                many => {
                    return Err(FileError::ChooseArray {
                        file: name.to_string(),
                        options: many.iter().map(|(k, _)| k.clone()).collect(),
                    })
                }
            },
        },
    };
    let x = to_samples(&chosen.0, &chosen.1, options, notes)?;
    Ok((
        vec![Layer {
            name: chosen.0.clone(),
            x,
        }],
        labels(&chosen.0)?,
        format!("NPZ, array '{}' {:?}", chosen.0, chosen.1.shape),
    ))
}

/// The list of arrays in an NPZ (name and shape), for the page's chooser.
pub fn npz_arrays(name: &str, bytes: &[u8]) -> Result<Vec<(String, Vec<usize>)>, FileError> {
    Ok(npz::read(name, bytes)?
        .into_iter()
        .map(|(k, a)| (k, a.shape))
        .collect())
}
