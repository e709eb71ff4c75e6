//! Migration plans: what a topology change would move, worked out before
//! anything moves.

use std::collections::BTreeMap;

use super::{Action, Flow, Shard, VectorStore};
use crate::error::Error;
use crate::ring::{Members, Ring};
use std::sync::Arc;

/// An arc of the ring that changes hands in a plan.
///
/// The lists name nodes with shared strings: a plan of 100,000 arcs with 11
/// copies each holds every node's name once, not two million times (making
/// those strings was a third of such a plan's time).
///
/// ```
/// let mut db = elastic_vdb::VectorStore::default();
/// db.add_vectors(100)?;
/// db.add_node("a")?;
/// let plan = db.plan_add_node("b")?;
/// assert!(plan.arcs.iter().all(|arc| &*arc.from[0] == "a" && &*arc.to[0] == "b"));
/// # Ok::<(), elastic_vdb::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedArc {
    /// Where the arc starts (exclusive).
    pub start: u64,
    /// Where it ends (inclusive).
    pub end: u64,
    /// Its preference list now (owner first).
    pub from: Vec<Arc<str>>,
    /// Its preference list after the change.
    pub to: Vec<Arc<str>>,
    /// How many vectors lie on it.
    pub vectors: usize,
}

/// What a proposed add or remove would move, computed from the ring and the
/// shards' position indexes without touching any data.
///
/// ```
/// let mut db = elastic_vdb::VectorStore::default();
/// db.add_vectors(6000)?;
/// for node in ["nodeA", "nodeB", "nodeC"] { db.add_node(node)?; }
/// let plan = db.plan_add_node("nodeD")?;
/// assert_eq!(plan.moved(), 1639);
/// assert_eq!(plan.ideal_fraction(), 0.25);
/// let movement = db.apply(plan.action.clone())?;
/// assert_eq!(movement.moved, plan.moved());
/// # Ok::<(), elastic_vdb::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct MigrationPlan {
    /// The change planned.
    pub action: Action,
    /// Arcs whose preference list changes, in ring order.
    pub arcs: Vec<PlannedArc>,
    /// Copies to send, per (from, to), sorted: the same flows a
    /// [`Movement`](super::Movement) reports once the change is made.
    pub flows: Vec<Flow>,
    /// Vectors in the store.
    pub total: usize,
    /// Nodes before the change.
    pub nodes_before: usize,
    /// Copies kept of each vector.
    pub copies: usize,
    /// Bytes of data per vector (`dimension * 4`).
    pub bytes_per_vector: usize,
}

impl MigrationPlan {
    /// Copies the plan sends (with one copy per vector, vectors that move).
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// assert_eq!(db.plan_add_node("a")?.moved(), 0);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn moved(&self) -> usize {
        self.flows.iter().map(|flow| flow.count).sum()
    }

    /// Bytes of vector data the plan sends.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(10)?;
    /// assert_eq!(db.plan_add_node("a")?.bytes(), 10 * 256 * 4);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn bytes(&self) -> usize {
        self.moved() * self.bytes_per_vector
    }

    /// Bytes of vector data one of the plan's flows sends.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(10)?;
    /// let plan = db.plan_add_node("a")?;
    /// assert_eq!(plan.bytes_of(&plan.flows[0]), 10 * 256 * 4);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn bytes_of(&self, flow: &Flow) -> usize {
        flow.count * self.bytes_per_vector
    }

    /// The moved fraction, as in [`crate::Movement::fraction`].
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(10)?;
    /// assert_eq!(db.plan_add_node("a")?.fraction(), 1.0);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn fraction(&self) -> f64 {
        self.moved() as f64 / self.total.max(1) as f64
    }

    /// What consistent hashing promises: a join moves about 1/(n+1) of the
    /// vectors, a removal about 1/n (times the copies kept of each vector,
    /// since each copy on the arcs concerned travels).
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_node("a")?;
    /// assert_eq!(db.plan_remove_node("a")?.ideal_fraction(), 1.0);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn ideal_fraction(&self) -> f64 {
        let nodes = match self.action {
            Action::AddNode(_) | Action::AddWeightedNode { .. } => self.nodes_before + 1,
            _ => self.nodes_before,
        };
        super::movement::ideal_share(self.copies, nodes)
    }

    /// One line: what moves, how much, against the theory.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(100)?;
    /// db.add_node("a")?;
    /// assert!(db.plan_add_node("b")?.summary().starts_with("add b: would send"));
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn summary(&self) -> String {
        format!(
            "{}: would send {} of {} vectors ({:.1}%, {:.2} MB) over {} arcs; theory: {:.1}%",
            self.action,
            self.moved(),
            self.total,
            self.fraction() * 100.0,
            self.bytes() as f64 / 1e6,
            self.arcs.len(),
            self.ideal_fraction() * 100.0
        )
    }
}

