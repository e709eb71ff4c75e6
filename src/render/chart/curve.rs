//! Curves on linear or log axes: measured series and theory lines.

use plotters::coord::combinators::IntoLogRange;
use plotters::prelude::*;

use super::{Print, SERIES_COLORS, tick};
use crate::render::{clamped_note, drawn, print_evcxr_blocks, side, svg_document};

/// How a [`Series`] is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeriesStyle {
    /// A solid line with a dot at each point (measurements).
    LineWithMarkers,
    /// A dashed line (theory).
    Dashed,
    /// A dotted line (a second theory).
    Dotted,
}

/// One named line of a [`CurveView`].
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The legend text.
    pub label: String,
    /// (x, y) points in order.
    pub points: Vec<(f64, f64)>,
    /// How it is drawn.
    pub style: SeriesStyle,
}

/// Curves on linear or logarithmic axes: measurements against theory.
///
/// ```
/// use elastic_vdb::render::{CurveView, Series, SeriesStyle};
///
/// let view = CurveView {
///     title: "CV".into(),
///     log_x: true,
///     series: vec![Series { label: "1/sqrt(V)".into(), points: vec![(1.0, 1.0), (100.0, 0.1)], style: SeriesStyle::Dashed }],
///     ..Default::default()
/// };
/// assert!(view.to_svg().contains("1/sqrt(V)"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CurveView {
    /// The caption.
    pub title: String,
    /// The x axis description.
    pub x_label: String,
    /// The y axis description.
    pub y_label: String,
    /// The lines.
    pub series: Vec<Series>,
    /// A logarithmic x axis (points at or below zero are skipped).
    pub log_x: bool,
    /// A logarithmic y axis (points at or below zero are skipped).
    pub log_y: bool,
    /// Picture width in pixels.
    pub width: u32,
    /// Picture height in pixels.
    pub height: u32,
    /// Text and lines 1.4 times larger, for a projector; the default is
    /// that of [`crate::render::default_options`].
    pub large_print: bool,
}

impl Default for CurveView {
    fn default() -> Self {
        CurveView {
            title: String::new(),
            x_label: String::new(),
            y_label: String::new(),
            series: Vec::new(),
            log_x: false,
            log_y: false,
            width: 800,
            height: 440,
            large_print: crate::render::default_options().large_print,
        }
    }
}

impl CurveView {
    /// The points as text, a series a line.
    #[must_use]
    pub fn summary(&self) -> String {
        let mut out = self.title.clone();
        for series in &self.series {
            out.push_str(&format!(
                "\n{}: {} points",
                series.label,
                series.points.len()
            ));
            if series.style == SeriesStyle::LineWithMarkers {
                for (x, y) in &series.points {
                    out.push_str(&format!(" ({x}, {y:.4})"));
                }
            }
        }
        out
    }

    /// The chart as an SVG document.
    #[must_use]
    pub fn to_svg(&self) -> String {
        let (width, height) = (side(self.width, 300), side(self.height, 200));
        svg_document(width, height, |root| self.draw(root))
    }

    /// Shows the chart in an evcxr notebook cell.
    pub fn evcxr_display(&self) {
        print_evcxr_blocks(&self.summary(), &self.title, &self.to_svg());
    }

    /// The points of `series` that can be drawn (finite, positive on a log
    /// axis), as drawn (held to [`super::MAX_DRAWN`]).
    fn drawable<'a>(&'a self, series: &'a Series) -> impl Iterator<Item = (f64, f64)> + 'a {
        series
            .points
            .iter()
            .copied()
            .filter(|&point| self.can_draw(point))
            .map(|(x, y)| (drawn(x, self.log_x), drawn(y, self.log_y)))
    }

    /// Finite, and positive on a log axis.
    fn can_draw(&self, (x, y): (f64, f64)) -> bool {
        x.is_finite() && y.is_finite() && (!self.log_x || x > 0.0) && (!self.log_y || y > 0.0)
    }

    fn usable(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.series.iter().flat_map(|series| self.drawable(series))
    }

    /// Whether some point is drawn at the limit rather than where it is.
    fn clamped(&self) -> bool {
        self.series
            .iter()
            .flat_map(|series| series.points.iter().copied())
            .filter(|&point| self.can_draw(point))
            .any(|(x, y)| drawn(x, self.log_x) != x || drawn(y, self.log_y) != y)
    }

