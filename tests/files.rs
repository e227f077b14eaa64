//! "Your data": reading the files researchers have. Fixtures in
//! tests/data/files/ were written by numpy 2.4 itself (np.save, np.savez
//! with its ZIP64 members, np.savez_compressed, Fortran order, big-endian),
//! so the reader is checked against numpy's writer, not only our own.

use neurogeom::data::files::{self, npy, npz, FileError, Input, LoadOptions};
use proptest::prelude::*;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/data/files/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn input<'a>(name: &'a str, bytes: &'a [u8]) -> Input<'a> {
    Input { name, bytes }
}

/// x = arange(12).reshape(4, 3) / 4 − 1, as in the fixture script.
fn x_expected() -> Vec<f64> {
    (0..12).map(|i| i as f64 / 4.0 - 1.0).collect()
}

fn row_major(m: &nalgebra::DMatrix<f64>) -> Vec<f64> {
    (0..m.nrows())
        .flat_map(|i| (0..m.ncols()).map(move |j| (i, j)))
        .map(|(i, j)| m[(i, j)])
        .collect()
}

#[test]
fn numpy_npy_every_dtype_and_order() {
    let y = fixture("y.npy");
    let opts = LoadOptions::default();
    let f8 = fixture("x_f8.npy");
    let r = files::load(input("x.npy", &f8), Some(input("y.npy", &y)), &opts).unwrap();
    assert_eq!(row_major(&r.layers[0].x), x_expected());
    assert_eq!(r.labels, vec![0, 1, 0, 1]);
    assert_eq!(r.class_names, vec!["0", "1"]);

    // float32 in Fortran order: the same matrix (these values are exact in f32).
    let f4 = fixture("x_f4_fortran.npy");
    let a = npy::read("f4", &f4).unwrap();
    assert_eq!(a.dtype, "<f4");
    assert_eq!(a.data, x_expected());

    // big-endian int16 of 4x.
    let i2 = fixture("x_i2_big.npy");
    let a = npy::read("i2", &i2).unwrap();
    assert_eq!(a.dtype, ">i2");
    assert_eq!(
        a.data,
        x_expected().iter().map(|v| v * 4.0).collect::<Vec<_>>()
    );

    let b = fixture("x_bool.npy");
    let a = npy::read("b", &b).unwrap();
    assert_eq!(
        a.data,
        x_expected()
            .iter()
            .map(|&v| (v > 0.0) as u8 as f64)
            .collect::<Vec<_>>()
    );
}

#[test]
fn numpy_npz_stored_compressed_replica_layers_trials() {
    let opts = LoadOptions::default();
    for (file, layout) in [
        ("both.npz", "'X'"),
        ("both_compressed.npz", "'activations'"),
    ] {
        let bytes = fixture(file);
        let r = files::load(input(file, &bytes), None, &opts).unwrap();
        assert_eq!(row_major(&r.layers[0].x), x_expected(), "{file}");
        assert_eq!(r.labels, vec![0, 1, 0, 1], "{file}");
        assert!(r.layout.contains(layout), "{}", r.layout);
    }

    // replicaMFT: class_0 = x[:2].T, class_1 = x[2:].T (features × points).
    let bytes = fixture("replica.npz");
    let r = files::load(input("replica.npz", &bytes), None, &opts).unwrap();
    assert_eq!(row_major(&r.layers[0].x), x_expected());
    assert_eq!(r.labels, vec![0, 0, 1, 1]);
    assert!(r.layout.contains("replicaMFT"));
    assert_eq!(row_major(&r.class_points(0, 1)), x_expected()[6..].to_vec());

    let bytes = fixture("layers.npz");
    let r = files::load(input("layers.npz", &bytes), None, &opts).unwrap();
    assert_eq!(r.layers.len(), 2);
    assert_eq!(r.layers[1].x.ncols(), 2);
    assert_eq!(r.layers[1].x[(3, 1)], 2.0 * (10.0 / 4.0 - 1.0));

    // trials × neurons × time, averaged over all bins, then over [1, 3).
    let bytes = fixture("trials.npz");
    let r = files::load(input("trials.npz", &bytes), None, &opts).unwrap();
    // trial 1, neuron 2: values 5*(3*1+2) + t = 25..29, mean 27.
    assert_eq!(r.layers[0].x[(1, 2)], 27.0);
    assert!(r.notes[0].contains("[0, 5)"));
    let windowed = LoadOptions {
        time_window: Some((1, 3)),
        ..LoadOptions::default()
    };
    let r = files::load(input("trials.npz", &bytes), None, &windowed).unwrap();
    assert_eq!(r.layers[0].x[(1, 2)], 26.5);
    let bad_window = LoadOptions {
        time_window: Some((4, 9)),
        ..LoadOptions::default()
    };
    let e = files::load(input("trials.npz", &bytes), None, &bad_window).unwrap_err();
    assert!(e.to_string().contains("time window"), "{e}");
}

