//! What a store refuses: its configuration, more vectors or copies than it
//! may hold, an unknown vector, and a search query it cannot answer.

use std::fmt;

/// The most memory a store's vectors may take, copies included: 16 GiB,
/// counting each copy's data and its [`ROW_OVERHEAD_BYTES`]. Asking for more
/// is an error rather than a crash of the process (or of the notebook
/// kernel) when memory runs out.
pub const MAX_STORE_BYTES: u64 = 16 << 30;

/// The bookkeeping each held copy costs beside its data (id, ring position,
/// index entry), counted against [`MAX_STORE_BYTES`]: 28 bytes stay held,
/// and the peak of adding or loading vectors measured up to 57 bytes a copy
/// (`tests/memory.rs` measures every way of adding copies with a counting
/// allocator and fails if one goes over). Without it, a saved store
/// declaring billions of one-dimensional vectors passed the limit and ran
/// the process out of memory while loading (found by fuzzing).
pub const ROW_OVERHEAD_BYTES: u64 = 64;

/// The most copies of each vector a store keeps.
pub const MAX_REPLICATION: usize = 16;

/// The most threads one search may use.
pub const MAX_SEARCH_THREADS: usize = 256;

/// The largest vector dimension a store accepts.
pub const MAX_DIMENSION: usize = 65_536;

/// The bytes a store budgets for `vectors` vectors of `dimension` kept in
/// `copies` copies each, counted against [`MAX_STORE_BYTES`] (saturating).
///
/// ```
/// use elastic_vdb::error::{ROW_OVERHEAD_BYTES, store_bytes};
///
/// assert_eq!(store_bytes(10, 256, 2), 10 * (256 * 4 + ROW_OVERHEAD_BYTES) * 2);
/// ```
#[must_use]
pub fn store_bytes(vectors: u64, dimension: usize, copies: usize) -> u64 {
    let per_copy = (dimension as u64)
        .saturating_mul(std::mem::size_of::<f32>() as u64)
        .saturating_add(ROW_OVERHEAD_BYTES);
    vectors
        .saturating_mul(per_copy)
        .saturating_mul(copies as u64)
}

/// A store configuration, a number of vectors or copies, or a vector id the
/// store refused.
///
/// ```
/// use elastic_vdb::error::{Error, StoreError};
/// use elastic_vdb::{StoreConfig, VectorStore};
///
/// let error = VectorStore::new(StoreConfig { dimension: 0, ..StoreConfig::default() }).unwrap_err();
/// assert_eq!(error, Error::Store(StoreError::DimensionOutOfRange(0)));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum StoreError {
    /// A replication factor of 0 or above [`MAX_REPLICATION`].
    ReplicationOutOfRange(usize),
    /// A vector dimension of 0 or above [`MAX_DIMENSION`].
    DimensionOutOfRange(usize),
    /// More vectors requested than the store can number, or than
    /// [`MAX_STORE_BYTES`] of memory for the vectors.
    TooManyVectors {
        /// How many vectors the store already holds.
        held: u64,
        /// How many more were asked for.
        requested: u64,
    },
    /// A replication factor whose copies of the vectors already generated
    /// would take more than [`MAX_STORE_BYTES`].
    TooManyCopies {
        /// Vectors generated so far.
        vectors: u64,
        /// Their dimension.
        dimension: usize,
        /// The replication factor asked for.
        copies: usize,
    },
    /// A vector id the store does not hold.
    UnknownVector(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::ReplicationOutOfRange(replication) => write!(
                f,
                "replication factor must be between 1 and {MAX_REPLICATION}, got {replication}"
            ),
            StoreError::DimensionOutOfRange(dimension) => write!(
                f,
                "vector dimension must be between 1 and {MAX_DIMENSION}, got {dimension}"
            ),
            StoreError::TooManyVectors { held, requested } => write!(
                f,
                "cannot add {requested} vectors to the {held} held: a store keeps at most {} vectors and {} GiB for them (copies and {ROW_OVERHEAD_BYTES} bytes of bookkeeping per copy included)",
                u32::MAX,
                MAX_STORE_BYTES >> 30
            ),
            StoreError::TooManyCopies {
                vectors,
                dimension,
                copies,
            } => write!(
                f,
                "cannot keep {copies} copies of {vectors} vectors of dimension {dimension}: they would take {:.3} GiB, above the {} GiB a store may hold ({ROW_OVERHEAD_BYTES} bytes of bookkeeping per copy included)",
                store_bytes(*vectors, *dimension, *copies) as f64 / f64::from(1u32 << 30),
                MAX_STORE_BYTES >> 30
            ),
            StoreError::UnknownVector(id) => write!(f, "vector {id:?} is not in the store"),
        }
    }
}

impl std::error::Error for StoreError {}

/// A search query the store cannot answer.
///
/// ```
/// use elastic_vdb::error::{Error, SearchError};
/// use elastic_vdb::VectorStore;
///
/// let db = VectorStore::default();
/// assert_eq!(db.search(&[1.0; 3], 0).unwrap_err(), Error::Search(SearchError::ZeroK));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SearchError {
    /// A query whose length is not the store's dimension.
    QueryDimension {
        /// The store's dimension.
        expected: usize,
        /// The query's length.
        got: usize,
    },
    /// A query with a NaN or infinite component.
    NonFiniteQuery {
        /// Which component.
        index: usize,
        /// Its value.
        value: f32,
    },
    /// A query of all zeros, which has no direction.
    ZeroQuery,
    /// A search for zero results.
    ZeroK,
    /// A search asked to run on 0 threads, or more than [`MAX_SEARCH_THREADS`].
    Threads(usize),
    /// One query of a batch is not a valid query.
    InBatch {
        /// Its place in the batch, from 0.
        query: usize,
        /// What is wrong with it.
        problem: Box<SearchError>,
    },
}

impl fmt::Display for SearchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SearchError::QueryDimension { expected, got } => write!(
                f,
                "query has {got} components; the store's vectors have {expected}"
            ),
            SearchError::NonFiniteQuery { index, value } => {
                write!(
                    f,
                    "query component {index} is {value}; it must be a finite number"
                )
            }
            SearchError::ZeroQuery => {
                write!(f, "query is all zeros, so it has no direction to compare")
            }
            SearchError::ZeroK => write!(f, "k must be at least 1, got 0"),
            SearchError::Threads(threads) => write!(
                f,
                "threads must be between 1 and {MAX_SEARCH_THREADS}, got {threads}"
            ),
            SearchError::InBatch { query, problem } => {
                write!(f, "query {query} of the batch: {problem}")
            }
        }
    }
}

impl std::error::Error for SearchError {}
