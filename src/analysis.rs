//! Placement analytics: balance, movement, memory, and comparisons of the
//! [`strategy`](crate::strategy) family on the same keys.
//!
//! ```
//! use elastic_vdb::analysis::{Comparison, CompareConfig};
//!
//! let comparison = Comparison::run(&CompareConfig { nodes: 5, keys: 5_000, vnodes: 40 })?;
//! let jump = comparison.row("jump").unwrap();
//! assert!(jump.balance.max_over_mean < 1.1);
//! assert!(jump.moved_on_add.moved_to_new_nodes == jump.moved_on_add.moved);
//! # Ok::<(), elastic_vdb::Error>(())
//! ```

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::Error;
use crate::render::{CurveView, DistributionView, GroupedBarsView, Series, SeriesStyle};
use crate::ring::Ring;
use crate::strategy::{Placement, Strategy, key_positions, node_names};

/// The most nodes a comparison or sweep builds.
pub const MAX_COMPARE_NODES: usize = 1000;

/// The most keys a comparison or sweep places.
pub const MAX_COMPARE_KEYS: usize = 10_000_000;

/// `to_text`, `to_html` and `evcxr_display` for a type with `caption()` and
/// `cells()`: the analytics' tables show themselves the same way.
macro_rules! table_display {
    ($type:ty) => {
        impl $type {
            /// The table as aligned text, under its caption.
            #[must_use]
            pub fn to_text(&self) -> String {
                let (header, rows) = self.cells();
                format!("{}\n{}", self.caption(), text_table(&header, &rows))
            }

            /// The table as HTML, with its caption.
            #[must_use]
            pub fn to_html(&self) -> String {
                let (header, rows) = self.cells();
                html_table(&self.caption(), &header, &rows)
            }

            /// Shows the table in an evcxr notebook cell (HTML, with the
            /// text form too).
            pub fn evcxr_display(&self) {
                crate::render::print_text_and_html(&self.to_text(), &self.to_html());
            }
        }
    };
}

table_display!(Comparison);
table_display!(VnodeSweep);
table_display!(Claims);

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

/// How many keys changed node between two assignments of the same keys,
/// compared by node name (so renumbered nodes count as what they are).
///
/// ```
/// use elastic_vdb::analysis::KeyMovement;
///
/// let before = ["a".to_string(), "b".to_string()];
/// let after = ["a".to_string(), "b".to_string(), "c".to_string()];
/// let moved = KeyMovement::between(&before, &[0, 1, 1, 0], &after, &[0, 2, 1, 1]);
/// assert_eq!((moved.moved, moved.moved_to_new_nodes, moved.keys), (2, 1, 4));
/// assert_eq!(moved.fraction(), 0.5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct KeyMovement {
    /// Keys compared.
    pub keys: usize,
    /// Keys whose node changed.
    pub moved: usize,
    /// Of those, keys that went to a node absent before (a join's ideal is
    /// that every moved key does).
    pub moved_to_new_nodes: usize,
    /// Of those, keys that left a node absent after (a removal's ideal is
    /// that every moved key does).
    pub moved_from_gone_nodes: usize,
}

impl KeyMovement {
    /// Compares two assignments of the same keys.
    #[must_use]
    pub fn between(
        before_nodes: &[String],
        before: &[u32],
        after_nodes: &[String],
        after: &[u32],
    ) -> KeyMovement {
        let after_index: BTreeMap<&str, u32> = after_nodes
            .iter()
            .enumerate()
            .map(|(index, id)| (id.as_str(), index as u32))
            .collect();
        // Where each old node index sits in the new list, if it is there.
        let translated: Vec<Option<u32>> = before_nodes
            .iter()
            .map(|id| after_index.get(id.as_str()).copied())
            .collect();
        let before_ids: std::collections::BTreeSet<&str> =
            before_nodes.iter().map(String::as_str).collect();
        let is_new: Vec<bool> = after_nodes
            .iter()
            .map(|id| !before_ids.contains(id.as_str()))
            .collect();
        let mut movement = KeyMovement {
            keys: before.len().min(after.len()),
            ..KeyMovement::default()
        };
        for (&old, &new) in before.iter().zip(after) {
            let old_in_new = translated.get(old as usize).copied().flatten();
            if old_in_new == Some(new) {
                continue;
            }
            movement.moved += 1;
            if is_new.get(new as usize).copied().unwrap_or(false) {
                movement.moved_to_new_nodes += 1;
            }
            if old_in_new.is_none() {
                movement.moved_from_gone_nodes += 1;
            }
        }
        movement
    }

