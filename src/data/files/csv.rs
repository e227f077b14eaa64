//! Delimited text: CSV, TSV or semicolon-separated, with or without a header
//! row, one sample per row, numeric features and one label column (numbers or
//! names).
//!
//! - The delimiter is a tab if the first line has one, else a comma if it has
//!   one, else a semicolon, else runs of spaces.
//! - The first row is a header when any of its cells outside the label
//!   column is not a number.
//! - The label column is the one asked for (by header name or by 0-based
//!   index); else one whose header is named like a label ([`LABEL_HEADERS`]:
//!   `label`, `class`, `y`, `target`, `species`, `condition`, …); else the
//!   one column whose first data row holds a word, not a number (labels
//!   written as names, wherever the column is); else the last column.
//!   Several columns of words are an error that names them and asks for the
//!   label column. `label_column = "none"` reads features only (labels then
//!   come from a second file).
//! - Blank lines and lines starting with `#` are skipped. Quotes around a
//!   cell are removed; quoted delimiters are not supported (we say so).

use super::FileError;

/// A table read from text: the feature matrix (row-major) and the labels.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub rows: usize,
    pub cols: usize,
    /// rows × cols, row-major.
    pub values: Vec<f64>,
    /// One label text per row, if the table has a label column.
    pub labels: Option<Vec<String>>,
    /// The label column's name (header, or `col_J`), if any.
    pub label_name: Option<String>,
    /// The feature columns' names (from the header, or `col_0`, …).
    pub names: Vec<String>,
    /// 1-based line number in the file of each row (for messages).
    pub lines: Vec<usize>,
}

/// Header names taken as the label column (compared without case).
pub const LABEL_HEADERS: [&str; 16] = [
    "label",
    "labels",
    "y",
    "class",
    "classes",
    "target",
    "targets",
    "category",
    "categories",
    "species",
    "condition",
    "conditions",
    "stimulus",
    "group",
    "kind",
    "type",
];

/// Whether bytes look like delimited text (valid UTF-8, no NUL bytes).
pub fn looks_like_text(bytes: &[u8]) -> bool {
    !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok()
}

