//! Finding a position's owner: the first point at or after it, wrapping
//! past the last point to the first, and the distinct nodes that follow
//! (the preference list).

use super::Ring;
use crate::hash::key_position;

/// How many points a preference walk looks at before it asks each node
/// instead (see [`Preferences`]).
const WALK_LIMIT: usize = 64;

/// Preference lists read from one ring, as many as wanted.
///
/// A list is found by walking clockwise from its start point until it has
/// met enough distinct nodes: a few points, as a rule. The walk can be
/// long when the replication factor is at or near the node count and a
/// node has very few points (a tiny weight, or one vnode): it must pass
/// most of the ring to meet that node, and a sweep over every arc then
/// costs points squared (59 s for one join on 10 nodes x 10,000 vnodes
/// with 11 copies, before this). So the walk stops after [`WALK_LIMIT`]
/// points, and each node's first point at or after the start is found by
/// a binary search in that node's own sorted points instead; the nearest
/// nodes make the list. Both ways give the same list. The per-node points
/// are gathered once, on the first list that needs them; a sweep in ring
/// order moves each node's place in them forward instead of searching, and
/// once one list has needed them, the next ones walk only as many points
/// as the list wants, or, in a sweep, none when it wants many of the nodes.
pub(crate) struct Preferences<'a> {
    ring: &'a Ring,
    /// Each node's slot and its points' positions, ascending.
    by_node: Option<Vec<(u32, Vec<u64>)>>,
    /// Per node of `by_node`, the index of its first point at or after
    /// `last_from`, the start of the last list found by node.
    cursors: Vec<usize>,
    last_from: u64,
    /// Whether the last list needed the per-node search.
    by_node_last: bool,
    /// Every node's first point at or after `last_from`, and its slot,
    /// nearest first: the order of the list found at `nearest_start`.
    nearest: Vec<(u64, u32)>,
    nearest_start: Option<usize>,
}

