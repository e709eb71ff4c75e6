//! The consistent-hash ring with virtual nodes, this crate's [`Ring`], as a
//! [`Placement`]: each node hashes to many points and a key belongs to the
//! first point clockwise. Weighted nodes get points in proportion to their
//! weight.

use super::{Placement, names_bytes, successor};
use crate::error::Error;
use crate::ring::Ring;

/// The ring flattened for lookup: sorted point positions and, for each, the
/// index of its node. Built through [`Ring`], so positions (salting
/// included) are exactly the placement contract's.
///
/// ```
/// use elastic_vdb::strategy::{Placement, VnodeRing};
/// use elastic_vdb::hash::key_position;
///
/// let ring = VnodeRing::new(&["nodeA".into(), "nodeB".into(), "nodeC".into()], 80)?;
/// let mut reference = elastic_vdb::Ring::new();
/// for node in ["nodeA", "nodeB", "nodeC"] { reference.add_node(node)?; }
/// let owner = ring.locate(key_position("vec_000007")).unwrap();
/// assert_eq!(Some(ring.nodes()[owner].as_str()), reference.owner("vec_000007"));
/// # Ok::<(), elastic_vdb::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct VnodeRing {
    nodes: Vec<String>,
    points: Vec<u64>,
    owners: Vec<u32>,
}

impl VnodeRing {
    /// A ring with `vnodes` points per node.
    ///
    /// # Errors
    /// As [`Ring::add_node`]: invalid or duplicate ids, vnodes out of range.
    pub fn new(nodes: &[String], vnodes: u32) -> Result<VnodeRing, Error> {
        VnodeRing::new_weighted(nodes, &vec![1.0; nodes.len()], vnodes)
    }

    /// A ring where node `i` gets `weights[i] * vnodes` points (at least one).
    ///
    /// # Errors
    /// As [`Ring::add_weighted_node`], and
    /// [`ParameterError::Invalid`](crate::error::ParameterError::Invalid)
    /// unless there is exactly one weight per node.
    ///
    /// ```
    /// use elastic_vdb::strategy::VnodeRing;
    ///
    /// let ring = VnodeRing::new_weighted(&["big".into(), "small".into()], &[2.0, 1.0], 50)?;
    /// assert_eq!(ring.point_count(), 150);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn new_weighted(
        nodes: &[String],
        weights: &[f64],
        vnodes: u32,
    ) -> Result<VnodeRing, Error> {
        super::check_weights(nodes.len(), weights)?;
        let mut ring = Ring::with_vnodes(vnodes)?;
        for (id, &weight) in nodes.iter().zip(weights) {
            if weight == 1.0 {
                ring.add_node(id)?;
            } else {
                ring.add_weighted_node(id, weight)?;
            }
        }
        let index_of: std::collections::BTreeMap<&str, u32> = nodes
            .iter()
            .enumerate()
            .map(|(index, id)| (id.as_str(), index as u32))
            .collect();
        let (points, owners) = ring
            .points()
            .map(|point| (point.position, index_of[point.node]))
            .unzip();
        Ok(VnodeRing {
            nodes: nodes.to_vec(),
            points,
            owners,
        })
    }

    /// How many points the ring has.
    #[must_use]
    pub fn point_count(&self) -> usize {
        self.points.len()
    }

    /// The node index of every position in `sorted` (ascending): one merge
    /// pass over the keys and the ring's points instead of a binary search
    /// per key. This is how cached key positions are re-placed after a
    /// topology change without hashing anything again. A position out of
    /// order is still placed correctly (by a binary search), only slower.
    ///
    /// ```
    /// use elastic_vdb::strategy::{Placement, VnodeRing, key_positions, node_names};
    ///
    /// let ring = VnodeRing::new(&node_names(10), 80)?;
    /// let mut keys = key_positions(5000);
    /// keys.sort_unstable();
    /// assert_eq!(ring.assign_sorted(&keys), ring.assign(&keys));
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn assign_sorted(&self, sorted: &[u64]) -> Vec<u32> {
        if self.points.is_empty() {
            return vec![0; sorted.len()];
        }
        let last = self.points.len();
        let mut index = 0;
        let mut previous = 0;
        sorted
            .iter()
            .map(|&position| {
                if position < previous {
                    index = self.points.partition_point(|&point| point < position);
                } else {
                    while index < last && self.points[index] < position {
                        index += 1;
                    }
                }
                previous = position;
                self.owners[if index == last { 0 } else { index }]
            })
            .collect()
    }

    /// The sorted point positions and their node indices.
    pub(crate) fn parts(&self) -> (&[u64], &[u32]) {
        (&self.points, &self.owners)
    }
}

impl Placement for VnodeRing {
    fn name(&self) -> &'static str {
        "ring"
    }

    fn nodes(&self) -> &[String] {
        &self.nodes
    }

    #[inline]
    fn locate(&self, position: u64) -> Option<usize> {
        if self.points.is_empty() {
            return None;
        }
        Some(self.owners[successor(&self.points, position)] as usize)
    }

    fn memory_bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + names_bytes(&self.nodes)
            + self.points.capacity() * std::mem::size_of::<u64>()
            + self.owners.capacity() * std::mem::size_of::<u32>()
    }
}