impl VectorStore {
    /// What adding `id` would move, without moving anything.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_node("a")?;
    /// assert!(db.plan_add_node("a").is_err());
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn plan_add_node(&self, id: &str) -> Result<MigrationPlan, Error> {
        let mut after = self.ring.clone();
        after.add_node(id)?;
        Ok(self.plan(Action::AddNode(id.to_owned()), &after))
    }

    /// What removing `id` (a decommission) would move, without moving anything.
    ///
    /// ```
    /// let db = elastic_vdb::VectorStore::default();
    /// assert!(db.plan_remove_node("ghost").is_err());
    /// ```
    pub fn plan_remove_node(&self, id: &str) -> Result<MigrationPlan, Error> {
        let mut after = self.ring.clone();
        after.remove_node(id)?;
        Ok(self.plan(Action::RemoveNode(id.to_owned()), &after))
    }

    fn plan(&self, action: Action, after: &Ring) -> MigrationPlan {
        let copies = self.config.replication;
        let members = Members::of(&self.ring, after);
        let mut arcs = Vec::new();
        // Copies sent per (source, receiver), as member numbers.
        let mut sent: BTreeMap<(Option<u32>, Option<u32>), usize> = BTreeMap::new();
        // Each node's name, made once for the whole plan, and its primaries,
        // looked up once.
        let mut names: Vec<Option<Arc<str>>> = vec![None; members.count()];
        let mut shared = |list: &[u32]| -> Vec<Arc<str>> {
            list.iter()
                .map(|&node| {
                    Arc::clone(
                        names[node as usize].get_or_insert_with(|| Arc::from(members.name(node))),
                    )
                })
                .collect()
        };
        let mut primaries: Vec<Option<Option<&Shard>>> = vec![None; members.count()];
        members.for_each_changed_list(copies, copies, |start, end, old_list, new_list| {
            // The vectors on the arc: what its old owner (or the pool, when
            // the ring was empty) holds there.
            let holder = match old_list.first() {
                Some(&owner) => *primaries[owner as usize]
                    .get_or_insert_with(|| self.primaries.get(members.name(owner))),
                None => Some(&self.unassigned),
            };
            let vectors = holder.map_or(0, |shard| shard.count_on_arc(start, end));
            if vectors > 0 {
                let source = old_list.first().copied();
                if new_list.is_empty() {
                    *sent.entry((source, None)).or_default() += vectors;
                }
                for &receiver in new_list.iter().filter(|node| !old_list.contains(node)) {
                    *sent.entry((source, Some(receiver))).or_default() += vectors;
                }
            }
            arcs.push(PlannedArc {
                start,
                end,
                from: shared(old_list),
                to: shared(new_list),
                vectors,
            });
        });
        let name = |node: Option<u32>| node.map(|node| members.name(node));
        let flows: BTreeMap<(Option<&str>, Option<&str>), usize> = sent
            .into_iter()
            .map(|((from, to), count)| ((name(from), name(to)), count))
            .collect();
        MigrationPlan {
            action,
            arcs,
            flows: flows
                .into_iter()
                .map(|((from, to), count)| Flow {
                    from: from.map(str::to_owned),
                    to: to.map(str::to_owned),
                    count,
                })
                .collect(),
            total: self.len(),
            nodes_before: self.ring.node_count(),
            copies,
            bytes_per_vector: self.config.dimension * std::mem::size_of::<f32>(),
        }
    }
}
