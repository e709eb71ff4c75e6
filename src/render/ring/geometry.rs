//! Where things sit on the ring picture: position 0 at twelve o'clock,
//! positions growing clockwise.

use std::f64::consts::TAU;

/// Clockwise from the top: position 0 at twelve o'clock.
#[inline]
pub(super) fn angle_of(position: u64) -> f64 {
    position as f64 / 18_446_744_073_709_551_616.0 * TAU
}

#[inline]
pub(super) fn to_pixel((x, y): (f64, f64)) -> (i32, i32) {
    (x.round() as i32, y.round() as i32)
}

pub(super) struct Geometry {
    pub(super) center: (f64, f64),
    pub(super) radius: f64,
}

impl Geometry {
    #[inline]
    pub(super) fn at(&self, angle: f64, radius: f64) -> (i32, i32) {
        to_pixel((
            self.center.0 + radius * angle.sin(),
            self.center.1 - radius * angle.cos(),
        ))
    }

    pub(super) fn circle(&self, radius: f64) -> Vec<(i32, i32)> {
        (0..=180)
            .map(|step| self.at(f64::from(step) / 180.0 * TAU, radius))
            .collect()
    }

    /// Points along the arc after `start` up to `end`, one about every 4 pixels.
    pub(super) fn arc(&self, start: u64, end: u64, radius: f64) -> Vec<(i32, i32)> {
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
