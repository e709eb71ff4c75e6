//! Placement analytics: how evenly strategies spread keys, how many keys a
//! change moves, and what the papers claim, measured on the same keys. The
//! studies return plain numbers; `render` shows them as tables and charts.
//!
//! One file per study: `balance` (spread of a placement), `movement` (keys
//! moved between two placements), `comparison` (every strategy side by
//! side), `claims` (the papers' numbers, checked), `sweep` (balance against
//! the vnode count).
//!
//! ```
//! use elastic_vdb::analysis::{Comparison, CompareConfig};
//!
//! let comparison = Comparison::run(&CompareConfig { nodes: 5, keys: 5_000, vnodes: 40 })?;
//! let jump = comparison.row("jump").unwrap();
//! assert!(jump.balance.max_over_mean < 1.1);
//! assert!(jump.moved_on_add.moved_to_new_nodes == jump.moved_on_add.moved);
//! # Ok::<(), elastic_vdb::Error>(())
//! ```

mod balance;
mod claims;
mod comparison;
mod movement;
mod sweep;

pub use balance::{Balance, counts};
pub use claims::{ClaimCheck, Claims};
pub use comparison::{CompareConfig, Comparison, StrategyReport};
pub use movement::{KeyMovement, movement_on_removal};
pub use sweep::{SweepRow, TheoryCurves, VnodeSweep};

/// Bytes as B, KiB or MiB (kept here too, where notebook 02 imports it).
pub use crate::format::human_bytes;

/// The most nodes a comparison or sweep builds.
pub const MAX_COMPARE_NODES: usize = 1000;

/// The most keys a comparison or sweep places.
pub const MAX_COMPARE_KEYS: usize = 10_000_000;
