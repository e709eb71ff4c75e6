//! What the ring refuses: node ids, memberships, vnode counts and weights,
//! and the limits they are checked against.

use std::fmt;

/// The longest node id accepted, in bytes.
pub const MAX_NODE_ID_BYTES: usize = 256;

/// The most virtual nodes one node may have on the ring.
///
/// Ten thousand points per node already puts balance within a percent or
/// two; more only costs memory and lookup time.
pub const MAX_VNODES: u32 = 10_000;

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

/// A node id, a membership change, a vnode count or a weight the ring
/// refused.
///
/// ```
/// use elastic_vdb::error::{Error, RingError};
/// use elastic_vdb::Ring;
///
/// let error = Ring::new().remove_node("ghost").unwrap_err();
/// assert_eq!(error, Error::Ring(RingError::UnknownNode("ghost".into())));
/// assert_eq!(error.to_string(), r#"node "ghost" is not on the ring"#);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RingError {
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
    /// A node weight that, at the ring's vnodes per node, would give the
    /// node more than [`MAX_VNODES`] points.
    WeightTooLarge {
        /// The node's weight.
        weight: f64,
        /// The ring's vnodes per node.
        vnodes_per_node: u32,
    },
}

impl fmt::Display for RingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RingError::InvalidNodeId { id, problem } => match problem {
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
            RingError::DuplicateNode(id) => write!(f, "node {id:?} is already on the ring"),
            RingError::UnknownNode(id) => write!(f, "node {id:?} is not on the ring"),
            RingError::VnodesOutOfRange(vnodes) => write!(
                f,
                "vnodes per node must be between 1 and {MAX_VNODES}, got {vnodes}"
            ),
            RingError::InvalidWeight(weight) => write!(
                f,
                "node weight must be a finite number above 0, got {weight}"
            ),
            RingError::WeightTooLarge {
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
        }
    }
}

impl std::error::Error for RingError {}

/// Checks that `id` can name a node; the error names the id and the problem.
///
/// ```
/// use elastic_vdb::error::validate_node_id;
///
/// assert!(validate_node_id("nodeA").is_ok());
/// assert_eq!(validate_node_id(" nodeA").unwrap_err().to_string(),
///            r#"node id " nodeA" starts or ends with white space"#);
/// ```
pub fn validate_node_id(id: &str) -> Result<(), RingError> {
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
    Err(RingError::InvalidNodeId {
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
pub fn validate_vnodes(vnodes: u64) -> Result<u32, RingError> {
    match u32::try_from(vnodes) {
        Ok(v) if (1..=MAX_VNODES).contains(&v) => Ok(v),
        _ => Err(RingError::VnodesOutOfRange(vnodes)),
    }
}
