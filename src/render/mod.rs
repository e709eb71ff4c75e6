//! Pictures of the ring and of the shard distribution, as SVG.
//!
//! Each view has a pure `to_svg()` that tests can read and a thin
//! `evcxr_display()` for notebooks. The notebook output carries the picture
//! twice: as a `text/html` `<img>` with a base64 data URI, which JupyterLab
//! shows even in an untrusted notebook, and as raw `image/svg+xml` for other
//! front ends. A `text/plain` summary goes with them, so that a notebook's
//! text outputs can be compared from one run to the next.

mod bars;
mod chart;
mod history;
mod notebook;
mod palette;
mod plan;
mod play;
mod ring;
mod step;
mod studies;
pub mod table;
mod timeline;
mod trace;

pub use bars::DistributionView;
pub use chart::{CurveView, GroupedBarsView, Series, SeriesStyle};
pub use history::HistoryView;
pub(crate) use notebook::panic_message;
pub use notebook::{ShowDebug, short_panics};
pub use palette::{node_colors, rgb_hex};
pub use play::Play;
pub use ring::RingView;
pub use step::Step;
pub use timeline::{Filmstrip, Timeline};
pub use trace::{KeyTrace, TraceRole, TraceStep};

use base64::Engine;

pub(crate) use crate::format::thousands;

/// How a picture is drawn. Public fields and [`Default`], so a notebook cell can
/// write `RenderOptions { width: 640, ..Default::default() }`.
///
/// ```
/// use elastic_vdb::RenderOptions;
///
/// let options = RenderOptions { max_dots: 500, ..Default::default() };
/// assert_eq!((options.width, options.height), (800, 540));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderOptions {
    /// Picture width in pixels.
    pub width: u32,
    /// Picture height in pixels.
    pub height: u32,
    /// At most this many vectors are drawn as dots; above it, every k-th
    /// vector by serial number is drawn, and the legend says so.
    pub max_dots: usize,
    /// Draw a tick at every virtual node (skipped above 4,000 points, and said so).
    pub show_ticks: bool,
    /// Draw the vectors as dots.
    pub show_dots: bool,
    /// Mark the vectors the last change moved.
    pub show_moved: bool,
    /// A title to use instead of the generated one.
    pub title: Option<String>,
    /// Text, lines and dots drawn 1.4 times larger, for a projector at the
    /// back of a classroom (see [`RenderOptions::projector`]).
    pub large_print: bool,
}

impl RenderOptions {
    /// The preset for a class reading the screen from a distance: large
    /// print and at most 1,500 dots, the same size of picture.
    ///
    /// Pictures a store draws by itself (after each change, say) use
    /// [`default_options`], which is this preset when the session was
    /// started with [`PROJECTOR_VARIABLE`] set.
    ///
    /// ```
    /// let options = elastic_vdb::RenderOptions::projector();
    /// assert!(options.large_print && options.max_dots == 1500);
    /// ```
    #[must_use]
    pub fn projector() -> RenderOptions {
        RenderOptions {
            max_dots: 1500,
            large_print: true,
            ..RenderOptions::default()
        }
    }

    /// How many times larger than standard text, lines and dots are drawn.
    pub(crate) fn scale(&self) -> f64 {
        print_scale(self.large_print)
    }

    /// A font size in pixels, scaled.
    pub(crate) fn font(&self, pixels: u32) -> f64 {
        f64::from(pixels) * self.scale()
    }
}

/// How many times larger than standard a picture's text, lines and dots
/// are drawn: 1.4 in large print, read from the back of a classroom.
pub(crate) fn print_scale(large_print: bool) -> f64 {
    if large_print { 1.4 } else { 1.0 }
}

/// The environment variable that switches a whole session to the
/// [`RenderOptions::projector`] preset: set to anything but `0` or nothing,
/// as `make notebook PROJECTOR=1` does for every kernel of the server.
///
/// A variable of the process, not a static of this crate: evcxr compiles
/// each cell against its own copy of the library, so a static set in one
/// cell is not seen by the next.
pub const PROJECTOR_VARIABLE: &str = "ELASTIC_VDB_PROJECTOR";

/// The options pictures are drawn with unless a cell passes its own:
/// [`RenderOptions::projector`] when [`PROJECTOR_VARIABLE`] is set,
/// [`RenderOptions::default`] otherwise.
///
/// ```
/// let options = elastic_vdb::render::default_options();
/// assert_eq!(options.width, 800);
/// assert_eq!(options.large_print, std::env::var_os("ELASTIC_VDB_PROJECTOR")
///     .is_some_and(|value| !value.is_empty() && value != "0"));
/// ```
#[must_use]
pub fn default_options() -> RenderOptions {
    match std::env::var_os(PROJECTOR_VARIABLE) {
        Some(value) if !value.is_empty() && value != "0" => RenderOptions::projector(),
        _ => RenderOptions::default(),
    }
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            width: 800,
            height: 540,
            max_dots: 6000,
            show_ticks: true,
            show_dots: true,
            show_moved: true,
            title: None,
            large_print: false,
        }
    }
}

