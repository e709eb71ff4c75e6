//! The spread of a placement: mean, extremes and coefficient of variation.

use serde::Serialize;

/// How evenly keys spread over nodes.
///
/// ```
/// use elastic_vdb::analysis::Balance;
///
/// let balance = Balance::of_counts(&[90, 100, 110]);
/// assert_eq!(balance.mean, 100.0);
/// assert_eq!(balance.max_over_mean, 1.1);
/// assert_eq!(balance.min_over_mean, 0.9);
/// assert!((balance.cv - 0.0816).abs() < 1e-4); // population standard deviation / mean
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Balance {
    /// Nodes counted.
    pub nodes: usize,
    /// Keys counted.
    pub keys: usize,
    /// Keys per node on average.
    pub mean: f64,
    /// The fullest node over the mean (peak-to-average).
    pub max_over_mean: f64,
    /// The emptiest node over the mean.
    pub min_over_mean: f64,
    /// Coefficient of variation: standard deviation (over nodes) / mean.
    pub cv: f64,
}

impl Balance {
    /// The balance of per-node counts (all zeros when there are no nodes or keys).
    #[must_use]
    pub fn of_counts(counts: &[usize]) -> Balance {
        let as_float: Vec<f64> = counts.iter().map(|&count| count as f64).collect();
        let mut balance = Balance::of_values(&as_float);
        balance.keys = counts.iter().sum();
        balance
    }

    /// The balance of per-node shares (fractions of the circle or any other
    /// amounts); `keys` is 0.
    ///
    /// ```
    /// let balance = elastic_vdb::analysis::Balance::of_values(&[0.25, 0.75]);
    /// assert_eq!(balance.max_over_mean, 1.5);
    /// ```
    #[must_use]
    pub fn of_values(values: &[f64]) -> Balance {
        let nodes = values.len();
        let mean = values.iter().sum::<f64>() / nodes.max(1) as f64;
        if nodes == 0 || mean <= 0.0 {
            return Balance {
                nodes,
                keys: 0,
                mean: 0.0,
                max_over_mean: 0.0,
                min_over_mean: 0.0,
                cv: 0.0,
            };
        }
        let max = values.iter().copied().fold(f64::MIN, f64::max);
        let min = values.iter().copied().fold(f64::MAX, f64::min);
        let variance = values
            .iter()
            .map(|&value| (value - mean) * (value - mean))
            .sum::<f64>()
            / nodes as f64;
        Balance {
            nodes,
            keys: 0,
            mean,
            max_over_mean: max / mean,
            min_over_mean: min / mean,
            cv: variance.sqrt() / mean,
        }
    }
}

/// Keys per node index of an assignment.
///
/// ```
/// assert_eq!(elastic_vdb::analysis::counts(&[0, 2, 2], 3), [1, 0, 2]);
/// ```
#[must_use]
pub fn counts(assignment: &[u32], nodes: usize) -> Vec<usize> {
    let mut counts = vec![0; nodes];
    for &owner in assignment {
        if let Some(count) = counts.get_mut(owner as usize) {
            *count += 1;
        }
    }
    counts
}
