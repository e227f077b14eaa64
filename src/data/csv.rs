//! A small CSV reader for uploaded points (samples × columns of numbers).
//!
//! Accepts commas, semicolons, tabs or spaces between numbers, one sample a
//! line; blank lines and lines starting with `#` are skipped, and a first
//! line that is not all numbers is taken as a header. A ragged row, a cell
//! that is not a number, or a NaN/inf gives an error that names the line.
//! Never panics.

use nalgebra::DMatrix;

use crate::params::shorten;

/// The most rows read.
pub const MAX_ROWS: usize = 100_000;

/// Read `text` as a numeric table (samples × columns).
pub fn read_csv(text: &str) -> Result<DMatrix<f64>, String> {
    let mut rows: Vec<Vec<f64>> = Vec::new();
    let mut header_allowed = true;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let cells: Vec<&str> = line
            .split([',', ';', '\t', ' '])
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        let parsed: Result<Vec<f64>, &str> = cells
            .iter()
            .map(|c| c.parse::<f64>().map_err(|_| *c))
            .collect();
        match parsed {
            Err(cell) => {
                if header_allowed {
                    header_allowed = false;
                    continue;
                }
                return Err(format!(
                    "line {}: '{}' is not a number",
                    n + 1,
                    shorten(cell)
                ));
            }
            Ok(row) => {
                header_allowed = false;
                if let Some(bad) = row.iter().find(|v| !v.is_finite()) {
                    return Err(format!("line {}: {bad} is not a finite number", n + 1));
                }
                if let Some(first) = rows.first() {
                    if first.len() != row.len() {
                        return Err(format!(
                            "line {}: {} columns, but the first row has {}",
                            n + 1,
                            row.len(),
                            first.len()
                        ));
                    }
                }
                rows.push(row);
                if rows.len() > MAX_ROWS {
                    return Err(format!("more than {MAX_ROWS} rows"));
                }
            }
        }
    }
    if rows.is_empty() {
        return Err("no rows of numbers".into());
    }
    let d = rows[0].len();
    Ok(DMatrix::from_fn(rows.len(), d, |i, k| rows[i][k]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_headers_separators_and_rejects_bad_rows() {
        let x = read_csv("s1,s2\n0.1,0.9\n\n# note\n0.4;0.2\n0.5\t0.5\n").unwrap();
        assert_eq!((x.nrows(), x.ncols()), (3, 2));
        assert_eq!(x[(2, 1)], 0.5);
        assert!(read_csv("1,2\n3\n").unwrap_err().contains("line 2"));
        assert!(read_csv("1,2\n3,x\n").unwrap_err().contains("line 2"));
        assert!(read_csv("1,NaN\n").is_err());
        assert!(read_csv("").is_err());
        assert!(read_csv("a,b\nc,d\n").is_err());
    }
}
