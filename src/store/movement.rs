//! What a topology change did ([`Movement`]): the flows of vectors between
//! nodes, the keys that moved, and how that compares with the ideal.

use super::{Action, Key};

/// Vectors that went from one place to another in a change; `None` is the
/// pool of vectors waiting for a node (the tutorial's `∅`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Flow {
    /// Where they were.
    pub from: Option<String>,
    /// Where they went.
    pub to: Option<String>,
    /// How many.
    pub count: usize,
}

impl Flow {
    /// `from->to`, with `∅` for the unassigned pool, as in the tutorial.
    ///
    /// ```
    /// let flow = elastic_vdb::Flow { from: None, to: Some("nodeA".into()), count: 3 };
    /// assert_eq!(flow.label(), "∅->nodeA");
    /// ```
    #[must_use]
    pub fn label(&self) -> String {
        format!("{}->{}", self.source(), self.target())
    }

    /// The sender's name, [`UNASSIGNED`] for the pool: how every table,
    /// legend and line of the crate names it.
    ///
    /// ```
    /// let flow = elastic_vdb::Flow { from: None, to: Some("nodeA".into()), count: 3 };
    /// assert_eq!((flow.source(), flow.target()), ("∅", "nodeA"));
    /// ```
    #[must_use]
    pub fn source(&self) -> &str {
        self.from.as_deref().unwrap_or(UNASSIGNED)
    }

    /// The receiver's name, [`UNASSIGNED`] for the pool.
    #[must_use]
    pub fn target(&self) -> &str {
        self.to.as_deref().unwrap_or(UNASSIGNED)
    }
}

/// How the tutorial names the place of vectors no node owns.
pub const UNASSIGNED: &str = "∅";

/// The report of a topology change: how many vectors moved, and where.
///
/// ```
/// let mut db = elastic_vdb::VectorStore::default();
/// db.add_vectors(100)?;
/// let step = db.add_node("nodeA")?;
/// assert_eq!((step.movement.moved, step.movement.total), (100, 100));
/// assert_eq!(step.movement.status_line(), "Added node | moved=1.000 (~100.0%)");
/// # Ok::<(), elastic_vdb::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Movement {
    /// The change.
    pub action: Action,
    /// Copies sent from one place to another (with one copy per vector, the
    /// number of vectors that changed node).
    pub moved: usize,
    /// Vectors in the store.
    pub total: usize,
    /// Moves per (from, to), sorted.
    pub flows: Vec<Flow>,
    /// Nodes on the ring before the change.
    pub nodes_before: usize,
    /// Nodes on the ring after the change.
    pub nodes_after: usize,
    /// Copies deleted from nodes that no longer belong to the vector's
    /// preference list. With one copy per vector it equals `moved`, except
    /// for copies taken out of the unassigned pool (the first join): they
    /// are moved, not dropped, since the pool is not a node.
    pub dropped: usize,
    /// Vectors that lost a copy in a failure but survived elsewhere, and were
    /// copied again to restore their replication.
    pub under_replicated: usize,
    /// Vectors whose every copy was on a failed node: gone, and reported here.
    pub lost: usize,
    /// Copies kept of each vector after the change (the replication factor).
    pub copies: usize,
    /// Vectors that got a new holder (received at least one copy). With one
    /// copy per vector it equals `moved`; with more, `moved` counts copies.
    pub vectors_moved: usize,
}

