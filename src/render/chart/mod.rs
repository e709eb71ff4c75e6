//! General charts for the analytics: grouped bars (`grouped`) and curves on
//! log axes (`curve`), with what they share: series colours, axis labels,
//! and the large print.

mod curve;
mod grouped;

use plotters::style::RGBColor;

pub use curve::{CurveView, Series, SeriesStyle};
pub use grouped::GroupedBarsView;

/// Colours of the series, in order (the reference lines are black).
/// Okabe-Ito hues (blue, orange, bluish green, vermillion), as the rings use:
/// apart for the common forms of colour blindness.
pub(super) const SERIES_COLORS: [RGBColor; 4] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(213, 94, 0),
];

/// An axis label with at most three significant decimals and no trailing zeros.
pub(super) fn tick(value: f64) -> String {
    let text = if value.abs() >= 100.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.3}")
    };
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// Sizes in a chart: 1.4 times larger in large print.
pub(super) trait Print {
    fn large_print(&self) -> bool;
    fn scale(&self) -> f64 {
        crate::render::print_scale(self.large_print())
    }
    fn font(&self, pixels: u32) -> f64 {
        f64::from(pixels) * self.scale()
    }
}

impl Print for GroupedBarsView {
    fn large_print(&self) -> bool {
        self.large_print
    }
}

impl Print for CurveView {
    fn large_print(&self) -> bool {
        self.large_print
    }
}

#[cfg(test)]
mod tests {
    use super::tick;

    #[test]
    fn ticks_are_short() {
        assert_eq!(tick(1000.0), "1000");
        assert_eq!(tick(10.0), "10");
        assert_eq!(tick(0.25), "0.25");
        assert_eq!(tick(0.0316), "0.032");
    }
}