    fn draw(
        &self,
        root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    ) -> Result<(), String> {
        let error = |e: DrawingAreaErrorKind<_>| e.to_string();
        root.fill(&WHITE).map_err(error)?;
        let Some(first) = self.usable().next() else {
            root.draw(&Text::new(
                format!("{}: nothing to draw", self.title),
                (20, 20),
                ("sans-serif", self.font(18)),
            ))
            .map_err(error)?;
            return Ok(());
        };
        let (mut x0, mut x1, mut y0, mut y1) = (first.0, first.0, first.1, first.1);
        for (x, y) in self.usable() {
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
        let pad = |low: f64, high: f64, log: bool| -> (f64, f64) {
            if log {
                (low / 1.4, high * 1.4)
            } else {
                let span = (high - low).max(high.abs() * 0.1).max(1e-9);
                (low - span * 0.05, high + span * 0.08)
            }
        };
        let (x0, x1) = pad(x0, x1, self.log_x);
        let (y0, y1) = pad(y0, y1, self.log_y);
        let caption = ("sans-serif", self.font(19))
            .into_font()
            .style(FontStyle::Bold);
        let title = format!("{}{}", self.title, clamped_note(self.clamped()));
        let mut builder = ChartBuilder::on(root);
        builder
            .caption(&title, caption)
            .margin(14)
            .x_label_area_size(44.0 * self.scale())
            .y_label_area_size(70.0 * self.scale());
        macro_rules! plot {
            ($x:expr, $y:expr) => {{
                let mut chart = builder.build_cartesian_2d($x, $y).map_err(error)?;
                chart
                    .configure_mesh()
                    .x_desc(&self.x_label)
                    .y_desc(&self.y_label)
                    .x_labels(8)
                    .y_labels(8)
                    .x_label_formatter(&|value| tick(*value))
                    .y_label_formatter(&|value| tick(*value))
                    .light_line_style(WHITE.mix(0.0))
                    .label_style(("sans-serif", self.font(13)))
                    .draw()
                    .map_err(error)?;
                for (index, series) in self.series.iter().enumerate() {
                    let color = SERIES_COLORS[index % SERIES_COLORS.len()];
                    let points: Vec<(f64, f64)> = self.drawable(series).collect();
                    let style = ShapeStyle::from(&color).stroke_width(2);
                    match series.style {
                        SeriesStyle::LineWithMarkers => {
                            chart
                                .draw_series(std::iter::once(PathElement::new(
                                    points.clone(),
                                    style,
                                )))
                                .map_err(error)?
                                .label(&series.label)
                                .legend(move |(x, y)| {
                                    PathElement::new(vec![(x, y), (x + 20, y)], style)
                                });
                            chart
                                .draw_series(
                                    points
                                        .iter()
                                        .map(|&point| Circle::new(point, 4, color.filled())),
                                )
                                .map_err(error)?;
                        }
                        SeriesStyle::Dashed | SeriesStyle::Dotted => {
                            let (dash, gap) = if series.style == SeriesStyle::Dashed {
                                (8, 5)
                            } else {
                                (2, 4)
                            };
                            chart
                                .draw_series(std::iter::once(
                                    plotters::element::DashedPathElement::new(
                                        points, dash, gap, style,
                                    ),
                                ))
                                .map_err(error)?
                                .label(&series.label)
                                .legend(move |(x, y)| {
                                    plotters::element::DashedPathElement::new(
                                        vec![(x, y), (x + 20, y)],
                                        dash,
                                        gap,
                                        style,
                                    )
                                });
                        }
                    }
                }
                chart
                    .configure_series_labels()
                    .position(SeriesLabelPosition::LowerLeft)
                    .background_style(WHITE.mix(0.85))
                    .border_style(BLACK.mix(0.3))
                    .label_font(("sans-serif", self.font(13)))
                    .draw()
                    .map_err(error)?;
            }};
        }
        match (self.log_x, self.log_y) {
            (true, true) => plot!((x0..x1).log_scale(), (y0..y1).log_scale()),
            (true, false) => plot!((x0..x1).log_scale(), y0..y1),
            (false, true) => plot!(x0..x1, (y0..y1).log_scale()),
            (false, false) => plot!(x0..x1, y0..y1),
        }
        Ok(())
    }
}
