//! Saving a store's configuration and state as JSON, and loading it back.
//!
//! The file holds what is needed to rebuild the same store exactly: the
//! configuration, the nodes in the order they joined with their weights, how
//! many vectors were generated (they are drawn again from the seed) and which
//! were lost. An instructor can hand a class the same starting cluster.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Key, StoreConfig, VectorStore, vector_id};
use crate::error::{Error, SaveRefusal, SnapshotError};

/// The format name written into every file.
const FORMAT: &str = "elastic-vdb store";
/// The version this library writes and reads.
pub const SNAPSHOT_VERSION: u64 = 1;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Saved {
    format: String,
    version: u64,
    vnodes: u32,
    dimension: usize,
    seed: u64,
    replication: usize,
    generated: u32,
    nodes: Vec<SavedNode>,
    lost: Vec<u32>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedNode {
    id: String,
    weight: f64,
}

impl VectorStore {
    /// The store's configuration and state as JSON.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_node("nodeA")?;
    /// db.add_vectors(100)?;
    /// let json = db.to_json();
    /// let copy = elastic_vdb::VectorStore::from_json(&json)?;
    /// assert_eq!(copy.distribution(), db.distribution());
    /// assert_eq!(copy.vector_by_id("vec_000007"), db.vector_by_id("vec_000007"));
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn to_json(&self) -> String {
        let config = self.config();
        let saved = Saved {
            format: FORMAT.to_owned(),
            version: SNAPSHOT_VERSION,
            vnodes: config.vnodes,
            dimension: config.dimension,
            seed: config.seed,
            replication: config.replication,
            generated: self.next_serial,
            nodes: self
                .ring
                .nodes_in_join_order()
                .into_iter()
                .map(|(id, weight)| SavedNode { id, weight })
                .collect(),
            lost: self.lost(),
        };
        serde_json::to_string_pretty(&saved).expect("plain data serializes")
    }

    /// Rebuilds a store from [`VectorStore::to_json`]'s output. A damaged
    /// file, one from another version, or one whose values do not make a
    /// valid store gets an error that says what is wrong.
    ///
    /// ```
    /// use elastic_vdb::VectorStore;
    ///
    /// let error = VectorStore::from_json("{ not json").unwrap_err();
    /// assert!(error.to_string().starts_with("cannot load the saved store: not valid JSON"));
    /// let future = r#"{"format": "elastic-vdb store", "version": 99}"#;
    /// assert_eq!(VectorStore::from_json(future).unwrap_err().to_string(),
    ///            "cannot load the saved store: it is version 99; this library reads version 1");
    /// ```
    pub fn from_json(json: &str) -> Result<VectorStore, Error> {
        let problem = |problem: String| {
            Error::Snapshot(SnapshotError::Invalid {
                file: None,
                problem,
            })
        };
        // A byte-order mark, as some Windows editors write at the start of a
        // UTF-8 file, is not part of the JSON.
        let json = json.strip_prefix('\u{feff}').unwrap_or(json);
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| problem(format!("not valid JSON ({e})")))?;
        match value.get("format").and_then(serde_json::Value::as_str) {
            Some(FORMAT) => {}
            Some(other) => return Err(problem(format!("its format is {other:?}, not {FORMAT:?}"))),
            None => return Err(problem(format!("it has no \"format\": {FORMAT:?} field"))),
        }
        match value.get("version").and_then(serde_json::Value::as_u64) {
            Some(SNAPSHOT_VERSION) => {}
            Some(other) => {
                return Err(problem(format!(
                    "it is version {other}; this library reads version {SNAPSHOT_VERSION}"
                )));
            }
            None => return Err(problem("it has no numeric \"version\" field".to_owned())),
        }
        // Read again from the text, not from `value`: a JSON object keeps the
        // last of two equal keys, while the typed reading refuses a field
        // given twice, which is more likely an editing slip than intended.
        let saved: Saved = serde_json::from_str(json).map_err(|e| problem(format!("{e}")))?;

        let mut store = VectorStore::new(StoreConfig {
            vnodes: saved.vnodes,
            dimension: saved.dimension,
            seed: saved.seed,
            replication: saved.replication,
        })?;
        // Nodes first, in join order and in one placement, so that no
        // vector moves while loading.
        let nodes: Vec<(&str, f64)> = saved
            .nodes
            .iter()
            .map(|node| (node.id.as_str(), node.weight))
            .collect();
        store.join_all(&nodes)?;
        store.add_vectors(saved.generated as usize)?;
        if let Some(&serial) = saved.lost.iter().find(|&&serial| serial >= saved.generated) {
            return Err(problem(format!(
                "it lists {} as lost, but only {} vectors were generated",
                vector_id(serial),
                saved.generated
            )));
        }
        store.forget(&saved.lost);
        store.history.clear();
        store.last_moved.clear();
        store.ring_before = store.ring.clone();
        Ok(store)
    }

    /// Writes [`VectorStore::to_json`] to a file, atomically: the text goes
    /// to a new file in the same folder, is flushed to the disk, and only
    /// then takes the target's name, so a full disk or any other error
    /// part-way leaves the earlier file whole and removes the new one. (A
    /// process killed part-way may leave a `.elastic-vdb-save.*.tmp` file
    /// beside the target; the target is whole all the same.) Symbolic links
    /// are followed, even to a file not yet there; a target that is not a
    /// regular file (a device, a folder) or is read-only is refused rather
    /// than replaced. The file replaced keeps its permissions, not its owner.
    ///
    /// ```
    /// let path = std::env::temp_dir().join("elastic-vdb-doc-save.json");
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_node("a")?;
    /// db.save(&path)?;
    /// assert_eq!(elastic_vdb::VectorStore::load(&path)?.ring().node_count(), 1);
    /// # std::fs::remove_file(&path).ok();
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        let path = path.as_ref();
        let failed = |refusal: SaveRefusal| {
            Error::Snapshot(SnapshotError::Save {
                file: path.display().to_string(),
                refusal,
            })
        };
        let io = |e: std::io::Error| failed(SaveRefusal::Io(e.into()));
        let (target, existing) = resolve_links(path).map_err(io)?;
        let permissions = match existing {
            Some(meta) if !meta.is_file() => {
                return Err(failed(SaveRefusal::NotRegularFile));
            }
            Some(meta) if meta.permissions().readonly() => {
                return Err(failed(SaveRefusal::ReadOnly));
            }
            Some(meta) => Some(meta.permissions()),
            None => None,
        };
        let folder = match target.parent() {
            Some(folder) if !folder.as_os_str().is_empty() => folder.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if target.file_name().is_none() {
            return Err(failed(SaveRefusal::NoFileName));
        }
        let (temporary, file) = create_temporary(&folder).map_err(io)?;
        // The file replaced keeps its permissions.
        let written = permissions
            .map_or(Ok(()), |permissions| file.set_permissions(permissions))
            .and_then(|()| write_and_sync(file, self.to_json().as_bytes()))
            .and_then(|()| std::fs::rename(&temporary, &target));
        if let Err(e) = written {
            std::fs::remove_file(&temporary).ok();
            return Err(io(e));
        }
        // The rename itself reaches the disk with the folder's entry; where
        // a folder cannot be opened or synced, the file is saved all the same.
        if let Ok(folder) = std::fs::File::open(&folder) {
            folder.sync_all().ok();
        }
        Ok(())
    }

    /// Reads a store written by [`VectorStore::save`]. Any error names the
    /// file: one that cannot be read, is cut short or damaged, or whose
    /// values do not make a valid store.
    ///
    /// ```
    /// let error = elastic_vdb::VectorStore::load("/no/such/file.json").unwrap_err();
    /// assert!(error.to_string().contains("/no/such/file.json"));
    /// ```
    pub fn load(path: impl AsRef<Path>) -> Result<VectorStore, Error> {
        let path = path.as_ref();
        let file = path.display().to_string();
        let json = match std::fs::read_to_string(path) {
            Ok(json) => json,
            Err(e) => {
                let failure = e.into();
                return Err(SnapshotError::Read { file, failure }.into());
            }
        };
        VectorStore::from_json(&json).map_err(|e| {
            let error = match e {
                Error::Snapshot(SnapshotError::Invalid { problem, .. }) => SnapshotError::Invalid {
                    file: Some(file),
                    problem,
                },
                cause => SnapshotError::Rejected {
                    file,
                    cause: Box::new(cause),
                },
            };
            error.into()
        })
    }

    /// Drops every copy of the given vectors and records them as lost.
    fn forget(&mut self, serials: &[u32]) {
        let mut keys: Vec<Key> = serials
            .iter()
            .map(|&serial| Key {
                position: crate::hash::key_position(&vector_id(serial)),
                serial,
            })
            .collect();
        keys.sort_unstable();
        for shard in self.all_shards_mut() {
            shard.remove_keys(&keys);
        }
        self.lost.extend(serials);
    }
}

