//! The consistent-hash ring with virtual nodes.
//!
//! Every node puts `vnodes` points on a circle of 2^64 positions (see
//! [`crate::hash`]). A key belongs to the node of the first point at or after
//! the key's own position, wrapping past the last point to the first: each
//! point owns the arc that ends at it.
//!
//! One file per concern: this one holds the ring's nodes and points and
//! how they change; `lookup` finds the owner and the preference list of a
//! position (the successor search, in one place); `arcs` cuts the circle
//! into the arcs the points own and compares two rings arc by arc (what a
//! change hands over, and which preference lists it changes). The ring
//! knows nothing of vectors or shards.

mod arcs;
mod lookup;
mod points;
#[cfg(test)]
mod tests;

use crate::error::{Error, RingError, validate_node_id, validate_vnodes};
use std::collections::BTreeMap;

use crate::hash::{salted_vnode_position, vnode_position};

pub(crate) use arcs::Members;
pub use arcs::{ChangedArc, Handover, OwnedArc, arc_ranges};
pub(crate) use lookup::{Preferences, first_at_or_after};
pub use points::RingPoint;
use points::weighted_vnodes;

/// The tutorial's default number of virtual nodes per node.
pub const DEFAULT_VNODES: u32 = 80;

/// A consistent-hash ring of named nodes, each with its own number of
/// virtual nodes.
///
/// ```
/// use elastic_vdb::Ring;
///
/// let mut ring = Ring::new();
/// assert_eq!(ring.owner("vec_000000"), None); // an empty ring owns nothing
/// ring.add_node("nodeA")?;
/// ring.add_node("nodeB")?;
/// assert_eq!(ring.owner("vec_000000"), Some("nodeB"));
/// assert_eq!(ring.point_count(), 160);
/// # Ok::<(), elastic_vdb::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Ring {
    vnodes_per_node: u32,
    /// Point positions, ascending; `owners[i]` is the slot owning `positions[i]`.
    positions: Vec<u64>,
    owners: Vec<u32>,
    /// Node records by slot; a removed node leaves `None` until a new node reuses it.
    slots: Vec<Option<NodeRecord>>,
    by_id: BTreeMap<String, u32>,
    next_order: u64,
}

#[derive(Debug, Clone)]
struct NodeRecord {
    id: String,
    vnodes: u32,
    /// Capacity relative to a standard node; a rebuild gives the node
    /// `weight * vnodes_per_node` points.
    weight: f64,
    /// Insertion order: a rebuild re-adds nodes in it, so that salted
    /// collisions resolve as they did (and as in the tutorial).
    order: u64,
}

impl Default for Ring {
    fn default() -> Self {
        Ring::new()
    }
}

impl Ring {
    /// An empty ring whose nodes get [`DEFAULT_VNODES`] (80) points each.
    ///
    /// ```
    /// assert_eq!(elastic_vdb::Ring::new().vnodes_per_node(), 80);
    /// ```
    #[must_use]
    pub fn new() -> Ring {
        Ring {
            vnodes_per_node: DEFAULT_VNODES,
            positions: Vec::new(),
            owners: Vec::new(),
            slots: Vec::new(),
            by_id: BTreeMap::new(),
            next_order: 0,
        }
    }

    /// An empty ring whose nodes get `vnodes` points each, from 1 to
    /// [`MAX_VNODES`](crate::error::MAX_VNODES).
    ///
    /// ```
    /// use elastic_vdb::Ring;
    ///
    /// assert_eq!(Ring::with_vnodes(160)?.vnodes_per_node(), 160);
    /// assert_eq!(Ring::with_vnodes(0).unwrap_err().to_string(),
    ///            "vnodes per node must be between 1 and 10000, got 0");
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn with_vnodes(vnodes: u32) -> Result<Ring, Error> {
        let vnodes_per_node = validate_vnodes(vnodes.into())?;
        Ok(Ring {
            vnodes_per_node,
            ..Ring::new()
        })
    }

