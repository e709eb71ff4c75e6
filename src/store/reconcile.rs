//! The reconciliation engine: after the ring changes, every vector whose
//! preference list changed is moved to its new holders, arc by arc, and
//! what moved is tallied into the change's [`Movement`].

use std::collections::{BTreeMap, BTreeSet};

use super::shard::{Block, Key};
use super::tally::Tally;
use super::{Action, Movement, Shard, VectorStore};
use crate::ring::Ring;
use crate::ring::arc_ranges;

/// What a copy of a vector is on the node that holds it: the primary (the
/// owner's copy, the one searched) or a replica.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Role {
    Primary,
    Replica,
}

/// The role of the copy at `rank` of a preference list.
pub(crate) fn role_at(rank: usize) -> Role {
    if rank == 0 {
        Role::Primary
    } else {
        Role::Replica
    }
}

impl VectorStore {
    /// Records a change from the `old` ring (whose vectors had `old_copies`
    /// copies) to the current one: creates shards for new nodes, moves the
    /// data, drops departed nodes' shards, and counts what a crash lost.
    pub(super) fn commit(
        &mut self,
        action: Action,
        old: Ring,
        old_copies: usize,
        failed: Option<Vec<Key>>,
    ) -> Movement {
        let dimension = self.config.dimension;
        for node in self.ring.nodes() {
            for shards in [&mut self.primaries, &mut self.replicas] {
                if !shards.contains_key(node) {
                    shards.insert(node.to_owned(), Shard::new(dimension));
                }
            }
        }
        let mut tally = self.transfer(&old, old_copies);
        self.rehome_orphans(&mut tally);
        for shard in self.all_shards_mut() {
            shard.release_if_empty();
        }
        let ring = &self.ring;
        for shards in [&mut self.primaries, &mut self.replicas] {
            shards.retain(|node, shard| ring.contains_node(node) || !shard.is_empty());
        }

        // A failed node's vectors that no survivor held are lost.
        let (mut lost, mut under_replicated) = (0, 0);
        if let Some(gone) = failed {
            let mut seen = BTreeSet::new();
            for key in gone {
                if !seen.insert(key.serial) {
                    continue;
                }
                if self.holds(key) {
                    under_replicated += 1;
                } else {
                    self.lost.insert(key.serial);
                    lost += 1;
                }
            }
        }
        let nodes_before = old.node_count();
        self.ring_before = old;
        self.finish(action, nodes_before, tally, under_replicated, lost)
    }

    /// Sends whatever is left on the shards of nodes that are no longer on
    /// the ring to the vectors' current preference lists (or the pool), so
    /// that dropping those shards can never drop a vector.
    ///
    /// Reconciliation already empties them: every vector a departed node
    /// held lies on an arc whose list changed. This is the guarantee that
    /// holds even if that ever stops being true, in release builds too; it
    /// costs one scan of the shard maps when there is nothing to rescue.
    fn rehome_orphans(&mut self, tally: &mut Tally) {
        let ring = &self.ring;
        let orphans: Vec<String> = self
            .primaries
            .iter()
            .chain(&self.replicas)
            .filter(|(node, shard)| !ring.contains_node(node) && !shard.is_empty())
            .map(|(node, _)| node.clone())
            .collect::<BTreeSet<String>>()
            .into_iter()
            .collect();
        if orphans.is_empty() {
            return;
        }
        let orphans: Vec<&str> = orphans.iter().map(String::as_str).collect();
        if self.ring.is_empty() {
            self.reconcile_range(0, u64::MAX, &orphans, &[], tally);
            return;
        }
        // Against an empty ring every arc of a non-empty one has changed:
        // this lists each arc with its current preference list. (A copy of
        // the ring: the arcs borrow it while the shards change.)
        let (ring, empty) = (self.ring.clone(), Ring::new());
        let arcs = ring.changed_arcs_since(&empty, 0, self.config.replication);
        for arc in &arcs {
            for (low, high) in arc_ranges(arc.start, arc.end) {
                self.reconcile_range(low, high, &orphans, &arc.after, tally);
            }
        }
    }

    /// Whether any copy of a vector is still held.
    fn holds(&self, key: Key) -> bool {
        match self.ring.owner_of_position(key.position) {
            Some(owner) => self.primaries[owner].contains(key),
            None => self.unassigned.contains(key),
        }
    }

