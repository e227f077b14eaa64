//! NumPy's `.npy` format, read into f64.
//!
//! Format (numpy `lib.format`, versions 1.0, 2.0 and 3.0): the magic bytes
//! `\x93NUMPY`, a major and a minor version byte, the header length (u16
//! little-endian in 1.0, u32 in 2.0 and 3.0), then the header: a Python dict
//! literal such as `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }`,
//! padded with spaces and a newline. The data follows, `prod(shape)` items of
//! the `descr` type, in C or Fortran order.
//!
//! We read plain numeric dtypes only: bool (`b1`), signed and unsigned
//! integers of 1, 2, 4 and 8 bytes, and floats of 2, 4 and 8 bytes, in either
//! byte order. Object arrays (`O`, pickled Python objects) are refused and
//! never unpickled; strings, complex numbers, dates and structured dtypes are
//! refused with their type named.
//!
//! This is a small reader of our own rather than the `npyz` crate: `npyz`
//! multiplies the header's shape without overflow checks, so a hostile
//! header panics it, and a panic in the page's worker loses the user's work.
//! Every size here is checked before anything is allocated.

use super::FileError;

/// An array read from a file: its shape and its values, numbers as f64 in
/// C order (the last index varies fastest) whatever order the file used,
/// or, for a 2-D array read with [`ReadOptions::column_major`], in column
/// order (nalgebra's layout, so that the matrix needs no second copy).
/// Text arrays (numpy's `<U…` and `|S…`, e.g. label names) hold their
/// strings in `text` and no numbers.
#[derive(Clone, Debug, PartialEq)]
pub struct Array {
    pub shape: Vec<usize>,
    pub data: Vec<f64>,
    /// The file's dtype, as numpy writes it (`<f8`, `|b1`, `>i4`, `<U5`).
    pub dtype: String,
    /// Whether `data` is in column order (2-D arrays read so).
    pub column_major: bool,
    /// The strings of a text array (`<U…`, `|S…`), in C order; `None` for
    /// numbers.
    pub text: Option<Vec<String>>,
}

impl Array {
    /// The number of dimensions.
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    /// Entry (i, j) of a 2-D numeric array, whichever order `data` is in.
    pub fn at2(&self, i: usize, j: usize) -> f64 {
        let (rows, cols) = (self.shape[0], self.shape[1]);
        if self.column_major {
            self.data[j * rows + i]
        } else {
            self.data[i * cols + j]
        }
    }

    /// The number of items.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// How [`read_with`] reads.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadOptions {
    /// The most items (values or strings) accepted; a larger array is
    /// refused before anything is allocated, with `limit`'s reason.
    pub limit: super::Limit,
    /// Lay a 2-D numeric array's values out in column order.
    pub column_major: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            limit: super::Limit::unlimited(),
            column_major: false,
        }
    }
}

/// The header's three fields.
#[derive(Clone, Debug, PartialEq)]
struct Header {
    descr: String,
    fortran_order: bool,
    shape: Vec<usize>,
}

/// A plain dtype: byte order, kind and item size (for text, the size in
/// bytes of one string: 4 per character for `U`).
#[derive(Clone, Copy, Debug, PartialEq)]
struct DType {
    big_endian: bool,
    kind: char,
    size: usize,
}

impl DType {
    fn is_text(self) -> bool {
        matches!(self.kind, 'U' | 'S' | 'a')
    }
}

const MAGIC: &[u8] = b"\x93NUMPY";

