//! The ring picture.

use std::collections::BTreeMap;
use std::f64::consts::TAU;
use std::fmt::Write;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{RenderOptions, error_svg, node_colors, print_evcxr_blocks, rgb_hex, side, thousands};
use crate::ring::{Handover, Ring};
use crate::store::{Flow, VectorStore};

/// Up to this many ring points, a tick crosses the circle at each one;
/// above it, ticks are drawn short and faint outside the circle, so that
/// the arcs' colours stay readable (480 points, 01's rebuild to 160, are
/// drawn in full).
const FULL_TICKS: usize = 500;

/// Above this many ring points, ticks are not drawn: on the default
/// picture they would sit less than a pixel apart, a solid band hiding the
/// arcs (1,920 points, 01's rebuild to 640, are hidden, and the legend says so).
const MAX_TICKS: usize = 1_500;

/// Colour of vectors that no node holds.
const UNASSIGNED_GREY: RGBColor = RGBColor(150, 150, 150);

/// A picture of the hash ring: the circle is the space of 2^64 positions,
/// read clockwise from the top; each arc is coloured by the node that owns
/// it; a tick marks every virtual node; dots are vectors at their positions.
/// What the last change did is drawn outside the circle: a thin band over
/// every stretch that changed owner, in the colour of the owner before (so
/// band and arc read "from" and "to"), and a dark dot for every vector that
/// moved.
///
/// A view owns a snapshot of what it draws, so it stays valid after the
/// store changes.
///
/// ```
/// let mut db = elastic_vdb::VectorStore::default();
/// db.add_vectors(600)?;
/// db.add_node("nodeA")?;
/// let svg = db.ring_view().to_svg();
/// assert!(svg.contains("nodeA") && svg.contains("600"));
/// # Ok::<(), elastic_vdb::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct RingView {
    ring: Ring,
    /// The ring before the last change, to draw what it handed over.
    before: Option<Ring>,
    /// Serial and position of the sampled vectors; the ring says who holds each.
    dots: Vec<(u32, u64)>,
    /// Serial, position and flow index of the sampled moved vectors.
    moved: Vec<(u32, u64, usize)>,
    /// Every `stride`-th vector by serial is in `dots`.
    stride: usize,
    flows: Vec<Flow>,
    distribution: BTreeMap<String, usize>,
    replicas: BTreeMap<String, usize>,
    /// Positions of the sampled lost vectors.
    lost: Vec<u64>,
    lost_total: usize,
    total: usize,
    unassigned: usize,
    status: Option<String>,
    options: RenderOptions,
}

impl RingView {
    pub(crate) fn of_store(store: &VectorStore) -> RingView {
        let total = store.len();
        // The sample's positions are kept by the store: a view of a
        // million-vector store costs what its sample costs, with no hashing.
        let (stride, sample) = (store.sample().stride(), store.sample().positions());
        let lost = store.lost();
        let dots: Vec<(u32, u64)> = (0u32..)
            .step_by(stride)
            .zip(sample)
            .filter(|(serial, _)| lost.binary_search(serial).is_err())
            .map(|(serial, &position)| (serial, position))
            .collect();
        let moved = store
            .last_moved()
            .iter()
            .filter(|key| key.serial as usize % stride == 0)
            .map(|key| (key.serial, key.position, key.flow))
            .collect();
        let last = store.last_movement();
        RingView {
            ring: store.ring().clone(),
            before: last.map(|_| store.ring_before().clone()),
            dots,
            moved,
            stride,
            flows: last
                .map(|movement| movement.flows.clone())
                .unwrap_or_default(),
            distribution: store.distribution(),
            replicas: store.replica_distribution(),
            lost: lost
                .iter()
                .copied()
                .filter(|serial| *serial as usize % stride == 0)
                .map(|serial| crate::hash::key_position(&crate::hash::vector_id(serial)))
                .collect(),
            lost_total: lost.len(),
            total,
            unassigned: store.unassigned().len(),
            status: last.map(crate::store::Movement::status_line),
            options: super::default_options(),
        }
    }

