//! The legend beside the ring: each node with its keys, vnodes and share;
//! what the last change moved, flow by flow; what was lost; how many dots
//! and ticks are drawn.

use std::collections::BTreeMap;

use plotters::prelude::*;

use super::{FULL_TICKS, MAX_TICKS, RingView, UNASSIGNED_GREY, ordinal};
use crate::render::thousands;
use crate::store::Flow;

impl RingView {
    pub(super) fn draw_legend(
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
                let (from, to) = (flow.source(), flow.target());
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
            .filter(|dot| (dot.serial as usize).is_multiple_of(self.shown_stride()))
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