/// Whether the bytes start like an `.npy` file.
pub fn looks_like_npy(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

/// Read an `.npy` file (C order, no size limit beyond the bytes present).
/// `name` is used in messages.
pub fn read(name: &str, bytes: &[u8]) -> Result<Array, FileError> {
    read_with(name, bytes, &ReadOptions::default())
}

/// Read an `.npy` file held in memory, with options.
pub fn read_with(name: &str, bytes: &[u8], options: &ReadOptions) -> Result<Array, FileError> {
    let mut reader = bytes;
    read_from(name, &mut reader, bytes.len() as u64, options)
}

/// Read an `.npy` file from a stream of `len` bytes (an archive member is
/// decoded as it is inflated, without a copy of its bytes).
pub fn read_from<R: std::io::Read>(
    name: &str,
    reader: &mut R,
    len: u64,
    options: &ReadOptions,
) -> Result<Array, FileError> {
    let bad = |what: String| FileError::Corrupt {
        file: name.to_string(),
        detail: what,
    };
    let mut lead = [0u8; 12];
    let got = read_up_to(reader, &mut lead[..10]).map_err(|e| bad(format!("{e}")))?;
    if got < MAGIC.len() || &lead[..MAGIC.len()] != MAGIC {
        return Err(bad("not an NPY file (no \\x93NUMPY header)".into()));
    }
    if got < 10 {
        return Err(bad("the file ends inside its header".into()));
    }
    let major = lead[6];
    let (header_len, start): (usize, usize) = match major {
        1 => (u16::from_le_bytes([lead[8], lead[9]]) as usize, 10),
        2 | 3 => {
            if read_up_to(reader, &mut lead[10..12]).map_err(|e| bad(format!("{e}")))? < 2 {
                return Err(bad("the file ends inside its header".into()));
            }
            (
                u32::from_le_bytes([lead[8], lead[9], lead[10], lead[11]]) as usize,
                12,
            )
        }
        v => {
            return Err(bad(format!(
                ".npy format version {v} is not one we read (1, 2 or 3)"
            )))
        }
    };
    let end = (start as u64)
        .checked_add(header_len as u64)
        .filter(|&e| e <= len)
        .ok_or_else(|| bad("the file ends inside its header".into()))?;
    let mut header_bytes = vec![0u8; header_len];
    if read_up_to(reader, &mut header_bytes).map_err(|e| bad(format!("{e}")))? < header_len {
        return Err(bad("the file ends inside its header".into()));
    }
    let text =
        std::str::from_utf8(&header_bytes).map_err(|_| bad("the header is not text".into()))?;
    let header = parse_header(text).map_err(|e| bad(format!("header: {e}")))?;
    let dtype = parse_dtype(&header.descr).map_err(|detail| FileError::Unsupported {
        file: name.to_string(),
        detail,
    })?;
    let count = header
        .shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| bad(format!("its shape {:?} is too large", header.shape)))?;
    let need = count
        .checked_mul(dtype.size)
        .ok_or_else(|| bad(format!("its shape {:?} is too large", header.shape)))?;
    let available = len - end;
    if (available as u128) < need as u128 {
        return Err(FileError::Truncated {
            file: name.to_string(),
            detail: format!(
                "shape {:?} of {} needs {need} bytes of data, the file has {available}",
                header.shape, header.descr,
            ),
        });
    }
    options.limit.check(name, count as u64)?;
    let truncated = |e: std::io::Error| FileError::Truncated {
        file: name.to_string(),
        detail: format!("reading its {need} bytes of data: {e}"),
    };
    if dtype.is_text() {
        let mut strings = Vec::with_capacity(count);
        let mut item = vec![0u8; dtype.size];
        for _ in 0..count {
            reader.read_exact(&mut item).map_err(truncated)?;
            strings.push(decode_text(&item, dtype));
        }
        let strings = if header.fortran_order && header.shape.len() > 1 {
            fortran_to_c(&strings, &header.shape)
        } else {
            strings
        };
        return Ok(Array {
            shape: header.shape,
            data: Vec::new(),
            dtype: header.descr,
            column_major: false,
            text: Some(strings),
        });
    }
    let two_d = header.shape.len() == 2;
    let column_major = options.column_major && two_d;
    let mut values = vec![0.0f64; count];
    if column_major && !header.fortran_order {
        // Stored row by row, wanted by columns: read blocks of whole rows
        // and write each column's run of the block at once (the output is
        // written in contiguous runs, not one value per column per row).
        let (rows, cols) = (header.shape[0], header.shape[1]);
        let block = (32_768 / cols.max(1)).clamp(1, rows.max(1));
        let mut raw = vec![0u8; block * cols * dtype.size];
        let mut tmp = vec![0.0f64; block * cols];
        let mut r0 = 0;
        while r0 < rows {
            let b = block.min(rows - r0);
            let chunk = &mut raw[..b * cols * dtype.size];
            reader.read_exact(chunk).map_err(truncated)?;
            decode_all(chunk, dtype, &mut tmp[..b * cols]);
            for j in 0..cols {
                let col = &mut values[j * rows + r0..j * rows + r0 + b];
                for (r, v) in col.iter_mut().enumerate() {
                    *v = tmp[r * cols + j];
                }
            }
            r0 += b;
        }
    } else {
        // Stored in the order wanted (or converted after): straight through.
        let mut raw = vec![0u8; 8192 * dtype.size];
        for out in values.chunks_mut(8192) {
            let chunk = &mut raw[..out.len() * dtype.size];
            reader.read_exact(chunk).map_err(truncated)?;
            decode_all(chunk, dtype, out);
        }
    }
    let data = if header.fortran_order && header.shape.len() > 1 && !column_major {
        fortran_to_c(&values, &header.shape)
    } else {
        values
    };
    Ok(Array {
        shape: header.shape,
        data,
        dtype: header.descr,
        column_major,
        text: None,
    })
}

