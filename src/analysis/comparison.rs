//! Every strategy placed on the same keys: balance, movement on a join and a
//! removal, memory.

use crate::error::{Error, ParameterError};
use std::collections::BTreeMap;

use serde::Serialize;

use super::{Balance, KeyMovement, MAX_COMPARE_KEYS, MAX_COMPARE_NODES, counts};
use crate::strategy::{Strategy, key_positions, node_names};

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
    pub(crate) fn check(&self) -> Result<(), Error> {
        if !(1..=MAX_COMPARE_NODES).contains(&self.nodes) {
            return Err(Error::Parameter(ParameterError::Invalid {
                parameter: "nodes",
                value: self.nodes.to_string(),
                allowed: "between 1 and 1000",
            }));
        }
        if !(1..=MAX_COMPARE_KEYS).contains(&self.keys) {
            return Err(Error::Parameter(ParameterError::Invalid {
                parameter: "keys",
                value: self.keys.to_string(),
                allowed: "between 1 and 10,000,000",
            }));
        }
        crate::error::validate_vnodes(self.vnodes.into())?;
        Ok(())
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
    /// [`ParameterError::Invalid`] for nodes or keys out of range,
    /// [`RingError::VnodesOutOfRange`](crate::error::RingError::VnodesOutOfRange).
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

    /// The ideal fraction moved by a join (`1/(n+1)`) and by a removal (`1/n`).
    #[must_use]
    pub fn ideals(&self) -> (f64, f64) {
        (1.0 / (self.nodes + 1) as f64, 1.0 / self.nodes as f64)
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
