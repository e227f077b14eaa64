//! A NIfTI-1 reader for the data converters (`cargo xtask data haxby`):
//! single-file images (`.nii`, magic `n+1`), gzipped or not.
//!
//! The header (NIfTI-1, 348 bytes; <https://nifti.nimh.nih.gov/nifti-1/>):
//!
//! | offset | field         | type     | use here                                   |
//! |-------:|---------------|----------|--------------------------------------------|
//! |      0 | `sizeof_hdr`  | i32      | 348; read in both byte orders: the one     |
//! |        |               |          | that gives 348 is the file's endianness    |
//! |     40 | `dim[8]`      | i16 × 8  | `dim[0]` = rank (1..7), `dim[1..]` sizes   |
//! |     70 | `datatype`    | i16      | 2 u8, 4 i16, 8 i32, 16 f32, 64 f64,        |
//! |        |               |          | 256 i8, 512 u16, 768 u32                    |
//! |     72 | `bitpix`      | i16      | bits per voxel, checked against datatype   |
//! |    108 | `vox_offset`  | f32      | where the data begin (≥ 352 for `n+1`)     |
//! |    112 | `scl_slope`   | f32      | value = slope · stored + inter, unless     |
//! |    116 | `scl_inter`   | f32      | slope is 0 or not finite (then as stored)  |
//! |    344 | `magic`       | 4 bytes  | `n+1\0` (one file; `ni1` pairs are refused)|
//!
//! Voxels are stored with the first index fastest (x, then y, z, t, ...).
//! Every problem is an error with a message; nothing panics on a short or
//! malformed file.

use anyhow::{bail, Context, Result};
use std::io::Read;

/// An image: its sizes (`dim[1..=dim[0]]`) and every value, scaled, in
/// storage order (first index fastest).
#[derive(Clone, Debug, PartialEq)]
pub struct Image {
    pub dims: Vec<usize>,
    pub data: Vec<f64>,
}

impl Image {
    /// Values per volume: the product of the first three sizes (1 where
    /// the rank is lower).
    pub fn voxels_per_volume(&self) -> usize {
        self.dims.iter().take(3).product()
    }

    /// Volumes: the product of the sizes after the third (1 for a 3-D image).
    pub fn volumes(&self) -> usize {
        self.dims.iter().skip(3).product()
    }
}

/// Read a NIfTI-1 image from its bytes, inflating them first if they are
/// gzipped (magic 1f 8b).
pub fn read(bytes: &[u8]) -> Result<Image> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut raw)
            .context("the gzip stream does not inflate")?;
        return read_raw(&raw);
    }
    read_raw(bytes)
}

/// The header fields this reader uses.
#[derive(Clone, Debug, PartialEq)]
struct Header {
    big_endian: bool,
    dims: Vec<usize>,
    datatype: i16,
    bitpix: i16,
    vox_offset: usize,
    slope: f64,
    inter: f64,
}

fn header(b: &[u8]) -> Result<Header> {
    if b.len() < 348 {
        bail!("{} bytes: shorter than a NIfTI-1 header (348)", b.len());
    }
    let le = i32::from_le_bytes(b[0..4].try_into().unwrap());
    let be = i32::from_be_bytes(b[0..4].try_into().unwrap());
    let big_endian = match (le, be) {
        (348, _) => false,
        (_, 348) => true,
        _ => bail!("sizeof_hdr is {le}, not 348: not a NIfTI-1 file"),
    };
    let i16_at = |o: usize| {
        let a = [b[o], b[o + 1]];
        if big_endian {
            i16::from_be_bytes(a)
        } else {
            i16::from_le_bytes(a)
        }
    };
    let f32_at = |o: usize| {
        let a = [b[o], b[o + 1], b[o + 2], b[o + 3]];
        if big_endian {
            f32::from_be_bytes(a)
        } else {
            f32::from_le_bytes(a)
        }
    };
    match &b[344..348] {
        b"n+1\0" => {}
        b"ni1\0" => bail!("a two-file NIfTI-1 pair (.hdr/.img): give the single-file .nii"),
        m => bail!("magic {m:?} is not NIfTI-1's \"n+1\""),
    }
    let rank = i16_at(40);
    if !(1..=7).contains(&rank) {
        bail!("dim[0] = {rank}: the rank must be 1..7");
    }
    let mut dims = Vec::new();
    for k in 1..=rank as usize {
        let d = i16_at(40 + 2 * k);
        if d < 1 {
            bail!("dim[{k}] = {d}: sizes must be ≥ 1");
        }
        dims.push(d as usize);
    }
    let datatype = i16_at(70);
    let bitpix = i16_at(72);
    let offset = f32_at(108);
    if !(offset.is_finite() && offset >= 348.0 && offset.fract() == 0.0) {
        bail!("vox_offset {offset} is not a whole number of bytes ≥ 348");
    }
    let (slope, inter) = (f32_at(112) as f64, f32_at(116) as f64);
    let (slope, inter) = if slope != 0.0 && slope.is_finite() && inter.is_finite() {
        (slope, inter)
    } else {
        (1.0, 0.0)
    };
    Ok(Header {
        big_endian,
        dims,
        datatype,
        bitpix,
        vox_offset: offset as usize,
        slope,
        inter,
    })
}