/// Fill `buf` from the reader as far as it goes; the count read.
fn read_up_to<R: std::io::Read>(reader: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match reader.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(k) => got += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// One string of a text dtype: `U` is UTF-32 (code points in the dtype's
/// byte order), `S`/`a` bytes (read as UTF-8, invalid bytes replaced);
/// numpy pads with NULs, which are dropped.
fn decode_text(item: &[u8], t: DType) -> String {
    if t.kind == 'U' {
        item.chunks_exact(4)
            .map(|c| {
                let b = [c[0], c[1], c[2], c[3]];
                if t.big_endian {
                    u32::from_be_bytes(b)
                } else {
                    u32::from_le_bytes(b)
                }
            })
            .take_while(|&u| u != 0)
            .map(|u| char::from_u32(u).unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect()
    } else {
        let end = item.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
        String::from_utf8_lossy(&item[..end]).into_owned()
    }
}

/// Reorder values stored with the first index fastest into C order.
fn fortran_to_c<T: Clone + Default>(values: &[T], shape: &[usize]) -> Vec<T> {
    let n = values.len();
    let nd = shape.len();
    let mut out = vec![T::default(); n];
    let mut index = vec![0usize; nd];
    // Walk the output in C order; compute each item's Fortran offset.
    for slot in out.iter_mut() {
        let mut offset = 0;
        let mut stride = 1;
        for d in 0..nd {
            offset += index[d] * stride;
            stride *= shape[d];
        }
        *slot = values[offset].clone();
        for d in (0..nd).rev() {
            index[d] += 1;
            if index[d] < shape[d] {
                break;
            }
            index[d] = 0;
        }
    }
    out
}

/// Every item of `raw` into `out` (little-endian f64, the common case, by
/// a loop of its own).
fn decode_all(raw: &[u8], t: DType, out: &mut [f64]) {
    if t.kind == 'f' && t.size == 8 && !t.big_endian {
        for (v, b) in out.iter_mut().zip(raw.chunks_exact(8)) {
            *v = f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
        }
    } else {
        for (v, item) in out.iter_mut().zip(raw.chunks_exact(t.size)) {
            *v = decode(item, t);
        }
    }
}

/// One item's value as f64 (integers above 2^53 round to the nearest f64).
fn decode(item: &[u8], t: DType) -> f64 {
    let mut buf = [0u8; 8];
    buf[..t.size].copy_from_slice(item);
    if t.big_endian {
        buf[..t.size].reverse();
    }
    match (t.kind, t.size) {
        ('b', _) => (buf[0] != 0) as u8 as f64,
        ('u', 1) => buf[0] as f64,
        ('u', 2) => u16::from_le_bytes([buf[0], buf[1]]) as f64,
        ('u', 4) => u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]) as f64,
        ('u', _) => u64::from_le_bytes(buf) as f64,
        ('i', 1) => buf[0] as i8 as f64,
        ('i', 2) => i16::from_le_bytes([buf[0], buf[1]]) as f64,
        ('i', 4) => i32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]) as f64,
        ('i', _) => i64::from_le_bytes(buf) as f64,
        ('f', 2) => f16_to_f64(u16::from_le_bytes([buf[0], buf[1]])),
        ('f', 4) => f32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]) as f64,
        _ => f64::from_le_bytes(buf),
    }
}

