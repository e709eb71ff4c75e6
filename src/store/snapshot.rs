//! Saving a store's configuration and state as JSON, and loading it back.
//!
//! The file holds what is needed to rebuild the same store exactly: the
//! configuration, the nodes in the order they joined with their weights, how
//! many vectors were generated (they are drawn again from the seed) and which
//! were lost. An instructor can hand a class the same starting cluster.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{StoreConfig, VectorStore, vector_id};
use crate::error::Error;

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
        let problem = |text: String| Error::Snapshot(text);
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
        let saved: Saved = serde_json::from_value(value).map_err(|e| problem(format!("{e}")))?;

        let mut store = VectorStore::new(StoreConfig {
            vnodes: saved.vnodes,
            dimension: saved.dimension,
            seed: saved.seed,
            replication: saved.replication,
        })?;
        // Nodes first, in join order, so that no vector moves while loading.
        for node in &saved.nodes {
            store.add_weighted_node(&node.id, node.weight)?;
        }
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
        Ok(store)
    }

    /// Writes [`VectorStore::to_json`] to a file.
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
        std::fs::write(path, self.to_json())
            .map_err(|e| Error::Snapshot(format!("cannot write {}: {e}", path.display())))
    }

    /// Reads a store written by [`VectorStore::save`].
    ///
    /// ```
    /// let error = elastic_vdb::VectorStore::load("/no/such/file.json").unwrap_err();
    /// assert!(error.to_string().contains("/no/such/file.json"));
    /// ```
    pub fn load(path: impl AsRef<Path>) -> Result<VectorStore, Error> {
        let path = path.as_ref();
        let json = std::fs::read_to_string(path)
            .map_err(|e| Error::Snapshot(format!("cannot read {}: {e}", path.display())))?;
        VectorStore::from_json(&json)
    }

    /// Drops every copy of the given vectors and records them as lost.
    fn forget(&mut self, serials: &[u32]) {
        let mut keys: Vec<(u64, u32)> = serials
            .iter()
            .map(|&serial| (crate::hash::key_position(&vector_id(serial)), serial))
            .collect();
        keys.sort_unstable();
        for shard in self.all_shards_mut() {
            shard.remove_keys(&keys);
        }
        self.lost.extend(serials);
    }
}
