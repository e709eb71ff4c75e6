//! What a topology change is asked to do ([`Action`]), and its one wording:
//! the short command form (`add nodeD`, `remove nodeB`, `rebuild 160
//! vnodes`) that the history table, a plan's summary, the command line and
//! [`VectorStore::play`](crate::VectorStore::play)'s scripts all use, read
//! back by [`str::parse`].

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, ParameterError};

/// The forms an action is written in, for the error that names one that
/// cannot be read.
pub const ACTION_FORMS: &str = "one of: add <node>, add <node> weight <w>, remove <node>, fail <node>..., rebuild <vnodes>, replication <copies>, reshape <node>... at <vnodes> vnodes";

/// A topology change: what [`crate::VectorStore::apply`] is asked to do,
/// and, in the history, what was done.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// A node joined.
    AddNode(String),
    /// A node of `weight` times a standard node's capacity joined: it gets
    /// that many times the virtual nodes, and so about that many times the
    /// vectors.
    AddWeightedNode {
        /// The node.
        id: String,
        /// Its capacity relative to a standard node.
        weight: f64,
    },
    /// A node left.
    RemoveNode(String),
    /// Every node was given a new number of virtual nodes.
    Rebuild(u32),
    /// A node crashed: its copies were lost at once, then the survivors
    /// re-replicated what they could.
    FailNode(String),
    /// Several nodes crashed at the same moment, before any re-replication.
    FailNodes(Vec<String>),
    /// The number of copies of each vector changed.
    SetReplication(usize),
    /// The ring was brought to another node set and vnode count at once;
    /// the movement is the net one, from the layout before to the one after.
    Reshape {
        /// The nodes afterwards, sorted.
        nodes: Vec<String>,
        /// Virtual nodes per node afterwards.
        vnodes: u32,
    },
}

impl Action {
    /// The node a join adds, if the action is one (weighted or not).
    ///
    /// ```
    /// use elastic_vdb::Action;
    ///
    /// let weighted = Action::AddWeightedNode { id: "big".into(), weight: 2.0 };
    /// assert_eq!(weighted.joining(), Some("big"));
    /// assert_eq!(Action::Rebuild(10).joining(), None);
    /// ```
    #[must_use]
    pub fn joining(&self) -> Option<&str> {
        match self {
            Action::AddNode(id) | Action::AddWeightedNode { id, .. } => Some(id),
            _ => None,
        }
    }
}

/// The command form, the same one [`str::parse`] reads.
///
/// ```
/// use elastic_vdb::Action;
///
/// assert_eq!(Action::AddNode("nodeD".into()).to_string(), "add nodeD");
/// assert_eq!(Action::Rebuild(160).to_string(), "rebuild 160 vnodes");
/// let weighted: Action = "add big weight 2.5".parse()?;
/// assert_eq!(weighted, Action::AddWeightedNode { id: "big".into(), weight: 2.5 });
/// assert_eq!(weighted.to_string(), "add big weight 2.5");
/// # Ok::<(), elastic_vdb::Error>(())
/// ```
impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::AddNode(id) => write!(f, "add {id}"),
            Action::AddWeightedNode { id, weight } => write!(f, "add {id} weight {weight}"),
            Action::RemoveNode(id) => write!(f, "remove {id}"),
            Action::Rebuild(vnodes) => write!(f, "rebuild {vnodes} vnodes"),
            Action::FailNode(id) => write!(f, "fail {id}"),
            Action::FailNodes(ids) => write!(f, "fail {}", ids.join(" ")),
            Action::SetReplication(copies) => write!(f, "replication {copies}"),
            Action::Reshape { nodes, vnodes } => {
                write!(f, "reshape {} at {vnodes} vnodes", nodes.join(" "))
            }
        }
    }
}

/// Reads the command form. `fail` with one node is a single crash
/// ([`Action::FailNode`]), with several a simultaneous one; `rebuild 40`
/// may leave out the word `vnodes`. Node ids are checked when the action is
/// applied, not here.
///
/// ```
/// use elastic_vdb::Action;
///
/// assert_eq!("fail a b".parse::<Action>()?, Action::FailNodes(vec!["a".into(), "b".into()]));
/// assert_eq!("rebuild 40".parse::<Action>()?, Action::Rebuild(40));
/// let error = "grow a".parse::<Action>().unwrap_err().to_string();
/// assert!(error.starts_with(r#"action must be one of: add <node>"#), "{error}");
/// assert!(error.ends_with(r#"got "grow a""#), "{error}");
/// # Ok::<(), elastic_vdb::Error>(())
/// ```
impl FromStr for Action {
    type Err = Error;

    fn from_str(text: &str) -> Result<Action, Error> {
        let unreadable = || {
            Error::Parameter(ParameterError::Invalid {
                parameter: "action",
                value: format!("{:?}", text.trim()),
                allowed: ACTION_FORMS,
            })
        };
        let number = |word: &str| word.parse::<u32>().map_err(|_| unreadable());
        let words: Vec<&str> = text.split_whitespace().collect();
        let ids = |words: &[&str]| words.iter().map(|&id| id.to_owned()).collect::<Vec<_>>();
        Ok(match words.as_slice() {
            ["add", id] => Action::AddNode((*id).to_owned()),
            ["add", id, "weight", weight] => Action::AddWeightedNode {
                id: (*id).to_owned(),
                weight: weight.parse().map_err(|_| unreadable())?,
            },
            ["remove", id] => Action::RemoveNode((*id).to_owned()),
            ["fail", id] => Action::FailNode((*id).to_owned()),
            ["fail", several @ ..] if several.len() > 1 => Action::FailNodes(ids(several)),
            ["rebuild", vnodes] | ["rebuild", vnodes, "vnodes"] => Action::Rebuild(number(vnodes)?),
            ["replication", copies] => Action::SetReplication(number(copies)? as usize),
            ["reshape", nodes @ .., "at", vnodes, "vnodes"] => Action::Reshape {
                nodes: ids(nodes),
                vnodes: number(vnodes)?,
            },
            _ => return Err(unreadable()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_reads_back_as_itself() {
        let actions = [
            Action::AddNode("nodeD".into()),
            Action::AddWeightedNode {
                id: "big".into(),
                weight: 0.1 + 0.2,
            },
            Action::RemoveNode("nodeB".into()),
            Action::Rebuild(160),
            Action::FailNode("nodeC".into()),
            Action::FailNodes(vec!["a".into(), "b".into(), "c".into()]),
            Action::SetReplication(3),
            Action::Reshape {
                nodes: vec!["a".into(), "b".into()],
                vnodes: 40,
            },
            Action::Reshape {
                nodes: vec![],
                vnodes: 1,
            },
        ];
        for action in actions {
            let text = action.to_string();
            assert_eq!(text.parse::<Action>(), Ok(action), "{text}");
        }
    }

    #[test]
    fn a_form_that_cannot_be_read_is_named() {
        for bad in [
            "",
            "add",
            "add a b",
            "add a weight x",
            "fail",
            "rebuild many",
            "rebuild -1",
            "replication 2 3",
            "reshape a b 40 vnodes",
            "grow a",
        ] {
            let error = bad.parse::<Action>().unwrap_err().to_string();
            assert!(error.contains(&format!("{bad:?}")), "{error}");
        }
    }
}
