//! The one error type of the library: every rejected input says what was
//! wrong and with which value.

use std::fmt;

/// The longest node id accepted, in bytes.
pub const MAX_NODE_ID_BYTES: usize = 256;

/// The most virtual nodes one node may have on the ring.
///
/// Ten thousand points per node already puts balance within a percent or
/// two; more only costs memory and lookup time.
pub const MAX_VNODES: u32 = 10_000;

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

/// The most copies of each vector a store keeps.
pub const MAX_REPLICATION: usize = 16;

/// The largest vector dimension a store accepts.
pub const MAX_DIMENSION: usize = 65_536;

/// Why a node id was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeIdProblem {
    /// The id is the empty string.
    Empty,
    /// The id holds only white space.
    Blank,
    /// The id starts or ends with white space, which is easy to type by mistake.
    SurroundingWhitespace,
    /// The id is longer than [`MAX_NODE_ID_BYTES`].
    TooLong,
    /// The id holds a control character (a newline, a tab, NUL, ...).
    ControlCharacter(char),
}

/// Everything that can go wrong when driving a ring or a store.
///
/// ```
/// use elastic_vdb::{Error, Ring};
///
/// let mut ring = Ring::new();
/// let error = ring.remove_node("ghost").unwrap_err();
/// assert_eq!(error, Error::UnknownNode("ghost".into()));
/// assert_eq!(error.to_string(), r#"node "ghost" is not on the ring"#);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// A node id that cannot name a node.
    InvalidNodeId {
        /// The id as given.
        id: String,
        /// What is wrong with it.
        problem: NodeIdProblem,
    },
    /// A node was added twice.
    DuplicateNode(String),
    /// A node was named that is not on the ring.
    UnknownNode(String),
    /// A virtual-node count of 0 or above [`MAX_VNODES`].
    VnodesOutOfRange(u64),
    /// A node weight that is not a finite number above zero.
    InvalidWeight(f64),
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
    /// A node weight that, at the ring's vnodes per node, would give the
    /// node more than [`MAX_VNODES`] points.
    WeightTooLarge {
        /// The node's weight.
        weight: f64,
        /// The ring's vnodes per node.
        vnodes_per_node: u32,
    },
    /// A search query whose length is not the store's dimension.
    QueryDimension {
        /// The store's dimension.
        expected: usize,
        /// The query's length.
        got: usize,
    },
    /// A search query with a NaN or infinite component.
    NonFiniteQuery {
        /// Which component.
        index: usize,
        /// Its value.
        value: f32,
    },
    /// A search query of all zeros, which has no direction.
    ZeroQuery,
    /// A search for zero results.
    ZeroK,
    /// A vector id the store does not hold.
    UnknownVector(String),
    /// A saved store that cannot be loaded.
    Snapshot(String),
    /// A store that could not be saved; the earlier file, if any, is whole.
    Save {
        /// The file asked for.
        path: String,
        /// What went wrong.
        problem: String,
    },
    /// A comma-separated node list with an empty entry, as in `A,,B`.
    EmptyListEntry(String),
    /// A node list that names a node twice.
    DuplicateListEntry(String),
    /// A placement asked of a strategy built over no nodes.
    NoNodes,
    /// A strategy or analysis parameter out of its range.
    InvalidParameter {
        /// Which parameter.
        parameter: &'static str,
        /// The value given.
        value: String,
        /// What is allowed.
        allowed: &'static str,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidNodeId { id, problem } => match problem {
                NodeIdProblem::Empty => write!(f, "node id is empty"),
                NodeIdProblem::Blank => write!(f, "node id {id:?} is blank"),
                NodeIdProblem::SurroundingWhitespace => {
                    write!(f, "node id {id:?} starts or ends with white space")
                }
                NodeIdProblem::TooLong => write!(
                    f,
                    "node id {:?}... is {} bytes long; the limit is {MAX_NODE_ID_BYTES}",
                    id.chars().take(24).collect::<String>(),
                    id.len()
                ),
                NodeIdProblem::ControlCharacter(c) => write!(
                    f,
                    "node id {id:?} contains the control character U+{:04X}",
                    u32::from(*c)
                ),
            },
            Error::DuplicateNode(id) => write!(f, "node {id:?} is already on the ring"),
            Error::UnknownNode(id) => write!(f, "node {id:?} is not on the ring"),
            Error::VnodesOutOfRange(vnodes) => write!(
                f,
                "vnodes per node must be between 1 and {MAX_VNODES}, got {vnodes}"
            ),
            Error::InvalidWeight(weight) => write!(
                f,
                "node weight must be a finite number above 0, got {weight}"
            ),
            Error::ReplicationOutOfRange(replication) => write!(
                f,
                "replication factor must be between 1 and {MAX_REPLICATION}, got {replication}"
            ),
            Error::DimensionOutOfRange(dimension) => write!(
                f,
                "vector dimension must be between 1 and {MAX_DIMENSION}, got {dimension}"
            ),
            Error::TooManyVectors { held, requested } => write!(
                f,
                "cannot add {requested} vectors to the {held} held: a store keeps at most {} vectors and {} GiB for them (copies and {ROW_OVERHEAD_BYTES} bytes of bookkeeping per copy included)",
                u32::MAX,
                MAX_STORE_BYTES >> 30
            ),
            Error::TooManyCopies {
                vectors,
                dimension,
                copies,
            } => write!(
                f,
                "cannot keep {copies} copies of {vectors} vectors of dimension {dimension}: they would take {:.3} GiB, above the {} GiB a store may hold ({ROW_OVERHEAD_BYTES} bytes of bookkeeping per copy included)",
                store_bytes(*vectors, *dimension, *copies) as f64 / f64::from(1u32 << 30),
                MAX_STORE_BYTES >> 30
            ),
            Error::WeightTooLarge {
                weight,
                vnodes_per_node,
            } => {
                // Plain digits up to 1e15, then an exponent: a weight of
                // 1e300 would otherwise print as 301 digits.
                let short = |x: f64| {
                    if x.abs() < 1e15 {
                        format!("{x}")
                    } else {
                        format!("{x:e}")
                    }
                };
                write!(
                    f,
                    "a node of weight {} would get {} vnodes at {vnodes_per_node} per node; a node may have at most {MAX_VNODES}",
                    short(*weight),
                    short((weight * f64::from(*vnodes_per_node)).round())
                )
            }
            Error::QueryDimension { expected, got } => write!(
                f,
                "query has {got} components; the store's vectors have {expected}"
            ),
            Error::NonFiniteQuery { index, value } => {
                write!(
                    f,
                    "query component {index} is {value}; it must be a finite number"
                )
            }
            Error::ZeroQuery => write!(f, "query is all zeros, so it has no direction to compare"),
            Error::ZeroK => write!(f, "k must be at least 1, got 0"),
            Error::UnknownVector(id) => write!(f, "vector {id:?} is not in the store"),
            Error::Snapshot(problem) => write!(f, "cannot load the saved store: {problem}"),
            Error::Save { path, problem } => {
                write!(f, "cannot save the store to {path}: {problem}")
            }
            Error::EmptyListEntry(list) => write!(f, "node list {list:?} has an empty entry"),
            Error::DuplicateListEntry(id) => write!(f, "node list names {id:?} more than once"),
            Error::NoNodes => write!(f, "a placement needs at least one node, got none"),
            Error::InvalidParameter {
                parameter,
                value,
                allowed,
            } => write!(f, "{parameter} must be {allowed}, got {value}"),
        }
    }
}

