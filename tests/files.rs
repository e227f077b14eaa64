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

/// Issue 17: numpy's text label arrays (`<U`, `>U`, `|S`, non-ASCII), in a
/// labels file and inside an NPZ, written by numpy itself
/// (tests/data/files/make_text_labels.py). Classes come in sorted order,
/// whatever order they first appear in (dog, cat, dog, cat → cat = 0).
#[test]
fn numpy_text_labels_in_npy_and_npz() {
    let x = fixture("x_f8.npy");
    let opts = LoadOptions::default();
    for file in ["labels_u.npy", "labels_u_big.npy", "labels_s.npy"] {
        let y = fixture(file);
        let r = files::load(input("x.npy", &x), Some(input(file, &y)), &opts).unwrap();
        assert_eq!(r.class_names, vec!["cat", "dog"], "{file}");
        assert_eq!(r.labels, vec![1, 0, 1, 0], "{file}");
    }
    let a = npy::read("u", &fixture("labels_u.npy")).unwrap();
    assert_eq!(a.dtype, "<U3");
    assert_eq!(a.text.unwrap(), vec!["dog", "cat", "dog", "cat"]);
    let y = fixture("labels_accents.npy");
    let r = files::load(input("x.npy", &x), Some(input("y.npy", &y)), &opts).unwrap();
    assert_eq!(r.class_names, vec!["café", "naïve"]);
    let z = fixture("text_labels.npz");
    let r = files::load(input("t.npz", &z), None, &opts).unwrap();
    assert_eq!(row_major(&r.layers[0].x), x_expected());
    assert_eq!(r.class_names, vec!["cat", "dog"]);
    assert_eq!(r.labels, vec![1, 0, 1, 0]);
    // Text as the data is refused with its dtype named.
    let e = files::load(
        input("u.npy", &fixture("labels_u.npy")),
        Some(input("y.npy", &y)),
        &opts,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("<U3") && e.contains("text"), "{e}");
}

/// Issue 17: a CSV whose labels are words finds its label column wherever
/// it is (first, middle, no header), or by a label-like header name; two
/// columns of words ask for --label-column; a word in a feature column
/// names the fix.
#[test]
fn csv_label_columns_of_words() {
    let opts = LoadOptions::default();
    for (text, name) in [
        (
            &b"species,f1,f2\ncat,1,2\ndog,3,4\ncat,5,6\ndog,7,8\n"[..],
            "header named like a label",
        ),
        (
            b"name,f1,f2\ncat,1,2\ndog,3,4\ncat,5,6\ndog,7,8\n",
            "column of words, header",
        ),
        (
            b"f1,kind_of_thing,f2\n1,cat,2\n3,dog,4\n5,cat,6\n7,dog,8\n",
            "middle column of words",
        ),
        (b"cat,1,2\ndog,3,4\ncat,5,6\ndog,7,8\n", "no header"),
    ] {
        let r = files::load(input("w.csv", text), None, &opts)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(r.class_names, vec!["cat", "dog"], "{name}");
        assert_eq!(r.labels, vec![0, 1, 0, 1], "{name}");
        let x = &r.layers[0].x;
        assert_eq!((x[(0, 0)], x[(0, 1)], x[(3, 1)]), (1.0, 2.0, 8.0), "{name}");
    }
    let e = files::load(input("two.csv", b"a,b,f\ncat,x,1\ndog,y,2\n"), None, &opts)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("'a'") && e.contains("'b'") && e.contains("--label-column"),
        "{e}"
    );
    // A word among numbers in a feature column: the message names the way out.
    let e = files::load(
        input("n.csv", b"f1,f2,label\n1,2,0\ncat,4,1\n5,6,0\n7,8,1\n"),
        None,
        &opts,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("'cat' is not a number") && e.contains("--label-column"),
        "{e}"
    );
    // Numeric labels written differently are one class: 1, 1.0, 1e0.
    let r = files::load(
        input("num.csv", b"f,label\n1,1\n2,1.0\n3,2\n4,1e0\n5,2.0\n"),
        None,
        &opts,
    )
    .unwrap();
    assert_eq!(r.class_names, vec!["1", "2"]);
    assert_eq!(r.labels, vec![0, 0, 1, 0, 1]);
}

/// Issue 17: the NaN message names --drop-nonfinite; a text file named
/// .npy (or .npz) is refused as "not an NPY file (no \x93NUMPY header)",
/// with what it looks like; the same text named .csv reads.
#[test]
fn messages_name_their_fix_and_files_are_what_they_say() {
    let opts = LoadOptions::default();
    let e = files::load(
        input("nan.csv", b"a,b,label\n1,nan,x\n3,4,x\n5,6,y\n7,8,y\n"),
        None,
        &opts,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("--drop-nonfinite"), "{e}");
    let text = b"a,b,label\n1,2,x\n3,4,x\n5,6,y\n7,8,y\n";
    let e = files::load(input("data.npy", text), None, &opts)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("data.npy: not an NPY file (no \\x93NUMPY header)"),
        "{e}"
    );
    assert!(e.contains(".csv"), "{e}");
    let e = files::load(input("data.NPZ", text), None, &opts)
        .unwrap_err()
        .to_string();
    assert!(e.contains("not an NPZ file"), "{e}");
    assert!(files::load(input("data.csv", text), None, &opts).is_ok());
    // A labels file named .npy that is text.
    let x = fixture("x_f8.npy");
    let e = files::load(
        input("x.npy", &x),
        Some(input("y.npy", b"0\n1\n0\n1\n")),
        &opts,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("y.npy: not an NPY file"), "{e}");
}

