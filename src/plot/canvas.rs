//! Draw a chart on an HTML canvas (wasm only) through plotters-canvas.
//!
//! The page sizes each canvas for the screen: `canvas.width` is its CSS
//! width times `devicePixelRatio`. We draw at that resolution and scale
//! every length and font size by the same ratio, so text stays sharp and the
//! same physical size on any display.
//!
//! Two things plotters-canvas does slowly are done here instead: text is
//! measured with the canvas's own `measureText` (plotters measures by adding
//! a `<span>` to the page, a forced layout per label), and heatmaps are put
//! as one `ImageData` rather than thousands of `fillRect` calls.

use plotters::prelude::*;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

use super::draw_frame;
use super::frame::PlotBox;
use crate::snapshot::Chart;

/// Draw `chart` filling `canvas`, with a pinned run's chart beside it when
/// given (see [`super::draw_comparison`]). Returns where the data landed, in
/// CSS pixels of the canvas (none for a canvas too small to draw in).
pub fn draw_on_canvas(
    canvas: HtmlCanvasElement,
    chart: &Chart,
    pinned: Option<&Chart>,
) -> Result<Option<PlotBox>, String> {
    let scale = pixel_ratio(&canvas);
    let ctx: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into().ok())
        .ok_or("the canvas has no 2D context")?;
    let inner = CanvasBackend::with_canvas_object(canvas).ok_or("the canvas has no 2D context")?;
    let backend = Canvas {
        inner,
        ctx: ctx.clone(),
    };
    let root = backend.into_drawing_area();
    let mut paint = |at: (i32, i32), size: (u32, u32), rgb: &[u8]| put_rgb(&ctx, at, size, rgb);
    let frame = draw_frame(&root, chart, pinned, scale, Some(&mut paint))?;
    root.present().map_err(|e| format!("drawing failed: {e}"))?;
    Ok(frame.map(|f| f.plot_box(scale)))
}

/// The charts in a grid of `columns` columns filling `canvas` (see
/// [`super::draw_grid`]), every length scaled by `scale`: the page's combined
/// PNG, drawn off screen at a resolution of its own.
pub fn draw_grid_on_canvas(
    canvas: HtmlCanvasElement,
    charts: &[Chart],
    pinned: &[Option<Chart>],
    columns: usize,
    scale: f64,
) -> Result<(), String> {
    let ctx: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into().ok())
        .ok_or("the canvas has no 2D context")?;
    let inner = CanvasBackend::with_canvas_object(canvas).ok_or("the canvas has no 2D context")?;
    let backend = Canvas {
        inner,
        ctx: ctx.clone(),
    };
    let root = backend.into_drawing_area();
    let mut paint = |at: (i32, i32), size: (u32, u32), rgb: &[u8]| put_rgb(&ctx, at, size, rgb);
    super::draw_grid(&root, charts, pinned, columns, scale, Some(&mut paint))?;
    root.present().map_err(|e| format!("drawing failed: {e}"))
}

/// Canvas pixels per CSS pixel: from the canvas's own sizes when it is laid
/// out, else the window's devicePixelRatio.
fn pixel_ratio(canvas: &HtmlCanvasElement) -> f64 {
    let css = canvas.client_width();
    if css > 0 && canvas.width() > 0 {
        canvas.width() as f64 / css as f64
    } else {
        web_sys::window()
            .map(|w| w.device_pixel_ratio())
            .filter(|r| *r > 0.0)
            .unwrap_or(1.0)
    }
}

/// Put an RGB bitmap on the canvas at a pixel position, 1:1.
fn put_rgb(
    ctx: &CanvasRenderingContext2d,
    at: (i32, i32),
    (w, h): (u32, u32),
    rgb: &[u8],
) -> Result<(), String> {
    if w == 0 || h == 0 {
        return Ok(());
    }
    let mut rgba = Vec::with_capacity((w * h * 4) as usize);
    for px in rgb.chunks_exact(3) {
        rgba.extend_from_slice(&[px[0], px[1], px[2], 255]);
    }
    let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&rgba), w, h)
        .map_err(|_| "could not make the heatmap image".to_string())?;
    ctx.put_image_data(&image, at.0 as f64, at.1 as f64)
        .map_err(|_| "could not draw the heatmap image".to_string())
}

/// plotters-canvas, with text measured by the canvas.
struct Canvas {
    inner: CanvasBackend,
    ctx: CanvasRenderingContext2d,
}

impl DrawingBackend for Canvas {
    type ErrorType = <CanvasBackend as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_text(text, style, pos)
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        // The same font string plotters-canvas draws with.
        self.ctx.set_font(&format!(
            "{} {}px {}",
            style.style().as_str(),
            style.size(),
            style.family().as_str()
        ));
        let width = self
            .ctx
            .measure_text(text)
            .map(|m| m.width())
            .unwrap_or(0.0);
        Ok((
            width.ceil().max(0.0) as u32,
            (style.size() * 1.2).ceil() as u32,
        ))
    }
}
