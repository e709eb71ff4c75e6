//! The consistent-hash ring with virtual nodes.
//!
//! Every node puts `vnodes` points on a circle of 2^64 positions (see
//! [`crate::hash`]). A key belongs to the node of the first point at or after
//! the key's own position, wrapping past the last point to the first: each
//! point owns the arc that ends at it.

use std::collections::{BTreeMap, HashSet};

use crate::error::{Error, validate_node_id, validate_vnodes};
use crate::hash::{key_position, salted_vnode_position, vnode_position};

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

/// One point of the ring, created by [`Ring::points`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RingPoint<'a> {
    /// Where the point sits on the circle.
    pub position: u64,
    /// The node it belongs to.
    pub node: &'a str,
}

/// The arc of the circle one point owns: positions after `start` up to and
/// including `end`, wrapping past `u64::MAX`. Created by [`Ring::arcs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OwnedArc<'a> {
    /// The previous point's position (exclusive).
    pub start: u64,
    /// This point's position (inclusive).
    pub end: u64,
    /// The node owning the arc.
    pub node: &'a str,
}

/// A stretch of the circle that changed owner between two rings: positions
/// after `start` up to and including `end` (the whole circle when they are
/// equal), owned by `from` before and by `to` after (`None`: no owner, an
/// empty ring). Created by [`Ring::handovers_since`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handover {
    /// The position before the stretch (exclusive).
    pub start: u64,
    /// The stretch's last position (inclusive).
    pub end: u64,
    /// The owner before.
    pub from: Option<String>,
    /// The owner after.
    pub to: Option<String>,
}