/// Issue 24: the limit follows what the caller sets (the CLI: the machine's
/// memory, --max-memory, NEUROGEOM_MAX_MEMORY; the page: 400 MB), is checked
/// before anything is allocated, and its message says why and what to do.
#[test]
fn the_size_limit_is_the_callers_and_says_why() {
    let x = fixture("x_f8.npy"); // 12 values
    let y = fixture("y.npy");
    let small = |values: u64| LoadOptions {
        limit: Some(files::Limit {
            values,
            why: "a test's limit".into(),
        }),
        ..LoadOptions::default()
    };
    assert!(files::load(input("x.npy", &x), Some(input("y.npy", &y)), &small(12)).is_ok());
    let e = files::load(input("x.npy", &x), Some(input("y.npy", &y)), &small(11)).unwrap_err();
    assert!(
        matches!(
            e,
            FileError::TooLarge {
                needed_bytes: 96,
                limit_bytes: 88,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("a test's limit"), "{e}");
    // NPZ: the arrays together.
    let z = fixture("both.npz"); // X 12 values + y 4
    assert!(files::load(input("b.npz", &z), None, &small(16)).is_ok());
    assert!(files::load(input("b.npz", &z), None, &small(15)).is_err());
    // The page's limit points to the CLI; a memory budget is divided by 2.5.
    assert!(files::Limit::browser().why.contains("neurogeom analyze"));
    let l = files::Limit::from_memory(2_000_000_000, "a budget");
    assert_eq!(l.values, 100_000_000);
    assert!(l.why.contains("--max-memory") && l.why.contains("NEUROGEOM_MAX_MEMORY"));
    assert_eq!(files::parse_memory_size("16G").unwrap(), 16_000_000_000);
    assert_eq!(
        files::parse_memory_size("800MiB").unwrap(),
        800 * 1024 * 1024
    );
    assert_eq!(files::parse_memory_size(" 1.5 GB").unwrap(), 1_500_000_000);
    assert!(files::parse_memory_size("lots").is_err());
    assert!(files::parse_memory_size("12Q").is_err());
}

/// The matrix read in column order (no second copy) equals the one read in
/// C order, for C- and Fortran-ordered files.
#[test]
fn column_order_reads_equal_c_order_reads() {
    for file in ["x_f8.npy", "x_f4_fortran.npy", "x_i2_big.npy"] {
        let bytes = fixture(file);
        let c = npy::read(file, &bytes).unwrap();
        let opts = npy::ReadOptions {
            column_major: true,
            ..Default::default()
        };
        let f = npy::read_with(file, &bytes, &opts).unwrap();
        assert!(f.column_major && !c.column_major);
        for i in 0..4 {
            for j in 0..3 {
                assert_eq!(c.at2(i, j), f.at2(i, j), "{file} ({i}, {j})");
                assert_eq!(f.data[j * 4 + i], c.data[i * 3 + j]);
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
        let a = npy::read(labels, &y).unwrap();
        assert_eq!(a.shape, vec![4]);
        assert_eq!(a.text.unwrap(), vec![dog, "cat", dog, "cat"]);
    }
    let z = fixture("words.npz");
    let r = files::load(input("words.npz", &z), None, &opts).unwrap();
    assert_eq!(r.class_names, vec!["cat", "dög"]);
    assert_eq!(r.labels, vec![1, 0, 1, 0]);
    assert_eq!(row_major(&r.layers[0].x), x_expected());
    let arrays = npz::read("words.npz", &z, &Default::default()).unwrap();
    assert_eq!(arrays.len(), 2);
    let y = &arrays.iter().find(|(k, _)| k == "y").expect("y").1;
    assert_eq!(y.text.as_ref().map(Vec::len), Some(4));
    // A numeric array is not text.
    assert_eq!(npy::read("x.npy", &x).unwrap().text, None);
}

/// Integer labels with the file's class names (`label_names`, and
/// scikit-learn's `data`/`target`/`target_names`), written by numpy
/// (tests/data/files/make_class_names.py): label k is names[k], and the
/// classes keep the names' order (zebra, ant, moth), neither alphabetical
/// nor the order of first appearance. A label that indexes no name, and a
/// separate labels file, behave as they should.
#[test]
fn integer_labels_take_the_files_class_names_in_their_order() {
    let opts = LoadOptions::default();
    for file in ["label_names.npz", "target_names.npz"] {
        let z = fixture(file);
        let r = files::load(input(file, &z), None, &opts).unwrap();
        assert_eq!(r.class_names, vec!["zebra", "ant", "moth"], "{file}");
        assert_eq!(r.labels, vec![2, 0, 2, 1, 0, 1], "{file}");
        let x: Vec<f64> = (0..18).map(|i| i as f64 / 4.0 - 1.0).collect();
        assert_eq!(row_major(&r.layers[0].x), x, "{file}");
        assert!(
            r.notes.iter().any(|n| n.contains("zebra, ant, moth")),
            "{:?}",
            r.notes
        );
    }
    let e = files::load(
        input("short.npz", &fixture("label_names_short.npz")),
        None,
        &opts,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("'label_names'") && e.contains("names 3 classes (0 to 2)") && e.contains("'3'"),
        "{e}"
    );
    // A labels file given beside the data wins; the names array is not used.
    let y = npy::write(&[6], &[1.0, 0.0, 1.0, 0.0, 1.0, 0.0], "<i8", false);
    let z = fixture("label_names.npz");
    let r = files::load(input("n.npz", &z), Some(input("y.npy", &y)), &opts).unwrap();
    assert_eq!(r.class_names, vec!["0", "1"]);
    assert_eq!(r.labels, vec![1, 0, 1, 0, 1, 0]);
}
