//! # elastic-vdb
//!
//! An elastic vector database you can watch: a consistent-hash ring with
//! virtual nodes places embeddings on per-node shards, and the data really
//! moves when nodes join, leave or the ring is rebuilt.
//!
//! - [`Ring`]: the consistent-hash ring with virtual nodes, using the
//!   documented SHA-256 placement of [`hash`].
//! - [`VectorStore`]: unit vectors held in contiguous per-node shards, moved
//!   on every topology change, with a [`Movement`] report of what moved where.
//! - [`RingView`] and [`DistributionView`]: SVG pictures that show themselves
//!   inline in evcxr Jupyter notebooks.
//! - [`strategy`]: the ring beside six other placement strategies, and
//!   [`analysis`]: their balance, movement and memory compared on the same keys.
//!
//! ```
//! use elastic_vdb::prelude::*;
//!
//! let mut db = VectorStore::default();       // 80 vnodes, 256 dimensions, seed 42
//! db.add_vectors(6000)?;
//! for node in ["nodeA", "nodeB", "nodeC"] {
//!     db.add_node(node)?;
//! }
//! let step = db.add_node("nodeD")?;          // ends a notebook cell: the ring is drawn
//! assert_eq!(step.movement.status_line(), "Added node | moved=0.273 (~27.3%)");
//! assert!(step.view.to_svg().starts_with("<svg"));
//! # Ok::<(), elastic_vdb::Error>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]

pub mod analysis;
pub mod error;
pub mod exercise;
pub mod format;
pub mod hash;
pub mod render;
pub mod ring;
pub mod store;
pub mod strategy;

pub use error::Error;
pub use render::{DistributionView, HistoryView, RenderOptions, RingView, Step, Timeline};
pub use ring::Ring;
pub use store::{
    Action, Flow, Hit, Kernel, MigrationPlan, Movement, SearchOptions, StoreConfig, VectorStore,
};

/// Everything a notebook needs, in one `use`.
///
/// ```
/// use elastic_vdb::prelude::*;
///
/// let ring = Ring::new();
/// assert!(ring.is_empty());
/// ```
pub mod prelude {
    pub use crate::error::Error;
    pub use crate::exercise;
    pub use crate::render::{
        DistributionView, HistoryView, RenderOptions, RingView, ShowDebug, Step, Timeline,
    };
    pub use crate::ring::Ring;
    pub use crate::store::{
        Action, Flow, Hit, Kernel, MigrationPlan, Movement, SearchOptions, StoreConfig, VectorStore,
    };
}

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
