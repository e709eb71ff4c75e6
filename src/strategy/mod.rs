//! Placement strategies side by side: the ring with virtual nodes and the
//! alternatives a system designer weighs against it.
//!
//! Every strategy takes the same input, the SHA-256 key positions of the
//! placement contract ([`crate::hash::key_position`]), so comparisons are
//! fair: differences come from the strategy, never from the hash.
//!
//! | name         | module         | idea |
//! |--------------|----------------|------|
//! | `modulo`     | [`modulo`]     | `position mod N`: the baseline |
//! | `ring`       | [`vnode_ring`] | the consistent-hash ring with virtual nodes (this crate's [`crate::Ring`]), weighted too |
//! | `bounded`    | [`bounded`]    | the ring, but no node above `ceil(c * m / n)` keys |
//! | `rendezvous` | [`rendezvous`] | highest random weight, weighted too |
//! | `jump`       | [`jump`]       | Lamping and Veach's jump consistent hash |
//! | `maglev`     | [`maglev`]     | Google's Maglev lookup table |
//! | `multiprobe` | [`multiprobe`] | one point per node, k probes per key |
//!
//! ```
//! use elastic_vdb::strategy::{Strategy, key_positions, node_names};
//!
//! let nodes = node_names(4);
//! let keys = key_positions(1000);
//! for strategy in Strategy::all(80) {
//!     let placement = strategy.build(&nodes)?;
//!     let owners = placement.assign(&keys);
//!     assert_eq!(owners.len(), 1000);
//!     assert!(owners.iter().all(|&owner| owner < 4));
//! }
//! # Ok::<(), elastic_vdb::Error>(())
//! ```

pub mod bounded;
pub mod jump;
mod keys;
pub mod maglev;
pub mod modulo;
pub mod multiprobe;
pub mod rendezvous;
pub mod vnode_ring;

use crate::error::{Error, ParameterError, RingError, validate_node_id};
use std::fmt;

pub use bounded::{BoundedLoads, Overflow, bounded_capacity};
pub use jump::JumpHash;
pub use keys::{key_positions, mix64, node_names, place_keys};
pub use maglev::{Maglev, MaglevTable};
pub use modulo::Modulo;
pub use multiprobe::MultiProbe;
pub use rendezvous::Rendezvous;
pub use vnode_ring::VnodeRing;

/// A placement built for one set of nodes: it maps key positions to node
/// indices (into [`Placement::nodes`]).
///
/// Most strategies place each key on its own ([`Placement::locate`]); the
/// bounded-load ring also depends on the keys placed before, so the whole
/// batch goes through [`Placement::assign`].
pub trait Placement: fmt::Debug + Send + Sync {
    /// The strategy's short name, as in [`Strategy::name`].
    fn name(&self) -> &'static str;

    /// The nodes, in the order the indices refer to.
    fn nodes(&self) -> &[String];

    /// The node index of one key position, for strategies that place each key
    /// independently of the others; `None` for the bounded-load ring.
    fn locate(&self, position: u64) -> Option<usize>;

    /// The node index of every key, in order.
    fn assign(&self, positions: &[u64]) -> Vec<u32> {
        positions
            .iter()
            .map(|&position| self.locate(position).map_or(0, |index| index as u32))
            .collect()
    }

    /// The bytes the lookup structure occupies (points, tables, seeds and
    /// node names; not the keys).
    fn memory_bytes(&self) -> usize;
}

/// Which strategy to build, with its parameters.
///
/// ```
/// use elastic_vdb::strategy::Strategy;
///
/// assert_eq!(Strategy::Ring { vnodes: 80 }.name(), "ring");
/// assert_eq!(Strategy::Ring { vnodes: 80 }.label(), "ring (80 vnodes)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Strategy {
    /// `position mod N`.
    Modulo,
    /// The ring with `vnodes` virtual nodes per node.
    Ring {
        /// Virtual nodes per node.
        vnodes: u32,
    },
    /// The ring with bounded loads: capacity `ceil(c * m / n)` per node.
    Bounded {
        /// Virtual nodes per node.
        vnodes: u32,
        /// The balance factor `c >= 1`.
        c: f64,
        /// Where a key goes when its node is full.
        overflow: Overflow,
    },
    /// Highest random weight.
    Rendezvous,
    /// Jump consistent hash.
    Jump,
    /// Maglev with a lookup table.
    Maglev {
        /// How the table size is chosen.
        table: MaglevTable,
    },
    /// Multi-probe consistent hashing with `probes` probes per key.
    MultiProbe {
        /// Probes per key.
        probes: u32,
    },
}

