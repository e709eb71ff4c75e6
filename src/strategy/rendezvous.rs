//! Rendezvous or highest-random-weight hashing (Thaler and Ravishankar,
//! 1998): every node scores every key and the highest score wins. A join
//! only takes keys whose new top scorer is the new node; a removal only
//! frees the removed node's keys. Lookup costs one score per node, so it
//! suits tens of nodes, not thousands.
//!
//! Weighted form: score `w / -ln(u)` with `u` the key-node hash mapped into
//! (0, 1) (the logarithmic method of Schindelhauer and Schomaker); with equal
//! weights it picks the same node as the plain highest hash.

use super::{Placement, check_weights, mix64, names_bytes};
use crate::error::Error;
use crate::hash::position;

/// Highest random weight over named nodes, each with a seed hashed from its
/// id (`rendezvous:{id}`, SHA-256).
///
/// ```
/// use elastic_vdb::strategy::{Placement, Rendezvous};
///
/// let hrw = Rendezvous::new(vec!["a".into(), "b".into(), "c".into()]);
/// let without_c = Rendezvous::new(vec!["a".into(), "b".into()]);
/// // Removing c moves only c's keys.
/// for key in 0..1000u64 {
///     let owner = hrw.locate(key).unwrap();
///     if owner != 2 { assert_eq!(without_c.locate(key), Some(owner)); }
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Rendezvous {
    nodes: Vec<String>,
    seeds: Vec<u64>,
    /// `None` when every weight is 1 (then the plain highest hash wins).
    weights: Option<Vec<f64>>,
}

impl Rendezvous {
    /// Equal weights.
    #[must_use]
    pub fn new(nodes: Vec<String>) -> Rendezvous {
        Rendezvous::build(nodes, None)
    }

    /// Node `i` wins a share of keys proportional to `weights[i]`.
    ///
    /// # Errors
    /// [`ParameterError::Invalid`](crate::error::ParameterError::Invalid)
    /// unless there is exactly one weight per node,
    /// [`RingError::InvalidWeight`](crate::error::RingError::InvalidWeight)
    /// for a weight that is not a finite number above 0.
    ///
    /// ```
    /// use elastic_vdb::strategy::Rendezvous;
    ///
    /// let nodes: Vec<String> = vec!["a".into(), "b".into()];
    /// assert!(Rendezvous::new_weighted(nodes.clone(), vec![2.0, 1.0]).is_ok());
    /// assert_eq!(Rendezvous::new_weighted(nodes, vec![2.0]).unwrap_err().to_string(),
    ///            "weights must be one per node, got 1 for 2 nodes");
    /// ```
    pub fn new_weighted(nodes: Vec<String>, weights: Vec<f64>) -> Result<Rendezvous, Error> {
        check_weights(nodes.len(), &weights)?;
        let weights = weights
            .iter()
            .any(|&weight| weight != 1.0)
            .then_some(weights);
        Ok(Rendezvous::build(nodes, weights))
    }

    fn build(nodes: Vec<String>, weights: Option<Vec<f64>>) -> Rendezvous {
        let seeds = nodes
            .iter()
            .map(|id| position(&format!("rendezvous:{id}")))
            .collect();
        Rendezvous {
            nodes,
            seeds,
            weights,
        }
    }
}

/// The hash mapped into the open interval (0, 1).
#[inline]
fn unit_interval(hash: u64) -> f64 {
    ((hash >> 11) as f64 + 0.5) / (1u64 << 53) as f64
}

impl Placement for Rendezvous {
    fn name(&self) -> &'static str {
        "rendezvous"
    }

    fn nodes(&self) -> &[String] {
        &self.nodes
    }

    #[inline]
    fn locate(&self, position: u64) -> Option<usize> {
        let scores = self.seeds.iter().map(|&seed| mix64(position ^ seed));
        match &self.weights {
            None => scores
                .enumerate()
                .max_by_key(|&(_, score)| score)
                .map(|(index, _)| index),
            Some(weights) => scores
                .zip(weights)
                .map(|(hash, weight)| weight / -unit_interval(hash).ln())
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(index, _)| index),
        }
    }

    fn memory_bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + names_bytes(&self.nodes)
            + self.seeds.capacity() * std::mem::size_of::<u64>()
            + self
                .weights
                .as_ref()
                .map_or(0, |weights| weights.capacity() * std::mem::size_of::<f64>())
    }
}
