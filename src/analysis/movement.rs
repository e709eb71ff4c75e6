//! Keys moved between two placements of the same keys.

use crate::error::{Error, ParameterError};
use std::collections::BTreeMap;

use serde::Serialize;

use crate::strategy::Strategy;

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

/// The keys that move when node `removed` (an index into `nodes`) leaves.
///
/// # Errors
/// Any error building the strategy, [`ParameterError::Invalid`] for an index
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
        return Err(Error::Parameter(ParameterError::Invalid {
            parameter: "removed node index",
            value: removed.to_string(),
            allowed: "an index into the node list",
        }));
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