    /// Moved keys over all keys (0 with no keys).
    #[must_use]
    pub fn fraction(&self) -> f64 {
        if self.keys == 0 {
            0.0
        } else {
            self.moved as f64 / self.keys as f64
        }
    }

    /// Moved keys that did not go onto a new node nor come off a removed one:
    /// movement beyond what the change forces.
    ///
    /// ```
    /// let movement = elastic_vdb::analysis::KeyMovement { keys: 10, moved: 3, moved_to_new_nodes: 2, moved_from_gone_nodes: 0 };
    /// assert_eq!(movement.excess(), 1);
    /// ```
    #[must_use]
    pub fn excess(&self) -> usize {
        self.moved
            .saturating_sub(self.moved_to_new_nodes.max(self.moved_from_gone_nodes))
    }
}

/// The settings of a [`Comparison`]: the CLI's `compare` flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompareConfig {
    /// Nodes before the join.
    pub nodes: usize,
    /// Keys placed (`vec_000000`, ...).
    pub keys: usize,
    /// Virtual nodes per node for the ring and the bounded ring.
    pub vnodes: u32,
}

impl Default for CompareConfig {
    fn default() -> Self {
        CompareConfig {
            nodes: 10,
            keys: 100_000,
            vnodes: 80,
        }
    }
}

impl CompareConfig {
    fn check(&self) -> Result<(), Error> {
        if !(1..=MAX_COMPARE_NODES).contains(&self.nodes) {
            return Err(Error::InvalidParameter {
                parameter: "nodes",
                value: self.nodes.to_string(),
                allowed: "between 1 and 1000",
            });
        }
        if !(1..=MAX_COMPARE_KEYS).contains(&self.keys) {
            return Err(Error::InvalidParameter {
                parameter: "keys",
                value: self.keys.to_string(),
                allowed: "between 1 and 10,000,000",
            });
        }
        crate::error::validate_vnodes(self.vnodes.into()).map(|_| ())
    }
}

/// One strategy measured on the comparison's keys.
#[derive(Debug, Clone, Serialize)]
pub struct StrategyReport {
    /// The strategy's short name (`ring`, `jump`, ...).
    pub name: &'static str,
    /// The name with parameters.
    pub label: String,
    /// Balance of keys per node with the starting nodes.
    pub balance: Balance,
    /// Keys per node with the starting nodes.
    pub keys_per_node: BTreeMap<String, usize>,
    /// What happened when one node joined.
    pub moved_on_add: KeyMovement,
    /// What happened when the middle node (by index) left; `None` with one node.
    pub moved_on_remove: Option<KeyMovement>,
    /// The node removed.
    pub removed_node: Option<String>,
    /// Bytes of the lookup structure with the starting nodes.
    pub memory_bytes: usize,
}

/// Every strategy placed on the same keys: balance, movement on a join and
/// on a removal, memory. Shows itself as an HTML table in a notebook.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// Nodes before the join.
    pub nodes: usize,
    /// Keys placed.
    pub keys: usize,
    /// One row per strategy, in the order given.
    pub rows: Vec<StrategyReport>,
}

impl Comparison {
    /// The seven strategies of [`Strategy::all`] with the given settings.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for nodes or keys out of range,
    /// [`Error::VnodesOutOfRange`].
    pub fn run(config: &CompareConfig) -> Result<Comparison, Error> {
        Comparison::of(&Strategy::all(config.vnodes), config.nodes, config.keys)
    }

