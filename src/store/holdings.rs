//! Who holds what: vectors per node, the shards themselves, and the map
//! from each vector to its node.

use std::collections::BTreeMap;

use super::{Shard, VectorStore};
use crate::hash::vector_id;

impl VectorStore {
    /// Primary copies per node, sorted by node id, every node on the ring
    /// included (the tutorial's distribution).
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_node("a")?;
    /// assert_eq!(db.distribution()["a"], 0);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn distribution(&self) -> BTreeMap<String, usize> {
        self.primaries
            .iter()
            .map(|(id, shard)| (id.clone(), shard.len()))
            .collect()
    }

    /// Replica copies per node, sorted by node id.
    ///
    /// ```
    /// use elastic_vdb::{StoreConfig, VectorStore};
    ///
    /// let mut db = VectorStore::new(StoreConfig { replication: 2, ..Default::default() })?;
    /// db.add_vectors(10)?;
    /// db.add_node("a")?;
    /// db.add_node("b")?;
    /// assert_eq!(db.replica_distribution().values().sum::<usize>(), 10);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn replica_distribution(&self) -> BTreeMap<String, usize> {
        self.replicas
            .iter()
            .map(|(id, shard)| (id.clone(), shard.len()))
            .collect()
    }

    /// All copies held on nodes, primaries and replicas.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(10)?;
    /// db.add_node("a")?;
    /// assert_eq!(db.copies(), 10);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn copies(&self) -> usize {
        self.primaries
            .values()
            .chain(self.replicas.values())
            .map(Shard::len)
            .sum()
    }

    /// Each live vector's id and owner (`None` while unassigned), in id order.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(2)?;
    /// db.add_node("a")?;
    /// assert_eq!(db.shard_map()[1], ("vec_000001".to_string(), Some("a")));
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn shard_map(&self) -> Vec<(String, Option<&str>)> {
        let mut owners: Vec<Option<&str>> = vec![None; self.next_serial as usize];
        for (id, shard) in &self.primaries {
            for &serial in shard.serials() {
                owners[serial as usize] = Some(id.as_str());
            }
        }
        owners
            .into_iter()
            .enumerate()
            .filter(|(serial, _)| !self.lost.contains(&(*serial as u32)))
            .map(|(serial, owner)| (vector_id(serial as u32), owner))
            .collect()
    }

    /// The primaries of a node, or `None` if it is not on the ring.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_node("a")?;
    /// assert!(db.shard("a").is_some() && db.shard("b").is_none());
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn shard(&self, id: &str) -> Option<&Shard> {
        self.primaries.get(id)
    }

    /// The replicas a node keeps, or `None` if it is not on the ring.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_node("a")?;
    /// assert!(db.replica_shard("a").unwrap().is_empty());
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn replica_shard(&self, id: &str) -> Option<&Shard> {
        self.replicas.get(id)
    }

    /// Every node's primaries, sorted by node id.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_node("b")?;
    /// db.add_node("a")?;
    /// assert_eq!(db.shards().map(|(id, _)| id).collect::<Vec<_>>(), ["a", "b"]);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn shards(&self) -> impl ExactSizeIterator<Item = (&str, &Shard)> + '_ {
        self.primaries
            .iter()
            .map(|(id, shard)| (id.as_str(), shard))
    }

    /// The vectors no node holds, because the ring was empty when they came
    /// or when the last node left.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(4)?;
    /// assert_eq!(db.unassigned().len(), 4);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn unassigned(&self) -> &Shard {
        &self.unassigned
    }

    /// The shards searched, each vector once: every node's primaries and the
    /// unassigned pool.
    pub(crate) fn primary_shards(&self) -> impl Iterator<Item = &Shard> + '_ {
        self.primaries
            .values()
            .chain(std::iter::once(&self.unassigned))
    }
}
