//! NumPy's `.npz` archives (`np.savez`, `np.savez_compressed`): a zip file of
//! `.npy` members. Read with the `zip` crate (stored and deflated members,
//! ZIP64 as numpy writes it); each member goes through our `.npy` reader.

use std::io::{Cursor, Read};

use super::npy::{self, Array};
use super::{FileError, MAX_VALUES};

/// Whether the bytes start like a zip archive.
pub fn looks_like_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

/// Every numeric array of an `.npz` archive, by name (without `.npy`), in
/// archive order (arrays of strings are left out: see [`read_all`]).
pub fn read(name: &str, bytes: &[u8]) -> Result<Vec<(String, Array)>, FileError> {
    Ok(read_all(name, bytes)?.0)
}

/// An array of strings (text labels): name, shape, strings in C order.
pub type TextArray = (String, Vec<usize>, Vec<String>);

/// An archive's numeric arrays and its arrays of strings.
pub type Archive = (Vec<(String, Array)>, Vec<TextArray>);

/// Every array of an `.npz` archive: the numeric ones, and those of
/// strings (numpy's `<U`/`S` dtypes, e.g. text labels), in archive order.
pub fn read_all(name: &str, bytes: &[u8]) -> Result<Archive, FileError> {
    let corrupt = |detail: String| FileError::Corrupt {
        file: name.to_string(),
        detail,
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| corrupt(format!("it is not a readable .npz (zip) archive: {e}")))?;
    let mut out = Vec::new();
    let mut texts = Vec::new();
    for i in 0..archive.len() {
        let mut member = archive
            .by_index(i)
            .map_err(|e| corrupt(format!("member {i}: {e}")))?;
        if member.is_dir() {
            continue;
        }
        let member_name = member
            .name()
            .map(|n| n.to_string())
            .map_err(|e| corrupt(format!("member {i} has an unreadable name: {e}")))?;
        let array_name = member_name
            .strip_suffix(".npy")
            .unwrap_or(&member_name)
            .to_string();
        // Refuse a member that would inflate past what we can hold, before
        // inflating it.
        let limit = (MAX_VALUES as u64) * 8 + 4096;
        if member.size() > limit {
            return Err(FileError::TooLarge {
                file: format!("{name}:{member_name}"),
                needed_bytes: member.size(),
                limit_bytes: limit,
            });
        }
        let mut data = Vec::with_capacity(member.size() as usize);
        member
            .by_ref()
            .take(limit)
            .read_to_end(&mut data)
            .map_err(|e| FileError::Truncated {
                file: format!("{name}:{member_name}"),
                detail: format!("the member could not be inflated: {e}"),
            })?;
        let member_file = format!("{name}:{member_name}");
        if let Some((shape, strings)) = npy::read_text(&member_file, &data)? {
            texts.push((array_name, shape, strings));
            continue;
        }
        let array = npy::read(&member_file, &data)?;
        out.push((array_name, array));
    }
    if out.is_empty() {
        return Err(corrupt("the archive holds no numeric arrays".into()));
    }
    Ok((out, texts))
}

/// Write an `.npz` archive of f64 arrays (stored, or deflated when
/// `compressed`): for the tests and the built-in example file.
pub fn write(arrays: &[(&str, &[usize], &[f64], &str)], compressed: bool) -> Vec<u8> {
    use std::io::Write;
    let mut buf = Cursor::new(Vec::new());
    {
        let mut zw = zip::ZipWriter::new(&mut buf);
        let method = if compressed {
            zip::CompressionMethod::Deflated
        } else {
            zip::CompressionMethod::Stored
        };
        let options = zip::write::SimpleFileOptions::default().compression_method(method);
        for (name, shape, values, descr) in arrays {
            if zw.start_file(format!("{name}.npy"), options).is_err() {
                continue;
            }
            let _ = zw.write_all(&npy::write(shape, values, descr, false));
        }
        let _ = zw.finish();
    }
    buf.into_inner()
}