/// IEEE half precision to f64, exactly.
fn f16_to_f64(h: u16) -> f64 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = ((h >> 10) & 0x1f) as i32;
    let frac = (h & 0x3ff) as f64;
    let magnitude = match exp {
        0 => frac * pow2(-24),
        31 if frac == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        e => (1.0 + frac / 1024.0) * pow2(e - 15),
    };
    sign * magnitude
}

/// 2^e for small integer e, exactly (no platform math).
fn pow2(e: i32) -> f64 {
    f64::from_bits(((e + 1023) as u64) << 52)
}

fn parse_dtype(descr: &str) -> Result<DType, String> {
    let mut chars = descr.chars();
    let (big_endian, rest) = match chars.next() {
        Some('<') | Some('=') => (false, chars.as_str()),
        Some('|') => (false, chars.as_str()),
        Some('>') => (true, chars.as_str()),
        _ => (false, descr),
    };
    let kind = rest.chars().next().unwrap_or('?');
    let size: usize = rest.get(1..).and_then(|s| s.parse().ok()).unwrap_or(0);
    let ok = match kind {
        'b' => size == 1,
        'i' | 'u' => matches!(size, 1 | 2 | 4 | 8),
        'f' => matches!(size, 2 | 4 | 8),
        // Text of `size` characters (U: 4 bytes each) or bytes (S, a).
        'U' => (1..=1 << 20).contains(&size),
        'S' | 'a' => (1..=1 << 22).contains(&size),
        _ => false,
    };
    let size = if kind == 'U' { 4 * size } else { size };
    if ok {
        return Ok(DType {
            big_endian,
            kind,
            size,
        });
    }
    Err(match kind {
        'O' => "dtype 'O' holds pickled Python objects; they are refused, never unpickled. Save numbers as a numeric array (np.asarray(x, dtype=float)) and label names as text (np.asarray(y, dtype=str))".into(),
        'U' | 'S' | 'a' => format!("dtype '{descr}': text of that length is not read"),
        'c' => format!("dtype '{descr}' is complex; save the real and imaginary parts as numbers"),
        'M' | 'm' => format!("dtype '{descr}' holds dates or times, not numbers"),
        'f' => format!("dtype '{descr}': floats of {size} bytes are not read; use float32 or float64"),
        _ => format!("dtype '{descr}' is not a plain numeric type (bool, int, uint, float)"),
    })
}