impl Strategy {
    /// The seven strategies with the defaults used across the crate: the ring
    /// and the bounded ring with `vnodes` per node, `c = 1.1` (tight enough to
    /// bind at 80 vnodes, where the plain ring's fullest node is about 1.2x the mean), Maglev with a
    /// fixed 65,537-entry table, 21 probes.
    ///
    /// ```
    /// let names: Vec<_> = elastic_vdb::strategy::Strategy::all(80).iter().map(|s| s.name()).collect();
    /// assert_eq!(names, ["modulo", "ring", "bounded", "rendezvous", "jump", "maglev", "multiprobe"]);
    /// ```
    #[must_use]
    pub fn all(vnodes: u32) -> Vec<Strategy> {
        vec![
            Strategy::Modulo,
            Strategy::Ring { vnodes },
            Strategy::Bounded {
                vnodes,
                c: 1.1,
                overflow: Overflow::Walk,
            },
            Strategy::Rendezvous,
            Strategy::Jump,
            Strategy::Maglev {
                table: MaglevTable::Fixed(maglev::DEFAULT_TABLE_SIZE),
            },
            Strategy::MultiProbe { probes: 21 },
        ]
    }

    /// The short name: `modulo`, `ring`, `bounded`, `rendezvous`, `jump`,
    /// `maglev` or `multiprobe`.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Strategy::Modulo => "modulo",
            Strategy::Ring { .. } => "ring",
            Strategy::Bounded { .. } => "bounded",
            Strategy::Rendezvous => "rendezvous",
            Strategy::Jump => "jump",
            Strategy::Maglev { .. } => "maglev",
            Strategy::MultiProbe { .. } => "multiprobe",
        }
    }

    /// The name with its parameters, for tables and charts.
    ///
    /// ```
    /// use elastic_vdb::strategy::{Strategy, MaglevTable};
    ///
    /// assert_eq!(Strategy::Maglev { table: MaglevTable::PerNodeCount }.label(), "maglev (M = next prime > 100 N)");
    /// ```
    #[must_use]
    pub fn label(&self) -> String {
        match self {
            Strategy::Modulo | Strategy::Rendezvous | Strategy::Jump => self.name().to_owned(),
            Strategy::Ring { vnodes } => format!("ring ({vnodes} vnodes)"),
            Strategy::Bounded {
                vnodes,
                c,
                overflow,
            } => format!("bounded (c = {c}, {vnodes} vnodes, {overflow})"),
            Strategy::Maglev {
                table: MaglevTable::Fixed(size),
            } => format!("maglev (M = {size})"),
            Strategy::Maglev {
                table: MaglevTable::PerNodeCount,
            } => "maglev (M = next prime > 100 N)".to_owned(),
            Strategy::MultiProbe { probes } => format!("multiprobe ({probes} probes)"),
        }
    }

    /// Builds the strategy for `nodes`, all of weight 1.
    ///
    /// # Errors
    /// [`ParameterError::NoNodes`] for an empty list, an invalid or duplicate node id,
    /// or a parameter out of range ([`ParameterError::Invalid`],
    /// [`RingError::VnodesOutOfRange`]).
    ///
    /// ```
    /// use elastic_vdb::strategy::Strategy;
    ///
    /// let jump = Strategy::Jump.build(&["a", "b", "c"])?;
    /// assert_eq!(jump.nodes(), ["a", "b", "c"]);
    /// assert!(Strategy::Jump.build::<&str>(&[]).is_err());
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn build<S: AsRef<str>>(&self, nodes: &[S]) -> Result<Box<dyn Placement>, Error> {
        let weighted: Vec<(&str, f64)> = nodes.iter().map(|node| (node.as_ref(), 1.0)).collect();
        self.build_weighted(&weighted)
    }

    /// Builds the strategy for weighted nodes. The ring and rendezvous honour
    /// weights; the others place by count only and refuse a weight other
    /// than 1.
    ///
    /// # Errors
    /// As [`Strategy::build`], plus [`RingError::InvalidWeight`] for a weight that
    /// is not a finite number above 0, [`RingError::WeightTooLarge`] for one that
    /// would give the ring's node more than the vnode cap, and
    /// [`ParameterError::Invalid`] for a weight the strategy cannot honour.
    ///
    /// ```
    /// use elastic_vdb::strategy::Strategy;
    ///
    /// let heavy = Strategy::Rendezvous.build_weighted(&[("big", 3.0), ("small", 1.0)])?;
    /// assert_eq!(heavy.nodes().len(), 2);
    /// assert!(Strategy::Jump.build_weighted(&[("big", 3.0)]).is_err());
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn build_weighted(&self, nodes: &[(&str, f64)]) -> Result<Box<dyn Placement>, Error> {
        let ids = checked_nodes(nodes)?;
        let weights: Vec<f64> = nodes.iter().map(|&(_, weight)| weight).collect();
        let weighted = weights.iter().any(|&weight| weight != 1.0);
        if weighted && !matches!(self, Strategy::Ring { .. } | Strategy::Rendezvous) {
            return Err(Error::Parameter(ParameterError::Invalid {
                parameter: "weight",
                value: format!(
                    "{} for {}",
                    weights.iter().copied().fold(1.0, pick_odd),
                    self.name()
                ),
                allowed: "1 for every node: only ring and rendezvous place by weight",
            }));
        }
        Ok(match *self {
            Strategy::Modulo => Box::new(Modulo::new(ids)),
            Strategy::Ring { vnodes } => Box::new(VnodeRing::new_weighted(&ids, &weights, vnodes)?),
            Strategy::Bounded {
                vnodes,
                c,
                overflow,
            } => Box::new(BoundedLoads::new(&ids, vnodes, c, overflow)?),
            Strategy::Rendezvous => Box::new(Rendezvous::new_weighted(ids, weights)?),
            Strategy::Jump => Box::new(JumpHash::new(ids)),
            Strategy::Maglev { table } => Box::new(Maglev::new(ids, table)?),
            Strategy::MultiProbe { probes } => Box::new(MultiProbe::new(ids, probes)?),
        })
    }
}