impl std::error::Error for Error {}

/// Checks that `id` can name a node; the error names the id and the problem.
///
/// ```
/// use elastic_vdb::error::validate_node_id;
///
/// assert!(validate_node_id("nodeA").is_ok());
/// assert_eq!(validate_node_id(" nodeA").unwrap_err().to_string(),
///            r#"node id " nodeA" starts or ends with white space"#);
/// ```
pub fn validate_node_id(id: &str) -> Result<(), Error> {
    let problem = if id.is_empty() {
        NodeIdProblem::Empty
    } else if id.trim().is_empty() {
        NodeIdProblem::Blank
    } else if id.len() > MAX_NODE_ID_BYTES {
        NodeIdProblem::TooLong
    } else if let Some(c) = id.chars().find(|c| c.is_control()) {
        NodeIdProblem::ControlCharacter(c)
    } else if id.trim() != id {
        NodeIdProblem::SurroundingWhitespace
    } else {
        return Ok(());
    };
    Err(Error::InvalidNodeId {
        id: id.to_owned(),
        problem,
    })
}

/// Checks a virtual-node count against `1..=MAX_VNODES`.
///
/// ```
/// use elastic_vdb::error::validate_vnodes;
///
/// assert_eq!(validate_vnodes(80), Ok(80));
/// assert!(validate_vnodes(0).is_err());
/// ```
pub fn validate_vnodes(vnodes: u64) -> Result<u32, Error> {
    match u32::try_from(vnodes) {
        Ok(v) if (1..=MAX_VNODES).contains(&v) => Ok(v),
        _ => Err(Error::VnodesOutOfRange(vnodes)),
    }
}

/// Splits a comma-separated node list such as `A,B,C` (the CLI's form),
/// trimming white space around each entry and refusing empty entries,
/// duplicates and invalid ids. The empty string is the empty list.
///
/// ```
/// use elastic_vdb::error::parse_node_list;
///
/// assert_eq!(parse_node_list("A,B, C").unwrap(), ["A", "B", "C"]);
/// assert!(parse_node_list("A,,B").is_err());
/// ```
pub fn parse_node_list(list: &str) -> Result<Vec<String>, Error> {
    if list.is_empty() {
        return Ok(Vec::new());
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for entry in list.split(',').map(str::trim) {
        if entry.is_empty() {
            return Err(Error::EmptyListEntry(list.to_owned()));
        }
        validate_node_id(entry)?;
        if !seen.insert(entry) {
            return Err(Error::DuplicateListEntry(entry.to_owned()));
        }
        out.push(entry.to_owned());
    }
    Ok(out)
}
