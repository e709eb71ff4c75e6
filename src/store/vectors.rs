//! Generating the vectors: each named `vec_{i:06}`, drawn from the seeded
//! normal distribution, scaled to unit length and placed on its preference
//! list at once (or in the unassigned pool while the ring is empty).

use crate::error::{Error, StoreError};
use std::collections::BTreeMap;
use std::ops::Range;

use rand_distr::{Distribution, StandardNormal};

use super::config::fits;
use super::{Key, VectorStore};
use crate::hash::{key_position, vector_id};
use crate::ring::Preferences;

impl VectorStore {
    /// Draws `count` new unit vectors, names them on from the last one, and
    /// stores each on the nodes of its preference list (or in the unassigned
    /// pool while the ring is empty). Returns their serial numbers.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// assert_eq!(db.add_vectors(3)?, 0..3);
    /// assert_eq!(db.add_vectors(2)?, 3..5);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn add_vectors(&mut self, count: usize) -> Result<Range<u32>, Error> {
        let too_many = || {
            Error::Store(StoreError::TooManyVectors {
                held: u64::from(self.next_serial),
                requested: count as u64,
            })
        };
        let count = u32::try_from(count).map_err(|_| too_many())?;
        let end = self.next_serial.checked_add(count).ok_or_else(too_many)?;
        if !fits(end.into(), self.config.dimension, self.config.replication) {
            return Err(too_many());
        }
        let first = self.next_serial;
        let dimension = self.config.dimension;
        let mut vector = vec![0f32; dimension];
        let mut slots = Vec::new();
        // First where every new vector goes, so that each shard grows once
        // and exactly: growing by doubling would leave up to half of a big
        // shard's block allocated and unused.
        let positions: Vec<u64> = (first..end)
            .map(|serial| key_position(&vector_id(serial)))
            .collect();
        // Every preference list has the same length: one copy per node up
        // to the replication factor, none while the ring is empty.
        let copies = self.config.replication.min(self.ring.node_count());
        let mut lists: Vec<u32> = Vec::with_capacity(positions.len() * copies);
        let mut incoming: BTreeMap<(u32, bool), usize> = BTreeMap::new();
        let mut preferences = Preferences::new(&self.ring);
        for &position in &positions {
            preferences.slots(position, self.config.replication, &mut slots);
            debug_assert_eq!(slots.len(), copies);
            for (rank, &slot) in slots.iter().enumerate() {
                *incoming.entry((slot, rank == 0)).or_default() += 1;
            }
            lists.extend_from_slice(&slots);
        }
        if copies == 0 {
            self.unassigned.reserve(positions.len());
        }
        for (&(slot, primary), &rows) in &incoming {
            let node = self.ring.slot_id(slot);
            let shards = if primary {
                &mut self.primaries
            } else {
                &mut self.replicas
            };
            if let Some(shard) = shards.get_mut(node) {
                shard.reserve(rows);
            }
        }
        for (index, (serial, &position)) in (first..end).zip(&positions).enumerate() {
            for component in &mut vector {
                *component = StandardNormal.sample(&mut self.rng);
            }
            // The tutorial's guard against a zero vector.
            let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt() + 1e-12;
            vector.iter_mut().for_each(|x| *x /= norm);
            let list = &lists[index * copies..(index + 1) * copies];
            let key = Key { position, serial };
            if list.is_empty() {
                self.unassigned.append(key, &vector);
            }
            for (rank, &slot) in list.iter().enumerate() {
                let node = self.ring.slot_id(slot);
                let shards = if rank == 0 {
                    &mut self.primaries
                } else {
                    &mut self.replicas
                };
                shards
                    .get_mut(node)
                    .expect("every node on the ring has shards")
                    .append(key, &vector);
            }
        }
        for shard in self.all_shards_mut() {
            shard.settle();
        }
        self.next_serial = end;
        self.sample.extend(self.next_serial, first, &positions);
        Ok(first..end)
    }
}
