//! The papers' balance claims, measured on the contract's keys.

use serde::Serialize;

use super::{Balance, CompareConfig, counts};
use crate::error::Error;
use crate::ring::Ring;
use crate::strategy::{Placement, Strategy, key_positions, node_names};

/// One claim from the literature, measured.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimCheck {
    /// Whose claim.
    pub source: &'static str,
    /// The claim in short.
    pub claim: &'static str,
    /// The setting we measured in.
    pub setting: String,
    /// The claimed value.
    pub expected: String,
    /// What we measured.
    pub measured: String,
    /// Whether the measurement agrees with the claim.
    pub agrees: bool,
}

/// Published balance claims measured on the contract's keys.
#[derive(Debug, Clone, Serialize)]
pub struct Claims {
    /// One row per claim and setting.
    pub rows: Vec<ClaimCheck>,
}

impl Claims {
    /// Measures the papers' balance claims with `keys` keys: jump hash's
    /// balance against the sampling floor; multi-probe's peak-to-average of
    /// about 1.05 at 21 probes (10 and 100 nodes); Maglev's table imbalance
    /// within 1% when `M > 100 N` (and at 5,000 nodes, where 65,537 is
    /// below `100 N`); the ring's spread of about 10% at 100 points per node.
    ///
    /// # Errors
    /// [`ParameterError::Invalid`](crate::error::ParameterError::Invalid) for keys out of range.
    ///
    /// ```
    /// let claims = elastic_vdb::analysis::Claims::measure(20_000)?;
    /// assert_eq!(claims.rows.len(), 7);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn measure(keys: usize) -> Result<Claims, Error> {
        use crate::strategy::{Maglev, MaglevTable, maglev::DEFAULT_TABLE_SIZE};
        CompareConfig {
            nodes: 1,
            keys,
            vnodes: 1,
        }
        .check()?;
        let positions = key_positions(keys);
        let mut rows = Vec::new();

        let nodes = node_names(10);
        let jump = counts(&Strategy::Jump.build(&nodes)?.assign(&positions), 10);
        let cv = Balance::of_counts(&jump).cv;
        let floor = (9.0 / keys as f64).sqrt();
        rows.push(ClaimCheck {
            source: "Lamping & Veach 2014",
            claim: "jump hash balances keys evenly",
            setting: format!("10 nodes, {} keys", crate::format::thousands(keys)),
            expected: format!("CV at the sampling floor sqrt((N-1)/m) = {floor:.4}"),
            measured: format!("CV {cv:.4} ({:.2}x the floor)", cv / floor),
            agrees: cv < 1.5 * floor,
        });

        for n in [10, 100] {
            let nodes = node_names(n);
            let placed = Strategy::MultiProbe { probes: 21 }
                .build(&nodes)?
                .assign(&positions);
            let balance = Balance::of_counts(&counts(&placed, n));
            rows.push(ClaimCheck {
                source: "Appleton & O'Reilly 2015",
                claim: "21 probes give a peak-to-average load of about 1.05",
                setting: format!("{n} nodes, {} keys", crate::format::thousands(keys)),
                expected: "max/mean about 1.05".into(),
                measured: format!(
                    "max/mean {:.3}, min/mean {:.3}",
                    balance.max_over_mean, balance.min_over_mean
                ),
                agrees: balance.max_over_mean < 1.08,
            });
        }

        for n in [10, 5000] {
            let maglev = Maglev::new(node_names(n), MaglevTable::Fixed(DEFAULT_TABLE_SIZE))?;
            let entries = maglev.entries_per_node();
            let spread = Balance::of_counts(&entries).max_over_mean - 1.0;
            rows.push(ClaimCheck {
                source: "Eisenbud et al. 2016",
                claim: "with M > 100 N, table entries per node within about 1%",
                setting: format!(
                    "{n} nodes, M = 65,537 ({})",
                    if DEFAULT_TABLE_SIZE > 100 * n as u64 {
                        "M > 100 N"
                    } else {
                        "M < 100 N"
                    }
                ),
                expected: "fullest node at most 1% above the mean".into(),
                measured: format!("fullest node {:.2}% above the mean", spread * 100.0),
                agrees: spread <= 0.01,
            });
        }

        let sweep_nodes = 100;
        let mut ring = Ring::with_vnodes(100)?;
        for id in node_names(sweep_nodes) {
            ring.add_node(&id)?;
        }
        let shares: Vec<f64> = ring.ownership().into_values().collect();
        let share = Balance::of_values(&shares);
        rows.push(ClaimCheck {
            source: "Karger et al. 1997; Dynamo 2007",
            claim: "100 points per node spread loads by about 10%",
            setting: "100 nodes x 100 vnodes, exact ring shares".into(),
            expected: "CV of shares about 0.10".into(),
            measured: format!(
                "CV {:.4}, max/mean {:.3}, min/mean {:.3}",
                share.cv, share.max_over_mean, share.min_over_mean
            ),
            agrees: (share.cv - 0.10).abs() < 0.02,
        });
        let flat = crate::strategy::VnodeRing::new(&node_names(sweep_nodes), 100)?;
        let keyed = Balance::of_counts(&counts(&flat.assign(&positions), sweep_nodes));
        rows.push(ClaimCheck {
            source: "Karger et al. 1997; Dynamo 2007",
            claim: "100 points per node spread loads by about 10%",
            setting: format!(
                "100 nodes x 100 vnodes, {} keys",
                crate::format::thousands(keys)
            ),
            expected: format!(
                "CV about 0.10, plus sampling noise: {:.4}",
                (0.0099 + 99.0 / keys as f64).sqrt()
            ),
            measured: format!("CV {:.4}", keyed.cv),
            agrees: (keyed.cv - (0.0099 + 99.0 / keys as f64).sqrt()).abs() < 0.025,
        });
        Ok(Claims { rows })
    }
}