    /// The number of points a node added with [`Ring::add_node`] gets.
    ///
    /// ```
    /// assert_eq!(elastic_vdb::Ring::with_vnodes(7)?.vnodes_per_node(), 7);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn vnodes_per_node(&self) -> u32 {
        self.vnodes_per_node
    }

    /// Adds a node with the ring's default number of virtual nodes.
    ///
    /// ```
    /// let mut ring = elastic_vdb::Ring::new();
    /// ring.add_node("nodeA")?;
    /// assert_eq!(ring.add_node("nodeA").unwrap_err().to_string(),
    ///            r#"node "nodeA" is already on the ring"#);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn add_node(&mut self, id: &str) -> Result<(), Error> {
        self.add_node_with_vnodes(id, self.vnodes_per_node)
    }

    /// Adds a node with its own number of virtual nodes (a bigger node gets
    /// more points and so a bigger share of the ring).
    ///
    /// ```
    /// let mut ring = elastic_vdb::Ring::new();
    /// ring.add_node_with_vnodes("big", 160)?;
    /// ring.add_node_with_vnodes("small", 40)?;
    /// assert_eq!(ring.vnodes_of("big"), Some(160));
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn add_node_with_vnodes(&mut self, id: &str, vnodes: u32) -> Result<(), Error> {
        validate_node_id(id)?;
        let vnodes = validate_vnodes(vnodes.into())?;
        let weight = f64::from(vnodes) / f64::from(self.vnodes_per_node);
        self.join(id, vnodes, weight)
    }

    /// Adds a node whose capacity is `weight` times a standard node's: it
    /// gets `weight * vnodes_per_node` points (rounded, at least one), so its
    /// share of the ring follows its weight. A rebuild keeps the weight.
    ///
    /// ```
    /// let mut ring = elastic_vdb::Ring::new();
    /// ring.add_weighted_node("big", 2.0)?;
    /// ring.add_weighted_node("tiny", 0.001)?;
    /// assert_eq!(ring.vnodes_of("big"), Some(160));
    /// assert_eq!(ring.vnodes_of("tiny"), Some(1)); // never zero points
    /// assert_eq!(ring.add_weighted_node("bad", f64::NAN).unwrap_err().to_string(),
    ///            "node weight must be a finite number above 0, got NaN");
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn add_weighted_node(&mut self, id: &str, weight: f64) -> Result<(), Error> {
        self.add_weighted_nodes(&[(id, weight)])
    }

    /// Adds several nodes at once, each with its weight, in the order given.
    /// They land exactly where adding them one by one would, for one sort
    /// and one merge of the ring's points instead of a merge of every point
    /// per node (building a ring of a thousand nodes one at a time merges
    /// its points a thousand times). All or nothing: an invalid id or
    /// weight, or an id already on the ring or twice in the list, is refused
    /// before anything changes.
    ///
    /// ```
    /// use elastic_vdb::Ring;
    ///
    /// let mut one_by_one = Ring::new();
    /// for id in ["a", "b", "c"] { one_by_one.add_node(id)?; }
    /// let mut at_once = Ring::new();
    /// at_once.add_weighted_nodes(&[("a", 1.0), ("b", 1.0), ("c", 1.0)])?;
    /// assert!(at_once.points().eq(one_by_one.points()));
    /// assert!(at_once.add_weighted_nodes(&[("d", 1.0), ("a", 1.0)]).is_err());
    /// assert_eq!(at_once.node_count(), 3); // d was not added either
    /// assert!(at_once.points().eq(one_by_one.points()));
    /// assert!(at_once.add_weighted_nodes(&[("e", 1.0), ("f", f64::NAN)]).is_err());
    /// assert!(at_once.points().eq(one_by_one.points()));
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn add_weighted_nodes(&mut self, nodes: &[(&str, f64)]) -> Result<(), Error> {
        let mut seen = std::collections::BTreeSet::new();
        let mut records = Vec::with_capacity(nodes.len());
        // Checked in the order a single join checks: the id, the weight,
        // then whether the node is there already.
        for &(id, weight) in nodes {
            validate_node_id(id)?;
            let vnodes = weighted_vnodes(weight, self.vnodes_per_node)?;
            if self.by_id.contains_key(id) || !seen.insert(id) {
                return Err(RingError::DuplicateNode(id.to_owned()).into());
            }
            records.push(NodeRecord {
                id: id.to_owned(),
                vnodes,
                weight,
                order: self.next_order + records.len() as u64,
            });
        }
        self.next_order += records.len() as u64;
        self.insert_nodes(records, vnode_position, salted_vnode_position);
        Ok(())
    }

    /// The weight a node was added with (1 for [`Ring::add_node`]).
    ///
    /// ```
    /// let mut ring = elastic_vdb::Ring::new();
    /// ring.add_weighted_node("a", 1.5)?;
    /// assert_eq!(ring.weight_of("a"), Some(1.5));
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn weight_of(&self, id: &str) -> Option<f64> {
        self.record(id).map(|record| record.weight)
    }

    fn record(&self, id: &str) -> Option<&NodeRecord> {
        self.slot_of(id)
            .and_then(|slot| self.slots[slot as usize].as_ref())
    }

    /// The nodes in the order they joined, with their weights.
    ///
    /// ```
    /// let mut ring = elastic_vdb::Ring::new();
    /// ring.add_node("b")?;
    /// ring.add_weighted_node("a", 2.0)?;
    /// assert_eq!(ring.nodes_in_join_order(), [("b".to_string(), 1.0), ("a".to_string(), 2.0)]);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn nodes_in_join_order(&self) -> Vec<(String, f64)> {
        let mut records: Vec<&NodeRecord> = self.slots.iter().flatten().collect();
        records.sort_by_key(|record| record.order);
        records
            .into_iter()
            .map(|record| (record.id.clone(), record.weight))
            .collect()
    }

    /// Removes a node and all its points.
    ///
    /// ```
    /// let mut ring = elastic_vdb::Ring::new();
    /// ring.add_node("nodeA")?;
    /// ring.remove_node("nodeA")?;
    /// assert!(ring.is_empty());
    /// assert!(ring.remove_node("nodeA").is_err());
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn remove_node(&mut self, id: &str) -> Result<(), Error> {
        let slot = self
            .by_id
            .remove(id)
            .ok_or_else(|| Error::Ring(RingError::UnknownNode(id.to_owned())))?;
        self.slots[slot as usize] = None;
        let mut kept = 0;
        for index in 0..self.positions.len() {
            if self.owners[index] != slot {
                self.positions[kept] = self.positions[index];
                self.owners[kept] = self.owners[index];
                kept += 1;
            }
        }
        self.positions.truncate(kept);
        self.owners.truncate(kept);
        Ok(())
    }

    /// Gives every node `vnodes` points (times its weight), re-adding the
    /// nodes in the order they first joined (the tutorial's "Rebuild ring").
    ///
    /// ```
    /// let mut ring = elastic_vdb::Ring::new();
    /// ring.add_node("nodeA")?;
    /// ring.rebuild(160)?;
    /// assert_eq!(ring.point_count(), 160);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn rebuild(&mut self, vnodes: u32) -> Result<(), Error> {
        let vnodes = validate_vnodes(vnodes.into())?;
        let mut records: Vec<NodeRecord> = self.slots.iter().flatten().cloned().collect();
        records.sort_by_key(|record| record.order);
        // Built aside and swapped in only when every node fits: a weighted
        // node whose vnode count overflows the cap refuses the whole rebuild
        // and leaves this ring as it was (the store behind it would
        // otherwise hold shards of nodes the ring had already forgotten).
        let mut rebuilt = Ring {
            vnodes_per_node: vnodes,
            next_order: self.next_order,
            ..Ring::new()
        };
        let records = records
            .into_iter()
            .map(|record| {
                Ok(NodeRecord {
                    vnodes: weighted_vnodes(record.weight, vnodes)?,
                    ..record
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        rebuilt.insert_nodes(records, vnode_position, salted_vnode_position);
        *self = rebuilt;
        Ok(())
    }

    /// Whether a node of that id is on the ring.
    ///
    /// ```
    /// let mut ring = elastic_vdb::Ring::new();
    /// ring.add_node("nodeA")?;
    /// assert!(ring.contains_node("nodeA") && !ring.contains_node("nodeB"));
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn contains_node(&self, id: &str) -> bool {
        self.by_id.contains_key(id)
    }

    /// The number of nodes.
    ///
    /// ```
    /// assert_eq!(elastic_vdb::Ring::new().node_count(), 0);
    /// ```
    #[must_use]
    pub fn node_count(&self) -> usize {
        self.by_id.len()
    }

    /// Whether the ring has no node.
    ///
    /// ```
    /// assert!(elastic_vdb::Ring::new().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// The number of points (virtual nodes) on the ring.
    ///
    /// ```
    /// let mut ring = elastic_vdb::Ring::with_vnodes(3)?;
    /// ring.add_node("a")?;
    /// assert_eq!(ring.point_count(), 3);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn point_count(&self) -> usize {
        self.positions.len()
    }

    /// The node ids, sorted.
    ///
    /// ```
    /// let mut ring = elastic_vdb::Ring::new();
    /// ring.add_node("b")?;
    /// ring.add_node("a")?;
    /// assert_eq!(ring.nodes().collect::<Vec<_>>(), ["a", "b"]);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn nodes(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.by_id.keys().map(String::as_str)
    }

    /// The number of virtual nodes a node was given, or `None` if it is not on the ring.
    ///
    /// ```
    /// let mut ring = elastic_vdb::Ring::new();
    /// ring.add_node("a")?;
    /// assert_eq!(ring.vnodes_of("a"), Some(80));
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn vnodes_of(&self, id: &str) -> Option<u32> {
        self.record(id).map(|record| record.vnodes)
    }

    /// Points per node, sorted by node id (the tutorial's `snapshot`).
    ///
    /// ```
    /// let mut ring = elastic_vdb::Ring::with_vnodes(5)?;
    /// ring.add_node("a")?;
    /// assert_eq!(ring.vnode_counts()["a"], 5);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn vnode_counts(&self) -> BTreeMap<String, usize> {
        let mut per_slot = vec![0usize; self.slots.len()];
        for &owner in &self.owners {
            per_slot[owner as usize] += 1;
        }
        self.by_id
            .iter()
            .map(|(id, &slot)| (id.clone(), per_slot[slot as usize]))
            .collect()
    }
}