impl<'a> Preferences<'a> {
    pub(crate) fn new(ring: &'a Ring) -> Preferences<'a> {
        Preferences {
            ring,
            by_node: None,
            cursors: Vec::new(),
            last_from: 0,
            by_node_last: false,
            nearest: Vec::new(),
            nearest_start: None,
        }
    }

    /// The slots of the preference list of `position`, into `out`.
    pub(crate) fn slots(&mut self, position: u64, replicas: usize, out: &mut Vec<u32>) {
        match self.ring.point_index_of(position) {
            Some(start) => self.slots_from(start, replicas, out),
            None => out.clear(),
        }
    }

    /// The slots of the preference list that starts at point `start` (the
    /// first point at or after a position; `start` past the last point
    /// wraps to the first), into `out`, empty on an empty ring: for callers
    /// that sweep positions in order and so know `start` without a search.
    pub(crate) fn slots_from(&mut self, start: usize, replicas: usize, out: &mut Vec<u32>) {
        out.clear();
        let ring = self.ring;
        let count = ring.positions.len();
        if count == 0 {
            return;
        }
        let start = start % count;
        let wanted = replicas.min(ring.node_count());
        if wanted == 1 {
            out.push(ring.owners[start]);
            return;
        }
        // Lists that needed the per-node search come in runs (a rare node
        // is needed at every point of a sweep): shorten the walk while they
        // do, to the few points that could still make the list. In a sweep,
        // where the per-node order moves one node per point, skip the walk
        // when the list wants many of the nodes (more than the square root
        // of twice their number: on 11 nodes a walk of 11 points almost
        // never meets 11 distinct ones, and costs more than that move).
        // Lookups in random order keep the short walk: for them the
        // per-node order is sorted again each time.
        let in_sweep = self
            .nearest_start
            .is_some_and(|last| last == start || last + 1 == start);
        let walk = if !self.by_node_last {
            WALK_LIMIT
        } else if in_sweep && wanted * wanted > 2 * ring.node_count() {
            0
        } else {
            wanted
        };
        for step in 0..count.min(walk) {
            if out.len() == wanted {
                return;
            }
            let slot = ring.owners[(start + step) % count];
            if !out.contains(&slot) {
                out.push(slot);
            }
        }
        self.by_node_last = out.len() < wanted;
        if self.by_node_last {
            self.nearest_nodes(start, wanted, out);
        }
    }

    /// The `wanted` nodes whose first point at or after point `start` is
    /// nearest, nearest first: the preference list without the walk.
    ///
    /// Every node is kept in that order. From one point to the next only the
    /// node of the point passed has a new first point, so a sweep moves that
    /// one node to its new place instead of ordering them all again (on 10
    /// nodes x 10,000 vnodes with 11 copies, that was 36% of a join).
    pub(super) fn nearest_nodes(&mut self, start: usize, wanted: usize, out: &mut Vec<u32>) {
        let ring = self.ring;
        let by_node = self.by_node.get_or_insert_with(|| {
            let mut lists: std::collections::BTreeMap<u32, Vec<u64>> = Default::default();
            for (&position, &slot) in ring.positions.iter().zip(&ring.owners) {
                lists.entry(slot).or_default().push(position);
            }
            lists.into_iter().collect()
        });
        let from = ring.positions[start];
        let order_of = |&(first, slot): &(u64, u32)| (first.wrapping_sub(from), slot);
        // One step on, and the point passed is the only one between the two
        // starts: no other point at its position, none at the new start's.
        let one_step = start >= 2
            && self.nearest_start == Some(start - 1)
            && ring.positions[start - 2] < ring.positions[start - 1]
            && ring.positions[start - 1] < from;
        if self.nearest_start == Some(start) {
            // The same list again.
        } else if one_step {
            let passed = ring.owners[start - 1];
            let node = by_node
                .binary_search_by_key(&passed, |&(slot, _)| slot)
                .expect("every slot on the ring has points");
            let (points, at) = (&by_node[node].1, &mut self.cursors[node]);
            *at = first_at_or_after(points, *at, from);
            let moved = (first_from(points, *at), passed);
            let was = self
                .nearest
                .iter()
                .position(|&(_, slot)| slot == passed)
                .expect("every node is in the order");
            self.nearest.remove(was);
            let place = self
                .nearest
                .partition_point(|entry| order_of(entry) < order_of(&moved));
            self.nearest.insert(place, moved);
        } else {
            // In a sweep the start only moves forward: each node's first
            // point at or after it is at most a step or two on from the last.
            let forward = self.cursors.len() == by_node.len() && from >= self.last_from;
            if !forward {
                self.cursors.clear();
                self.cursors.resize(by_node.len(), 0);
            }
            self.nearest.clear();
            for ((slot, points), at) in by_node.iter().zip(&mut self.cursors) {
                // From the node's last cursor in a sweep, by binary search
                // from 0 otherwise.
                *at = first_at_or_after(points, *at, from);
                self.nearest.push((first_from(points, *at), *slot));
            }
            self.nearest.sort_unstable_by_key(order_of);
        }
        self.nearest_start = Some(start);
        self.last_from = from;
        out.clear();
        out.extend(self.nearest.iter().take(wanted).map(|&(_, slot)| slot));
    }
}

/// A node's first point at or after a start, given `at`, the index of the
/// first of its `points` at or after it: past its last point, its first
/// point comes round again.
fn first_from(points: &[u64], at: usize) -> u64 {
    *points.get(at).unwrap_or(&points[0])
}

impl Ring {
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
        let index = first_at_or_after(&self.positions, 0, position);
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
        Preferences::new(self).slots(position, replicas, out);
    }

    /// Point positions in ascending order.
    pub(crate) fn positions(&self) -> &[u64] {
        &self.positions
    }
}

/// The index of the first of `points` (ascending) at or after `position`,
/// searching from index `from` on (no point before `from` may be at or
/// after it); `points.len()` when there is none (the caller wraps to the
/// first point). The ring's one successor search. A lookup (from 0) is a
/// binary search. A sweep over ascending positions starts where the
/// previous search stopped and finds the answer there or a point or two
/// on, so from anywhere else it walks forward: over a whole sweep, one step
/// per point.
#[inline]
pub(crate) fn first_at_or_after(points: &[u64], from: usize, position: u64) -> usize {
    if from == 0 {
        return points.partition_point(|&point| point < position);
    }
    let mut index = from;
    while points.get(index).is_some_and(|&point| point < position) {
        index += 1;
    }
    index
}
