//! Provenance in an exported SVG: which NeuroGeom drew it, from which link,
//! with which result hash. The page's SVG export and the CLI's `plot`,
//! `sweep --svg` and `merge --svg` write it as a `<metadata>` element right
//! after the opening `<svg …>` tag, holding one JSON object:
//!
//! ```text
//! <metadata id="neurogeom">{"generator":"NeuroGeom","version":"0.2.0+f609125",
//!   "link":"http://…/#v=1&…&ng=0.2.0+f609125","hash":"7d2f4fea89f3d62d"}</metadata>
//! ```
//!
//! Viewers ignore it; a reader finds it with any XML parser (the JSON is
//! XML-escaped).

/// `svg` with the `<metadata>` element inserted; unchanged if it has no
/// `<svg` tag.
pub fn with_metadata(svg: &str, link: &str, hash: &str) -> String {
    let Some(start) = svg.find("<svg") else {
        return svg.to_string();
    };
    let Some(end) = svg[start..].find('>').map(|i| start + i + 1) else {
        return svg.to_string();
    };
    let json = serde_json::json!({
        "generator": "NeuroGeom",
        "version": crate::version::VERSION,
        "link": link,
        "hash": hash,
    })
    .to_string();
    let escaped = json
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        "{}\n<metadata id=\"neurogeom\">{escaped}</metadata>{}",
        &svg[..end],
        &svg[end..]
    )
}

/// The JSON object of [`with_metadata`] read back from an SVG, if present.
pub fn read_metadata(svg: &str) -> Option<serde_json::Value> {
    let start = svg.find("<metadata id=\"neurogeom\">")? + "<metadata id=\"neurogeom\">".len();
    let end = start + svg[start..].find("</metadata>")?;
    let text = svg[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    serde_json::from_str(&text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_goes_after_the_svg_tag_and_reads_back() {
        let svg = "<?xml version=\"1.0\"?>\n<svg width=\"10\" height=\"10\" xmlns=\"http://www.w3.org/2000/svg\"><rect/></svg>";
        let link = "http://h/#v=1&lab=x&pin=a%26b<c>&ng=0.2.0+abc";
        let out = with_metadata(svg, link, "0123");
        assert!(out.starts_with("<?xml version=\"1.0\"?>\n<svg width=\"10\" height=\"10\" xmlns=\"http://www.w3.org/2000/svg\">\n<metadata id=\"neurogeom\">"), "{out}");
        assert!(out.ends_with("</metadata><rect/></svg>"), "{out}");
        assert!(!out.contains("&lab"), "the & is escaped: {out}");
        let m = read_metadata(&out).unwrap();
        assert_eq!(m["link"], link);
        assert_eq!(m["hash"], "0123");
        assert_eq!(m["version"], crate::version::VERSION);
        assert_eq!(with_metadata("not svg", link, "0"), "not svg");
        assert_eq!(read_metadata(svg), None);
    }
}
