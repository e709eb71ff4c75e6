//! The vector store: embeddings really held on per-node shards, moved between
//! them whenever the ring changes.
//!
//! Each vector is named `vec_{i:06}` (numbering goes on across calls), drawn
//! from a seeded normal distribution and scaled to unit length. Its ring
//! position is computed once, when it is created, and kept beside it: a
//! topology change re-locates cached positions and never re-hashes a key.
//!
//! One file per concern:
//! - `config`: the settings and the memory budget;
//! - `vectors`: generating the vectors;
//! - `topology`: the changes a store accepts ([`VectorStore::apply`]);
//! - `reconcile`: moving the data after a change, and `tally`: counting
//!   what moved into the change's [`Movement`];
//! - `movement`: what a change is and did;
//! - `holdings`: who holds what;
//! - `shard`: one node's vectors, indexed by position;
//! - `sample`: a regular sample of positions;
//! - `plan`: what a change would move, before it is made;
//! - `search`: top-k over the shards;
//! - `snapshot`: saving and loading.
//!
//! This file holds the store itself and its state. The store knows nothing
//! of pictures: `render` draws it.

mod action;
mod config;
mod holdings;
mod movement;
mod plan;
mod reconcile;
mod sample;
mod search;
mod shard;
mod snapshot;
mod tally;
mod topology;
mod transfer;
mod vectors;

use crate::error::{Error, MAX_DIMENSION, StoreError, validate_vnodes};
use std::collections::{BTreeMap, BTreeSet};

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;

pub use action::{ACTION_FORMS, Action};
pub use config::StoreConfig;
pub use movement::{Flow, MovedKey, Movement, UNASSIGNED};
pub use plan::{MigrationPlan, PlannedArc};
pub use sample::{SAMPLE_CAP, Sample};
pub use search::{Hit, Kernel, SearchOptions};
pub use shard::{Key, Shard};

pub use crate::hash::vector_id;
use crate::ring::Ring;
use config::validate_replication;

/// The elastic vector store: a ring, and for each node a shard of primaries
/// (the vectors it owns) and a shard of replicas (copies it keeps for the
/// next nodes counter-clockwise); vectors that came while the ring was empty
/// wait in an unassigned pool.
///
/// ```
/// use elastic_vdb::VectorStore;
///
/// let mut db = VectorStore::default();
/// db.add_vectors(6000)?;
/// db.add_node("nodeA")?;
/// db.add_node("nodeB")?;
/// db.add_node("nodeC")?;
/// let step = db.add_node("nodeD")?;
/// assert_eq!(step.movement.status_line(), "Added node | moved=0.273 (~27.3%)");
/// assert_eq!(db.distribution()["nodeD"], 1639);
/// # Ok::<(), elastic_vdb::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct VectorStore {
    config: StoreConfig,
    ring: Ring,
    rng: Xoshiro256PlusPlus,
    next_serial: u32,
    primaries: BTreeMap<String, Shard>,
    replicas: BTreeMap<String, Shard>,
    unassigned: Shard,
    /// Serial numbers of vectors lost in failures, ascending.
    lost: BTreeSet<u32>,
    history: Vec<Movement>,
    last_moved: Vec<MovedKey>,
    /// The ring as it was before the last change: the picture draws what
    /// the change handed from one node to another.
    ring_before: Ring,
    /// A regular sample of the vectors' positions, for observers.
    sample: Sample,
}

impl Default for VectorStore {
    fn default() -> Self {
        VectorStore::new(StoreConfig::default()).expect("the default configuration is valid")
    }
}

