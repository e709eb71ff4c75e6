//! What saving and loading a store can meet: a file that cannot be read or
//! written (with the operating system's error as its `source()`), text that
//! is not a saved store, and saved values a store refuses.

use std::fmt;
use std::sync::Arc;

use super::Error;

/// An I/O error kept so that the error holding it stays `Clone` and
/// `PartialEq`: two are equal when their kind and message are.
///
/// ```
/// use elastic_vdb::error::IoFailure;
///
/// let failure = IoFailure::from(std::io::Error::from(std::io::ErrorKind::NotFound));
/// assert_eq!(failure.get().kind(), std::io::ErrorKind::NotFound);
/// ```
#[derive(Debug, Clone)]
pub struct IoFailure(Arc<std::io::Error>);

impl IoFailure {
    /// The operating system's error.
    #[must_use]
    pub fn get(&self) -> &std::io::Error {
        &self.0
    }
}

impl From<std::io::Error> for IoFailure {
    fn from(error: std::io::Error) -> Self {
        IoFailure(Arc::new(error))
    }
}

impl PartialEq for IoFailure {
    fn eq(&self, other: &Self) -> bool {
        self.0.kind() == other.0.kind() && self.0.to_string() == other.0.to_string()
    }
}

impl fmt::Display for IoFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Why a save did not replace its target.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SaveRefusal {
    /// The target exists and is a folder, a device or another non-file.
    NotRegularFile,
    /// The target is read-only.
    ReadOnly,
    /// The path names a folder, not a file (it ends in `..` or `/`).
    NoFileName,
    /// Reading, writing or renaming failed.
    Io(IoFailure),
}

impl fmt::Display for SaveRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SaveRefusal::NotRegularFile => write!(f, "it exists and is not a regular file"),
            SaveRefusal::ReadOnly => write!(f, "it is read-only"),
            SaveRefusal::NoFileName => write!(f, "it names no file"),
            SaveRefusal::Io(failure) => failure.fmt(f),
        }
    }
}

/// A store that could not be saved or loaded.
///
/// ```
/// use elastic_vdb::error::{Error, SnapshotError};
/// use std::error::Error as _;
///
/// let error = elastic_vdb::VectorStore::load("/no/such/file.json").unwrap_err();
/// assert!(matches!(error, Error::Snapshot(SnapshotError::Read { .. })));
/// let cause = error.source().unwrap().downcast_ref::<std::io::Error>().unwrap();
/// assert_eq!(cause.kind(), std::io::ErrorKind::NotFound);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SnapshotError {
    /// A saved store's file that could not be read.
    Read {
        /// The file.
        file: String,
        /// The operating system's error.
        failure: IoFailure,
    },
    /// Text that is not a saved store of a version this library reads.
    Invalid {
        /// The file, when the text came from one.
        file: Option<String>,
        /// What is wrong with the text.
        problem: String,
    },
    /// A saved store whose values a store refuses (a vnode count out of
    /// range, a node id twice, ...).
    Rejected {
        /// The file.
        file: String,
        /// The store's refusal.
        cause: Box<Error>,
    },
    /// A store that could not be saved; the earlier file, if any, is whole.
    Save {
        /// The file asked for.
        file: String,
        /// Why.
        refusal: SaveRefusal,
    },
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let load = "cannot load the saved store";
        match self {
            SnapshotError::Read { file, failure } => {
                write!(f, "{load}: cannot read {file}: {failure}")
            }
            SnapshotError::Invalid {
                file: Some(file),
                problem,
            } => write!(f, "{load}: {file}: {problem}"),
            SnapshotError::Invalid {
                file: None,
                problem,
            } => write!(f, "{load}: {problem}"),
            SnapshotError::Rejected { file, cause } => write!(f, "{load}: {file}: {cause}"),
            SnapshotError::Save { file, refusal } => {
                write!(f, "cannot save the store to {file}: {refusal}")
            }
        }
    }
}

impl std::error::Error for SnapshotError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SnapshotError::Read { failure, .. }
            | SnapshotError::Save {
                refusal: SaveRefusal::Io(failure),
                ..
            } => Some(failure.get()),
            SnapshotError::Rejected { cause, .. } => Some(cause.as_ref()),
            SnapshotError::Invalid { .. } | SnapshotError::Save { .. } => None,
        }
    }
}
