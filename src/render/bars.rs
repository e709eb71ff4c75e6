//! The distribution bar chart.

use std::collections::BTreeMap;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{RenderOptions, node_colors, print_evcxr_blocks, side, svg_document, thousands};
use crate::store::VectorStore;

/// Vectors per node as bars, with the ideal (the mean) as a dashed line.
///
/// ```
/// let mut db = elastic_vdb::VectorStore::default();
/// db.add_vectors(1000)?;
/// db.add_node("a")?;
/// db.add_node("b")?;
/// let view = db.distribution_view();
/// assert_eq!(view.mean(), 500.0);
/// assert!(view.to_svg().contains("mean 500"));
/// # Ok::<(), elastic_vdb::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct DistributionView {
    distribution: BTreeMap<String, usize>,
    /// Each node's fair count when nodes have different weights: the
    /// vectors times its weight over the sum of the weights.
    targets: Option<BTreeMap<String, f64>>,
    title: String,
    options: RenderOptions,
}

impl DistributionView {
    pub(crate) fn of_store(store: &VectorStore) -> DistributionView {
        let mut view = DistributionView::new(
            store.distribution(),
            format!(
                "Vectors per node | nodes={} | vectors={}",
                store.ring().node_count(),
                store.len()
            ),
        );
        let ring = store.ring();
        let weights: Vec<(String, f64)> = ring
            .nodes()
            .map(|id| (id.to_owned(), ring.weight_of(id).unwrap_or(1.0)))
            .collect();
        let sum: f64 = weights.iter().map(|(_, weight)| weight).sum();
        let uneven = weights.windows(2).any(|pair| pair[0].1 != pair[1].1);
        if uneven && sum > 0.0 {
            let total = view.distribution.values().sum::<usize>() as f64;
            view.targets = Some(
                weights
                    .into_iter()
                    .map(|(id, weight)| (id, total * weight / sum))
                    .collect(),
            );
        }
        view
    }

    /// Each node's fair count, when the nodes have different weights: the
    /// vectors times its weight over the sum of the weights. `None` when all
    /// weigh the same (the mean is then every node's target).
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(700)?;
    /// db.add_weighted_node("small", 1.0)?;
    /// db.add_weighted_node("large", 6.0)?;
    /// let targets = db.distribution_view().targets().cloned().unwrap_or_default();
    /// assert_eq!((targets["small"], targets["large"]), (100.0, 600.0));
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn targets(&self) -> Option<&BTreeMap<String, f64>> {
        self.targets.as_ref()
    }

    /// A chart of any node -> count map.
    ///
    /// ```
    /// use elastic_vdb::DistributionView;
    ///
    /// let counts = [("x".to_string(), 3), ("y".to_string(), 5)].into_iter().collect();
    /// assert_eq!(DistributionView::new(counts, "Keys").mean(), 4.0);
    /// ```
    #[must_use]
    pub fn new(
        distribution: BTreeMap<String, usize>,
        title: impl Into<String>,
    ) -> DistributionView {
        DistributionView {
            distribution,
            targets: None,
            title: title.into(),
            options: RenderOptions {
                height: 360,
                ..super::default_options()
            },
        }
    }

    /// The same chart drawn with other options (size and title are used).
    ///
    /// ```
    /// use elastic_vdb::{DistributionView, RenderOptions};
    ///
    /// let view = DistributionView::new(Default::default(), "Keys")
    ///     .with_options(RenderOptions { title: Some("Mine".into()), ..Default::default() });
    /// assert!(view.to_svg().contains("Mine"));
    /// ```
    #[must_use]
    pub fn with_options(mut self, options: RenderOptions) -> DistributionView {
        self.options = options;
        self
    }

    /// The mean count per node: what every node would hold in a perfect split.
    ///
    /// ```
    /// assert_eq!(elastic_vdb::DistributionView::new(Default::default(), "").mean(), 0.0);
    /// ```
    #[must_use]
    pub fn mean(&self) -> f64 {
        if self.distribution.is_empty() {
            return 0.0;
        }
        self.distribution.values().sum::<usize>() as f64 / self.distribution.len() as f64
    }

    /// The counts as text, one node a line, with each node's ratio to the mean.
    ///
    /// ```
    /// let counts = [("x".to_string(), 3), ("y".to_string(), 5)].into_iter().collect();
    /// let text = elastic_vdb::DistributionView::new(counts, "Keys").summary();
    /// assert!(text.contains("y  5  1.25x"));
    /// ```
    #[must_use]
    pub fn summary(&self) -> String {
        let mean = self.mean();
        let width = crate::format::widest(self.distribution.keys());
        let mut out = format!("{} | mean={mean:.1}", self.title());
        if let Some(targets) = &self.targets {
            out.push_str(" | targets follow the weights");
            for (id, &count) in &self.distribution {
                let target = targets.get(id).copied().unwrap_or(0.0);
                let ratio = if target > 0.0 {
                    count as f64 / target
                } else {
                    0.0
                };
                out.push_str(&format!(
                    "\n{id:<width$}  {count}  {ratio:.2}x its target {target:.0}"
                ));
            }
            return out;
        }
        for (id, &count) in &self.distribution {
            let ratio = if mean > 0.0 { count as f64 / mean } else { 0.0 };
            out.push_str(&format!("\n{id:<width$}  {count}  {ratio:.2}x"));
        }
        out
    }

