//! SVG output with text measured the same way on every target.
//!
//! plotters sizes text for SVG through its font module: natively a
//! character-count estimate, but in wasm a `<span>` added to the page with
//! a `style` attribute, which the page's Content-Security-Policy refuses (no
//! inline styles), and which made the page's SVG export lay out differently
//! from the CLI's. [`Svg`] is plotters' SVG backend with the native estimate
//! on every target: an exported SVG is the same document in the page and in
//! the CLI, and drawing it touches no DOM.

use plotters::prelude::*;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};

/// plotters' SVG backend, writing into a string, with [`text_size`].
pub struct Svg<'a>(SVGBackend<'a>);

impl<'a> Svg<'a> {
    pub fn with_string(out: &'a mut String, size: (u32, u32)) -> Self {
        Svg(SVGBackend::with_string(out, size))
    }
}

/// Width and height of `text` at font size `size` (pixels): plotters'
/// native estimate (`plotters::style::font::naive`), em = size / 1.24²,
/// width 0.7 em per byte, height 1.24 em, each end rounded as plotters does.
pub fn text_size(text: &str, size: f64) -> (u32, u32) {
    let em = size / 1.24 / 1.24;
    let width = (em * 0.7 * text.len() as f64).round();
    let height = (em * 0.24).round() + em.round();
    (width.max(0.0) as u32, height.max(0.0) as u32)
}

type Error<'a> = DrawingErrorKind<<SVGBackend<'a> as DrawingBackend>::ErrorType>;

impl<'a> DrawingBackend for Svg<'a> {
    type ErrorType = <SVGBackend<'a> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), Error<'a>> {
        self.0.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), Error<'a>> {
        self.0.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<(), Error<'a>> {
        self.0.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), Error<'a>> {
        self.0.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), Error<'a>> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), Error<'a>> {
        self.0.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), Error<'a>> {
        self.0.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), Error<'a>> {
        self.0.fill_polygon(vert, style)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), Error<'a>> {
        self.0.draw_text(text, style, pos)
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), Error<'a>> {
        Ok(text_size(text, style.size()))
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        (iw, ih): (u32, u32),
        src: &[u8],
    ) -> Result<(), Error<'a>> {
        self.0.blit_bitmap(pos, (iw, ih), src)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    /// Natively, plotters' own SVG backend measures with the same estimate,
    /// so the CLI's SVG documents are unchanged by the wrapper.
    #[test]
    fn measures_as_plotters_does_natively() {
        let mut a = String::new();
        let mut b = String::new();
        let ours = Svg::with_string(&mut a, (100, 100));
        let theirs = SVGBackend::with_string(&mut b, (100, 100));
        for size in [9.0, 11.5, 13.0, 16.0, 24.0] {
            for text in [
                "",
                "loss",
                "1e-3",
                "α = 0.1 · width 128",
                "participation ratio (PR)",
            ] {
                let font = TextStyle::from(("sans-serif", size).into_font());
                assert_eq!(
                    ours.estimate_text_size(text, &font).unwrap(),
                    theirs.estimate_text_size(text, &font).unwrap(),
                    "{text:?} at {size}"
                );
            }
        }
    }
}
