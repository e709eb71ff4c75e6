//! Multi-probe consistent hashing (Appleton and O'Reilly, 2015): each node
//! has a single point on the ring, and each key is hashed `k` times instead.
//! The key goes to the node whose point follows one of its probes most
//! closely. With 21 probes the paper reports a peak-to-average load of about
//! 1.05 with one point per node: the balance of many virtual nodes, at the
//! memory of one point per node, paid for in `k` lookups per key.

use super::{Placement, mix64, names_bytes};
use crate::error::{Error, ParameterError};
use crate::hash::vnode_position;

/// The most probes accepted per key.
pub const MAX_PROBES: u32 = 1024;

/// One ring point per node (its vnode 0 of the placement contract), `k`
/// probes per key.
///
/// ```
/// use elastic_vdb::strategy::{MultiProbe, Placement};
///
/// let probes = MultiProbe::new(vec!["a".into(), "b".into()], 21)?;
/// assert!(probes.locate(42).unwrap() < 2);
/// assert!(MultiProbe::new(vec!["a".into()], 0).is_err());
/// # Ok::<(), elastic_vdb::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct MultiProbe {
    nodes: Vec<String>,
    points: Vec<u64>,
    owners: Vec<u32>,
    probe_seeds: Vec<u64>,
}

impl MultiProbe {
    /// Multi-probe placement with `probes` probes per key.
    ///
    /// # Errors
    /// [`ParameterError::Invalid`] for 0 probes or more than [`MAX_PROBES`].
    pub fn new(nodes: Vec<String>, probes: u32) -> Result<MultiProbe, Error> {
        if !(1..=MAX_PROBES).contains(&probes) {
            return Err(Error::Parameter(ParameterError::Invalid {
                parameter: "probes",
                value: probes.to_string(),
                allowed: "1 to 1024",
            }));
        }
        let mut points: Vec<(u64, u32)> = nodes
            .iter()
            .enumerate()
            .map(|(index, id)| (vnode_position(id, 0), index as u32))
            .collect();
        points.sort_unstable();
        // The first probe is the key's own position; the others are derived
        // from it with distinct seeds.
        let probe_seeds = (0..u64::from(probes))
            .map(|probe| {
                if probe == 0 {
                    0
                } else {
                    mix64(probe.wrapping_mul(0x9e37_79b9_7f4a_7c15))
                }
            })
            .collect();
        Ok(MultiProbe {
            nodes,
            points: points.iter().map(|&(position, _)| position).collect(),
            owners: points.iter().map(|&(_, owner)| owner).collect(),
            probe_seeds,
        })
    }

    /// Probes per key.
    #[must_use]
    pub fn probes(&self) -> usize {
        self.probe_seeds.len()
    }
}

impl Placement for MultiProbe {
    fn name(&self) -> &'static str {
        "multiprobe"
    }

    fn nodes(&self) -> &[String] {
        &self.nodes
    }

    #[inline]
    fn locate(&self, position: u64) -> Option<usize> {
        if self.points.is_empty() {
            return None;
        }
        let mut best = (u64::MAX, 0u32);
        for &seed in &self.probe_seeds {
            let probe = if seed == 0 {
                position
            } else {
                mix64(position ^ seed)
            };
            let index = super::successor(&self.points, probe);
            let distance = self.points[index].wrapping_sub(probe);
            if distance < best.0 {
                best = (distance, self.owners[index]);
            }
        }
        Some(best.1 as usize)
    }

    fn memory_bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + names_bytes(&self.nodes)
            + self.points.capacity() * std::mem::size_of::<u64>()
            + self.owners.capacity() * std::mem::size_of::<u32>()
            + self.probe_seeds.capacity() * std::mem::size_of::<u64>()
    }
}
