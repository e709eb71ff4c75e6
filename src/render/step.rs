//! A change and its picture: the methods a notebook calls to change the
//! cluster. Each applies an [`Action`] through [`VectorStore::apply`], which
//! returns plain data (the [`Movement`]), and adds the ring as it stands
//! after the change, so that a cell ending in `db.add_node("nodeD")?` draws
//! the ring. The store knows nothing of pictures; this file is where the two
//! meet.

use super::{DistributionView, HistoryView, RingView};
use crate::error::{Error, ParameterError};
use crate::store::{Action, MigrationPlan, Movement, VectorStore};

/// What a topology change returns in a notebook: the movement report, and
/// the ring after the change, which a cell shows as a picture.
///
/// ```
/// let mut db = elastic_vdb::VectorStore::default();
/// let step = db.add_node("nodeA")?;
/// assert!(step.view.to_svg().contains("<svg"));
/// # Ok::<(), elastic_vdb::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Step {
    /// What moved.
    pub movement: Movement,
    /// The ring after the change, with what the change moved drawn outside it.
    pub view: RingView,
}

impl Step {
    /// Shows the ring picture in an evcxr notebook cell.
    pub fn evcxr_display(&self) {
        self.view.evcxr_display();
    }
}

impl VectorStore {
    /// Applies `action` and draws the ring after it: what each named change
    /// below does, for an action held as data (read from a script, say).
    ///
    /// ```
    /// let mut db = elastic_vdb::exercise::catch_up_01("nodeC")?;
    /// let step = db.step("add nodeD".parse()?)?;
    /// assert_eq!(step.movement.moved, 1639);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn step(&mut self, action: Action) -> Result<Step, Error> {
        let movement = self.apply(action)?;
        Ok(Step {
            movement,
            view: self.ring_view(),
        })
    }

    /// Adds a node; the vectors it now owns (and the copies it should keep)
    /// are sent to it, and copies no longer needed elsewhere are dropped.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(6000)?;
    /// db.add_node("nodeA")?;
    /// let step = db.add_node("nodeB")?;
    /// assert_eq!(step.movement.moved, 3311);
    /// assert_eq!(step.movement.flows[0].label(), "nodeA->nodeB");
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn add_node(&mut self, id: &str) -> Result<Step, Error> {
        self.step(Action::AddNode(id.to_owned()))
    }

    /// Adds a node of `weight` times a standard node's capacity: it gets that
    /// many times the virtual nodes, and so about that many times the vectors.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(3000)?;
    /// db.add_node("small")?;
    /// db.add_weighted_node("big", 3.0)?;
    /// let shares = db.distribution();
    /// assert!(shares["big"] > 2 * shares["small"]);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn add_weighted_node(&mut self, id: &str, weight: f64) -> Result<Step, Error> {
        self.step(Action::AddWeightedNode {
            id: id.to_owned(),
            weight,
        })
    }

    /// Removes a node gracefully (a decommission): its data is streamed to
    /// the nodes that now own it before it leaves, so nothing is lost (to the
    /// unassigned pool if it was the last node).
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(10)?;
    /// db.add_node("nodeA")?;
    /// assert_eq!(db.remove_node("nodeA")?.movement.moved, 10);
    /// assert_eq!(db.unassigned().len(), 10);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn remove_node(&mut self, id: &str) -> Result<Step, Error> {
        self.step(Action::RemoveNode(id.to_owned()))
    }

    /// The same as [`VectorStore::remove_node`]: a planned departure that
    /// loses nothing. Named for contrast with [`VectorStore::fail_node`].
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(100)?;
    /// db.add_node("a")?;
    /// db.add_node("b")?;
    /// assert_eq!(db.decommission("a")?.movement.lost, 0);
    /// assert_eq!(db.len(), 100);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn decommission(&mut self, id: &str) -> Result<Step, Error> {
        self.remove_node(id)
    }

    /// A crash: the node and every copy it held vanish at once. The
    /// survivors then re-replicate each vector that still has a copy; a
    /// vector whose every copy was on the node is lost, and the report says
    /// how many (none with two or more copies per vector, when one node fails).
    ///
    /// ```
    /// use elastic_vdb::{StoreConfig, VectorStore};
    ///
    /// let mut db = VectorStore::new(StoreConfig { replication: 2, ..Default::default() })?;
    /// db.add_vectors(1000)?;
    /// for node in ["a", "b", "c"] { db.add_node(node)?; }
    /// let step = db.fail_node("b")?;
    /// assert_eq!(step.movement.lost, 0);
    /// assert!(step.movement.under_replicated > 0);
    /// assert_eq!(db.len(), 1000);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn fail_node(&mut self, id: &str) -> Result<Step, Error> {
        self.step(Action::FailNode(id.to_owned()))
    }

    /// Several nodes crash at the same moment, before any re-replication:
    /// a vector is lost when all its copies were on these nodes (with `R`
    /// copies, never when fewer than `R` nodes fail). A list that is empty,
    /// names a node twice or names a node not on the ring is refused, and
    /// nothing changes.
    ///
    /// ```
    /// use elastic_vdb::{StoreConfig, VectorStore};
    ///
    /// let mut db = VectorStore::new(StoreConfig { replication: 2, ..Default::default() })?;
    /// db.add_vectors(1000)?;
    /// for node in ["a", "b", "c", "d"] { db.add_node(node)?; }
    /// let lost = db.fail_nodes(&["b", "c"])?.movement.lost;
    /// assert!(lost > 0 && lost < 1000);
    /// assert_eq!(db.len(), 1000 - lost);
    /// assert!(db.fail_nodes(&["a", "a"]).is_err());
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn fail_nodes<S: AsRef<str>>(&mut self, ids: &[S]) -> Result<Step, Error> {
        self.step(Action::FailNodes(
            ids.iter().map(|id| id.as_ref().to_owned()).collect(),
        ))
    }

    /// Gives every node `vnodes` virtual nodes (times its weight) and moves
    /// the vectors whose preference list changed (the tutorial's "Rebuild ring").
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(100)?;
    /// db.add_node("a")?;
    /// db.add_node("b")?;
    /// let step = db.rebuild(160)?;
    /// assert_eq!(db.ring().point_count(), 320);
    /// assert!(step.movement.moved < 100);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn rebuild(&mut self, vnodes: u32) -> Result<Step, Error> {
        self.step(Action::Rebuild(vnodes))
    }

    /// Keeps `copies` copies of every vector from now on, sending the new
    /// copies or dropping the extra ones.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(100)?;
    /// for node in ["a", "b", "c"] { db.add_node(node)?; }
    /// assert_eq!(db.set_replication(2)?.movement.moved, 100);
    /// assert_eq!(db.copies(), 200);
    /// assert!(db.set_replication(0).is_err());
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn set_replication(&mut self, copies: usize) -> Result<Step, Error> {
        self.step(Action::SetReplication(copies))
    }

    /// Brings the ring to exactly `nodes`, each with `vnodes` virtual nodes,
    /// in one change: nodes not listed leave, new ones join, the vnode count
    /// changes. The report gives the net movement between the two layouts.
    /// Everything is checked before anything changes.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(6000)?;
    /// db.reshape(&["A", "B", "C"], 80)?;
    /// let step = db.reshape(&["A", "B", "C", "D"], 80)?;
    /// assert_eq!(step.movement.moved, 1545);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn reshape<S: AsRef<str>>(&mut self, nodes: &[S], vnodes: u32) -> Result<Step, Error> {
        self.step(Action::Reshape {
            nodes: nodes.iter().map(|node| node.as_ref().to_owned()).collect(),
            vnodes,
        })
    }

    /// Carries out a plan made by [`VectorStore::plan_add_node`] or
    /// [`VectorStore::plan_remove_node`] (its action, applied now).
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(50)?;
    /// let plan = db.plan_add_node("a")?;
    /// assert_eq!(db.carry_out(&plan)?.movement.moved, plan.moved());
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`ParameterError::Invalid`] for a plan whose action is not a join or
    /// a departure (plans are made only for those, so its numbers would not
    /// describe what the action moves), and the action's own errors.
    pub fn carry_out(&mut self, plan: &MigrationPlan) -> Result<Step, Error> {
        match &plan.action {
            Action::AddNode(_) | Action::RemoveNode(_) => self.step(plan.action.clone()),
            other => Err(Error::Parameter(ParameterError::Invalid {
                parameter: "plan",
                value: format!("{other:?}"),
                allowed: "a join or a departure (plan_add_node or plan_remove_node)",
            })),
        }
    }

    /// The ring as a picture: arcs by owner, vnode ticks, vectors as dots and
    /// the last change's moved vectors marked.
    ///
    /// ```
    /// let db = elastic_vdb::VectorStore::default();
    /// assert!(db.ring_view().to_svg().contains("Ring is empty"));
    /// ```
    #[must_use]
    pub fn ring_view(&self) -> RingView {
        RingView::of_store(self)
    }

    /// The table of every topology change so far.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_node("a")?;
    /// assert!(db.history_view().to_html().contains("add a"));
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn history_view(&self) -> HistoryView {
        HistoryView::new(self.history())
    }

    /// Vectors per node as a bar chart, against the ideal mean.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_node("a")?;
    /// assert!(db.distribution_view().to_svg().contains("<svg"));
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn distribution_view(&self) -> DistributionView {
        DistributionView::of_store(self)
    }
}