/// Where a save really writes: `path` with its symbolic links followed (a
/// link's relative target is read from the link's folder), and what is
/// there now, if anything.
fn resolve_links(path: &Path) -> std::io::Result<(PathBuf, Option<std::fs::Metadata>)> {
    let mut target = path.to_path_buf();
    // As many hops as Linux follows before it gives up (ELOOP).
    for _ in 0..40 {
        match std::fs::symlink_metadata(&target) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = std::fs::read_link(&target)?;
                target = match target.parent() {
                    Some(folder) => folder.join(link),
                    None => link,
                };
            }
            Ok(meta) => return Ok((target, Some(meta))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((target, None)),
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("too many levels of symbolic links"))
}

/// A new file in `folder`, `.elastic-vdb-save.{pid}.{n}.tmp`, created only
/// if no file of that name exists (so two saves never share one). The name
/// is short whatever the target's: the target's name plus a suffix could
/// pass the file system's limit on a name's length.
fn create_temporary(folder: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    let mut attempt = 0u32;
    loop {
        let candidate = folder.join(format!(
            ".elastic-vdb-save.{}.{attempt}.tmp",
            std::process::id()
        ));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(file) => return Ok((candidate, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 1000 => {
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

fn write_and_sync(mut file: std::fs::File, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    file.write_all(bytes)?;
    file.sync_all()
}