impl OwnedArc<'_> {
    /// How many positions the arc holds: `2^64` for the only point of a ring.
    ///
    /// ```
    /// use elastic_vdb::Ring;
    ///
    /// let mut ring = Ring::with_vnodes(1)?;
    /// ring.add_node("solo")?;
    /// assert_eq!(ring.arcs()[0].length(), 1u128 << 64);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn length(&self) -> u128 {
        let span = u128::from(self.end.wrapping_sub(self.start));
        if span == 0 { 1u128 << 64 } else { span }
    }

    /// Whether `position` lies on this arc.
    ///
    /// ```
    /// use elastic_vdb::ring::OwnedArc;
    ///
    /// let arc = OwnedArc { start: u64::MAX - 1, end: 5, node: "a" };
    /// assert!(arc.contains(0) && arc.contains(5) && !arc.contains(6));
    /// ```
    #[must_use]
    pub fn contains(&self, position: u64) -> bool {
        let offset = position.wrapping_sub(self.start);
        offset != 0 && u128::from(offset) <= self.length() || self.start == self.end
    }
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
        validate_node_id(id)?;
        let vnodes = weighted_vnodes(weight, self.vnodes_per_node)?;
        self.join(id, vnodes, weight)
    }

    /// Places a node whose id and vnode count were checked, unless it is there.
    fn join(&mut self, id: &str, vnodes: u32, weight: f64) -> Result<(), Error> {
        if self.by_id.contains_key(id) {
            return Err(Error::DuplicateNode(id.to_owned()));
        }
        let order = self.next_order;
        self.next_order += 1;
        self.insert_node(
            id,
            vnodes,
            weight,
            order,
            vnode_position,
            salted_vnode_position,
        );
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

    /// The preference list of a position: the first `replicas` distinct nodes
    /// met clockwise from it (fewer if the ring has fewer nodes). The first is
    /// the owner; the others hold the copies.
    ///
    /// ```
    /// let mut ring = elastic_vdb::Ring::new();
    /// for node in ["a", "b", "c"] { ring.add_node(node)?; }
    /// let list = ring.preference_list(elastic_vdb::hash::key_position("doc"), 2);
    /// assert_eq!(list.len(), 2);
    /// assert_eq!(Some(list[0]), ring.owner("doc"));
    /// assert_ne!(list[0], list[1]);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn preference_list(&self, position: u64, replicas: usize) -> Vec<&str> {
        let mut slots = Vec::with_capacity(replicas);
        self.preference_slots(position, replicas, &mut slots);
        slots.into_iter().map(|slot| self.slot_id(slot)).collect()
    }

    /// The slots of the preference list of `position`, into `out`.
    pub(crate) fn preference_slots(&self, position: u64, replicas: usize, out: &mut Vec<u32>) {
        match self.point_index_of(position) {
            Some(start) => self.preference_slots_from(start, replicas, out),
            None => out.clear(),
        }
    }

    /// The slots of the preference list that starts at point `start` (the
    /// first point at or after a position), into `out`: for callers that
    /// sweep positions in order and so know `start` without a search.
    pub(crate) fn preference_slots_from(&self, start: usize, replicas: usize, out: &mut Vec<u32>) {
        out.clear();
        let wanted = replicas.min(self.node_count());
        let count = self.positions.len();
        for step in 0..count {
            if out.len() == wanted {
                break;
            }
            let slot = self.owners[(start + step) % count];
            if !out.contains(&slot) {
                out.push(slot);
            }
        }
    }

    /// Point positions in ascending order.
    pub(crate) fn positions(&self) -> &[u64] {
        &self.positions
    }

    /// Places a validated, new node. The hash functions are parameters so that
    /// tests can force collisions.
    fn insert_node(
        &mut self,
        id: &str,
        vnodes: u32,
        weight: f64,
        order: u64,
        hash: impl Fn(&str, u32) -> u64,
        salted: impl Fn(&str, u32, u64) -> u64,
    ) {
        let slot = match self.slots.iter().position(Option::is_none) {
            Some(free) => free,
            None => {
                self.slots.push(None);
                self.slots.len() - 1
            }
        };
        let slot_index = u32::try_from(slot).expect("fewer than 2^32 nodes");
        self.slots[slot] = Some(NodeRecord {
            id: id.to_owned(),
            vnodes,
            weight,
            order,
        });
        self.by_id.insert(id.to_owned(), slot_index);

        // As in the tutorial, a vnode whose position is taken, by another node
        // or by this node's earlier vnodes, is salted until it finds a free one.
        let mut taken_by_this_node = HashSet::with_capacity(vnodes as usize);
        let mut new_points = Vec::with_capacity(vnodes as usize);
        for vnode in 0..vnodes {
            let mut position = hash(id, vnode);
            let mut salt = 0;
            while self.positions.binary_search(&position).is_ok()
                || taken_by_this_node.contains(&position)
            {
                salt += 1;
                position = salted(id, vnode, salt);
            }
            taken_by_this_node.insert(position);
            new_points.push((position, slot_index));
        }
        new_points.sort_unstable();
        self.merge_points(&new_points);
    }

    fn merge_points(&mut self, new_points: &[(u64, u32)]) {
        let mut positions = Vec::with_capacity(self.positions.len() + new_points.len());
        let mut owners = Vec::with_capacity(positions.capacity());
        let (mut old, mut new) = (0, 0);
        while old < self.positions.len() || new < new_points.len() {
            let take_old = new == new_points.len()
                || (old < self.positions.len() && self.positions[old] < new_points[new].0);
            if take_old {
                positions.push(self.positions[old]);
                owners.push(self.owners[old]);
                old += 1;
            } else {
                positions.push(new_points[new].0);
                owners.push(new_points[new].1);
                new += 1;
            }
        }
        self.positions = positions;
        self.owners = owners;
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
            .ok_or_else(|| Error::UnknownNode(id.to_owned()))?;
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
        for record in records {
            rebuilt.insert_node(
                &record.id,
                weighted_vnodes(record.weight, vnodes)?,
                record.weight,
                record.order,
                vnode_position,
                salted_vnode_position,
            );
        }
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

    /// The node that owns `key`, or `None` on an empty ring.
    ///
    /// ```
    /// let mut ring = elastic_vdb::Ring::new();
    /// ring.add_node("nodeA")?;
    /// assert_eq!(ring.owner("anything"), Some("nodeA"));
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn owner(&self, key: &str) -> Option<&str> {
        self.owner_of_position(key_position(key))
    }

    /// The node that owns a ring position: the node of the first point at or
    /// after it, wrapping to the first point.
    ///
    /// ```
    /// let mut ring = elastic_vdb::Ring::new();
    /// ring.add_node("nodeA")?;
    /// assert_eq!(ring.owner_of_position(u64::MAX), Some("nodeA"));
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn owner_of_position(&self, position: u64) -> Option<&str> {
        self.slot_of_position(position)
            .map(|slot| self.slot_id(slot))
    }

    /// The index of the point that owns `position`.
    pub(crate) fn point_index_of(&self, position: u64) -> Option<usize> {
        if self.positions.is_empty() {
            return None;
        }
        let index = self.positions.partition_point(|&point| point < position);
        Some(if index == self.positions.len() {
            0
        } else {
            index
        })
    }

    pub(crate) fn slot_of_position(&self, position: u64) -> Option<u32> {
        self.point_index_of(position)
            .map(|index| self.owners[index])
    }

    pub(crate) fn slot_of(&self, id: &str) -> Option<u32> {
        self.by_id.get(id).copied()
    }

    pub(crate) fn slot_id(&self, slot: u32) -> &str {
        &self.slots[slot as usize]
            .as_ref()
            .expect("a point's owner is on the ring")
            .id
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

    /// The points in ring order.
    ///
    /// ```
    /// let mut ring = elastic_vdb::Ring::with_vnodes(4)?;
    /// ring.add_node("a")?;
    /// let positions: Vec<u64> = ring.points().map(|point| point.position).collect();
    /// assert!(positions.windows(2).all(|pair| pair[0] < pair[1]));
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn points(&self) -> impl ExactSizeIterator<Item = RingPoint<'_>> + '_ {
        self.positions
            .iter()
            .zip(&self.owners)
            .map(|(&position, &slot)| RingPoint {
                position,
                node: self.slot_id(slot),
            })
    }

    /// The arc each point owns, in ring order; the first arc wraps around
    /// from the last point.
    ///
    /// ```
    /// let mut ring = elastic_vdb::Ring::with_vnodes(2)?;
    /// ring.add_node("a")?;
    /// let arcs = ring.arcs();
    /// assert_eq!(arcs.iter().map(|arc| arc.length()).sum::<u128>(), 1u128 << 64);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn arcs(&self) -> Vec<OwnedArc<'_>> {
        let Some(&last) = self.positions.last() else {
            return Vec::new();
        };
        let mut start = last;
        self.points()
            .map(|point| {
                let arc = OwnedArc {
                    start,
                    end: point.position,
                    node: point.node,
                };
                start = point.position;
                arc
            })
            .collect()
    }

    /// The stretches of the circle whose owner differs between `before` and
    /// this ring, in ring order, neighbouring stretches with the same two
    /// owners joined: what a change handed from one node to another.
    ///
    /// ```
    /// use elastic_vdb::Ring;
    ///
    /// let mut before = Ring::new();
    /// before.add_node("a")?;
    /// let mut after = before.clone();
    /// after.add_node("b")?;
    /// let handovers = after.handovers_since(&before);
    /// assert!(handovers.iter().all(|h| h.from.as_deref() == Some("a") && h.to.as_deref() == Some("b")));
    /// // What b took is b's share of the circle.
    /// let taken: u128 = handovers.iter().map(|h| u128::from(h.end.wrapping_sub(h.start))).sum();
    /// assert!((taken as f64 / 2f64.powi(64) - after.ownership()["b"]).abs() < 1e-12);
    /// assert!(after.handovers_since(&after).is_empty());
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn handovers_since(&self, before: &Ring) -> Vec<Handover> {
        // Between two consecutive points of either ring, both owners are
        // constant: each is the owner of the stretch's last position.
        let mut cuts: Vec<u64> = before
            .positions
            .iter()
            .chain(&self.positions)
            .copied()
            .collect();
        cuts.sort_unstable();
        cuts.dedup();
        let Some(&last) = cuts.last() else {
            return Vec::new();
        };
        let mut handovers: Vec<Handover> = Vec::new();
        let mut start = last;
        for &end in &cuts {
            let (from, to) = (before.owner_of_position(end), self.owner_of_position(end));
            if from != to {
                match handovers.last_mut() {
                    Some(previous)
                        if previous.end == start
                            && previous.from.as_deref() == from
                            && previous.to.as_deref() == to =>
                    {
                        previous.end = end;
                    }
                    _ => handovers.push(Handover {
                        start,
                        end,
                        from: from.map(str::to_owned),
                        to: to.map(str::to_owned),
                    }),
                }
            }
            start = end;
        }
        // The first stretch starts where the last one ends: join them if
        // they are one handover cut at the top of the circle.
        if handovers.len() > 1 {
            let (first, rest) = handovers.split_first().expect("two or more");
            let tail = rest.last().expect("two or more");
            if tail.end == first.start && tail.from == first.from && tail.to == first.to {
                let end = first.end;
                handovers.remove(0);
                if let Some(tail) = handovers.last_mut() {
                    tail.end = end;
                }
            }
        }
        handovers
    }

    /// The fraction of the circle each node owns, sorted by node id; the
    /// fractions add up to 1 on a non-empty ring.
    ///
    /// ```
    /// let mut ring = elastic_vdb::Ring::new();
    /// ring.add_node("a")?;
    /// ring.add_node("b")?;
    /// let shares = ring.ownership();
    /// assert!((shares["a"] + shares["b"] - 1.0).abs() < 1e-12);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn ownership(&self) -> BTreeMap<String, f64> {
        let mut per_node: BTreeMap<&str, u128> = self.nodes().map(|id| (id, 0)).collect();
        for arc in self.arcs() {
            *per_node.entry(arc.node).or_default() += arc.length();
        }
        let circle = (1u128 << 64) as f64;
        per_node
            .into_iter()
            .map(|(id, length)| (id.to_owned(), length as f64 / circle))
            .collect()
    }
}

