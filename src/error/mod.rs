//! The crate's error, composed of one error per concern: the ring's
//! ([`RingError`]), the store's ([`StoreError`]), a search's
//! ([`SearchError`]), saving and loading ([`SnapshotError`], whose I/O
//! failures are its `source()`), and parameters ([`ParameterError`]). Every
//! rejected input says what was wrong and with which value; the limits the
//! inputs are checked against live beside the concern that sets them.

use std::fmt;

mod parameter;
mod ring;
mod snapshot;
mod store;

pub use parameter::{ParameterError, parse_node_list};
pub use ring::{
    MAX_NODE_ID_BYTES, MAX_VNODES, NodeIdProblem, RingError, validate_node_id, validate_vnodes,
};
pub use snapshot::{IoFailure, SaveRefusal, SnapshotError};
pub use store::{
    MAX_DIMENSION, MAX_REPLICATION, MAX_SEARCH_THREADS, MAX_STORE_BYTES, ROW_OVERHEAD_BYTES,
    SearchError, StoreError, store_bytes,
};

/// Everything that can go wrong when driving a ring or a store: one variant
/// per concern, each holding that concern's error. Its message is the inner
/// error's.
///
/// ```
/// use elastic_vdb::error::{Error, RingError};
/// use elastic_vdb::Ring;
///
/// let mut ring = Ring::new();
/// let error = ring.remove_node("ghost").unwrap_err();
/// assert_eq!(error, Error::Ring(RingError::UnknownNode("ghost".into())));
/// assert_eq!(error.to_string(), r#"node "ghost" is not on the ring"#);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// A node id, membership change, vnode count or weight the ring refused.
    Ring(RingError),
    /// A configuration, a number of vectors or copies, or a vector id the
    /// store refused.
    Store(StoreError),
    /// A search query the store cannot answer.
    Search(SearchError),
    /// A store that could not be saved or loaded.
    Snapshot(SnapshotError),
    /// A parameter out of its range or a node list that cannot be read.
    Parameter(ParameterError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Ring(error) => error.fmt(f),
            Error::Store(error) => error.fmt(f),
            Error::Search(error) => error.fmt(f),
            Error::Snapshot(error) => error.fmt(f),
            Error::Parameter(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    /// The inner error's source: the message is already the inner error's,
    /// so the chain does not repeat it.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Snapshot(error) => std::error::Error::source(error),
            Error::Ring(_) | Error::Store(_) | Error::Search(_) | Error::Parameter(_) => None,
        }
    }
}

macro_rules! compose {
    ($($concern:ident => $variant:ident),*) => {$(
        impl From<$concern> for Error {
            fn from(error: $concern) -> Self {
                Error::$variant(error)
            }
        }
    )*};
}

compose!(
    RingError => Ring,
    StoreError => Store,
    SearchError => Search,
    SnapshotError => Snapshot,
    ParameterError => Parameter
);
