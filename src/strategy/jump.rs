//! Jump consistent hash (Lamping and Veach, 2014): no table at all, a few
//! multiplications per key, and near-perfect balance, since each key lands in
//! bucket `b` with probability exactly `1/N`.
//!
//! The price is in the buckets: they are numbered `0..N`, and only the last
//! can be removed. Removing any other node means renumbering (every bucket
//! after it shifts down, and most of their keys move) or moving the last
//! node's data into the gap. An elastic cluster that loses an arbitrary node
//! therefore needs a layer of indirection on top.

use super::{Placement, names_bytes};

/// Lamping and Veach's jump hash of `key` into `buckets` buckets.
///
/// ```
/// use elastic_vdb::strategy::jump::jump_bucket;
///
/// assert_eq!(jump_bucket(0, 1), 0);
/// assert!((0..1000).all(|key| jump_bucket(key, 7) < 7));
/// // Growing from 7 to 8 buckets only ever moves keys into bucket 7.
/// assert!((0..1000).all(|key| [jump_bucket(key, 7), 7].contains(&jump_bucket(key, 8))));
/// ```
#[must_use]
#[inline]
pub fn jump_bucket(mut key: u64, buckets: u32) -> u32 {
    let mut bucket: i64 = -1;
    let mut next: i64 = 0;
    while next < i64::from(buckets) {
        bucket = next;
        key = key.wrapping_mul(2_862_933_555_777_941_757).wrapping_add(1);
        next = ((bucket + 1) as f64 * ((1u64 << 31) as f64 / ((key >> 33) + 1) as f64)) as i64;
    }
    bucket.max(0) as u32
}

/// Jump hash over named nodes: node `i` is bucket `i`.
///
/// ```
/// use elastic_vdb::strategy::{JumpHash, Placement};
///
/// let jump = JumpHash::new(vec!["a".into(), "b".into()]);
/// assert!(jump.locate(12345).unwrap() < 2);
/// ```
#[derive(Debug, Clone)]
pub struct JumpHash {
    nodes: Vec<String>,
}

impl JumpHash {
    /// Jump hash over `nodes`, numbered in order.
    #[must_use]
    pub fn new(nodes: Vec<String>) -> JumpHash {
        JumpHash { nodes }
    }
}

impl Placement for JumpHash {
    fn name(&self) -> &'static str {
        "jump"
    }

    fn nodes(&self) -> &[String] {
        &self.nodes
    }

    #[inline]
    fn locate(&self, position: u64) -> Option<usize> {
        if self.nodes.is_empty() {
            return None;
        }
        Some(jump_bucket(position, self.nodes.len() as u32) as usize)
    }

    fn memory_bytes(&self) -> usize {
        std::mem::size_of::<Self>() + names_bytes(&self.nodes)
    }
}