    /// The same view drawn with other options.
    ///
    /// ```
    /// use elastic_vdb::{RenderOptions, VectorStore};
    ///
    /// let view = VectorStore::default().ring_view()
    ///     .with_options(RenderOptions { width: 500, ..Default::default() });
    /// assert!(view.to_svg().contains(r#"width="500""#));
    /// ```
    #[must_use]
    pub fn with_options(mut self, options: RenderOptions) -> RingView {
        self.options = options;
        self
    }

    /// The options the view draws with.
    ///
    /// ```
    /// assert_eq!(elastic_vdb::VectorStore::default().ring_view().options().width, 800);
    /// ```
    #[must_use]
    pub fn options(&self) -> &RenderOptions {
        &self.options
    }

    /// The title: the generated one names the node and vector counts.
    ///
    /// ```
    /// assert_eq!(elastic_vdb::VectorStore::default().ring_view().title(),
    ///            "Consistent hash ring | nodes=0 | vectors=0");
    /// ```
    #[must_use]
    pub fn title(&self) -> String {
        self.options.title.clone().unwrap_or_else(|| {
            format!(
                "Consistent hash ring | nodes={} | vectors={}",
                self.ring.node_count(),
                self.total
            )
        })
    }

    /// The status line of the change that led to this view, if any.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// assert_eq!(db.add_node("a")?.view.status(), Some("Added node | moved=0.000 (~0.0%)"));
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn status(&self) -> Option<&str> {
        self.status.as_deref()
    }

    /// Each node of the picture with its colour, sorted by id, a node the
    /// last change took away marked "(gone)": a key for a caption when the
    /// legend is left out (the filmstrip).
    pub(crate) fn node_key(&self) -> Vec<(String, RGBColor)> {
        self.colors()
            .into_iter()
            .map(|(id, color)| {
                if self.ring.contains_node(id) {
                    (id.to_owned(), color)
                } else {
                    (format!("{id} (gone)"), color)
                }
            })
            .collect()
    }

    /// The same picture without a status line (a caption carries it).
    pub(crate) fn without_status(mut self) -> RingView {
        self.status = None;
        self
    }

    /// The same picture without the vectors the last change moved (and
    /// without their flows in the legend): the state itself, as the first
    /// frame of a [`crate::Timeline`] shows it.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(100)?;
    /// db.add_node("a")?;
    /// assert!(db.ring_view().to_svg().contains("moved in the last change"));
    /// assert!(!db.ring_view().without_moves().to_svg().contains("moved in the last change"));
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn without_moves(mut self) -> RingView {
        self.moved.clear();
        self.flows.clear();
        self.before = None;
        self
    }

    /// The stretches the last change handed from one node to another.
    fn handovers(&self) -> Vec<Handover> {
        match (&self.before, self.options.show_moved) {
            (Some(before), true) => self.ring.handovers_since(before),
            _ => Vec::new(),
        }
    }

    /// A colour for every node the picture names: those on the ring, and
    /// those the last change took away (their stretches and flows are drawn
    /// in the colour they had).
    fn colors(&self) -> BTreeMap<&str, RGBColor> {
        let departed = self
            .flows
            .iter()
            .flat_map(|flow| [flow.from.as_deref(), flow.to.as_deref()])
            .flatten()
            .chain(self.before.iter().flat_map(Ring::nodes));
        node_colors(self.ring.nodes().chain(departed))
    }

    /// The same picture with another status line, such as "start" for the
    /// first frame of a [`crate::Timeline`] (a view of a store otherwise
    /// carries the status of the store's last change).
    ///
    /// ```
    /// let view = elastic_vdb::VectorStore::default().ring_view().with_status("start");
    /// assert_eq!(view.status(), Some("start"));
    /// ```
    #[must_use]
    pub fn with_status(mut self, status: impl Into<String>) -> RingView {
        self.status = Some(status.into());
        self
    }