#[test]
fn several_arrays_ask_which_one() {
    let bytes = fixture("two_arrays.npz");
    let e = files::load(input("two.npz", &bytes), None, &LoadOptions::default()).unwrap_err();
    match &e {
        FileError::ChooseArray { options, .. } => assert_eq!(options, &["a", "b"]),
        other => panic!("{other}"),
    }
    assert!(e.to_string().contains("--array"));
    let opts = LoadOptions {
        array: Some("b".into()),
        ..LoadOptions::default()
    };
    let r = files::load(input("two.npz", &bytes), None, &opts).unwrap();
    assert_eq!(r.layers[0].x[(1, 0)], 2.0 * (3.0 / 4.0 - 1.0));
    let opts = LoadOptions {
        array: Some("zz".into()),
        ..LoadOptions::default()
    };
    let e = files::load(input("two.npz", &bytes), None, &opts).unwrap_err();
    assert!(e.to_string().contains("no array 'zz'"), "{e}");
    let listed = files::npz_arrays("two.npz", &bytes).unwrap();
    assert_eq!(listed[0], ("a".to_string(), vec![4, 3]));
}

#[test]
fn pickled_objects_are_refused() {
    let bytes = fixture("obj.npy");
    let e = npy::read("obj.npy", &bytes).unwrap_err().to_string();
    assert!(
        e.contains("pickled") && e.contains("never unpickled"),
        "{e}"
    );
}

#[test]
fn csv_with_names_and_labels_file() {
    let text = b"n1,n2,stimulus\n0.1,0.2,face\n0.3,0.4,house\n0.5,0.6,face\n0.7,0.8,house\n";
    let opts = LoadOptions {
        label_column: Some("stimulus".into()),
        ..LoadOptions::default()
    };
    let r = files::load(input("r.csv", text), None, &opts).unwrap();
    assert_eq!(r.class_names, vec!["face", "house"]);
    assert_eq!(r.labels, vec![0, 1, 0, 1]);
    assert_eq!(r.layers[0].x.ncols(), 2);

    // Features in one file, labels (text, one column) in another.
    let feats = b"1 2\n3 4\n5 6\n7 8\n";
    let labels = b"label\n2\n10\n2\n10\n";
    let opts = LoadOptions {
        label_column: Some("none".into()),
        ..LoadOptions::default()
    };
    let r = files::load(input("f.txt", feats), Some(input("l.txt", labels)), &opts).unwrap();
    assert_eq!(
        r.class_names,
        vec!["2", "10"],
        "numeric labels sort as numbers"
    );
    assert_eq!(r.labels, vec![0, 1, 0, 1]);
}

#[test]
fn bad_data_gets_a_precise_message() {
    let opts = LoadOptions::default();
    let cases: Vec<(&[u8], &str)> = vec![
        (b"a,b,label\n1,2,x\n3,4,y\n5,6\n", "line 4"),
        (b"a,b,label\n1,2,x\n3,4,y\n5,six,x\n6,7,y\n", "'six'"),
        (b"a,b,label\n1,2,x\n3,4,x\n", "only one class"),
        (b"a,b,label\n1,2,x\n3,4,x\n5,6,y\n", "fewer than 2 points"),
        (
            b"a,b,label\n1,nan,x\n3,4,x\n5,6,y\n7,8,y\n",
            "NaN or infinite",
        ),
        (b"", "no rows"),
        (b"\x00\x01\x02binary", "neither"),
    ];
    for (bytes, want) in cases {
        let e = files::load(input("bad.csv", bytes), None, &opts)
            .unwrap_err()
            .to_string();
        assert!(e.contains(want), "{want:?} not in: {e}");
    }
    // NaN rows dropped on request, and said so.
    let dropping = LoadOptions {
        drop_nonfinite: true,
        ..LoadOptions::default()
    };
    let r = files::load(
        input(
            "nan.csv",
            b"a,b,label\n1,nan,x\n3,4,x\n5,6,x\n5,6,y\n7,inf,y\n8,8,y\n",
        ),
        None,
        &dropping,
    )
    .unwrap();
    assert_eq!(r.layers[0].x.nrows(), 4);
    assert!(r.notes[0].contains("dropped 2"));

    // Labels that do not match the rows.
    let x = fixture("x_f8.npy");
    let short = npy::write(&[3], &[0.0, 1.0, 0.0], "<i8", false);
    let e = files::load(input("x.npy", &x), Some(input("y.npy", &short)), &opts)
        .unwrap_err()
        .to_string();
    assert!(e.contains("3 labels for 4 rows"), "{e}");
    // No labels at all.
    let e = files::load(input("x.npy", &x), None, &opts)
        .unwrap_err()
        .to_string();
    assert!(e.contains("no labels"), "{e}");
    // Truncated.
    let e = files::load(input("x.npy", &x[..x.len() - 5]), None, &opts)
        .unwrap_err()
        .to_string();
    assert!(e.contains("truncated"), "{e}");
    // A corrupt zip.
    let z = fixture("both.npz");
    let e = files::load(input("z.npz", &z[..40]), None, &opts)
        .unwrap_err()
        .to_string();
    assert!(e.contains("z.npz"), "{e}");
}