    /// Reconciles the vectors with positions in `low..=high`, whose
    /// preference list was `old_list` and is now `new_list`. Every shard that
    /// may hold one of them gives up its run of the range as one block; the
    /// blocks are merged (one copy of each vector, read from its old holder)
    /// and the merged block goes into each shard of the new list as one run.
    fn reconcile_range(
        &mut self,
        low: u64,
        high: u64,
        old_list: &[&str],
        new_list: &[&str],
        tally: &mut Tally,
    ) {
        // The shards that may hold a vector of the range: both of every node
        // on either list, and the pool. The old list's own copies come first,
        // in rank order, so that a vector is read from its old primary when
        // it has one.
        let mut holders: Vec<(Option<&str>, Role)> = Vec::new();
        for (rank, node) in old_list.iter().enumerate() {
            holders.push((Some(node), role_at(rank)));
        }
        holders.push((None, Role::Primary));
        for node in old_list.iter().chain(new_list) {
            for kind in [Role::Primary, Role::Replica] {
                if !holders.contains(&(Some(node), kind)) {
                    holders.push((Some(node), kind));
                }
            }
        }
        let mut blocks: Vec<Block> = holders
            .iter()
            .map(|&place| {
                self.shard_at_mut(place)
                    .map_or_else(Block::default, |shard| shard.take_range(low, high))
            })
            .collect();
        let count: usize = blocks.iter().map(|block| block.keys.len()).sum();
        if count == 0 {
            return;
        }

        // Every (key, holder, row in the holder's block), in key order then
        // holder order: the first entry of each key is its source.
        let mut entries: Vec<(Key, usize, usize)> = Vec::with_capacity(count);
        for (holder, block) in blocks.iter().enumerate() {
            entries.extend(
                block
                    .keys
                    .iter()
                    .enumerate()
                    .map(|(row, &key)| (key, holder, row)),
            );
        }
        entries.sort_unstable();
        let dimension = self.config.dimension;
        let places: Vec<usize> = holders.iter().map(|(node, _)| tally.place(*node)).collect();
        let new_places: Vec<usize> = new_list
            .iter()
            .map(|node| tally.place(Some(node)))
            .collect();
        let pool = tally.place(None);
        // When one holder gave up every vector of the range (one copy per
        // vector: the usual case), its block is the merged block as it is,
        // and no second copy of the data is made.
        let mut givers = blocks
            .iter()
            .enumerate()
            .filter(|(_, b)| !b.keys.is_empty());
        let only_giver = match (givers.next(), givers.next()) {
            (Some((index, _)), None) => Some(index),
            _ => None,
        };
        let mut merged =
            Block::with_capacity(count, if only_giver.is_some() { 0 } else { dimension });
        // Per merged vector: the place it is read from, and which nodes of
        // the new list already held a copy (as a bit per rank).
        let mut sources: Vec<(usize, u32)> = Vec::with_capacity(count);
        for group in entries.chunk_by(|a, b| a.0 == b.0) {
            let (key, source, row) = group[0];
            merged.keys.push(key);
            if only_giver.is_none() {
                merged
                    .data
                    .extend_from_slice(blocks[source].row(row, dimension));
            }
            let mut already = 0u32;
            for &(_, holder, _) in group {
                if let Some(node) = holders[holder].0 {
                    match new_list.iter().position(|&kept| kept == node) {
                        Some(rank) => already |= 1 << rank,
                        None => tally.dropped += 1,
                    }
                }
            }
            sources.push((places[source], already));
        }
        if let Some(giver) = only_giver {
            merged.data = std::mem::take(&mut blocks[giver].data);
        }

        if new_list.is_empty() {
            self.unassigned.insert(&merged);
            for (&key, &(from, _)) in merged.keys.iter().zip(&sources) {
                tally.send(key, from, pool);
            }
        }
        for (rank, node) in new_list.iter().enumerate() {
            self.shards_mut(role_at(rank))
                .get_mut(*node)
                .expect("every node on the ring has shards")
                .insert(&merged);
            for (&key, &(from, already)) in merged.keys.iter().zip(&sources) {
                // A copy promoted or demoted on the same node is no transfer.
                if already & (1 << rank) == 0 {
                    tally.send(key, from, new_places[rank]);
                }
            }
        }
    }

    pub(super) fn shards_mut(&mut self, kind: Role) -> &mut BTreeMap<String, Shard> {
        match kind {
            Role::Primary => &mut self.primaries,
            Role::Replica => &mut self.replicas,
        }
    }

    /// Every shard, mutably: each node's primaries and replicas, and the pool.
    pub(super) fn all_shards_mut(&mut self) -> impl Iterator<Item = &mut Shard> + '_ {
        self.primaries
            .values_mut()
            .chain(self.replicas.values_mut())
            .chain(std::iter::once(&mut self.unassigned))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::hash::{key_position, vector_id};
    use crate::store::StoreConfig;

    /// Takes the rows of `node`'s primaries at positions up to `high` and
    /// puts them on a `kind` shard of a node "ghost" the ring does not know
    /// (a state reconciliation never produces); returns how many.
    fn to_ghost(db: &mut VectorStore, node: &str, high: u64, kind: Role) -> usize {
        let block = db
            .primaries
            .get_mut(node)
            .expect("the node is on the ring")
            .take_range(0, high);
        let mut ghost = Shard::new(db.config.dimension);
        ghost.insert(&block);
        db.shards_mut(kind).insert("ghost".to_owned(), ghost);
        block.keys.len()
    }

    /// Vectors left on the shard of a node that is not on the ring (a state
    /// reconciliation never produces) are sent to their owners by the next
    /// change, never dropped with the shard.
    #[test]
    fn a_stray_shard_is_rehomed_not_dropped() -> Result<(), Error> {
        let mut db = VectorStore::new(StoreConfig {
            dimension: 4,
            replication: 2,
            ..StoreConfig::default()
        })?;
        db.add_vectors(300)?;
        db.add_node("a")?;
        db.add_node("b")?;
        // Move every row of a's primaries onto a shard of a node "ghost"
        // that the ring has never seen.
        let stolen = to_ghost(&mut db, "a", u64::MAX, Role::Primary);
        assert!(stolen > 50, "a held {stolen}");

        let step = db.add_node("c")?;
        assert!(!db.primaries.contains_key("ghost") && !db.replicas.contains_key("ghost"));
        assert_eq!(db.distribution().values().sum::<usize>(), 300);
        assert_eq!(db.copies(), 600);
        for serial in 0..300 {
            let position = key_position(&vector_id(serial));
            assert!(
                db.holds(Key { position, serial }),
                "vec {serial} is not on its primary"
            );
        }
        assert!(step.movement.dropped >= stolen);

        // And with no node left to take them, into the pool.
        db.remove_node("a")?;
        db.remove_node("b")?;
        assert!(to_ghost(&mut db, "c", u64::MAX / 2, Role::Replica) > 0);
        db.remove_node("c")?;
        assert!(db.primaries.is_empty() && db.replicas.is_empty());
        assert_eq!(db.unassigned().len(), 300);
        Ok(())
    }
}