/// The vnode count of a node of `weight`: `weight * vnodes_per_node`,
/// rounded, at least 1 and at most [`MAX_VNODES`](crate::error::MAX_VNODES).
fn weighted_vnodes(weight: f64, vnodes_per_node: u32) -> Result<u32, Error> {
    if !weight.is_finite() || weight <= 0.0 {
        return Err(Error::InvalidWeight(weight));
    }
    let vnodes = (weight * f64::from(vnodes_per_node)).round().max(1.0);
    if vnodes > f64::from(crate::error::MAX_VNODES) {
        return Err(Error::WeightTooLarge {
            weight,
            vnodes_per_node,
        });
    }
    Ok(vnodes as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A transparent hash: vnode `v` of a node sits at `base + v`, where the
    /// base is the node id parsed as a number; a salt adds `1000 * salt`.
    fn toy(id: &str, vnode: u32) -> u64 {
        id.parse::<u64>().unwrap() + u64::from(vnode)
    }

    fn toy_salted(id: &str, vnode: u32, salt: u64) -> u64 {
        toy(id, vnode) + 1000 * salt
    }

    #[test]
    fn handovers_cover_exactly_the_positions_that_changed_owner() {
        let ring = |ids: &[&str], vnodes: u32| {
            let mut ring = Ring::with_vnodes(vnodes).unwrap();
            for id in ids {
                ring.add_node(id).unwrap();
            }
            ring
        };
        let rings = [
            Ring::new(),
            ring(&["a"], 1),
            ring(&["a"], 3),
            ring(&["a", "b"], 3),
            ring(&["a", "b", "c"], 3),
            ring(&["b", "c"], 3),
            ring(&["b", "c"], 1),
            ring(&["a", "b", "c", "d"], 20),
        ];
        let mut probes: Vec<u64> = (0..3000u64)
            .map(|index| crate::hash::position(&format!("probe{index}")))
            .chain([0, 1, u64::MAX])
            .collect();
        for ring in &rings {
            // Each point and its neighbours: the edges of every stretch.
            for &position in &ring.positions {
                probes.extend([position, position.wrapping_add(1), position.wrapping_sub(1)]);
            }
        }
        for before in &rings {
            for after in &rings {
                let handovers = after.handovers_since(before);
                // Neighbours with the same two owners are one handover, across
                // the top of the circle too.
                for index in 0..handovers.len() {
                    let (a, b) = (&handovers[index], &handovers[(index + 1) % handovers.len()]);
                    if handovers.len() > 1 && a.end == b.start {
                        assert!(
                            (&a.from, &a.to) != (&b.from, &b.to),
                            "not joined: {a:?} {b:?}"
                        );
                    }
                }
                for &position in &probes {
                    let (from, to) = (
                        before.owner_of_position(position),
                        after.owner_of_position(position),
                    );
                    let holding: Vec<&Handover> = handovers
                        .iter()
                        .filter(|h| {
                            OwnedArc {
                                start: h.start,
                                end: h.end,
                                node: "",
                            }
                            .contains(position)
                        })
                        .collect();
                    if from == to {
                        assert!(holding.is_empty(), "{position} kept its owner: {holding:?}");
                    } else {
                        assert_eq!(holding.len(), 1, "{position}: {from:?} -> {to:?}");
                        assert_eq!(
                            (holding[0].from.as_deref(), holding[0].to.as_deref()),
                            (from, to)
                        );
                    }
                }
            }
        }
    }

    fn toy_ring(nodes: &[(&str, u32)]) -> Ring {
        let mut ring = Ring::new();
        for (order, &(id, vnodes)) in nodes.iter().enumerate() {
            assert!(!ring.by_id.contains_key(id), "toy ids are distinct");
            ring.insert_node(id, vnodes, 1.0, order as u64, toy, toy_salted);
        }
        ring
    }

    /// Join order survives a departure (whose slot the next node reuses) and
    /// a rebuild: saved stores list their nodes in it.
    #[test]
    fn join_order_survives_departures_and_rebuilds() -> Result<(), Error> {
        let mut ring = Ring::with_vnodes(4)?;
        assert!(ring.is_empty());
        for id in ["a", "b", "c"] {
            ring.add_node(id)?;
        }
        assert!(!ring.is_empty());
        ring.remove_node("a")?;
        ring.add_node("d")?;
        ring.rebuild(6)?;
        ring.remove_node("b")?;
        ring.add_weighted_node("e", 2.0)?;
        let order: Vec<String> = ring
            .nodes_in_join_order()
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert_eq!(order, ["c", "d", "e"]);
        assert_eq!(ring.weight_of("e"), Some(2.0));
        Ok(())
    }

    /// A weight that reaches the vnode cap exactly is accepted; one vnode
    /// more is refused.
    #[test]
    fn weights_reach_the_vnode_cap_exactly() -> Result<(), Error> {
        let mut ring = Ring::with_vnodes(40)?;
        ring.add_weighted_node("edge", 250.0)?;
        assert_eq!(ring.vnodes_of("edge"), Some(crate::error::MAX_VNODES));
        ring.add_weighted_node("rounded", 250.01)?;
        assert_eq!(ring.vnodes_of("rounded"), Some(crate::error::MAX_VNODES));
        assert!(matches!(
            ring.add_weighted_node("over", 250.02),
            Err(Error::WeightTooLarge { .. })
        ));
        Ok(())
    }

    #[test]
    fn keys_go_to_the_first_point_at_or_after_them() {
        let ring = toy_ring(&[("10", 1), ("20", 1)]);
        assert_eq!(ring.owner_of_position(10), Some("10"));
        assert_eq!(ring.owner_of_position(11), Some("20"));
        assert_eq!(ring.owner_of_position(20), Some("20"));
        assert_eq!(
            ring.owner_of_position(21),
            Some("10"),
            "wraps to the first point"
        );
        assert_eq!(ring.owner_of_position(0), Some("10"));
    }

    #[test]
    fn a_collision_is_salted_counting_up_from_one() {
        // Node 10's points sit at 10 and 11; node 11's first point wants 11,
        // which is taken, so it moves to 11 + 1000; its second point, 12, is free.
        let ring = toy_ring(&[("10", 2), ("11", 2)]);
        let points: Vec<(u64, &str)> = ring.points().map(|p| (p.position, p.node)).collect();
        assert_eq!(points, [(10, "10"), (11, "10"), (12, "11"), (1011, "11")]);
    }

    #[test]
    fn a_salted_position_that_is_also_taken_salts_again() {
        // Node 1010 holds 1010 and 1011; node 10 wants 10 (free) and then 11
        // (free); node 11 wants 11 (taken) -> 1011 (taken) -> 2011.
        let ring = toy_ring(&[("1010", 2), ("10", 2), ("11", 1)]);
        assert_eq!(ring.owner_of_position(2011), Some("11"));
        assert_eq!(ring.point_count(), 5);
    }

    #[test]
    fn arcs_end_at_their_point_and_the_first_wraps() {
        let ring = toy_ring(&[("10", 1), ("20", 1)]);
        let arcs = ring.arcs();
        assert_eq!(
            arcs,
            [
                OwnedArc {
                    start: 20,
                    end: 10,
                    node: "10"
                },
                OwnedArc {
                    start: 10,
                    end: 20,
                    node: "20"
                }
            ]
        );
        assert_eq!(arcs[1].length(), 10);
        assert_eq!(arcs[0].length(), (1u128 << 64) - 10);
        assert!(arcs[0].contains(5) && arcs[0].contains(u64::MAX) && !arcs[0].contains(15));
    }

    #[test]
    fn removing_frees_the_slot_for_reuse() {
        let mut ring = toy_ring(&[("10", 1), ("20", 1)]);
        ring.remove_node("10").unwrap();
        assert_eq!(ring.owner_of_position(0), Some("20"));
        ring.add_node("fresh").unwrap();
        assert_eq!(ring.slots.len(), 2, "the removed node's slot was reused");
        assert_eq!(ring.vnode_counts()["fresh"], 80);
    }
}