/// Parse the header's dict literal: `'descr'`, `'fortran_order'`, `'shape'`.
fn parse_header(text: &str) -> Result<Header, String> {
    let t = text.trim();
    let inner = t
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .ok_or("it is not a Python dict literal")?;
    let descr = field(inner, "descr")?;
    let descr = if descr.starts_with('[') {
        return Err(
            "structured dtypes (records with fields) are not read; save a plain numeric array"
                .into(),
        );
    } else {
        unquote(descr).ok_or("'descr' is not a quoted string")?
    };
    let fortran_order = match field(inner, "fortran_order")? {
        "True" => true,
        "False" => false,
        other => return Err(format!("'fortran_order' is '{other}', not True or False")),
    };
    let shape_text = field(inner, "shape")?;
    let shape_inner = shape_text
        .strip_prefix('(')
        .and_then(|s| s.strip_suffix(')'))
        .ok_or("'shape' is not a tuple")?;
    let mut shape = Vec::new();
    for part in shape_inner
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let part = part.trim_end_matches('L');
        shape.push(
            part.parse::<usize>()
                .map_err(|_| format!("'shape' has '{part}', not a whole number"))?,
        );
    }
    Ok(Header {
        descr: descr.to_string(),
        fortran_order,
        shape,
    })
}

/// The raw text of one key's value in a flat dict literal (values are a
/// quoted string, a bare word, a tuple or a list; none nests a brace).
fn field<'a>(inner: &'a str, key: &str) -> Result<&'a str, String> {
    for quote in ['\'', '"'] {
        let pat = format!("{quote}{key}{quote}");
        if let Some(at) = inner.find(&pat) {
            let rest = inner[at + pat.len()..].trim_start();
            let rest = rest
                .strip_prefix(':')
                .ok_or(format!("no ':' after '{key}'"))?
                .trim_start();
            let end = match rest.chars().next() {
                Some(q @ ('\'' | '"')) => rest[1..].find(q).map(|i| i + 2),
                Some('(') => rest.find(')').map(|i| i + 1),
                Some('[') => rest.find(']').map(|i| i + 1),
                Some(_) => Some(rest.find(',').unwrap_or(rest.len())),
                None => None,
            }
            .ok_or(format!("the value of '{key}' is not closed"))?;
            return Ok(rest[..end].trim());
        }
    }
    Err(format!("no '{key}' key"))
}

fn unquote(s: &str) -> Option<&str> {
    let s = s.trim();
    for q in ['\'', '"'] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return Some(inner);
        }
    }
    None
}

/// Write an `.npy` file (version 1.0) of f64 or another plain dtype: what
/// the tests and the built-in example file use. `descr` is e.g. `<f8`,
/// `>i4`, `|b1`; values are converted to it.
pub fn write(shape: &[usize], values: &[f64], descr: &str, fortran_order: bool) -> Vec<u8> {
    let dtype = parse_dtype(descr).unwrap_or(DType {
        big_endian: false,
        kind: 'f',
        size: 8,
    });
    let shape_text = match shape.len() {
        1 => format!("({},)", shape[0]),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut header = format!(
        "{{'descr': '{descr}', 'fortran_order': {}, 'shape': {shape_text}, }}",
        if fortran_order { "True" } else { "False" }
    );
    // Pad so that the data starts on a multiple of 64 bytes.
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = Vec::with_capacity(10 + header.len() + values.len() * dtype.size);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[1, 0]);
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    let ordered: Vec<f64> = if fortran_order && shape.len() > 1 {
        c_to_fortran(values, shape)
    } else {
        values.to_vec()
    };
    for &v in &ordered {
        let mut bytes: Vec<u8> = match (dtype.kind, dtype.size) {
            ('b', _) => vec![(v != 0.0) as u8],
            ('u', 1) => vec![v as u8],
            ('u', 2) => (v as u16).to_le_bytes().to_vec(),
            ('u', 4) => (v as u32).to_le_bytes().to_vec(),
            ('u', _) => (v as u64).to_le_bytes().to_vec(),
            ('i', 1) => vec![v as i8 as u8],
            ('i', 2) => (v as i16).to_le_bytes().to_vec(),
            ('i', 4) => (v as i32).to_le_bytes().to_vec(),
            ('i', _) => (v as i64).to_le_bytes().to_vec(),
            ('f', 4) => (v as f32).to_le_bytes().to_vec(),
            _ => v.to_le_bytes().to_vec(),
        };
        if dtype.big_endian {
            bytes.reverse();
        }
        out.extend_from_slice(&bytes);
    }
    out
}

