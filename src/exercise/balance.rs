//! Notebook 02's exercise: how evenly virtual nodes split the circle.

use super::{Verdict, prediction};
use crate::analysis::Balance;
use crate::ring::Ring;
use crate::strategy::node_names;

/// The nodes and virtual nodes per node of 02.cv.
const NODES: usize = 100;
const VNODES: u32 = 25;

/// 02.cv: the coefficient of variation (standard deviation over mean), in
/// percent, of the ring shares of 100 nodes with 25 virtual nodes each.
///
/// ```
/// let verdict = elastic_vdb::exercise::check_cv(20.0);
/// assert!(verdict.is_correct(), "{verdict}");
/// assert!(!elastic_vdb::exercise::check_cv(4.0).is_correct());
/// ```
#[must_use]
pub fn check_cv(guess_percent: f64) -> Verdict {
    let measured = match share_cv(NODES, VNODES) {
        Ok(cv) => cv * 100.0,
        Err(error) => {
            return Verdict::wrong("02.cv", format!("could not build the ring: {error}."), "");
        }
    };
    prediction(
        "02.cv",
        guess_percent,
        measured,
        &format!(
            "share CV of {NODES} nodes with {VNODES} virtual nodes each, from their arc lengths"
        ),
        "each node's share is a sum of V gaps, so its spread shrinks like 1/sqrt(V): 1/sqrt(25) = 1/5.",
    )
}

/// The coefficient of variation of the ring shares of `nodes` nodes named
/// as the strategies name them, with `vnodes` points each.
fn share_cv(nodes: usize, vnodes: u32) -> Result<f64, crate::Error> {
    let mut ring = Ring::with_vnodes(vnodes)?;
    for name in node_names(nodes) {
        ring.add_node(&name)?;
    }
    let shares: Vec<f64> = ring.ownership().into_values().collect();
    Ok(Balance::of_values(&shares).cv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_measured_cv_is_near_the_theory() {
        let cv = share_cv(NODES, VNODES).unwrap();
        assert!((cv - 0.2).abs() < 0.03, "{cv}");
        assert!(share_cv(NODES, 400).unwrap() < cv / 2.0);
        let verdict = check_cv(60.0).to_string();
        assert!(
            verdict.starts_with("✗ 02.cv") && verdict.contains("1/sqrt"),
            "{verdict}"
        );
    }
}