/// The first weight that is not 1, for an error message.
fn pick_odd(found: f64, weight: f64) -> f64 {
    if found != 1.0 { found } else { weight }
}

/// Checks ids and weights; returns the ids owned.
fn checked_nodes(nodes: &[(&str, f64)]) -> Result<Vec<String>, Error> {
    if nodes.is_empty() {
        return Err(Error::Parameter(ParameterError::NoNodes));
    }
    let mut seen = std::collections::BTreeSet::new();
    for &(id, weight) in nodes {
        validate_node_id(id)?;
        if !seen.insert(id) {
            return Err(Error::Ring(RingError::DuplicateNode(id.to_owned())));
        }
        if !(weight.is_finite() && weight > 0.0) {
            return Err(Error::Ring(RingError::InvalidWeight(weight)));
        }
    }
    Ok(nodes.iter().map(|&(id, _)| id.to_owned()).collect())
}

/// Bytes held by a list of node names (the `String`s and their text).
fn names_bytes(nodes: &[String]) -> usize {
    nodes
        .iter()
        .map(|id| std::mem::size_of::<String>() + id.capacity())
        .sum()
}

/// The index of the first ring point at or after `position`, wrapping to 0:
/// the successor lookup shared by the ring-shaped strategies, through the
/// ring's one successor search.
#[inline]
fn successor(points: &[u64], position: u64) -> usize {
    let index = crate::ring::first_at_or_after(points, 0, position);
    if index == points.len() { 0 } else { index }
}

/// Refuses a weight list that does not give exactly one finite positive
/// weight per node: a shorter list would leave the last nodes with nothing.
pub(crate) fn check_weights(nodes: usize, weights: &[f64]) -> Result<(), Error> {
    if weights.len() != nodes {
        return Err(Error::Parameter(ParameterError::Invalid {
            parameter: "weights",
            value: format!("{} for {nodes} nodes", weights.len()),
            allowed: "one per node",
        }));
    }
    match weights
        .iter()
        .find(|weight| !(weight.is_finite() && **weight > 0.0))
    {
        Some(&weight) => Err(Error::Ring(RingError::InvalidWeight(weight))),
        None => Ok(()),
    }
}