/// The inverse of [`fortran_to_c`].
fn c_to_fortran(values: &[f64], shape: &[usize]) -> Vec<f64> {
    let mut out = vec![0.0; values.len()];
    let nd = shape.len();
    let mut index = vec![0usize; nd];
    for &v in values {
        let mut offset = 0;
        let mut stride = 1;
        for d in 0..nd {
            offset += index[d] * stride;
            stride *= shape[d];
        }
        out[offset] = v;
        for d in (0..nd).rev() {
            index[d] += 1;
            if index[d] < shape[d] {
                break;
            }
            index[d] = 0;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_dtype_and_order() {
        let shape = [3usize, 4];
        let values: Vec<f64> = (0..12).map(|i| i as f64 - 3.0).collect();
        for descr in [
            "<f8", ">f8", "<f4", ">f4", "<i8", ">i4", "<i2", "|i1", "<u2", ">u4", "|u1",
        ] {
            for fortran in [false, true] {
                let vals: Vec<f64> = if descr.contains('u') {
                    values.iter().map(|v| v.abs()).collect()
                } else {
                    values.clone()
                };
                let a = read("x.npy", &write(&shape, &vals, descr, fortran)).unwrap();
                assert_eq!(a.shape, vec![3, 4]);
                assert_eq!(a.data, vals, "{descr} fortran={fortran}");
            }
        }
        let b = read("b.npy", &write(&[4], &[1.0, 0.0, 1.0, 1.0], "|b1", false)).unwrap();
        assert_eq!(b.data, vec![1.0, 0.0, 1.0, 1.0]);
    }

    /// An .npy file with the given header text and data bytes.
    fn raw(header: &str, data: &[u8]) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&[1, 0]);
        out.extend_from_slice(&(header.len() as u16).to_le_bytes());
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(data);
        out
    }

    #[test]
    fn fortran_order_is_transposed_storage() {
        // The 2 × 3 matrix [[1,2,3],[4,5,6]] stored column by column.
        let data: Vec<u8> = [1.0f64, 4.0, 2.0, 5.0, 3.0, 6.0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let h = "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }\n";
        let a = read("f.npy", &raw(h, &data)).unwrap();
        assert_eq!(a.data, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    }

    #[test]
    fn half_floats_decode_exactly() {
        assert_eq!(f16_to_f64(0x3c00), 1.0);
        assert_eq!(f16_to_f64(0xc000), -2.0);
        assert_eq!(f16_to_f64(0x3555), 0.333251953125);
        assert_eq!(f16_to_f64(0x0001), 5.960464477539063e-8);
        assert!(f16_to_f64(0x7c00).is_infinite());
        assert!(f16_to_f64(0x7e00).is_nan());
    }

    #[test]
    fn refuses_objects_and_names_problems() {
        let h = "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }\n";
        let e = read("obj.npy", &raw(h, &[0; 16])).unwrap_err().to_string();
        assert!(e.contains("pickled") && e.contains("obj.npy"), "{e}");
        let h = "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (2,), }\n";
        let e = read("rec.npy", &raw(h, &[0; 16])).unwrap_err().to_string();
        assert!(e.contains("structured"), "{e}");

        let full = write(&[100], &[0.0; 100], "<f8", false);
        let e = read("t.npy", &full[..full.len() - 8])
            .unwrap_err()
            .to_string();
        assert!(e.contains("800 bytes"), "{e}");

        let e = read("n.npy", b"hello").unwrap_err().to_string();
        assert!(e.contains("not an NPY file (no \\x93NUMPY header)"), "{e}");

        let h = "{'descr': '<f8', 'fortran_order': False, 'shape': (18446744073709551615, 3), }\n";
        let e = read("h.npy", &raw(h, &[])).unwrap_err().to_string();
        assert!(e.contains("too large"), "{e}");
    }
}
