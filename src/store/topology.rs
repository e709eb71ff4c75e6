//! Topology changes: [`VectorStore::apply`] checks everything a change can
//! be refused for, changes the ring, and hands the old ring to the
//! reconciliation (`reconcile`), which moves the data.

use crate::error::{Error, ParameterError, StoreError, validate_node_id, validate_vnodes};
use std::collections::BTreeSet;

use super::config::{fits, validate_replication};
use super::{Action, Key, Movement, VectorStore};

impl VectorStore {
    /// Applies one change to the cluster and moves the data it concerns:
    /// the vectors whose preference list changed go to their new holders,
    /// copies no longer needed are dropped, and a crash's vectors with no
    /// surviving copy are reported lost. Returns what moved; the same change
    /// through [`VectorStore::add_node`] and its siblings also returns the
    /// ring's picture.
    ///
    /// Everything that can be refused is checked before anything changes:
    /// a refused change leaves the store exactly as it was.
    ///
    /// # Errors
    /// The ring's errors for the node ids, vnode counts and weights
    /// ([`RingError`](crate::error::RingError): a duplicate or unknown node, ...),
    /// [`StoreError::ReplicationOutOfRange`], [`StoreError::TooManyCopies`],
    /// [`ParameterError::DuplicateListEntry`], and [`ParameterError::Invalid`] for an
    /// empty list of nodes to fail.
    ///
    /// ```
    /// use elastic_vdb::{Action, VectorStore};
    ///
    /// let mut db = VectorStore::default();
    /// db.add_vectors(6000)?;
    /// db.apply(Action::AddNode("nodeA".into()))?;
    /// let movement = db.apply(Action::AddNode("nodeB".into()))?;
    /// assert_eq!(movement.moved, 3311);
    /// assert!(db.apply(Action::AddNode("nodeB".into())).is_err());
    /// assert_eq!(db.history().len(), 2);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn apply(&mut self, action: Action) -> Result<Movement, Error> {
        let copies = self.config.replication;
        match action {
            Action::AddNode(id) => {
                let old = self.ring.clone();
                self.ring.add_node(&id)?;
                Ok(self.commit(Action::AddNode(id), old, copies, None))
            }
            Action::AddWeightedNode { id, weight } => {
                let old = self.ring.clone();
                self.ring.add_weighted_node(&id, weight)?;
                Ok(self.commit(Action::AddWeightedNode { id, weight }, old, copies, None))
            }
            Action::RemoveNode(id) => {
                let old = self.ring.clone();
                self.ring.remove_node(&id)?;
                Ok(self.commit(Action::RemoveNode(id), old, copies, None))
            }
            Action::FailNode(id) => self.fail(vec![id]),
            Action::FailNodes(ids) => self.fail(ids),
            Action::Rebuild(vnodes) => {
                let old = self.ring.clone();
                self.ring.rebuild(vnodes)?;
                Ok(self.commit(Action::Rebuild(vnodes), old, copies, None))
            }
            Action::SetReplication(copies) => self.replicate(copies),
            Action::Reshape { nodes, vnodes } => self.reshape_to(&nodes, vnodes),
        }
    }

    /// Several nodes crash at the same moment (one or more): see
    /// [`Action::FailNodes`].
    fn fail(&mut self, ids: Vec<String>) -> Result<Movement, Error> {
        if ids.is_empty() {
            return Err(Error::Parameter(ParameterError::Invalid {
                parameter: "nodes to fail",
                value: "an empty list".to_owned(),
                allowed: "at least one node on the ring",
            }));
        }
        // Everything that can be refused is checked on a copy of the ring.
        let mut ring = self.ring.clone();
        for (index, id) in ids.iter().enumerate() {
            if ids[..index].contains(id) {
                return Err(Error::Parameter(ParameterError::DuplicateListEntry(
                    id.clone(),
                )));
            }
            ring.remove_node(id)?;
        }
        let old = std::mem::replace(&mut self.ring, ring);
        // The data goes first: nothing can be read from a crashed node.
        let mut gone: Vec<Key> = Vec::new();
        for id in &ids {
            for shards in [&mut self.primaries, &mut self.replicas] {
                if let Some(shard) = shards.remove(id) {
                    gone.extend(shard.keys_on_arc(0, 0));
                }
            }
        }
        let action = match <[String; 1]>::try_from(ids) {
            Ok([id]) => Action::FailNode(id),
            Err(ids) => Action::FailNodes(ids),
        };
        let copies = self.config.replication;
        Ok(self.commit(action, old, copies, Some(gone)))
    }

    /// Keeps `copies` copies of every vector from now on: see
    /// [`Action::SetReplication`].
    fn replicate(&mut self, copies: usize) -> Result<Movement, Error> {
        validate_replication(copies)?;
        // The same budget as adding vectors and loading a saved store, so
        // that whatever is accepted here can be saved and loaded back. It
        // counts `copies` copies even while fewer nodes hold them: the
        // missing ones arrive as nodes join, and a join is never refused.
        let vectors = u64::from(self.next_serial);
        if !fits(vectors, self.config.dimension, copies) {
            return Err(Error::Store(StoreError::TooManyCopies {
                vectors,
                dimension: self.config.dimension,
                copies,
            }));
        }
        let old_copies = self.config.replication;
        self.config.replication = copies;
        let ring = self.ring.clone();
        Ok(self.commit(Action::SetReplication(copies), ring, old_copies, None))
    }

    /// Adds `nodes` (id and weight, in join order) in one placement
    /// ([`crate::Ring::add_weighted_nodes`]), recorded as a reshape to the
    /// node set it gives: how a saved store's nodes come back.
    pub(super) fn join_all(&mut self, nodes: &[(&str, f64)]) -> Result<Movement, Error> {
        let mut ring = self.ring.clone();
        ring.add_weighted_nodes(nodes)?;
        let old = std::mem::replace(&mut self.ring, ring);
        let action = Action::Reshape {
            nodes: self.ring.nodes().map(str::to_owned).collect(),
            vnodes: self.ring.vnodes_per_node(),
        };
        let copies = self.config.replication;
        Ok(self.commit(action, old, copies, None))
    }

    /// Brings the ring to exactly `nodes` at `vnodes`: see
    /// [`Action::Reshape`].
    fn reshape_to(&mut self, nodes: &[String], vnodes: u32) -> Result<Movement, Error> {
        validate_vnodes(vnodes.into())?;
        let mut wanted = BTreeSet::new();
        for node in nodes {
            validate_node_id(node)?;
            if !wanted.insert(node.as_str()) {
                return Err(Error::Parameter(ParameterError::DuplicateListEntry(
                    node.clone(),
                )));
            }
        }
        let old = self.ring.clone();
        let mut ring = self.ring.clone();
        let leaving: Vec<String> = ring
            .nodes()
            .filter(|node| !wanted.contains(node))
            .map(str::to_owned)
            .collect();
        for node in leaving {
            ring.remove_node(&node)?;
        }
        if ring.vnodes_per_node() != vnodes {
            ring.rebuild(vnodes)?;
        }
        // The newcomers join in one placement, in the order given.
        let joining: Vec<(&str, f64)> = nodes
            .iter()
            .filter(|node| !ring.contains_node(node))
            .map(|node| (node.as_str(), 1.0))
            .collect();
        ring.add_weighted_nodes(&joining)?;
        self.ring = ring;
        let action = Action::Reshape {
            nodes: wanted.into_iter().map(str::to_owned).collect(),
            vnodes,
        };
        let copies = self.config.replication;
        Ok(self.commit(action, old, copies, None))
    }
}