    /// A few lines of text that say what the picture shows.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_node("a")?;
    /// assert!(db.ring_view().summary().contains("Shard distribution: {'a': 0}"));
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn summary(&self) -> String {
        let mut out = self.title();
        if let Some(status) = &self.status {
            let _ = write!(out, "\n{status}");
        }
        let _ = write!(
            out,
            "\nShard distribution: {}",
            python_dict(&self.distribution, self.unassigned)
        );
        out
    }

    /// The picture as an SVG document.
    ///
    /// ```
    /// let svg = elastic_vdb::VectorStore::default().ring_view().to_svg();
    /// assert!(svg.starts_with("<svg") && svg.contains("Ring is empty"));
    /// ```
    #[must_use]
    pub fn to_svg(&self) -> String {
        let (width, height) = (
            side(self.options.width, 200),
            side(self.options.height, 200),
        );
        let mut svg = String::new();
        let layers = {
            let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
            self.draw(&root).and_then(|layers| {
                root.present().map_err(|e| e.to_string())?;
                Ok(layers)
            })
        };
        match layers {
            Ok(layers) => {
                // Thousands of dots as plotters circles weigh about 75 bytes
                // each; as zero-length round-capped path segments, grouped by
                // colour, about 10.
                if let Some(end) = svg.rfind("</svg>") {
                    svg.insert_str(end, &layers);
                }
                svg
            }
            Err(message) => error_svg(width, height, &message),
        }
    }

    /// Shows the picture in an evcxr notebook cell.
    pub fn evcxr_display(&self) {
        let mut alt = self.title();
        if let Some(status) = &self.status {
            alt.push_str(" | ");
            alt.push_str(status);
        }
        print_evcxr_blocks(&self.summary(), &alt, &self.to_svg());
    }