/// Bytes per value of a NIfTI-1 datatype code, or why it is not read.
fn item_size(datatype: i16) -> Result<usize> {
    Ok(match datatype {
        2 | 256 => 1,
        4 | 512 => 2,
        8 | 16 | 768 => 4,
        64 => 8,
        other => bail!("datatype {other} is not read (only real integers and floats: 2, 4, 8, 16, 64, 256, 512, 768)"),
    })
}

fn read_raw(b: &[u8]) -> Result<Image> {
    let h = header(b)?;
    let size = item_size(h.datatype)?;
    if h.bitpix as usize != 8 * size {
        bail!(
            "bitpix {} does not match datatype {} ({} bits)",
            h.bitpix,
            h.datatype,
            8 * size
        );
    }
    let count = h
        .dims
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .context("the image's sizes overflow")?;
    let needed = count
        .checked_mul(size)
        .and_then(|n| n.checked_add(h.vox_offset))
        .context("the image's size overflows")?;
    if b.len() < needed {
        bail!(
            "the file has {} bytes; the header needs {needed} ({count} values of {size} bytes from byte {})",
            b.len(),
            h.vox_offset
        );
    }
    let body = &b[h.vox_offset..needed];
    let data = body
        .chunks_exact(size)
        .map(|c| h.slope * decode(c, h.datatype, h.big_endian) + h.inter)
        .collect();
    Ok(Image { dims: h.dims, data })
}

fn decode(c: &[u8], datatype: i16, big_endian: bool) -> f64 {
    macro_rules! num {
        ($t:ty) => {{
            let a = c.try_into().unwrap();
            (if big_endian {
                <$t>::from_be_bytes(a)
            } else {
                <$t>::from_le_bytes(a)
            }) as f64
        }};
    }
    match datatype {
        2 => c[0] as f64,
        256 => c[0] as i8 as f64,
        4 => num!(i16),
        512 => num!(u16),
        8 => num!(i32),
        768 => num!(u32),
        16 => num!(f32),
        _ => num!(f64),
    }
}

