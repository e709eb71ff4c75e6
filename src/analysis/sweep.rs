//! The ring's balance as the vnode count grows, measured and in theory.

use crate::error::{Error, ParameterError};
use serde::Serialize;

use super::{Balance, CompareConfig, counts};
use crate::ring::Ring;
use crate::strategy::{Placement, key_positions, node_names};

/// One vnode count of a [`VnodeSweep`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SweepRow {
    /// Virtual nodes per node.
    pub vnodes: u32,
    /// Balance of the exact ring shares (arc lengths): no key sampling noise.
    pub share_balance: Balance,
    /// Balance of the keys actually placed.
    pub key_balance: Balance,
    /// The theory for the share CV: `sqrt((N - 1) / (N V + 1))`, about
    /// `1/sqrt(V)` (each node's share is a sum of `V` gaps between random points).
    pub share_cv_theory: f64,
    /// The theory for the key CV: share CV and the multinomial noise of `m`
    /// keys, `sqrt((N - 1) / (N V + 1) + (N - 1) / m)`.
    pub key_cv_theory: f64,
    /// Bytes of the ring's points and owners.
    pub memory_bytes: usize,
}

/// The ring's balance as the vnode count grows, measured and in theory.
///
/// ```
/// use elastic_vdb::analysis::VnodeSweep;
///
/// let sweep = VnodeSweep::run(10, 20_000, &[1, 10, 100])?;
/// let cvs: Vec<f64> = sweep.rows.iter().map(|row| row.share_balance.cv).collect();
/// assert!(cvs[0] > cvs[1] && cvs[1] > cvs[2]);
/// # Ok::<(), elastic_vdb::Error>(())
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct VnodeSweep {
    /// Nodes on the ring.
    pub nodes: usize,
    /// Keys placed.
    pub keys: usize,
    /// One row per vnode count, in the order given.
    pub rows: Vec<SweepRow>,
}

impl VnodeSweep {
    /// Builds a ring of `nodes` nodes (`node00`, ...) for each vnode count
    /// and places `keys` keys on it.
    ///
    /// # Errors
    /// [`ParameterError::Invalid`] for nodes or keys out of range or an empty
    /// list of counts, [`RingError::VnodesOutOfRange`](crate::error::RingError::VnodesOutOfRange).
    pub fn run(nodes: usize, keys: usize, vnode_counts: &[u32]) -> Result<VnodeSweep, Error> {
        CompareConfig {
            nodes,
            keys,
            vnodes: 1,
        }
        .check()?;
        if vnode_counts.is_empty() {
            return Err(Error::Parameter(ParameterError::Invalid {
                parameter: "vnode counts",
                value: "an empty list".into(),
                allowed: "at least one count",
            }));
        }
        let positions = key_positions(keys);
        let names = node_names(nodes);
        let rows = vnode_counts
            .iter()
            .map(|&vnodes| {
                let mut ring = Ring::with_vnodes(vnodes)?;
                for id in &names {
                    ring.add_node(id)?;
                }
                let shares: Vec<f64> = ring.ownership().into_values().collect();
                let flat = crate::strategy::VnodeRing::new(&names, vnodes)?;
                let placed = counts(&flat.assign(&positions), nodes);
                let (n, v, m) = (nodes as f64, f64::from(vnodes), keys as f64);
                Ok(SweepRow {
                    vnodes,
                    share_balance: Balance::of_values(&shares),
                    key_balance: Balance::of_counts(&placed),
                    share_cv_theory: ((n - 1.0) / (n * v + 1.0)).sqrt(),
                    key_cv_theory: ((n - 1.0) / (n * v + 1.0) + (n - 1.0) / m).sqrt(),
                    memory_bytes: flat.memory_bytes(),
                })
            })
            .collect::<Result<_, Error>>()?;
        Ok(VnodeSweep { nodes, keys, rows })
    }

    /// The row of one vnode count.
    ///
    /// # Errors
    /// [`ParameterError::Invalid`] for a count the sweep did not run.
    pub fn row(&self, vnodes: u32) -> Result<&SweepRow, Error> {
        self.rows
            .iter()
            .find(|row| row.vnodes == vnodes)
            .ok_or_else(|| {
                Error::Parameter(ParameterError::Invalid {
                    parameter: "vnodes",
                    value: vnodes.to_string(),
                    allowed: "one of the counts the sweep ran",
                })
            })
    }

    /// The theory curves on `points` vnode counts spread evenly on a log
    /// scale over the sweep's range.
    ///
    /// ```
    /// let sweep = elastic_vdb::analysis::VnodeSweep::run(10, 20_000, &[1, 100])?;
    /// let theory = sweep.theory_curves(3);
    /// let vnodes: Vec<f64> = theory.shares.iter().map(|point| point.0).collect();
    /// assert!((vnodes[1] - 10.0).abs() < 1e-9); // evenly spread on a log scale
    /// assert!((theory.shares[2].1 - 0.1).abs() < 1e-9); // 1/sqrt(100)
    /// // 10 nodes, 1 vnode each, 20,000 keys: (n-1)/(nV+1) plus (n-1)/m.
    /// assert!((theory.keys[0].1 - (9.0f64 / 11.0 + 9.0 / 20_000.0).sqrt()).abs() < 1e-12);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn theory_curves(&self, points: usize) -> TheoryCurves {
        let low = self.rows.iter().map(|row| row.vnodes).min().unwrap_or(1);
        let high = self.rows.iter().map(|row| row.vnodes).max().unwrap_or(1);
        let grid = log_grid(f64::from(low), f64::from(high), points);
        let (n, m) = (self.nodes as f64, self.keys as f64);
        TheoryCurves {
            shares: grid.iter().map(|&v| (v, 1.0 / v.sqrt())).collect(),
            keys: grid
                .iter()
                .map(|&v| (v, ((n - 1.0) / (n * v + 1.0) + (n - 1.0) / m).sqrt()))
                .collect(),
        }
    }
}

/// The CV that theory predicts, as (vnodes, CV) points: created by
/// [`VnodeSweep::theory_curves`].
#[derive(Debug, Clone, PartialEq)]
pub struct TheoryCurves {
    /// The ring shares' CV, `1/sqrt(V)`.
    pub shares: Vec<(f64, f64)>,
    /// The keys' CV: the shares' plus the sampling noise of the sweep's keys,
    /// `sqrt((n-1)/(nV+1) + (n-1)/m)` for `n` nodes and `m` keys.
    pub keys: Vec<(f64, f64)>,
}

/// `count` points spaced evenly on a log scale from `low` to `high`.
fn log_grid(low: f64, high: f64, count: usize) -> Vec<f64> {
    let (low, high) = (low.max(f64::MIN_POSITIVE).ln(), high.max(low).ln());
    (0..count)
        .map(|i| (low + (high - low) * i as f64 / (count - 1).max(1) as f64).exp())
        .collect()
}