    /// Draws everything but the dots; returns the dot layers as SVG text.
    fn draw(
        &self,
        root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    ) -> Result<String, String> {
        let error = |e: DrawingAreaErrorKind<_>| e.to_string();
        root.fill(&WHITE).map_err(error)?;
        let options = &self.options;
        let k = options.scale();
        let (width, height) = root.dim_in_pixel();
        let (width, height) = (f64::from(width), f64::from(height));
        let legend_width = if options.large_print {
            (width * 0.46).min(460.0)
        } else {
            (width * 0.38).min(330.0)
        };
        // Outside the circle, in turn: half the arc's stroke, a gap, the
        // band of what changed hands, the moved vectors (up to 22 * k
        // further out); `pad` holds them all.
        let arc_width = 14.0 * k;
        let pad = arc_width / 2.0 + 11.0 * k + 22.0 * k + 3.0;
        let top = 70.0 * k;
        let radius = ((width - legend_width - 30.0).min(height - top - 30.0) / 2.0 - pad).max(40.0);
        let center = (20.0 + pad + radius, top + pad + radius);
        let geometry = Geometry { center, radius };
        let band_radius = radius + arc_width / 2.0 + 6.0 * k;
        let outside = band_radius + 5.0 * k;

        let title_font = ("sans-serif", options.font(19))
            .into_font()
            .style(FontStyle::Bold);
        root.draw(&Text::new(self.title(), (16, 12), title_font))
            .map_err(error)?;
        if let Some(status) = &self.status {
            root.draw(&Text::new(
                status.clone(),
                (16, (38.0 * k) as i32),
                ("sans-serif", options.font(16))
                    .into_font()
                    .color(&RGBColor(60, 60, 60)),
            ))
            .map_err(error)?;
        }

        let colors = self.colors();
        let color_of = |node: Option<&str>| {
            node.and_then(|id| colors.get(id).copied())
                .unwrap_or(UNASSIGNED_GREY)
        };

        if self.ring.is_empty() {
            root.draw(&PathElement::new(
                geometry.circle(radius),
                ShapeStyle::from(&UNASSIGNED_GREY).stroke_width(2),
            ))
            .map_err(error)?;
            let message = TextStyle::from(("sans-serif", options.font(18)).into_font())
                .pos(Pos::new(HPos::Center, VPos::Center));
            root.draw(&Text::new(
                "Ring is empty: add a node",
                to_pixel(center),
                message.clone(),
            ))
            .map_err(error)?;
            if self.unassigned > 0 {
                let line = format!("{} vectors wait unassigned", thousands(self.unassigned));
                root.draw(&Text::new(
                    line,
                    (center.0 as i32, (center.1 + 26.0 * k) as i32),
                    message,
                ))
                .map_err(error)?;
            }
        } else {
            // Arcs: consecutive arcs of one owner are drawn as one stroke.
            let arcs = self.ring.arcs();
            let mut runs: Vec<(u64, u64, &str)> = Vec::new();
            for arc in &arcs {
                match runs.last_mut() {
                    Some(run) if run.2 == arc.node && arcs.len() > 1 => run.1 = arc.end,
                    _ => runs.push((arc.start, arc.end, arc.node)),
                }
            }
            for (start, end, node) in runs {
                let style = ShapeStyle::from(&color_of(Some(node))).stroke_width(arc_width as u32);
                root.draw(&PathElement::new(geometry.arc(start, end, radius), style))
                    .map_err(error)?;
            }
        }
        // Each stretch the last change handed over, in its old owner's colour.
        let handovers = self.handovers();
        for handover in &handovers {
            let style = ShapeStyle::from(&color_of(handover.from.as_deref()))
                .stroke_width((5.0 * k).round() as u32);
            root.draw(&PathElement::new(
                geometry.arc(handover.start, handover.end, band_radius),
                style,
            ))
            .map_err(error)?;
        }

        let mut layers = String::new();
        if options.show_ticks && self.ring.point_count() <= MAX_TICKS {
            // One path for all ticks: a polyline element per tick would
            // weigh about 100 bytes each.
            let full = self.ring.point_count() <= FULL_TICKS;
            let (inner, outer, style) = if full {
                (
                    radius - arc_width / 2.0 - 2.0,
                    radius + arc_width / 2.0 + 2.0,
                    r##"stroke-opacity="0.3" stroke-width="1""##,
                )
            } else {
                (
                    radius + arc_width / 2.0 - 3.0,
                    radius + arc_width / 2.0 + 2.0,
                    r##"stroke-opacity="0.25" stroke-width="0.6""##,
                )
            };
            let _ = write!(
                layers,
                r##"<path fill="none" stroke="#000000" {style} d=""##
            );
            for point in self.ring.points() {
                let angle = angle_of(point.position);
                let (x0, y0) = geometry.at(angle, inner);
                let (x1, y1) = geometry.at(angle, outer);
                let _ = write!(layers, "M{x0} {y0}L{x1} {y1}");
            }
            layers.push_str("\"/>");
        }
        let shown_stride = self.shown_stride();
        if options.show_dots {
            let mut by_color: BTreeMap<String, String> = BTreeMap::new();
            for (serial, position) in &self.dots {
                if *serial as usize % shown_stride != 0 {
                    continue;
                }
                // Spread dots across a band inside the ring, by bits of their
                // position, so that dense regions show as dense.
                let spread = (*position & 0xffff) as f64 / 65_535.0;
                let (x, y) = geometry.at(
                    angle_of(*position),
                    radius - arc_width / 2.0 - 13.0 - spread * radius * 0.28,
                );
                let _ = write!(
                    by_color
                        .entry(rgb_hex(color_of(self.ring.owner_of_position(*position))))
                        .or_default(),
                    "M{x} {y}h0"
                );
            }
            let _ = write!(
                layers,
                r#"<g fill="none" stroke-linecap="round" stroke-width="{}" opacity="0.55">"#,
                3.0 * k
            );
            for (color, path) in by_color {
                let _ = write!(layers, r#"<path stroke="{color}" d="{path}"/>"#);
            }
            layers.push_str("</g>");
        }
        if options.show_moved && !self.moved.is_empty() {
            // One colour for every moved vector: which nodes gave and took
            // is read from the band and the arc beneath it.
            let _ = write!(
                layers,
                r##"<path fill="none" stroke="#222222" stroke-opacity="0.75" stroke-linecap="round" stroke-width="{}" d=""##,
                3.5 * k
            );
            for (serial, position, _) in &self.moved {
                if *serial as usize % shown_stride != 0 {
                    continue;
                }
                let spread = (*position & 0xffff) as f64 / 65_535.0;
                let (x, y) =
                    geometry.at(angle_of(*position), outside + 4.0 * k + spread * 18.0 * k);
                // (at most `outside + 22 * k`, within `pad`)
                let _ = write!(layers, "M{x} {y}h0");
            }
            layers.push_str("\"/>");
        }

        if !self.lost.is_empty() {
            let _ = write!(
                layers,
                r##"<path fill="none" stroke="#d00000" stroke-width="{}" d=""##,
                1.6 * k
            );
            let arm = 3.0 * k;
            for &position in &self.lost {
                let spread = (position & 0xffff) as f64 / 65_535.0;
                let (x, y) = geometry.at(angle_of(position), outside + 6.0 * k + spread * 18.0 * k);
                let (x, y) = (f64::from(x), f64::from(y));
                let _ = write!(
                    layers,
                    "M{} {}l{} {}m0 {}l{} {}",
                    x - arm,
                    y - arm,
                    2.0 * arm,
                    2.0 * arm,
                    -2.0 * arm,
                    -2.0 * arm,
                    2.0 * arm
                );
            }
            layers.push_str("\"/>");
        }

        self.draw_legend(root, width - legend_width, &colors, !handovers.is_empty())?;
        Ok(layers)
    }

    /// Every how many serial numbers a dot is drawn, after `max_dots`.
    fn shown_stride(&self) -> usize {
        let wanted = self.options.max_dots.max(1);
        let per_view = self.total.div_ceil(wanted).max(1);
        // A multiple of the view's own stride, so the sample stays regular.
        per_view.div_ceil(self.stride) * self.stride
    }

    fn draw_legend(
        &self,
        root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
        left: f64,
        colors: &BTreeMap<&str, RGBColor>,
        band: bool,
    ) -> Result<(), String> {
        let error = |e: DrawingAreaErrorKind<_>| e.to_string();
        let options = &self.options;
        let k = options.scale();
        // Lengths in the legend, scaled for large print.
        let px = |length: f64| (length * k).round() as i32;
        let left = left as i32;
        let font = ("sans-serif", options.font(14)).into_font();
        let small = ("sans-serif", options.font(13))
            .into_font()
            .color(&RGBColor(70, 70, 70));
        let bold = ("sans-serif", options.font(14))
            .into_font()
            .style(FontStyle::Bold);
        let row = px(22.0);
        let swatch = px(14.0);
        let mut y = px(78.0);
        let counts = self.ring.vnode_counts();
        let shares = self.ring.ownership();
        let color_of = |node: Option<&str>| {
            node.and_then(|id| colors.get(id).copied())
                .unwrap_or(UNASSIGNED_GREY)
        };
        if !self.ring.is_empty() {
            root.draw(&Text::new(
                "node: keys, vnodes, ring share",
                (left, y),
                bold.clone(),
            ))
            .map_err(error)?;
            y += px(24.0);
        }
        let max_rows = if options.large_print { 12 } else { 18 };
        for (index, node) in self.ring.nodes().enumerate() {
            if index == max_rows {
                let rest = self.ring.node_count() - max_rows;
                root.draw(&Text::new(
                    format!("... and {rest} more nodes"),
                    (left, y),
                    small.clone(),
                ))
                .map_err(error)?;
                y += row;
                break;
            }
            root.draw(&Rectangle::new(
                [(left, y + 1), (left + swatch, y + 1 + swatch)],
                color_of(Some(node)).filled(),
            ))
            .map_err(error)?;
            let replicas = match self.replicas.get(node) {
                Some(&count) if count > 0 => format!(" (+{} copies)", thousands(count)),
                _ => String::new(),
            };
            let line = format!(
                "{node}: {}{replicas}, {}, {:.1}%",
                thousands(self.distribution.get(node).copied().unwrap_or(0)),
                counts.get(node).copied().unwrap_or(0),
                shares.get(node).copied().unwrap_or(0.0) * 100.0
            );
            root.draw(&Text::new(line, (left + swatch + px(8.0), y), font.clone()))
                .map_err(error)?;
            y += row;
        }

        let moved_total: usize = self.flows.iter().map(|flow| flow.count).sum();
        if options.show_moved && moved_total > 0 {
            y += px(10.0);
            root.draw(&Text::new(
                format!("moved in the last change: {}", thousands(moved_total)),
                (left, y),
                bold.clone(),
            ))
            .map_err(error)?;
            y += px(20.0);
            let band_line = band.then_some("thin band: the owner before the change");
            for line in
                std::iter::once("dark dots outside the ring: moved vectors").chain(band_line)
            {
                root.draw(&Text::new(line, (left, y), small.clone()))
                    .map_err(error)?;
                y += px(18.0);
            }
            y += px(6.0);
            let mut flows: Vec<&Flow> = self.flows.iter().collect();
            flows.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.cmp(b)));
            let max_flows = if options.large_print { 6 } else { 10 };
            for (index, flow) in flows.iter().enumerate() {
                if index == max_flows {
                    root.draw(&Text::new(
                        format!("... and {} more flows", flows.len() - max_flows),
                        (left, y),
                        small.clone(),
                    ))
                    .map_err(error)?;
                    y += row;
                    break;
                }
                // From and to as two swatches, the way band and arc show them.
                let half = swatch / 2;
                root.draw(&Rectangle::new(
                    [(left, y + 1), (left + swatch, y + 1 + half)],
                    color_of(flow.from.as_deref()).filled(),
                ))
                .map_err(error)?;
                root.draw(&Rectangle::new(
                    [(left, y + 1 + half), (left + swatch, y + 1 + swatch)],
                    color_of(flow.to.as_deref()).filled(),
                ))
                .map_err(error)?;
                let from = flow.from.as_deref().unwrap_or("unassigned");
                let to = flow.to.as_deref().unwrap_or("unassigned");
                root.draw(&Text::new(
                    format!("{from} \u{2192} {to}: {}", thousands(flow.count)),
                    (left + swatch + px(8.0), y),
                    font.clone(),
                ))
                .map_err(error)?;
                y += row;
            }
        }