    /// Chosen strategies on `nodes` nodes (`node00`, ...) and `keys` keys.
    /// The joining node is `node{nodes}`; the removed one is the middle
    /// node, index `nodes / 2`.
    ///
    /// # Errors
    /// As [`Comparison::run`], and any error building a strategy.
    ///
    /// ```
    /// use elastic_vdb::analysis::Comparison;
    /// use elastic_vdb::strategy::Strategy;
    ///
    /// let modulo = Comparison::of(&[Strategy::Modulo], 4, 10_000)?;
    /// let moved = modulo.rows[0].moved_on_add.fraction();
    /// assert!((moved - 0.8).abs() < 0.02); // about N / (N + 1) of keys move
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn of(strategies: &[Strategy], nodes: usize, keys: usize) -> Result<Comparison, Error> {
        CompareConfig {
            nodes,
            keys,
            vnodes: 1,
        }
        .check()?;
        let positions = key_positions(keys);
        let rows = strategies
            .iter()
            .map(|strategy| measure(strategy, nodes, &positions))
            .collect::<Result<_, _>>()?;
        Ok(Comparison { nodes, keys, rows })
    }

    /// The row of a strategy by short name.
    #[must_use]
    pub fn row(&self, name: &str) -> Option<&StrategyReport> {
        self.rows.iter().find(|row| row.name == name)
    }

    /// The CLI's JSON: an object keyed by strategy name, each with
    /// `max_over_mean`, `cv` and `moved_on_add`, plus the other measurements.
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        let mut object = serde_json::Map::new();
        for row in &self.rows {
            object.insert(
                row.name.to_owned(),
                serde_json::json!({
                    "label": row.label,
                    "max_over_mean": row.balance.max_over_mean,
                    "min_over_mean": row.balance.min_over_mean,
                    "cv": row.balance.cv,
                    "moved_on_add": row.moved_on_add.fraction(),
                    "moved_on_add_to_new_node": row.moved_on_add.moved_to_new_nodes as f64 / self.keys as f64,
                    "moved_on_remove": row.moved_on_remove.map(|movement| movement.fraction()),
                    "memory_bytes": row.memory_bytes,
                }),
            );
        }
        serde_json::Value::Object(object)
    }

    fn cells(&self) -> (Vec<&'static str>, Vec<Vec<String>>) {
        let header = vec![
            "strategy",
            "max/mean",
            "min/mean",
            "CV",
            "moved on add",
            "of which not to the new node",
            "moved on remove",
            "memory",
        ];
        let rows = self
            .rows
            .iter()
            .map(|row| {
                vec![
                    row.label.clone(),
                    format!("{:.3}", row.balance.max_over_mean),
                    format!("{:.3}", row.balance.min_over_mean),
                    format!("{:.4}", row.balance.cv),
                    format!("{:.2}%", row.moved_on_add.fraction() * 100.0),
                    format!(
                        "{:.2}%",
                        row.moved_on_add.excess() as f64 / self.keys as f64 * 100.0
                    ),
                    row.moved_on_remove.map_or("-".into(), |movement| {
                        format!("{:.2}%", movement.fraction() * 100.0)
                    }),
                    human_bytes(row.memory_bytes),
                ]
            })
            .collect();
        (header, rows)
    }

    /// The ideal fraction moved by a join (`1/(n+1)`) and by a removal (`1/n`).
    #[must_use]
    pub fn ideals(&self) -> (f64, f64) {
        (1.0 / (self.nodes + 1) as f64, 1.0 / self.nodes as f64)
    }

    fn caption(&self) -> String {
        let (add, remove) = self.ideals();
        format!(
            "{} keys on {} nodes; a join moves ideally {:.2}%, a removal {:.2}%",
            crate::render::thousands(self.keys),
            self.nodes,
            add * 100.0,
            remove * 100.0
        )
    }

    /// Fraction of keys moved on a join and on a removal per strategy, with
    /// the ideals as dashed lines.
    #[must_use]
    pub fn movement_view(&self) -> GroupedBarsView {
        let (add, remove) = self.ideals();
        GroupedBarsView {
            title: format!("Keys moved per strategy | {} nodes", self.nodes),
            y_label: "fraction of keys moved".into(),
            groups: self.rows.iter().map(|row| row.name.to_owned()).collect(),
            series: vec![
                (
                    format!("node{} joins", self.nodes),
                    self.rows
                        .iter()
                        .map(|row| row.moved_on_add.fraction())
                        .collect(),
                ),
                (
                    format!(
                        "{} leaves",
                        self.rows
                            .first()
                            .and_then(|row| row.removed_node.clone())
                            .unwrap_or_default()
                    ),
                    self.rows
                        .iter()
                        .map(|row| {
                            row.moved_on_remove
                                .map_or(0.0, |movement| movement.fraction())
                        })
                        .collect(),
                ),
            ],
            references: vec![
                (format!("ideal join 1/{}", self.nodes + 1), add),
                (format!("ideal removal 1/{}", self.nodes), remove),
            ],
            references_per_series: true,
            log_y: true,
            ..GroupedBarsView::default()
        }
    }

    /// Peak-to-average load per strategy.
    #[must_use]
    pub fn balance_view(&self) -> GroupedBarsView {
        GroupedBarsView {
            title: format!(
                "Balance per strategy | {} keys on {} nodes",
                crate::render::thousands(self.keys),
                self.nodes
            ),
            y_label: "keys per node / mean".into(),
            groups: self.rows.iter().map(|row| row.name.to_owned()).collect(),
            series: vec![
                (
                    "fullest node".into(),
                    self.rows
                        .iter()
                        .map(|row| row.balance.max_over_mean)
                        .collect(),
                ),
                (
                    "emptiest node".into(),
                    self.rows
                        .iter()
                        .map(|row| row.balance.min_over_mean)
                        .collect(),
                ),
            ],
            references: vec![("perfect balance".into(), 1.0)],
            ..GroupedBarsView::default()
        }
    }

    /// Keys per node of one strategy as bars.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming a strategy not in the comparison.
    pub fn keys_view(&self, name: &str) -> Result<DistributionView, Error> {
        let row = self.row(name).ok_or_else(|| Error::InvalidParameter {
            parameter: "strategy",
            value: format!("{name:?}"),
            allowed: "one of the compared strategies' names",
        })?;
        Ok(DistributionView::new(
            row.keys_per_node.clone(),
            format!("Keys per node | {}", row.label),
        ))
    }
}

