//! Maglev hashing (Eisenbud et al., NSDI 2016): each node walks its own
//! permutation of a lookup table of prime size `M`, and the nodes take turns
//! claiming the next free entry until the table is full. Every node ends up
//! with `floor(M/N)` or `ceil(M/N)` entries, and a key is one table read.
//!
//! The paper keeps `M` fixed (and above `100 N`) while nodes come and go; a
//! change then disturbs a little more than the ideal `1/N` of entries,
//! because the turn-taking shifts. Recomputing `M` for every cluster size
//! changes `position mod M` for every key and reshuffles nearly everything.

use super::{Placement, names_bytes};
use crate::error::{Error, ParameterError};
use crate::hash::position;

/// The table size the paper suggests for small clusters, and our default:
/// 65,537, a prime.
pub const DEFAULT_TABLE_SIZE: u64 = 65_537;

/// The largest table accepted (a prime near 2^24 entries of 4 bytes is 64 MiB).
pub const MAX_TABLE_SIZE: u64 = 16_777_259;

/// How the lookup-table size `M` is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaglevTable {
    /// A fixed prime size, kept as nodes come and go (the paper's way).
    Fixed(u64),
    /// The smallest prime above `100 N`, recomputed for every node count.
    PerNodeCount,
}

/// Maglev's lookup table over named nodes.
///
/// ```
/// use elastic_vdb::strategy::{Maglev, MaglevTable, Placement};
///
/// let maglev = Maglev::new(vec!["a".into(), "b".into(), "c".into()], MaglevTable::Fixed(101))?;
/// let per_node = maglev.entries_per_node();
/// assert_eq!(per_node.iter().sum::<usize>(), 101);
/// assert!(per_node.iter().all(|&entries| entries == 33 || entries == 34));
/// assert!(Maglev::new(vec!["a".into()], MaglevTable::Fixed(100)).is_err()); // not prime
/// # Ok::<(), elastic_vdb::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Maglev {
    nodes: Vec<String>,
    table: Vec<u32>,
}

impl Maglev {
    /// Builds the table for `nodes`.
    ///
    /// # Errors
    /// [`ParameterError::Invalid`] when a fixed size is not a prime, is
    /// smaller than the node count, or is above [`MAX_TABLE_SIZE`].
    pub fn new(nodes: Vec<String>, table: MaglevTable) -> Result<Maglev, Error> {
        let size = match table {
            MaglevTable::Fixed(size) => size,
            MaglevTable::PerNodeCount => next_prime(100 * nodes.len() as u64 + 1),
        };
        // The range first: trial division of a huge number would take minutes.
        if size > MAX_TABLE_SIZE || size < nodes.len() as u64 || !is_prime(size) {
            return Err(Error::Parameter(ParameterError::Invalid {
                parameter: "maglev table size",
                value: size.to_string(),
                allowed: "a prime at least the node count and at most 16,777,259",
            }));
        }
        Ok(Maglev {
            table: populate(&nodes, size),
            nodes,
        })
    }

    /// The table size `M`.
    #[must_use]
    pub fn table_size(&self) -> usize {
        self.table.len()
    }

    /// How many table entries each node holds, by node index.
    #[must_use]
    pub fn entries_per_node(&self) -> Vec<usize> {
        let mut counts = vec![0; self.nodes.len()];
        for &owner in &self.table {
            counts[owner as usize] += 1;
        }
        counts
    }
}

/// The paper's population: node `i` prefers entries `offset_i + j * skip_i
/// (mod M)` for `j = 0, 1, ...`, and the nodes take turns taking their next
/// preferred free entry.
fn populate(nodes: &[String], size: u64) -> Vec<u32> {
    if nodes.is_empty() {
        return Vec::new();
    }
    let preferences: Vec<(u64, u64)> = nodes
        .iter()
        .map(|id| {
            let offset = position(&format!("maglev-offset:{id}")) % size;
            let skip = position(&format!("maglev-skip:{id}")) % (size - 1) + 1;
            (offset, skip)
        })
        .collect();
    let mut next = vec![0u64; nodes.len()];
    let mut table = vec![u32::MAX; size as usize];
    let mut filled = 0u64;
    'fill: loop {
        for (node, &(offset, skip)) in preferences.iter().enumerate() {
            let mut candidate = (offset + next[node] * skip) % size;
            while table[candidate as usize] != u32::MAX {
                next[node] += 1;
                candidate = (offset + next[node] * skip) % size;
            }
            table[candidate as usize] = node as u32;
            next[node] += 1;
            filled += 1;
            if filled == size {
                break 'fill;
            }
        }
    }
    table
}

/// Whether `n` is prime (trial division; `n` is at most a few million here).
///
/// ```
/// use elastic_vdb::strategy::maglev::is_prime;
///
/// assert!(is_prime(65_537) && !is_prime(65_535) && !is_prime(1));
/// assert!(is_prime(2) && is_prime(3) && !is_prime(4) && !is_prime(u64::MAX));
/// ```
#[must_use]
pub fn is_prime(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    let mut divisor = 2;
    while divisor <= n / divisor {
        if n.is_multiple_of(divisor) {
            return false;
        }
        divisor += 1;
    }
    true
}

/// The smallest prime at or above `n`.
///
/// ```
/// assert_eq!(elastic_vdb::strategy::maglev::next_prime(1001), 1009);
/// ```
#[must_use]
pub fn next_prime(mut n: u64) -> u64 {
    while !is_prime(n) {
        n += 1;
    }
    n
}

impl Placement for Maglev {
    fn name(&self) -> &'static str {
        "maglev"
    }

    fn nodes(&self) -> &[String] {
        &self.nodes
    }

    #[inline]
    fn locate(&self, position: u64) -> Option<usize> {
        if self.table.is_empty() {
            return None;
        }
        Some(self.table[(position % self.table.len() as u64) as usize] as usize)
    }

    fn memory_bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + names_bytes(&self.nodes)
            + self.table.capacity() * std::mem::size_of::<u32>()
    }
}