/// Write a single-file NIfTI-1 image (`n+1`, data at byte 352) of one of
/// the datatypes above, storing `values` as they are (`scl_slope` and
/// `scl_inter` recorded, not applied): for the tests, which build small
/// images in both byte orders.
#[cfg(test)]
pub fn write(
    dims: &[usize],
    datatype: i16,
    values: &[f64],
    slope: f32,
    inter: f32,
    big_endian: bool,
) -> Vec<u8> {
    let size = item_size(datatype).unwrap();
    let mut b = vec![0u8; 352];
    let put16 = |b: &mut Vec<u8>, o: usize, v: i16| {
        let a = if big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        };
        b[o..o + 2].copy_from_slice(&a);
    };
    let put32 = |b: &mut Vec<u8>, o: usize, a: [u8; 4]| b[o..o + 4].copy_from_slice(&a);
    let f = |v: f32| {
        if big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    put32(
        &mut b,
        0,
        if big_endian {
            348i32.to_be_bytes()
        } else {
            348i32.to_le_bytes()
        },
    );
    put16(&mut b, 40, dims.len() as i16);
    for (k, &d) in dims.iter().enumerate() {
        put16(&mut b, 42 + 2 * k, d as i16);
    }
    put16(&mut b, 70, datatype);
    put16(&mut b, 72, 8 * size as i16);
    put32(&mut b, 108, f(352.0));
    put32(&mut b, 112, f(slope));
    put32(&mut b, 116, f(inter));
    b[344..348].copy_from_slice(b"n+1\0");
    for &v in values {
        macro_rules! put {
            ($t:ty) => {{
                let x = v as $t;
                b.extend_from_slice(&if big_endian {
                    x.to_be_bytes()
                } else {
                    x.to_le_bytes()
                });
            }};
        }
        match datatype {
            2 => put!(u8),
            256 => put!(i8),
            4 => put!(i16),
            512 => put!(u16),
            8 => put!(i32),
            768 => put!(u32),
            16 => put!(f32),
            _ => put!(f64),
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_datatype_in_both_byte_orders() {
        let values = [0.0, 1.0, 2.0, 7.0, 100.0, 3.0];
        for datatype in [2, 4, 8, 16, 64, 256, 512, 768] {
            for big in [false, true] {
                let b = write(&[3, 2], datatype, &values, 0.0, 0.0, big);
                let img = read(&b).unwrap();
                assert_eq!(img.dims, vec![3, 2], "{datatype} {big}");
                assert_eq!(img.data, values, "{datatype} {big}");
            }
        }
        let neg = write(&[2], 4, &[-300.0, 12.0], 0.0, 0.0, true);
        assert_eq!(read(&neg).unwrap().data, vec![-300.0, 12.0]);
    }

    #[test]
    fn applies_the_scaling_and_honours_vox_offset() {
        let mut b = write(&[2, 1, 1, 2], 4, &[1.0, 2.0, 3.0, -4.0], 0.5, 10.0, false);
        let img = read(&b).unwrap();
        assert_eq!(img.data, vec![10.5, 11.0, 11.5, 8.0]);
        assert_eq!((img.voxels_per_volume(), img.volumes()), (2, 2));
        // Move the data 8 bytes further and say so in vox_offset.
        b.splice(352..352, [0xAAu8; 8]);
        b[108..112].copy_from_slice(&360f32.to_le_bytes());
        assert_eq!(read(&b).unwrap().data, vec![10.5, 11.0, 11.5, 8.0]);
        // A zero slope means "not scaled".
        let raw = write(&[2], 4, &[5.0, 6.0], 0.0, 3.0, false);
        assert_eq!(read(&raw).unwrap().data, vec![5.0, 6.0]);
    }

    #[test]
    fn gzipped_files_are_inflated() {
        use std::io::Write;
        let b = write(&[2, 2], 16, &[0.25, -1.5, 3.0, 4.0], 1.0, 0.0, false);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&b).unwrap();
        let img = read(&gz.finish().unwrap()).unwrap();
        assert_eq!(img.data, vec![0.25, -1.5, 3.0, 4.0]);
    }

    #[test]
    fn malformed_headers_are_errors_not_panics() {
        let good = write(&[2, 2], 4, &[1.0, 2.0, 3.0, 4.0], 1.0, 0.0, false);
        let msg = |b: &[u8]| read(b).unwrap_err().to_string();
        assert!(msg(&good[..100]).contains("shorter than a NIfTI-1 header"));
        assert!(msg(&good[..355]).contains("the header needs 360"));
        let mut bad = good.clone();
        bad[0] = 0;
        assert!(msg(&bad).contains("not 348"));
        let mut bad = good.clone();
        bad[344..348].copy_from_slice(b"ni1\0");
        assert!(msg(&bad).contains("two-file"));
        let mut bad = good.clone();
        bad[70..72].copy_from_slice(&32i16.to_le_bytes());
        assert!(msg(&bad).contains("datatype 32"));
        let mut bad = good.clone();
        bad[72..74].copy_from_slice(&8i16.to_le_bytes());
        assert!(msg(&bad).contains("bitpix 8"));
        let mut bad = good.clone();
        bad[40..42].copy_from_slice(&9i16.to_le_bytes());
        assert!(msg(&bad).contains("rank"));
        let mut bad = good;
        bad[108..112].copy_from_slice(&100f32.to_le_bytes());
        assert!(msg(&bad).contains("vox_offset"));
        for cut in 0..360 {
            let _ = read(&write(&[2, 2], 4, &[1.0; 4], 1.0, 0.0, false)[..cut]);
        }
    }
}