/// The longest side of any picture, in pixels: a larger `width` or `height`
/// is drawn at this size (a side of `u32::MAX` would otherwise ask for an
/// SVG of tens of gigabytes).
pub const MAX_SIDE: u32 = 4096;

/// The largest magnitude a chart draws. Values beyond it are drawn at it
/// (on a log axis, positive values below its inverse are drawn at the
/// inverse) and the title says so: plotters cannot lay out an axis up to
/// `f64::MAX`, and never finishes trying.
pub const MAX_DRAWN: f64 = 1e12;

/// A picture side held to `min..=MAX_SIDE`.
fn side(value: u32, min: u32) -> u32 {
    value.clamp(min, MAX_SIDE)
}

/// A finite value as drawn: held to `±MAX_DRAWN`, or for a log axis (where
/// it is positive) to `1/MAX_DRAWN..=MAX_DRAWN`.
fn drawn(value: f64, log: bool) -> f64 {
    if log {
        value.clamp(1.0 / MAX_DRAWN, MAX_DRAWN)
    } else {
        value.clamp(-MAX_DRAWN, MAX_DRAWN)
    }
}

/// The note a chart's title gets when some value was drawn at the limit.
fn clamped_note(clamped: bool) -> &'static str {
    if clamped {
        " (values beyond 1e12 drawn at the edge)"
    } else {
        ""
    }
}

/// Prints the evcxr display blocks for a picture: a plain-text summary, an
/// HTML `<img>` holding the SVG as a data URI, and the SVG itself.
fn print_evcxr_blocks(summary: &str, alt: &str, svg: &str) {
    print_picture_and_html(summary, alt, svg, "");
}

/// [`print_evcxr_blocks`], with more HTML (a table, say) after the picture.
fn print_picture_and_html(summary: &str, alt: &str, svg: &str, html_after: &str) {
    let encoded = base64::engine::general_purpose::STANDARD.encode(svg);
    let alt = escape_xml(alt);
    println!("EVCXR_BEGIN_CONTENT text/plain\n{summary}\nEVCXR_END_CONTENT");
    println!(
        "EVCXR_BEGIN_CONTENT text/html\n<img alt=\"{alt}\" title=\"{alt}\" src=\"data:image/svg+xml;base64,{encoded}\"/>{html_after}\nEVCXR_END_CONTENT"
    );
    println!("EVCXR_BEGIN_CONTENT image/svg+xml\n{svg}\nEVCXR_END_CONTENT");
}

/// Prints the evcxr display blocks for a table: its text form and its HTML.
pub(crate) fn print_text_and_html(text: &str, html: &str) {
    println!("EVCXR_BEGIN_CONTENT text/plain\n{text}\nEVCXR_END_CONTENT");
    println!("EVCXR_BEGIN_CONTENT text/html\n{html}\nEVCXR_END_CONTENT");
}

/// Escapes text for an XML attribute or element.
pub(crate) fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

/// The drawing area every chart draws on.
type Canvas<'a> =
    plotters::drawing::DrawingArea<plotters::backend::SVGBackend<'a>, plotters::coord::Shift>;

/// Draws a `width` x `height` SVG document with `draw`; if drawing fails,
/// the document says why instead (a notebook cell never panics over it).
fn svg_document(
    width: u32,
    height: u32,
    draw: impl FnOnce(&Canvas<'_>) -> Result<(), String>,
) -> String {
    use plotters::prelude::IntoDrawingArea;
    let mut svg = String::new();
    let drawn = {
        let root = plotters::backend::SVGBackend::with_string(&mut svg, (width, height))
            .into_drawing_area();
        draw(&root).and_then(|()| root.present().map_err(|e| e.to_string()))
    };
    match drawn {
        Ok(()) => svg,
        Err(message) => error_svg(width, height, &message),
    }
}

/// A small SVG that states why a picture could not be drawn, so that a
/// notebook cell never panics over a drawing problem.
fn error_svg(width: u32, height: u32, message: &str) -> String {
    format!(
        r##"<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg"><text x="20" y="40" font-family="sans-serif" font-size="16" fill="#b00020">could not draw: {}</text></svg>"##,
        escape_xml(message)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escaping_covers_markup() {
        assert_eq!(escape_xml(r#"<a & "b">"#), "&lt;a &amp; &quot;b&quot;&gt;");
    }
}
