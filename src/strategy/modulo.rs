//! Modulo hashing: key position `mod N`. Perfectly simple, and the baseline
//! that shows why consistent hashing exists: when `N` changes, a key keeps its
//! node only if its position leaves the same remainder for both counts,
//! so about `N / (N + 1)` of all keys move on a join.

use super::{Placement, names_bytes};

/// Places a key on node `position mod N`.
///
/// ```
/// use elastic_vdb::strategy::{Modulo, Placement};
///
/// let modulo = Modulo::new(vec!["a".into(), "b".into(), "c".into()]);
/// assert_eq!(modulo.locate(7), Some(1)); // 7 mod 3
/// ```
#[derive(Debug, Clone)]
pub struct Modulo {
    nodes: Vec<String>,
}

impl Modulo {
    /// Modulo placement over `nodes` (checked by [`super::Strategy::build`];
    /// an empty list places nothing).
    #[must_use]
    pub fn new(nodes: Vec<String>) -> Modulo {
        Modulo { nodes }
    }
}

impl Placement for Modulo {
    fn name(&self) -> &'static str {
        "modulo"
    }

    fn nodes(&self) -> &[String] {
        &self.nodes
    }

    #[inline]
    fn locate(&self, position: u64) -> Option<usize> {
        if self.nodes.is_empty() {
            return None;
        }
        Some((position % self.nodes.len() as u64) as usize)
    }

    fn memory_bytes(&self) -> usize {
        std::mem::size_of::<Self>() + names_bytes(&self.nodes)
    }
}