/// Balance, join and removal of one strategy.
fn measure(strategy: &Strategy, nodes: usize, positions: &[u64]) -> Result<StrategyReport, Error> {
    let names = node_names(nodes + 1);
    let before_nodes = &names[..nodes];
    let placement = strategy.build(before_nodes)?;
    let before = placement.assign(positions);
    let counts = counts(&before, nodes);
    let joined = strategy.build(&names)?;
    let after_add = joined.assign(positions);
    let moved_on_add = KeyMovement::between(before_nodes, &before, &names, &after_add);
    let (moved_on_remove, removed_node) = if nodes > 1 {
        let removed = nodes / 2;
        let remaining: Vec<String> = before_nodes
            .iter()
            .enumerate()
            .filter(|&(index, _)| index != removed)
            .map(|(_, id)| id.clone())
            .collect();
        let shrunk = strategy.build(&remaining)?;
        let after_remove = shrunk.assign(positions);
        (
            Some(KeyMovement::between(
                before_nodes,
                &before,
                &remaining,
                &after_remove,
            )),
            Some(before_nodes[removed].clone()),
        )
    } else {
        (None, None)
    };
    Ok(StrategyReport {
        name: strategy.name(),
        label: strategy.label(),
        balance: Balance::of_counts(&counts),
        keys_per_node: before_nodes.iter().cloned().zip(counts).collect(),
        moved_on_add,
        moved_on_remove,
        removed_node,
        memory_bytes: placement.memory_bytes(),
    })
}

