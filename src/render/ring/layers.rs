//! The picture's drawn layers: title and status, the circle's arcs, the
//! band of what the last change handed over, then (as SVG text, far
//! smaller than plotters elements) ticks, dots, moved vectors and lost ones.

use std::collections::BTreeMap;
use std::fmt::Write;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::geometry::{Geometry, angle_of, to_pixel};
use super::{FULL_TICKS, MAX_TICKS, RingView, UNASSIGNED_GREY};
use crate::render::{rgb_hex, thousands};
use crate::store::{Key, MovedKey};

impl RingView {
    /// Draws everything but the dots; returns the dot layers as SVG text.
    pub(super) fn draw(
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
            for &Key { position, serial } in &self.dots {
                if !(serial as usize).is_multiple_of(shown_stride) {
                    continue;
                }
                // Spread dots across a band inside the ring, by bits of their
                // position, so that dense regions show as dense.
                let spread = (position & 0xffff) as f64 / 65_535.0;
                let (x, y) = geometry.at(
                    angle_of(position),
                    radius - arc_width / 2.0 - 13.0 - spread * radius * 0.28,
                );
                let _ = write!(
                    by_color
                        .entry(rgb_hex(color_of(self.ring.owner_of_position(position))))
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
            for &MovedKey {
                key: Key { position, serial },
                ..
            } in &self.moved
            {
                if !(serial as usize).is_multiple_of(shown_stride) {
                    continue;
                }
                let spread = (position & 0xffff) as f64 / 65_535.0;
                let (x, y) = geometry.at(angle_of(position), outside + 4.0 * k + spread * 18.0 * k);
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
}