    fn title(&self) -> &str {
        self.options.title.as_deref().unwrap_or(&self.title)
    }

    /// The chart as an SVG document.
    ///
    /// ```
    /// let svg = elastic_vdb::DistributionView::new(Default::default(), "Keys").to_svg();
    /// assert!(svg.contains("no nodes"));
    /// ```
    #[must_use]
    pub fn to_svg(&self) -> String {
        let (width, height) = (
            side(self.options.width, 200),
            side(self.options.height, 160),
        );
        svg_document(width, height, |root| self.draw(root))
    }

    /// Shows the chart in an evcxr notebook cell.
    pub fn evcxr_display(&self) {
        print_evcxr_blocks(&self.summary(), self.title(), &self.to_svg());
    }

    fn draw(
        &self,
        root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    ) -> Result<(), String> {
        let error = |e: DrawingAreaErrorKind<_>| e.to_string();
        root.fill(&WHITE).map_err(error)?;
        if self.distribution.is_empty() {
            root.draw(&Text::new(
                format!("{}: no nodes", self.title()),
                (20, 20),
                ("sans-serif", self.options.font(18)),
            ))
            .map_err(error)?;
            return Ok(());
        }
        let ids: Vec<&str> = self.distribution.keys().map(String::as_str).collect();
        let counts: Vec<usize> = self.distribution.values().copied().collect();
        let colors = node_colors(ids.iter().copied());
        let highest_target = self.targets.as_ref().map_or(0.0, |targets| {
            targets.values().fold(0.0, |a: f64, &b| a.max(b))
        });
        let top = ((*counts.iter().max().unwrap_or(&0)).max(1) as f64).max(highest_target) * 1.3;
        let mean = self.mean();

        let mut chart = ChartBuilder::on(root)
            .caption(
                self.title(),
                ("sans-serif", self.options.font(19))
                    .into_font()
                    .style(FontStyle::Bold),
            )
            .margin(14)
            .x_label_area_size(34.0 * self.options.scale())
            .y_label_area_size(64.0 * self.options.scale())
            .build_cartesian_2d(0f64..ids.len() as f64, 0f64..top)
            .map_err(error)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_desc("vectors")
            .y_label_formatter(&|value| thousands(*value as usize))
            .label_style(("sans-serif", self.options.font(13)))
            .draw()
            .map_err(error)?;
        for (index, (id, &count)) in ids.iter().zip(&counts).enumerate() {
            let x = index as f64;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x + 0.15, 0.0), (x + 0.85, count as f64)],
                    colors[id].filled(),
                )))
                .map_err(error)?;
            let label_style = TextStyle::from(("sans-serif", self.options.font(13)).into_font())
                .pos(Pos::new(HPos::Center, VPos::Bottom));
            // The count sits just above its bar, unless the dashed line
            // would cross it there: then just above the line.
            let (px, bar_top) = chart.backend_coord(&(x + 0.5, count as f64));
            let line = match &self.targets {
                Some(targets) => targets.get(*id).copied().unwrap_or(0.0),
                None => mean,
            };
            let (_, line_y) = chart.backend_coord(&(x + 0.5, line));
            let mut bottom = bar_top - 3;
            let label_height = (17.0 * self.options.scale()) as i32;
            if line_y >= bottom - label_height && line_y <= bottom + 3 {
                bottom = line_y - 4;
            }
            root.draw(&Text::new(thousands(count), (px, bottom), label_style))
                .map_err(error)?;
            let name_style = TextStyle::from(("sans-serif", self.options.font(13)).into_font())
                .pos(Pos::new(HPos::Center, VPos::Top));
            let (px, _) = chart.backend_coord(&(x + 0.5, 0.0));
            let (_, bottom) = chart.backend_coord(&(0.0, 0.0));
            root.draw(&Text::new(id.to_string(), (px, bottom + 8), name_style))
                .map_err(error)?;
        }
        // One dashed line: the mean across all bars, or each node's own
        // target across its bar when the nodes weigh differently.
        let (lines, label) = match &self.targets {
            Some(targets) => (
                ids.iter()
                    .enumerate()
                    .map(|(index, id)| {
                        let target = targets.get(*id).copied().unwrap_or(0.0);
                        let x = index as f64;
                        vec![(x + 0.05, target), (x + 0.95, target)]
                    })
                    .collect::<Vec<_>>(),
                "target: share of the weights".to_owned(),
            ),
            None => (
                vec![vec![(0.0, mean), (ids.len() as f64, mean)]],
                format!("mean {}", thousands(mean.round() as usize)),
            ),
        };
        chart
            .draw_series(lines.into_iter().map(|line| {
                plotters::element::DashedPathElement::new(
                    line,
                    6,
                    4,
                    ShapeStyle::from(&BLACK).stroke_width(2),
                )
            }))
            .map_err(error)?
            .label(label)
            .legend(|(x, y)| {
                PathElement::new(
                    vec![(x, y), (x + 20, y)],
                    ShapeStyle::from(&BLACK).stroke_width(2),
                )
            });
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .label_font(("sans-serif", self.options.font(13)))
            .draw()
            .map_err(error)?;
        Ok(())
    }
}