/// The keys that move when node `removed` (an index into `nodes`) leaves.
///
/// # Errors
/// Any error building the strategy, [`Error::InvalidParameter`] for an index
/// out of range.
///
/// ```
/// use elastic_vdb::analysis::movement_on_removal;
/// use elastic_vdb::strategy::{Strategy, key_positions, node_names};
///
/// let (nodes, keys) = (node_names(10), key_positions(10_000));
/// let last = movement_on_removal(&Strategy::Jump, &nodes, &keys, 9)?;
/// let first = movement_on_removal(&Strategy::Jump, &nodes, &keys, 0)?;
/// assert_eq!(last.moved, last.moved_from_gone_nodes); // only node09's keys
/// assert!(first.fraction() > 0.5);                     // renumbering moves most
/// # Ok::<(), elastic_vdb::Error>(())
/// ```
pub fn movement_on_removal(
    strategy: &Strategy,
    nodes: &[String],
    keys: &[u64],
    removed: usize,
) -> Result<KeyMovement, Error> {
    if removed >= nodes.len() {
        return Err(Error::InvalidParameter {
            parameter: "removed node index",
            value: removed.to_string(),
            allowed: "an index into the node list",
        });
    }
    let before = strategy.build(nodes)?.assign(keys);
    let rest: Vec<String> = nodes
        .iter()
        .enumerate()
        .filter(|&(index, _)| index != removed)
        .map(|(_, id)| id.clone())
        .collect();
    let after = strategy.build(&rest)?.assign(keys);
    Ok(KeyMovement::between(nodes, &before, &rest, &after))
}

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
    /// [`Error::InvalidParameter`] for keys out of range.
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
            setting: format!("10 nodes, {} keys", crate::render::thousands(keys)),
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
                setting: format!("{n} nodes, {} keys", crate::render::thousands(keys)),
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
                crate::render::thousands(keys)
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

    fn caption(&self) -> String {
        "Published claims, measured here".to_owned()
    }

    fn cells(&self) -> (Vec<&'static str>, Vec<Vec<String>>) {
        let header = vec![
            "source", "claim", "setting", "expected", "measured", "verdict",
        ];
        let rows = self
            .rows
            .iter()
            .map(|row| {
                vec![
                    row.source.to_owned(),
                    row.claim.to_owned(),
                    row.setting.clone(),
                    row.expected.clone(),
                    row.measured.clone(),
                    if row.agrees {
                        "agrees"
                    } else {
                        "does not hold here"
                    }
                    .to_owned(),
                ]
            })
            .collect();
        (header, rows)
    }
}

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
    /// [`Error::InvalidParameter`] for nodes or keys out of range or an empty
    /// list of counts, [`Error::VnodesOutOfRange`].
    pub fn run(nodes: usize, keys: usize, vnode_counts: &[u32]) -> Result<VnodeSweep, Error> {
        CompareConfig {
            nodes,
            keys,
            vnodes: 1,
        }
        .check()?;
        if vnode_counts.is_empty() {
            return Err(Error::InvalidParameter {
                parameter: "vnode counts",
                value: "an empty list".into(),
                allowed: "at least one count",
            });
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
    /// [`Error::InvalidParameter`] for a count the sweep did not run.
    pub fn row(&self, vnodes: u32) -> Result<&SweepRow, Error> {
        self.rows
            .iter()
            .find(|row| row.vnodes == vnodes)
            .ok_or_else(|| Error::InvalidParameter {
                parameter: "vnodes",
                value: vnodes.to_string(),
                allowed: "one of the counts the sweep ran",
            })
    }

    fn cells(&self) -> (Vec<&'static str>, Vec<Vec<String>>) {
        let header = vec![
            "vnodes",
            "share CV",
            "theory",
            "key CV",
            "theory",
            "max/mean keys",
            "min/mean keys",
            "memory",
        ];
        let rows = self
            .rows
            .iter()
            .map(|row| {
                vec![
                    row.vnodes.to_string(),
                    format!("{:.4}", row.share_balance.cv),
                    format!("{:.4}", row.share_cv_theory),
                    format!("{:.4}", row.key_balance.cv),
                    format!("{:.4}", row.key_cv_theory),
                    format!("{:.3}", row.key_balance.max_over_mean),
                    format!("{:.3}", row.key_balance.min_over_mean),
                    human_bytes(row.memory_bytes),
                ]
            })
            .collect();
        (header, rows)
    }

    fn caption(&self) -> String {
        format!(
            "ring balance by vnodes per node | {} nodes, {} keys",
            self.nodes,
            crate::render::thousands(self.keys)
        )
    }

    /// CV against vnodes per node on log axes, measured (shares and keys)
    /// with the theory curves.
    #[must_use]
    pub fn cv_view(&self) -> CurveView {
        let points = |value: fn(&SweepRow) -> f64| -> Vec<(f64, f64)> {
            self.rows
                .iter()
                .map(|row| (f64::from(row.vnodes), value(row)))
                .collect()
        };
        let low = self.rows.iter().map(|row| row.vnodes).min().unwrap_or(1);
        let high = self.rows.iter().map(|row| row.vnodes).max().unwrap_or(1);
        let theory: Vec<(f64, f64)> = log_grid(f64::from(low), f64::from(high), 60)
            .into_iter()
            .map(|v| (v, 1.0 / v.sqrt()))
            .collect();
        let n = self.nodes as f64;
        let m = self.keys as f64;
        let key_theory: Vec<(f64, f64)> = log_grid(f64::from(low), f64::from(high), 60)
            .into_iter()
            .map(|v| (v, ((n - 1.0) / (n * v + 1.0) + (n - 1.0) / m).sqrt()))
            .collect();
        CurveView {
            title: format!(
                "Balance vs virtual nodes | {} nodes, {} keys",
                self.nodes,
                crate::render::thousands(self.keys)
            ),
            x_label: "virtual nodes per node (log)".into(),
            y_label: "coefficient of variation (log)".into(),
            log_x: true,
            log_y: true,
            series: vec![
                Series {
                    label: "theory 1/sqrt(V)".into(),
                    points: theory,
                    style: SeriesStyle::Dashed,
                },
                Series {
                    label: format!(
                        "theory with {} keys' sampling noise",
                        crate::render::thousands(self.keys)
                    ),
                    points: key_theory,
                    style: SeriesStyle::Dotted,
                },
                Series {
                    label: "measured: ring shares".into(),
                    points: points(|row| row.share_balance.cv),
                    style: SeriesStyle::LineWithMarkers,
                },
                Series {
                    label: "measured: keys per node".into(),
                    points: points(|row| row.key_balance.cv),
                    style: SeriesStyle::LineWithMarkers,
                },
            ],
            ..CurveView::default()
        }
    }
}

/// `count` points spaced evenly on a log scale from `low` to `high`.
fn log_grid(low: f64, high: f64, count: usize) -> Vec<f64> {
    let (low, high) = (low.max(f64::MIN_POSITIVE).ln(), high.max(low).ln());
    (0..count)
        .map(|i| (low + (high - low) * i as f64 / (count - 1).max(1) as f64).exp())
        .collect()
}

/// Bytes as B, KiB or MiB.
///
/// ```
/// use elastic_vdb::analysis::human_bytes;
///
/// assert_eq!(human_bytes(512), "512 B");
/// assert_eq!(human_bytes(262_144), "256.0 KiB");
/// assert_eq!(human_bytes(3 << 20), "3.0 MiB");
/// ```
#[must_use]
pub fn human_bytes(bytes: usize) -> String {
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < 1 << 20 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20))
    }
}

