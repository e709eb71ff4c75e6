//! How a store is set up, and the memory budget every growth is checked
//! against.

use crate::error::{Error, MAX_REPLICATION, MAX_STORE_BYTES, StoreError, store_bytes};
use crate::ring::DEFAULT_VNODES;

/// How a store is set up. Public fields and [`Default`], so a notebook can
/// write `StoreConfig { dimension: 64, ..Default::default() }`.
///
/// ```
/// let config = elastic_vdb::StoreConfig::default();
/// assert_eq!((config.vnodes, config.dimension, config.seed, config.replication), (80, 256, 42, 1));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreConfig {
    /// Virtual nodes per node (the tutorial's 80).
    pub vnodes: u32,
    /// Length of every vector (the tutorial's 256).
    pub dimension: usize,
    /// Seed of the generator that draws the vectors (the tutorial's 42).
    pub seed: u64,
    /// Copies kept of each vector, on the first distinct nodes clockwise
    /// from its position (1: no replicas, as in the tutorial). A factor
    /// above the node count is accepted: each vector is then held once on
    /// every node, and gets its missing copies as nodes join.
    pub replication: usize,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            vnodes: DEFAULT_VNODES,
            dimension: 256,
            seed: 42,
            replication: 1,
        }
    }
}

/// Whether `vectors` vectors of `dimension`, `copies` copies each, fit in
/// the memory budget: the one check behind adding vectors, changing the
/// replication and loading a saved store.
pub(crate) fn fits(vectors: u64, dimension: usize, copies: usize) -> bool {
    store_bytes(vectors, dimension, copies) <= MAX_STORE_BYTES
}

pub(crate) fn validate_replication(copies: usize) -> Result<(), Error> {
    if (1..=MAX_REPLICATION).contains(&copies) {
        Ok(())
    } else {
        Err(Error::Store(StoreError::ReplicationOutOfRange(copies)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{MAX_DIMENSION, store_bytes};

    /// The budget's edge: a store of exactly `MAX_STORE_BYTES` fits, one
    /// vector more does not (16-float vectors and 64 bytes of bookkeeping
    /// are 128 bytes a copy, so 2^27 of them are 16 GiB).
    #[test]
    fn the_memory_budget_is_inclusive() {
        assert_eq!(store_bytes(1 << 27, 16, 1), MAX_STORE_BYTES);
        assert!(fits(1 << 27, 16, 1));
        assert!(!fits((1 << 27) + 1, 16, 1));
        assert!(fits(1 << 26, 16, 2) && !fits(1 << 26, 16, 3));
        assert!(!fits(u64::MAX, MAX_DIMENSION, MAX_REPLICATION));
    }
}
