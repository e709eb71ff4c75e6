//! Consistent hashing with bounded loads (Mirrokni, Thorup and
//! Zadimoghaddam, 2018): the ring with virtual nodes, but no node takes more
//! than `ceil(c * m / n)` of the `m` keys, for a balance factor `c >= 1`.
//!
//! Keys are placed in order. A key whose node is full overflows:
//!
//! - [`Overflow::Walk`] (the paper's main scheme, and the one HAProxy
//!   adopted from Vimeo): it goes on clockwise to the next point whose node
//!   has room. Overflow cascades: a full node turns keys away to its
//!   clockwise neighbour, which fills sooner and turns keys away in turn,
//!   so full nodes come in runs and some keys travel far.
//! - [`Overflow::RandomJumps`]: it is re-hashed to a fresh position and tries
//!   the node there (after 64 jumps it walks). Detours stop piling up behind
//!   a run of full nodes: it is uniform probing instead of linear probing,
//!   whose expected cost grows like `1/ε` instead of `1/ε²` for `c = 1 + ε`.
//!
//! The difference needs few points per node and many nodes to show: with one
//! point per node, 1,000 nodes and `c = 1.05`, walking's longest detour is
//! hundreds of points and jumping's about a hundred jumps
//! (`tests/strategies.rs` checks it). With 80 virtual nodes the next point
//! clockwise already belongs to a random node, and the two behave alike.
//!
//! Because a key's node depends on the keys placed before it, the placement
//! is a batch assignment ([`super::Placement::assign`]), and a change can move
//! keys between two old nodes, not only onto a new one.

use crate::error::{Error, ParameterError};
use std::fmt;

use super::{Placement, VnodeRing, mix64, successor};

/// Jumps tried before a random-jump key falls back to walking, which always
/// finds room because the capacities add up to at least the key count.
const MAX_JUMPS: u64 = 64;

/// Where a key goes when its node is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overflow {
    /// On to the next point clockwise.
    Walk,
    /// To the node at a re-hashed position.
    RandomJumps,
}

/// `ceil(c * m / n)`, held to `1..=max(m, 1)`, computed exactly for `c`
/// as written in decimal: `1.1` is read as 11/10, not as the binary number nearest to it,
/// which is a little above. In `f64`, `1.1 * 100 / 10` is `11.000000000000002`
/// and its ceiling 12, so a node could hold more than `c` times the mean.
///
/// ```
/// use elastic_vdb::strategy::bounded_capacity;
///
/// assert_eq!(bounded_capacity(1.1, 100, 10), 11);
/// assert_eq!(bounded_capacity(1.25, 1000, 3), 417);
/// assert_eq!(bounded_capacity(1.0, 0, 4), 1);
/// ```
#[must_use]
pub fn bounded_capacity(c: f64, keys: usize, nodes: usize) -> usize {
    let nodes = nodes.max(1);
    // A node may hold every key: nothing to bound (and no big numbers below).
    if c >= nodes as f64 {
        return keys.max(1);
    }
    // The shortest decimal that reads back as `c` (Rust prints no exponent
    // for a finite f64), as numerator / 10^fraction digits.
    let written = c.to_string();
    let (whole, fraction) = written.split_once('.').unwrap_or((&written, ""));
    let exact = format!("{whole}{fraction}")
        .parse::<u128>()
        .ok()
        .zip(10u128.checked_pow(fraction.len() as u32))
        .and_then(|(numerator, denominator)| {
            let top = numerator.checked_mul(keys as u128)?;
            let bottom = denominator.checked_mul(nodes as u128)?;
            usize::try_from(top.div_ceil(bottom)).ok()
        });
    // Beyond 128 bits (more than 17 digits of c times more than 10^20 keys),
    // the float formula; every realistic input takes the exact path.
    exact
        .unwrap_or_else(|| (c * keys as f64 / nodes as f64).ceil() as usize)
        .max(1)
}

impl fmt::Display for Overflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Overflow::Walk => "walk",
            Overflow::RandomJumps => "random jumps",
        })
    }
}

