//! `neurogeom plot --gallery` writes one chart of each kind, needing no link.

use std::process::Command;

#[test]
fn plot_gallery_writes_every_kind() {
    let dir = std::env::temp_dir().join(format!("neurogeom-gallery-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("gallery.svg");
    let status = Command::new(env!("CARGO_BIN_EXE_neurogeom"))
        .args(["plot", "--gallery", "--out", out.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(status.success());
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(svg.starts_with("<svg"));
    for title in [
        "Lines", "Band", "Heatmap", "spectrum", "hull", "Arrows", "Profile", "Bars", "Pinned",
    ] {
        assert!(svg.contains(title), "missing {title}");
    }
    // Without --gallery a link is still required.
    let status = Command::new(env!("CARGO_BIN_EXE_neurogeom"))
        .args(["plot", "--out", out.to_str().unwrap()])
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(2));
    std::fs::remove_dir_all(&dir).ok();
}