        if self.lost_total > 0 {
            y += px(10.0);
            root.draw(&Text::new(
                format!("lost (red \u{d7}): {}", thousands(self.lost_total)),
                (left, y),
                bold.clone().color(&RGBColor(208, 0, 0)),
            ))
            .map_err(error)?;
            y += row;
        }

        y += px(10.0);
        let shown = self
            .dots
            .iter()
            .filter(|dot| dot.0 as usize % self.shown_stride() == 0)
            .count();
        let note = if !options.show_dots || self.total == 0 {
            String::new()
        } else if shown == self.total {
            format!("dots: all {} vectors", thousands(self.total))
        } else {
            format!(
                "dots: {} of {} vectors (every {})",
                thousands(shown),
                thousands(self.total),
                ordinal(self.shown_stride())
            )
        };
        if !note.is_empty() {
            root.draw(&Text::new(note, (left, y), small.clone()))
                .map_err(error)?;
            y += px(20.0);
        }
        let points = self.ring.point_count();
        if options.show_ticks && points > FULL_TICKS {
            let note = if points > MAX_TICKS {
                format!("ticks hidden: {} points", thousands(points))
            } else {
                format!("ticks shortened: {} points", thousands(points))
            };
            root.draw(&Text::new(note, (left, y), small))
                .map_err(error)?;
        }
        Ok(())
    }
}