impl Movement {
    /// The moved fraction (the tutorial's `movement_fraction`; 0 for an empty store).
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// assert_eq!(db.add_node("a")?.movement.fraction(), 0.0);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn fraction(&self) -> f64 {
        self.moved as f64 / self.total.max(1) as f64
    }

    /// The fraction of the vectors that got a new holder (0 for an empty store).
    ///
    /// ```
    /// use elastic_vdb::{StoreConfig, VectorStore};
    ///
    /// let mut db = VectorStore::new(StoreConfig { replication: 2, ..Default::default() })?;
    /// db.add_vectors(1000)?;
    /// db.add_node("a")?;
    /// db.add_node("b")?;
    /// let joined = db.add_node("c")?.movement;
    /// assert_eq!(joined.vectors_moved_fraction(), joined.vectors_moved as f64 / 1000.0);
    /// // A join: one copy sent to the newcomer per vector it now holds, ideally 2 of 3.
    /// assert_eq!(joined.moved, joined.vectors_moved);
    /// assert_eq!(joined.ideal_fraction(), Some(2.0 / 3.0));
    /// assert!(joined.status_line().starts_with("Added node | "));
    /// assert!(joined.status_line().contains("of vectors got a new holder (ideal 66.7%)"));
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn vectors_moved_fraction(&self) -> f64 {
        self.vectors_moved as f64 / self.total.max(1) as f64
    }

    /// The fraction an ideal placement would move, in copies sent per vector
    /// (with one copy, the fraction of vectors): a joining node should end up
    /// holding `R/n` of the vectors (`n` counting it, `R` copies each, at
    /// most all of them), each received as one copy, and a leaving node's
    /// `R/n` should be copied elsewhere, and nothing else. `None` for
    /// rebuilds, reshapes and crashes, which have no such ideal.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_node("a")?;
    /// assert_eq!(db.add_node("b")?.movement.ideal_fraction(), Some(0.5));
    /// assert_eq!(db.rebuild(10)?.movement.ideal_fraction(), None);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn ideal_fraction(&self) -> Option<f64> {
        match self.action {
            Action::AddNode(_) | Action::AddWeightedNode { .. } => {
                Some(ideal_share(self.copies, self.nodes_after))
            }
            Action::RemoveNode(_) => Some(ideal_share(self.copies, self.nodes_before)),
            _ => None,
        }
    }

    /// What the change teaches, in one sentence: what share moved against
    /// the ideal, and where it went (for a join, whether all of it went to
    /// the newcomer; for a departure, whether all of it came from the node
    /// that left).
    ///
    /// ```
    /// let db = elastic_vdb::exercise::catch_up_01("-nodeB")?;
    /// let lessons: Vec<String> = db.history().iter().map(|m| m.lesson()).collect();
    /// assert_eq!(lessons[3], "nodeD joined: 27.3% of the vectors moved (ideal 25.0%), all of them onto nodeD");
    /// assert_eq!(lessons[4], "nodeB left: 24.4% of the vectors moved (ideal 25.0%), all of them from nodeB, to 3 nodes");
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn lesson(&self) -> String {
        let share = format!("{:.1}% of the vectors moved", self.fraction() * 100.0);
        let ideal = self.ideal_fraction().map_or(String::new(), |ideal| {
            format!(" (ideal {:.1}%)", ideal * 100.0)
        });
        let count = |keep: &dyn Fn(&Flow) -> bool| {
            self.flows
                .iter()
                .filter(|flow| keep(flow))
                .map(|flow| flow.count)
                .sum::<usize>()
        };
        match &self.action {
            Action::AddNode(id) | Action::AddWeightedNode { id, .. } => {
                let onto = count(&|flow| flow.to.as_deref() == Some(id.as_str()));
                let whither = if onto == self.moved {
                    format!("all of them onto {id}")
                } else {
                    format!("{onto} of them onto {id}, {} elsewhere", self.moved - onto)
                };
                format!("{id} joined: {share}{ideal}, {whither}")
            }
            Action::RemoveNode(id) => {
                let from = count(&|flow| flow.from.as_deref() == Some(id.as_str()));
                let receivers: std::collections::BTreeSet<_> = self
                    .flows
                    .iter()
                    .filter_map(|flow| flow.to.as_deref())
                    .collect();
                let whence = if from == self.moved {
                    format!("all of them from {id}")
                } else {
                    format!(
                        "{from} of them from {id}, {} from other nodes",
                        self.moved - from
                    )
                };
                format!(
                    "{id} left: {share}{ideal}, {whence}, to {} nodes",
                    receivers.len()
                )
            }
            Action::Rebuild(vnodes) => {
                format!(
                    "rebuilt at {vnodes} vnodes per node: {share}, with no node joining or leaving"
                )
            }
            _ => self.status_line(),
        }
    }

    /// The status line the tutorial prints, e.g. `Added node | moved=0.273 (~27.3%)`.
    /// With two or more copies per vector, where copies sent and vectors
    /// moved differ, it gives both, each with its ideal where there is one:
    /// `Added node | 48.8% of vectors got a new holder (ideal 50.0%) | 2925
    /// copies sent (ideal 3000)`.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_node("a")?;
    /// assert_eq!(db.rebuild(160)?.movement.status_line(),
    ///            "Rebuilt ring with vnodes_per_node=160 | moved=0.000 (~0.0%)");
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn status_line(&self) -> String {
        let what = match &self.action {
            Action::AddNode(_) | Action::AddWeightedNode { .. } => "Added node".to_owned(),
            Action::RemoveNode(_) => "Removed node".to_owned(),
            Action::Rebuild(vnodes) => format!("Rebuilt ring with vnodes_per_node={vnodes}"),
            Action::Reshape { nodes, vnodes } => {
                format!("Reshaped ring to {} nodes x {vnodes} vnodes", nodes.len())
            }
            Action::FailNode(_) => "Node failed".to_owned(),
            Action::FailNodes(ids) => format!("{} nodes failed", ids.len()),
            Action::SetReplication(copies) => format!("Replication set to {copies}"),
        };
        let fraction = self.fraction();
        let mut line = if self.copies <= 1 {
            format!("{what} | moved={fraction:.3} (~{:.1}%)", fraction * 100.0)
        } else {
            let ideal = self.ideal_fraction();
            format!(
                "{what} | {:.1}% of vectors got a new holder{} | {} copies sent{}",
                self.vectors_moved_fraction() * 100.0,
                ideal.map_or(String::new(), |f| format!(" (ideal {:.1}%)", f * 100.0)),
                self.moved,
                ideal.map_or(String::new(), |f| format!(
                    " (ideal {:.0})",
                    f * self.total as f64
                )),
            )
        };
        if matches!(self.action, Action::FailNode(_) | Action::FailNodes(_)) {
            line.push_str(&format!(
                " | under-replicated={} lost={}",
                self.under_replicated, self.lost
            ));
        }
        line
    }
}

/// What consistent hashing promises a join or a departure moves, in copies
/// sent per vector: `R/n` of the vectors, `n` the nodes counting the one
/// that joins or leaves, `R` the copies kept of each (at most `n`). The one
/// formula behind [`Movement::ideal_fraction`] and
/// [`crate::MigrationPlan::ideal_fraction`].
pub(crate) fn ideal_share(copies: usize, nodes: usize) -> f64 {
    let nodes = nodes.max(1);
    copies.clamp(1, nodes) as f64 / nodes as f64
}

/// A vector that changed place in the last change, kept to draw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MovedKey {
    /// The vector.
    pub key: Key,
    /// Index of its flow in [`Movement::flows`].
    pub flow: usize,
}