#[test]
fn our_writer_and_numpys_agree() {
    // The NPZ writer the example file uses gives what numpy's reader (here,
    // ours, checked above against numpy's files) reads back.
    let x = x_expected();
    let y = [0.0, 1.0, 0.0, 1.0];
    for compressed in [false, true] {
        let bytes = npz::write(
            &[("X", &[4, 3], &x, "<f8"), ("y", &[4], &y, "<i8")],
            compressed,
        );
        let r = files::load(input("w.npz", &bytes), None, &LoadOptions::default()).unwrap();
        assert_eq!(row_major(&r.layers[0].x), x);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Random bytes, and valid files with bytes changed, cut or appended,
    /// never panic; every error names the file or what is wrong.
    #[test]
    fn hostile_files_never_panic(
        which in 0usize..4,
        cut in 0usize..2000,
        flips in proptest::collection::vec((0usize..2000, any::<u8>()), 0..6),
        random in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let base: Vec<u8> = match which {
            0 => fixture("x_f8.npy"),
            1 => fixture("both.npz"),
            2 => b"a,b,label\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n".to_vec(),
            _ => random.clone(),
        };
        let mut bytes = base.clone();
        for (at, v) in &flips {
            if !bytes.is_empty() {
                let i = at % bytes.len();
                bytes[i] = *v;
            }
        }
        if cut < bytes.len() {
            bytes.truncate(cut);
        }
        let labels = fixture("y.npy");
        for lab in [None, Some(input("y.npy", &labels))] {
            match files::load(input("h.bin", &bytes), lab, &LoadOptions::default()) {
                Ok(r) => prop_assert!(r.layers.iter().all(|l| l.x.iter().all(|v| v.is_finite()))),
                Err(e) => {
                    let text = e.to_string();
                    prop_assert!(text.len() > 10 && text.len() < 600, "{}", text);
                }
            }
        }
    }
}

/// Text labels from numpy arrays of strings, written by numpy 2.4:
/// `w = np.array(["dög", "cat", "dög", "cat"])`, saved as `y_words.npy`
/// (`<U3`), `y_words_big.npy` (`>U3`), `y_bytes.npy` (`|S3`, "dog" for
/// "dög"), and `np.savez("words.npz", X=x, y=w)`. Classes in lexicographic
/// order, not in order of appearance.
#[test]
fn text_labels_from_numpy_string_arrays() {
    let x = fixture("x_f8.npy");
    let opts = LoadOptions::default();
    for (labels, dog) in [
        ("y_words.npy", "dög"),
        ("y_words_big.npy", "dög"),
        ("y_bytes.npy", "dog"),
    ] {
        let y = fixture(labels);
        let r = files::load(input("x.npy", &x), Some(input(labels, &y)), &opts).unwrap();
        assert_eq!(r.class_names, vec!["cat", dog], "{labels}");
        assert_eq!(r.labels, vec![1, 0, 1, 0], "{labels}");
        assert_eq!(
            npy::read_text(labels, &y).unwrap().unwrap(),
            (
                vec![4],
                vec![dog, "cat", dog, "cat"]
                    .into_iter()
                    .map(String::from)
                    .collect()
            )
        );
    }
    let z = fixture("words.npz");
    let r = files::load(input("words.npz", &z), None, &opts).unwrap();
    assert_eq!(r.class_names, vec!["cat", "dög"]);
    assert_eq!(r.labels, vec![1, 0, 1, 0]);
    assert_eq!(row_major(&r.layers[0].x), x_expected());
    let (numeric, texts) = npz::read_all("words.npz", &z).unwrap();
    assert_eq!(numeric.len(), 1);
    assert_eq!(texts[0].0, "y");
    // A numeric array is not text.
    assert_eq!(npy::read_text("x.npy", &x).unwrap(), None);
}