/// The tutorial prints distributions as Python dicts; so do we, for the
/// same text.
pub(crate) fn python_dict(distribution: &BTreeMap<String, usize>, unassigned: usize) -> String {
    let mut entries: Vec<String> = distribution
        .iter()
        .map(|(id, count)| format!("{}: {count}", python_str(id)))
        .collect();
    if unassigned > 0 {
        entries.push(format!("'{}': {unassigned}", crate::store::UNASSIGNED));
    }
    format!("{{{}}}", entries.join(", "))
}

/// A string as Python's `repr` writes it, for the ids people use.
fn python_str(text: &str) -> String {
    if text.contains('\'') && !text.contains('"') {
        format!("\"{text}\"")
    } else {
        format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
    }
}

fn ordinal(value: usize) -> String {
    let suffix = match (value % 10, value % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{value}{suffix}")
}

/// Clockwise from the top: position 0 at twelve o'clock.
fn angle_of(position: u64) -> f64 {
    position as f64 / 18_446_744_073_709_551_616.0 * TAU
}

fn to_pixel((x, y): (f64, f64)) -> (i32, i32) {
    (x.round() as i32, y.round() as i32)
}

struct Geometry {
    center: (f64, f64),
    radius: f64,
}

impl Geometry {
    fn at(&self, angle: f64, radius: f64) -> (i32, i32) {
        to_pixel((
            self.center.0 + radius * angle.sin(),
            self.center.1 - radius * angle.cos(),
        ))
    }

    fn circle(&self, radius: f64) -> Vec<(i32, i32)> {
        (0..=180)
            .map(|step| self.at(f64::from(step) / 180.0 * TAU, radius))
            .collect()
    }

    /// Points along the arc after `start` up to `end`, one about every 4 pixels.
    fn arc(&self, start: u64, end: u64, radius: f64) -> Vec<(i32, i32)> {
        let from = angle_of(start);
        let mut sweep = angle_of(end) - from;
        if sweep <= 0.0 {
            sweep += TAU;
        }
        let steps = ((sweep * self.radius / 4.0).ceil() as usize).max(1);
        let mut points: Vec<(i32, i32)> = (0..=steps)
            .map(|step| self.at(from + sweep * step as f64 / steps as f64, radius))
            .collect();
        points.dedup();
        points
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_dict_matches_the_tutorial_form() {
        let distribution: BTreeMap<String, usize> =
            [("nodeA".to_owned(), 2), ("it's".to_owned(), 1)]
                .into_iter()
                .collect();
        assert_eq!(python_dict(&distribution, 0), r#"{"it's": 1, 'nodeA': 2}"#);
        assert_eq!(python_dict(&BTreeMap::new(), 5), "{'∅': 5}");
    }

    #[test]
    fn ordinals() {
        assert_eq!(
            [1, 2, 3, 4, 11, 12, 13, 21, 167].map(ordinal),
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "167th"
            ]
        );
    }

    #[test]
    fn angles_run_clockwise_from_the_top() {
        let geometry = Geometry {
            center: (100.0, 100.0),
            radius: 50.0,
        };
        assert_eq!(geometry.at(angle_of(0), 50.0), (100, 50));
        assert_eq!(geometry.at(angle_of(1 << 62), 50.0), (150, 100));
        assert_eq!(geometry.at(angle_of(1 << 63), 50.0), (100, 150));
    }
}