/// Read delimited text. `label_column`: a header name, a 0-based index,
/// `none`, or `None` for the default choice (see the module docs).
pub fn read(name: &str, bytes: &[u8], label_column: Option<&str>) -> Result<Table, FileError> {
    let text = std::str::from_utf8(bytes).map_err(|e| FileError::NotRecognised {
        file: name.to_string(),
        detail: format!(
            "it is not .npy, .npz or text (UTF-8 error at byte {})",
            e.valid_up_to()
        ),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .collect();
    let Some(&(_, first)) = lines.first() else {
        return Err(FileError::Empty {
            file: name.to_string(),
        });
    };
    let delimiter = ['\t', ',', ';'].into_iter().find(|&d| first.contains(d));
    let split = |l: &str| -> Vec<String> {
        match delimiter {
            Some(d) => l.split(d).map(clean).collect(),
            None => l.split_whitespace().map(clean).collect(),
        }
    };
    let first_cells = split(first);
    let width = first_cells.len();
    let is_num = |s: &str| parse_number(s).is_some();

    // Header: any non-numeric cell outside a label column.
    let header_label = first_cells
        .iter()
        .position(|c| LABEL_HEADERS.contains(&c.to_ascii_lowercase().as_str()));
    let non_numeric: Vec<usize> = (0..width).filter(|&j| !is_num(&first_cells[j])).collect();
    let has_header = header_label.is_some()
        || (non_numeric.len() > 1)
        || (non_numeric.len() == 1 && lines.len() > 1 && {
            // A lone text cell is a header if the same column is numeric below.
            let second = split(lines[1].1);
            second.get(non_numeric[0]).is_some_and(|c| is_num(c))
        });
    let names: Vec<String> = if has_header {
        first_cells.clone()
    } else {
        (0..width).map(|j| format!("col_{j}")).collect()
    };

    let label_col: Option<usize> = match label_column.map(str::trim) {
        Some("none") => None,
        Some(key) if !key.is_empty() => Some(
            names
                .iter()
                .position(|n| n == key)
                .or_else(|| key.parse::<usize>().ok().filter(|&j| j < width))
                .ok_or_else(|| FileError::Labels {
                    detail: format!(
                        "{name}: no column '{key}' (columns: {}; or give a 0-based index below {width})",
                        names.join(", ")
                    ),
                })?,
        ),
        _ => match header_label {
            Some(j) => Some(j),
            None => {
                // Columns of words in the first data row.
                let row = if has_header { lines.get(1) } else { lines.first() };
                let cells = row.map(|&(_, l)| split(l)).unwrap_or_default();
                let words: Vec<usize> = (0..width.min(cells.len()))
                    .filter(|&j| !is_num(&cells[j]) && !cells[j].is_empty())
                    .collect();
                match words.as_slice() {
                    [j] if width > 1 => Some(*j),
                    [_, _, ..] => {
                        return Err(FileError::Labels {
                            detail: format!(
                                "{name}: columns {} hold text, not numbers; name the label column (--label-column NAME, or the page's “CSV label column”): every other column must be numeric",
                                words
                                    .iter()
                                    .map(|&j| format!("'{}'", crate::params::shorten(&names[j])))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        })
                    }
                    _ => {
                        if width > 1 {
                            Some(width - 1)
                        } else {
                            None
                        }
                    }
                }
            }
        },
    };

    let body = if has_header { &lines[1..] } else { &lines[..] };
    let feature_cols: Vec<usize> = (0..width).filter(|&j| Some(j) != label_col).collect();
    let mut values = Vec::with_capacity(body.len() * feature_cols.len());
    let mut labels = label_col.map(|_| Vec::with_capacity(body.len()));
    let mut line_numbers = Vec::with_capacity(body.len());
    for &(line_no, line) in body {
        let cells = split(line);
        if cells.len() != width {
            return Err(FileError::Ragged {
                file: name.to_string(),
                line: line_no,
                expected: width,
                found: cells.len(),
            });
        }
        for &j in &feature_cols {
            let cell = &cells[j];
            let x = parse_number(cell).ok_or_else(|| FileError::NotANumber {
                file: name.to_string(),
                line: line_no,
                column: names[j].clone(),
                text: crate::params::shorten(cell),
            })?;
            values.push(x);
        }
        if let (Some(j), Some(l)) = (label_col, labels.as_mut()) {
            l.push(cells[j].clone());
        }
        line_numbers.push(line_no);
    }
    if line_numbers.is_empty() {
        return Err(FileError::Empty {
            file: name.to_string(),
        });
    }
    Ok(Table {
        rows: line_numbers.len(),
        cols: feature_cols.len(),
        values,
        labels,
        label_name: label_col.map(|j| names[j].clone()),
        names: feature_cols.iter().map(|&j| names[j].clone()).collect(),
        lines: line_numbers,
    })
}

fn clean(cell: &str) -> String {
    let c = cell.trim();
    let c = c
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(c);
    c.trim().to_string()
}

/// A number as numpy would write it: decimal, exponent, `nan`, `inf`.
fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    match t.to_ascii_lowercase().as_str() {
        "nan" => return Some(f64::NAN),
        "inf" | "+inf" | "infinity" => return Some(f64::INFINITY),
        "-inf" | "-infinity" => return Some(f64::NEG_INFINITY),
        _ => {}
    }
    if t.is_empty() || !t.chars().all(|c| c.is_ascii_digit() || "+-.eE".contains(c)) {
        return None;
    }
    t.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_label_column_and_delimiters() {
        let t = read("a.csv", b"f1,f2,label\n1,2,cat\n3,4.5,dog\n", None).unwrap();
        assert_eq!((t.rows, t.cols), (2, 2));
        assert_eq!(t.values, vec![1.0, 2.0, 3.0, 4.5]);
        assert_eq!(t.labels.unwrap(), vec!["cat", "dog"]);
        assert_eq!(t.names, vec!["f1", "f2"]);

        let t = read("b.tsv", b"0.5\t1\t0\n2\t3\t1\n", None).unwrap();
        assert_eq!(t.values, vec![0.5, 1.0, 2.0, 3.0]);
        assert_eq!(t.labels.unwrap(), vec!["0", "1"]);

        let t = read("c.csv", b"y,a,b\n1,2,3\n0,5,6\n", Some("0")).unwrap();
        assert_eq!(t.values, vec![2.0, 3.0, 5.0, 6.0]);
        let t = read("c.csv", b"y,a,b\n1,2,3\n0,5,6\n", None).unwrap();
        assert_eq!(
            t.labels.unwrap(),
            vec!["1", "0"],
            "a column named y is the label"
        );
        let t = read("d.txt", b"# comment\n1 2 3\n\n4 5 6\n", Some("none")).unwrap();
        assert_eq!((t.rows, t.cols, t.labels), (2, 3, None));
    }

    #[test]
    fn ragged_and_non_numeric_cells_are_located() {
        let e = read("r.csv", b"a,b,label\n1,2,x\n3,4\n", None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 3") && e.contains("3") && e.contains("2"),
            "{e}"
        );
        let e = read("n.csv", b"a,b,label\n1,2,x\n3,oops,y\n", None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 3") && e.contains("'b'") && e.contains("oops"),
            "{e}"
        );
        let e = read("l.csv", b"a,b\n1,2\n", Some("zzz"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("zzz"), "{e}");
    }
}
