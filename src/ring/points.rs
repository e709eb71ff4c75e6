//! Where a node's points go: one point per virtual node at the hash of
//! its name, a collision salted until the position is free, and the
//! points kept in ring order.

use crate::error::{Error, RingError};
use std::collections::HashSet;

use itertools::Itertools;

use super::{NodeRecord, Ring};
use crate::hash::{salted_vnode_position, vnode_position};

/// One point of the ring, created by [`Ring::points`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RingPoint<'a> {
    /// Where the point sits on the circle.
    pub position: u64,
    /// The node it belongs to.
    pub node: &'a str,
}

impl Ring {
    /// Places a node whose id and vnode count were checked, unless it is there.
    pub(super) fn join(&mut self, id: &str, vnodes: u32, weight: f64) -> Result<(), Error> {
        if self.by_id.contains_key(id) {
            return Err(Error::Ring(RingError::DuplicateNode(id.to_owned())));
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

    /// Places a validated, new node. The hash functions are parameters so that
    /// tests can force collisions.
    pub(super) fn insert_node(
        &mut self,
        id: &str,
        vnodes: u32,
        weight: f64,
        order: u64,
        hash: impl Fn(&str, u32) -> u64,
        salted: impl Fn(&str, u32, u64) -> u64,
    ) {
        let record = NodeRecord {
            id: id.to_owned(),
            vnodes,
            weight,
            order,
        };
        self.insert_nodes(vec![record], hash, salted);
    }

    /// Places validated, new nodes in the order given, exactly where adding
    /// them one by one would (a collision is salted against every point
    /// already there, the earlier nodes' of the batch included), with one
    /// sort and one merge for the whole batch instead of one merge of every
    /// point per node.
    pub(super) fn insert_nodes(
        &mut self,
        records: Vec<NodeRecord>,
        hash: impl Fn(&str, u32) -> u64,
        salted: impl Fn(&str, u32, u64) -> u64,
    ) {
        let total: usize = records.iter().map(|record| record.vnodes as usize).sum();
        let mut taken_in_batch = HashSet::with_capacity(total);
        let mut new_points = Vec::with_capacity(total);
        let mut free = 0;
        for record in records {
            while self.slots.get(free).is_some_and(Option::is_some) {
                free += 1;
            }
            if free == self.slots.len() {
                self.slots.push(None);
            }
            let slot_index = u32::try_from(free).expect("fewer than 2^32 nodes");
            self.by_id.insert(record.id.clone(), slot_index);
            // As in the tutorial, a vnode whose position is taken, by another
            // node or by this node's earlier vnodes, is salted until it finds
            // a free one.
            for vnode in 0..record.vnodes {
                let mut position = hash(&record.id, vnode);
                let mut salt = 0;
                while self.positions.binary_search(&position).is_ok()
                    || taken_in_batch.contains(&position)
                {
                    salt += 1;
                    position = salted(&record.id, vnode, salt);
                }
                taken_in_batch.insert(position);
                new_points.push((position, slot_index));
            }
            self.slots[free] = Some(record);
        }
        new_points.sort_unstable();
        self.merge_points(&new_points);
    }

    fn merge_points(&mut self, new_points: &[(u64, u32)]) {
        let mut positions = Vec::with_capacity(self.positions.len() + new_points.len());
        let mut owners = Vec::with_capacity(positions.capacity());
        let old = self
            .positions
            .iter()
            .copied()
            .zip(self.owners.iter().copied());
        // On equal positions the point already there comes first.
        for (position, owner) in old.merge_by(new_points.iter().copied(), |a, b| a.0 <= b.0) {
            positions.push(position);
            owners.push(owner);
        }
        self.positions = positions;
        self.owners = owners;
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
}

/// The vnode count of a node of `weight`: `weight * vnodes_per_node`,
/// rounded, at least 1 and at most [`MAX_VNODES`](crate::error::MAX_VNODES).
pub(super) fn weighted_vnodes(weight: f64, vnodes_per_node: u32) -> Result<u32, Error> {
    if !weight.is_finite() || weight <= 0.0 {
        return Err(Error::Ring(RingError::InvalidWeight(weight)));
    }
    let vnodes = (weight * f64::from(vnodes_per_node)).round().max(1.0);
    if vnodes > f64::from(crate::error::MAX_VNODES) {
        return Err(Error::Ring(RingError::WeightTooLarge {
            weight,
            vnodes_per_node,
        }));
    }
    Ok(vnodes as u32)
}