impl VectorStore {
    /// An empty store; refuses a vnode count, dimension or replication
    /// factor out of range.
    ///
    /// ```
    /// use elastic_vdb::{StoreConfig, VectorStore};
    ///
    /// let db = VectorStore::new(StoreConfig { dimension: 8, ..Default::default() })?;
    /// assert_eq!(db.config().dimension, 8);
    /// let error = VectorStore::new(StoreConfig { dimension: 0, ..Default::default() }).unwrap_err();
    /// assert_eq!(error.to_string(), "vector dimension must be between 1 and 65536, got 0");
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn new(config: StoreConfig) -> Result<VectorStore, Error> {
        validate_vnodes(config.vnodes.into())?;
        if !(1..=MAX_DIMENSION).contains(&config.dimension) {
            return Err(Error::Store(StoreError::DimensionOutOfRange(
                config.dimension,
            )));
        }
        validate_replication(config.replication)?;
        Ok(VectorStore {
            config,
            ring: Ring::with_vnodes(config.vnodes)?,
            rng: Xoshiro256PlusPlus::seed_from_u64(config.seed),
            next_serial: 0,
            primaries: BTreeMap::new(),
            replicas: BTreeMap::new(),
            unassigned: Shard::new(config.dimension),
            lost: BTreeSet::new(),
            history: Vec::new(),
            last_moved: Vec::new(),
            ring_before: Ring::with_vnodes(config.vnodes)?,
            sample: Sample::default(),
        })
    }

    /// The configuration the store was made with; `vnodes` and
    /// `replication` are the current ones, after any rebuild or change.
    ///
    /// ```
    /// assert_eq!(elastic_vdb::VectorStore::default().config().seed, 42);
    /// ```
    #[must_use]
    pub fn config(&self) -> StoreConfig {
        StoreConfig {
            vnodes: self.ring.vnodes_per_node(),
            ..self.config
        }
    }

    /// The ring.
    ///
    /// ```
    /// assert!(elastic_vdb::VectorStore::default().ring().is_empty());
    /// ```
    #[must_use]
    pub fn ring(&self) -> &Ring {
        &self.ring
    }

    /// How many vectors the store holds (each counted once, however many
    /// copies it has; lost vectors not counted).
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(5)?;
    /// assert_eq!(db.len(), 5);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.next_serial as usize - self.lost.len()
    }

    /// Whether the store holds no vector.
    ///
    /// ```
    /// assert!(elastic_vdb::VectorStore::default().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many vectors were ever created (the next one gets this serial number).
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(5)?;
    /// assert_eq!(db.generated(), 5);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn generated(&self) -> u32 {
        self.next_serial
    }

    /// Serial numbers of the vectors lost in failures, ascending.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(10)?;
    /// db.add_node("a")?;
    /// db.fail_node("a")?;
    /// assert_eq!(db.lost().len(), 10);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn lost(&self) -> Vec<u32> {
        self.lost.iter().copied().collect()
    }

    /// A regular sample of the vectors' positions (every `stride`-th by
    /// serial, at most [`SAMPLE_CAP`]), for looking at many vectors without
    /// hashing them again.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(100)?;
    /// assert_eq!(db.sample().positions().len(), 100);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn sample(&self) -> &Sample {
        &self.sample
    }

    /// The report of the last topology change, if any.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// assert!(db.last_movement().is_none());
    /// db.add_node("a")?;
    /// assert!(db.last_movement().is_some());
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn last_movement(&self) -> Option<&Movement> {
        self.history.last()
    }

    /// The report of every topology change so far, oldest first.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_node("a")?;
    /// db.add_node("b")?;
    /// assert_eq!(db.history().len(), 2);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn history(&self) -> &[Movement] {
        &self.history
    }

    /// The copies the last topology change sent, by serial number.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(3)?;
    /// db.add_node("a")?;
    /// assert_eq!(db.last_moved().len(), 3);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn last_moved(&self) -> &[MovedKey] {
        &self.last_moved
    }

    /// The ring as it was before the last change (the current ring before
    /// any change, or after loading a snapshot).
    pub(crate) fn ring_before(&self) -> &Ring {
        &self.ring_before
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The configuration reports the current vnode count and replication,
    /// and emptiness follows what is held.
    #[test]
    fn config_and_emptiness_follow_changes() -> Result<(), Error> {
        let mut db = VectorStore::new(StoreConfig {
            dimension: 2,
            ..StoreConfig::default()
        })?;
        assert!(db.is_empty());
        db.add_vectors(3)?;
        assert!(!db.is_empty());
        db.add_node("a")?;
        db.rebuild(17)?;
        db.set_replication(2)?;
        let config = db.config();
        assert_eq!((config.vnodes, config.replication), (17, 2));
        db.fail_node("a")?;
        assert!(db.is_empty());
        Ok(())
    }
}
