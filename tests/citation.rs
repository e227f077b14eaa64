//! Licence and citation files: the licences Cargo.toml declares are there;
//! CITATION.cff is for this release and lists every paper and data set the
//! labs name (their `references`), as does the README's "How to cite".
//! (`cargo xtask test` validates CITATION.cff against the CFF schema.)

use std::path::Path;

fn read(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Whitespace runs as one space (the README wraps its lines).
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_declared_licences_are_there() {
    assert!(read("Cargo.toml").contains("license = \"MIT OR Apache-2.0\""));
    let mit = read("LICENSE-MIT");
    assert!(
        mit.starts_with("MIT License")
            && mit.contains("Permission is hereby granted, free of charge")
    );
    let apache = read("LICENSE-APACHE");
    assert!(apache.contains("Apache License") && apache.contains("Version 2.0, January 2004"));
    assert!(apache.contains("END OF TERMS AND CONDITIONS"));
}

#[test]
fn every_reference_of_every_lab_is_cited() {
    let cff = read("CITATION.cff");
    assert!(
        cff.contains(&format!("version: \"{}\"", env!("CARGO_PKG_VERSION"))),
        "CITATION.cff's version is this release"
    );
    assert!(cff.contains("license:\n  - MIT\n  - Apache-2.0\n"));
    let readme = read("README.md");
    let cite = &readme[readme
        .find("## How to cite")
        .expect("README has How to cite")..];
    let cite = flat(&cite[..cite[3..].find("\n## ").map_or(cite.len(), |i| i + 3)]);
    let mut n = 0;
    for spec in neurogeom::labs::catalog() {
        assert!(
            !spec.references.is_empty(),
            "{} names no reference",
            spec.name
        );
        assert!(
            cite.contains(&format!("`{}`", spec.name)),
            "README's How to cite has no item for {}",
            spec.name
        );
        for r in &spec.references {
            n += 1;
            assert!(
                cff.contains(&format!("title: \"{}\"", r.title)),
                "CITATION.cff lacks {:?} ({})",
                r.title,
                spec.name
            );
            if !r.doi.is_empty() {
                assert!(
                    cff.contains(&format!("doi: \"{}\"", r.doi)),
                    "CITATION.cff lacks the DOI of {:?}",
                    r.title
                );
            }
            assert!(
                cite.contains(&r.title),
                "README's How to cite lacks {:?} ({})",
                r.title,
                spec.name
            );
            assert!(cite.contains(&r.year.to_string()));
            let first_author = r.authors.split(',').next().unwrap();
            assert!(
                cff.contains(&format!("family-names: {first_author}")),
                "{first_author}"
            );
            assert!(r.text().contains(&r.title) && r.text().contains(&format!("({})", r.year)));
        }
    }
    assert!(n >= 20, "{n} references");
    // Third-party data keep their credit and licence: the lab's own text,
    // the README and CITATION.cff.
    let capacity = neurogeom::labs::spec("capacity").unwrap();
    assert!(capacity
        .summary
        .contains("Alpaydin & Kaynak 1998, CC BY 4.0"));
    assert!(cff.contains("license: CC-BY-4.0"));
    assert!(flat(&readme).contains("UCI Machine Learning Repository, under CC BY 4.0"));
}
