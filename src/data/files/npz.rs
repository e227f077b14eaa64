//! NumPy's `.npz` archives (`np.savez`, `np.savez_compressed`): a zip file of
//! `.npy` members. Read with the `zip` crate (stored and deflated members,
//! ZIP64 as numpy writes it); each member goes through our `.npy` reader
//! as it is inflated.

use std::io::Cursor;

use super::npy::{self, Array, ReadOptions};
use super::FileError;

/// Whether the bytes start like a zip archive.
pub fn looks_like_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

/// Every array of an `.npz` archive, by name (without `.npy`), in archive
/// order. Each member is decoded as it is inflated (no copy of its bytes);
/// `options.limit` bounds the items of all arrays together.
pub fn read(
    name: &str,
    bytes: &[u8],
    options: &ReadOptions,
) -> Result<Vec<(String, Array)>, FileError> {
    let corrupt = |detail: String| FileError::Corrupt {
        file: name.to_string(),
        detail,
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| corrupt(format!("it is not a readable .npz (zip) archive: {e}")))?;
    let mut out = Vec::new();
    let mut used: u64 = 0;
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
        let size = member.size();
        let label = format!("{name}:{member_name}");
        // What is left of the limit for this member's items.
        let left = options.limit.remaining(used);
        let member_options = ReadOptions {
            limit: left,
            ..options.clone()
        };
        let array = npy::read_from(&label, &mut member, size, &member_options)?;
        used += array.len() as u64;
        out.push((array_name, array));
    }
    if out.is_empty() {
        return Err(corrupt("the archive holds no arrays".into()));
    }
    Ok(out)
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
