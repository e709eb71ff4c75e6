//! Grouped bars: one group per label, one bar per series, with dashed
//! reference lines.

use plotters::prelude::*;

use super::{Print, SERIES_COLORS, tick};
use crate::render::{clamped_note, drawn, print_evcxr_blocks, side, svg_document};

/// Bars in groups (one group per label, one bar per series) with dashed
/// horizontal reference lines: movement or balance per strategy.
///
/// ```
/// use elastic_vdb::render::GroupedBarsView;
///
/// let view = GroupedBarsView {
///     title: "Moved".into(),
///     groups: vec!["ring".into(), "modulo".into()],
///     series: vec![("join".into(), vec![0.09, 0.91])],
///     references: vec![("ideal".into(), 1.0 / 11.0)],
///     ..Default::default()
/// };
/// assert!(view.to_svg().contains("modulo"));
/// assert!(view.summary().contains("modulo  join=0.910"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GroupedBarsView {
    /// The caption.
    pub title: String,
    /// The y axis description.
    pub y_label: String,
    /// One label per group of bars.
    pub groups: Vec<String>,
    /// Series: a name and one value per group.
    pub series: Vec<(String, Vec<f64>)>,
    /// Horizontal dashed lines: a name and a value.
    pub references: Vec<(String, f64)>,
    /// Draw reference `i` only across the bars of series `i` (each series
    /// has its own ideal), instead of across the whole chart, so that two
    /// close references cannot be mistaken for one.
    pub references_per_series: bool,
    /// A logarithmic y axis (values at or below zero are drawn at the bottom).
    pub log_y: bool,
    /// Picture width in pixels.
    pub width: u32,
    /// Picture height in pixels.
    pub height: u32,
    /// Text and lines 1.4 times larger, for a projector; the default is
    /// that of [`crate::render::default_options`].
    pub large_print: bool,
}

impl Default for GroupedBarsView {
    fn default() -> Self {
        GroupedBarsView {
            title: String::new(),
            y_label: String::new(),
            groups: Vec::new(),
            series: Vec::new(),
            references: Vec::new(),
            references_per_series: false,
            log_y: false,
            width: 800,
            height: 380,
            large_print: crate::render::default_options().large_print,
        }
    }
}

impl GroupedBarsView {
    /// The values as text, a group a line.
    #[must_use]
    pub fn summary(&self) -> String {
        let width = crate::format::widest(&self.groups);
        let mut out = self.title.clone();
        for (index, group) in self.groups.iter().enumerate() {
            out.push_str(&format!("\n{group:<width$}"));
            for (name, values) in &self.series {
                if let Some(value) = values.get(index) {
                    out.push_str(&format!("  {name}={value:.3}"));
                }
            }
        }
        for (name, value) in &self.references {
            out.push_str(&format!("\n{name}: {value:.3}"));
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

    /// Every finite value (bars and reference lines), as given.
    fn finite(&self) -> impl Iterator<Item = f64> + '_ {
        self.series
            .iter()
            .flat_map(|(_, values)| values.iter().copied())
            .chain(self.references.iter().map(|&(_, value)| value))
            .filter(|value| value.is_finite())
    }

    /// Every finite value as drawn (held to [`super::MAX_DRAWN`]).
    fn values(&self) -> impl Iterator<Item = f64> + '_ {
        self.finite().map(|value| drawn(value, false))
    }

    /// Whether some bar or line is drawn at the limit rather than where it
    /// is (an infinite bar included; NaN, infinite lines and, on a log axis,
    /// values at or below zero are not drawn at all).
    fn clamped(&self) -> bool {
        let bars = self
            .series
            .iter()
            .flat_map(|(_, values)| values.iter().copied())
            .filter(|value| !value.is_nan());
        let lines = self
            .references
            .iter()
            .map(|&(_, value)| value)
            .filter(|value| value.is_finite());
        bars.chain(lines)
            .filter(|value| !self.log_y || *value > 0.0)
            .any(|value| drawn(value, self.log_y) != value)
    }

