//! What a study, a strategy or a script refuses: a parameter out of its
//! range, and node lists that are empty, name a node twice or have a gap.

use std::fmt;

use super::{Error, validate_node_id};

/// A parameter of a strategy, a study, a plan or a script that is out of
/// its range, or a node list that cannot be read.
///
/// ```
/// use elastic_vdb::error::{Error, ParameterError, parse_node_list};
///
/// assert_eq!(parse_node_list("A,A").unwrap_err(),
///            Error::Parameter(ParameterError::DuplicateListEntry("A".into())));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ParameterError {
    /// A parameter out of its range.
    Invalid {
        /// Which parameter.
        parameter: &'static str,
        /// The value given.
        value: String,
        /// What is allowed.
        allowed: &'static str,
    },
    /// A comma-separated node list with an empty entry, as in `A,,B`.
    EmptyListEntry(String),
    /// A node list that names a node twice.
    DuplicateListEntry(String),
    /// A placement asked of a strategy built over no nodes.
    NoNodes,
}

impl fmt::Display for ParameterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParameterError::Invalid {
                parameter,
                value,
                allowed,
            } => write!(f, "{parameter} must be {allowed}, got {value}"),
            ParameterError::EmptyListEntry(list) => {
                write!(f, "node list {list:?} has an empty entry")
            }
            ParameterError::DuplicateListEntry(id) => {
                write!(f, "node list names {id:?} more than once")
            }
            ParameterError::NoNodes => write!(f, "a placement needs at least one node, got none"),
        }
    }
}

impl std::error::Error for ParameterError {}

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
            return Err(ParameterError::EmptyListEntry(list.to_owned()).into());
        }
        validate_node_id(entry)?;
        if !seen.insert(entry) {
            return Err(ParameterError::DuplicateListEntry(entry.to_owned()).into());
        }
        out.push(entry.to_owned());
    }
    Ok(out)
}