/// An aligned text table: first column left, the others right-aligned.
pub(crate) fn text_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|cell| cell.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| -> String {
        cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(index, (cell, &width))| {
                if index == 0 {
                    format!("{cell:<width$}")
                } else {
                    format!("{cell:>width$}")
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    let mut out = line(header.to_vec());
    for row in rows {
        out.push('\n');
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

/// An HTML table with a caption; every cell escaped.
pub(crate) fn html_table(caption: &str, header: &[&str], rows: &[Vec<String>]) -> String {
    use crate::render::escape_xml;
    let mut out = format!(
        "<table style=\"border-collapse:collapse;font-family:sans-serif;font-size:13px\"><caption style=\"text-align:left;font-weight:bold;padding:4px 0\">{}</caption><thead><tr>",
        escape_xml(caption)
    );
    for cell in header {
        out.push_str(&format!(
            "<th style=\"border-bottom:2px solid #444;padding:3px 10px;text-align:right\">{}</th>",
            escape_xml(cell)
        ));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for (index, cell) in row.iter().enumerate() {
            let align = if index == 0 { "left" } else { "right" };
            out.push_str(&format!(
                "<td style=\"border-bottom:1px solid #ddd;padding:3px 10px;text-align:{align}\">{}</td>",
                escape_xml(cell)
            ));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}