    fn draw(
        &self,
        root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    ) -> Result<(), String> {
        let error = |e: DrawingAreaErrorKind<_>| e.to_string();
        root.fill(&WHITE).map_err(error)?;
        let top = self.values().fold(0.0f64, f64::max).max(f64::MIN_POSITIVE);
        let groups = self.groups.len().max(1) as f64;
        let bars = self.series.len().max(1) as f64;
        let caption = ("sans-serif", self.font(19))
            .into_font()
            .style(FontStyle::Bold);
        let title = format!("{}{}", self.title, clamped_note(self.clamped()));
        let mut builder = ChartBuilder::on(root);
        builder
            .caption(&title, caption)
            .margin(14)
            .x_label_area_size(34.0 * self.scale())
            .y_label_area_size(64.0 * self.scale());
        let place = |group: usize, bar: usize| -> (f64, f64) {
            let left = group as f64 + 0.1 + 0.8 * bar as f64 / bars;
            (left, left + 0.8 / bars)
        };
        if self.log_y {
            let top = drawn(top, true);
            let bottom = self
                .finite()
                .filter(|&value| value > 0.0)
                .map(|value| drawn(value, true))
                .fold(top, f64::min)
                / 2.0;
            let mut chart = builder
                .build_cartesian_2d(0f64..groups, (bottom..top * 2.0).log_scale())
                .map_err(error)?;
            self.finish(root, &mut chart, (bottom, top * 2.0), &place)
        } else {
            let mut chart = builder
                .build_cartesian_2d(0f64..groups, 0f64..top * 1.25)
                .map_err(error)?;
            self.finish(root, &mut chart, (0.0, top * 1.25), &place)
        }
    }

    /// The mesh, the bars from `bottom`, reference lines, group labels and
    /// the legend, for either y scale.
    fn finish<'chart, 'svg, Y>(
        &self,
        root: &DrawingArea<SVGBackend<'svg>, plotters::coord::Shift>,
        chart: &mut ChartContext<
            'chart,
            SVGBackend<'svg>,
            Cartesian2d<plotters::coord::types::RangedCoordf64, Y>,
        >,
        (bottom, ceiling): (f64, f64),
        place: &dyn Fn(usize, usize) -> (f64, f64),
    ) -> Result<(), String>
    where
        Y: Ranged<ValueType = f64> + plotters::coord::ranged1d::ValueFormatter<f64>,
        'svg: 'chart,
    {
        use plotters::style::text_anchor::{HPos, Pos, VPos};
        let error = |e: DrawingAreaErrorKind<_>| e.to_string();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_labels(8)
            .y_label_formatter(&|value| tick(*value))
            .light_line_style(WHITE.mix(0.0))
            .y_desc(&self.y_label)
            .label_style(("sans-serif", self.font(13)))
            .draw()
            .map_err(error)?;
        for (series, (name, values)) in self.series.iter().enumerate() {
            let color = SERIES_COLORS[series % SERIES_COLORS.len()];
            chart
                .draw_series(values.iter().enumerate().map(|(group, &value)| {
                    let (left, right) = place(group, series);
                    let log = bottom > 0.0;
                    let value = if value.is_nan() || (log && value <= 0.0) {
                        bottom
                    } else {
                        drawn(value, log).max(bottom)
                    };
                    Rectangle::new([(left, bottom), (right, value)], color.filled())
                }))
                .map_err(error)?
                .label(name)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 14, y + 5)], color.filled())
                });
        }
        let groups = self.groups.len().max(1) as f64;
        for (index, (name, value)) in self.references.iter().enumerate() {
            // A line off the chart (below a linear axis' zero, at or below
            // zero on a log axis) is left out: plotters' pixel arithmetic
            // overflows far outside the chart.
            if !(value.is_finite() && (bottom..=ceiling).contains(&drawn(*value, bottom > 0.0))) {
                continue;
            }
            let value = drawn(*value, bottom > 0.0);
            let dash = 4 + 3 * index as u32;
            let spans: Vec<(f64, f64)> = if self.references_per_series && index < self.series.len()
            {
                (0..self.groups.len())
                    .map(|group| place(group, index))
                    .collect()
            } else {
                vec![(0.0, groups)]
            };
            chart
                .draw_series(spans.into_iter().map(|(left, right)| {
                    plotters::element::DashedPathElement::new(
                        vec![(left, value), (right, value)],
                        dash,
                        4,
                        ShapeStyle::from(&BLACK.mix(0.8)).stroke_width(2),
                    )
                }))
                .map_err(error)?
                .label(name)
                .legend(move |(x, y)| {
                    plotters::element::DashedPathElement::new(
                        vec![(x, y), (x + 20, y)],
                        dash,
                        4,
                        ShapeStyle::from(&BLACK.mix(0.8)).stroke_width(2),
                    )
                });
        }
        let style = TextStyle::from(("sans-serif", self.font(13)).into_font())
            .pos(Pos::new(HPos::Center, VPos::Top));
        let bottom_value = bottom;
        let (_, bottom) = chart.plotting_area().get_pixel_range();
        for (index, group) in self.groups.iter().enumerate() {
            // Only x is used; y is the axis' own bottom, always on the chart.
            let (x, _) = chart.backend_coord(&(index as f64 + 0.5, bottom_value));
            root.draw(&Text::new(
                group.clone(),
                (x, bottom.end + 8),
                style.clone(),
            ))
            .map_err(error)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .label_font(("sans-serif", self.font(13)))
            .draw()
            .map_err(error)?;
        Ok(())
    }
}