/// What overflow did during one assignment, from
/// [`BoundedLoads::assign_with_report`].
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct OverflowReport {
    /// The capacity per node, `ceil(c * m / n)`, computed exactly for `c`
    /// as written (see [`bounded_capacity`]).
    pub capacity: usize,
    /// Keys that did not land on their first choice.
    pub overflowed: usize,
    /// The most points (walk) or jumps (random jumps) one key passed.
    pub longest_detour: usize,
    /// The mean detour over the keys that overflowed.
    pub mean_detour: f64,
}

/// The ring with bounded loads.
///
/// ```
/// use elastic_vdb::strategy::{BoundedLoads, Overflow, Placement, key_positions, node_names};
///
/// let bounded = BoundedLoads::new(&node_names(5), 20, 1.1, Overflow::Walk)?;
/// let (owners, report) = bounded.assign_with_report(&key_positions(1000));
/// assert_eq!(report.capacity, 220);
/// let mut counts = [0; 5];
/// for owner in owners { counts[owner as usize] += 1; }
/// assert!(counts.iter().all(|&count| count <= 220));
/// # Ok::<(), elastic_vdb::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct BoundedLoads {
    ring: VnodeRing,
    c: f64,
    overflow: Overflow,
}

impl BoundedLoads {
    /// A bounded-load ring with `vnodes` points per node and balance factor `c`.
    ///
    /// # Errors
    /// [`ParameterError::Invalid`] for `c` below 1 or not finite; otherwise as
    /// [`VnodeRing::new`].
    pub fn new(
        nodes: &[String],
        vnodes: u32,
        c: f64,
        overflow: Overflow,
    ) -> Result<BoundedLoads, Error> {
        if !(c.is_finite() && c >= 1.0) {
            return Err(Error::Parameter(ParameterError::Invalid {
                parameter: "balance factor c",
                value: c.to_string(),
                allowed: "a finite number of at least 1",
            }));
        }
        Ok(BoundedLoads {
            ring: VnodeRing::new(nodes, vnodes)?,
            c,
            overflow,
        })
    }

    /// Places `positions` in order and says how much overflow there was.
    #[must_use]
    pub fn assign_with_report(&self, positions: &[u64]) -> (Vec<u32>, OverflowReport) {
        let (points, owners) = self.ring.parts();
        let nodes = self.ring.nodes().len();
        if points.is_empty() {
            return (vec![0; positions.len()], OverflowReport::default());
        }
        let capacity = bounded_capacity(self.c, positions.len(), nodes);
        let mut loads = vec![0usize; nodes];
        let mut report = OverflowReport {
            capacity,
            ..OverflowReport::default()
        };
        let mut detours = 0usize;
        let assignment = positions
            .iter()
            .map(|&position| {
                let mut index = successor(points, position);
                let mut detour = 0usize;
                let mut jumps = 0u64;
                while loads[owners[index] as usize] >= capacity {
                    detour += 1;
                    if self.overflow == Overflow::RandomJumps && jumps < MAX_JUMPS {
                        jumps += 1;
                        let probe = mix64(position ^ jumps.wrapping_mul(0x9e37_79b9_7f4a_7c15));
                        index = successor(points, probe);
                    } else {
                        index = (index + 1) % points.len();
                    }
                }
                let owner = owners[index];
                loads[owner as usize] += 1;
                if detour > 0 {
                    report.overflowed += 1;
                    report.longest_detour = report.longest_detour.max(detour);
                    detours += detour;
                }
                owner
            })
            .collect();
        if report.overflowed > 0 {
            report.mean_detour = detours as f64 / report.overflowed as f64;
        }
        (assignment, report)
    }
}

impl Placement for BoundedLoads {
    fn name(&self) -> &'static str {
        "bounded"
    }

    fn nodes(&self) -> &[String] {
        self.ring.nodes()
    }

    fn locate(&self, _position: u64) -> Option<usize> {
        None
    }

    fn assign(&self, positions: &[u64]) -> Vec<u32> {
        self.assign_with_report(positions).0
    }

    fn memory_bytes(&self) -> usize {
        // The ring, plus one load counter per node while assigning.
        self.ring.memory_bytes() + self.ring.nodes().len() * std::mem::size_of::<usize>()
    }
}
