//! The vector store: embeddings really held on per-node shards, moved between
//! them whenever the ring changes.
//!
//! Each vector is named `vec_{i:06}` (numbering goes on across calls), drawn
//! from a seeded normal distribution and scaled to unit length. Its ring
//! position is computed once, when it is created, and kept beside it: a
//! topology change re-locates cached positions and never re-hashes a key.

mod movement;
mod plan;
mod sample;
mod search;
mod shard;
mod snapshot;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, StandardNormal};

pub use movement::{Action, Flow, MovedKey, Movement, UNASSIGNED};
pub use plan::{MigrationPlan, PlannedArc, PlannedFlow};
pub use sample::{SAMPLE_CAP, Sample};
pub use search::Hit;
pub use shard::Shard;
use shard::{Block, Key, arc_ranges};

use crate::error::{
    Error, MAX_DIMENSION, MAX_REPLICATION, MAX_STORE_BYTES, store_bytes, validate_node_id,
    validate_vnodes,
};
use crate::hash::key_position;
pub use crate::hash::vector_id;
use crate::ring::{ChangedArc, DEFAULT_VNODES, Ring};

/// How a store is set up. Public fields and [`Default`], so a notebook can
/// write `StoreConfig { dimension: 64, ..Default::default() }`.
///
/// ```
/// let config = elastic_vdb::StoreConfig::default();
/// assert_eq!((config.vnodes, config.dimension, config.seed, config.replication), (80, 256, 42, 1));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreConfig {
    /// Virtual nodes per node (the tutorial's 80).
    pub vnodes: u32,
    /// Length of every vector (the tutorial's 256).
    pub dimension: usize,
    /// Seed of the generator that draws the vectors (the tutorial's 42).
    pub seed: u64,
    /// Copies kept of each vector, on the first distinct nodes clockwise
    /// from its position (1: no replicas, as in the tutorial). A factor
    /// above the node count is accepted: each vector is then held once on
    /// every node, and gets its missing copies as nodes join.
    pub replication: usize,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            vnodes: DEFAULT_VNODES,
            dimension: 256,
            seed: 42,
            replication: 1,
        }
    }
}

/// Where one copy of a vector lives: a node's primaries or replicas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Copy {
    Primary,
    Replica,
}

/// The elastic vector store: a ring, and for each node a shard of primaries
/// (the vectors it owns) and a shard of replicas (copies it keeps for the
/// next nodes counter-clockwise); vectors that came while the ring was empty
/// wait in an unassigned pool.
///
/// ```
/// use elastic_vdb::VectorStore;
///
/// let mut db = VectorStore::default();
/// db.add_vectors(6000)?;
/// db.add_node("nodeA")?;
/// db.add_node("nodeB")?;
/// db.add_node("nodeC")?;
/// let step = db.add_node("nodeD")?;
/// assert_eq!(step.movement.status_line(), "Added node | moved=0.273 (~27.3%)");
/// assert_eq!(db.distribution()["nodeD"], 1639);
/// # Ok::<(), elastic_vdb::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct VectorStore {
    config: StoreConfig,
    ring: Ring,
    rng: Xoshiro256PlusPlus,
    next_serial: u32,
    primaries: BTreeMap<String, Shard>,
    replicas: BTreeMap<String, Shard>,
    unassigned: Shard,
    /// Serial numbers of vectors lost in failures, ascending.
    lost: BTreeSet<u32>,
    history: Vec<Movement>,
    last_moved: Vec<MovedKey>,
    /// The ring as it was before the last change: the picture draws what
    /// the change handed from one node to another.
    ring_before: Ring,
    /// A regular sample of the vectors' positions, for observers.
    sample: Sample,
}

impl Default for VectorStore {
    fn default() -> Self {
        VectorStore::new(StoreConfig::default()).expect("the default configuration is valid")
    }
}

/// What a reconciliation did, before it becomes a [`Movement`].
#[derive(Default)]
struct Tally {
    /// Places seen, interned: `None` is the unassigned pool.
    places: Vec<Option<String>>,
    /// (from, to) place indexes -> copies sent.
    flows: std::collections::HashMap<(usize, usize), usize>,
    /// Serial, position, from and to of every copy sent.
    moved: Vec<(u32, u64, usize, usize)>,
    dropped: usize,
}

impl Tally {
    fn place(&mut self, name: Option<&str>) -> usize {
        match self
            .places
            .iter()
            .position(|place| place.as_deref() == name)
        {
            Some(index) => index,
            None => {
                self.places.push(name.map(str::to_owned));
                self.places.len() - 1
            }
        }
    }

    fn send(&mut self, serial: u32, position: u64, from: usize, to: usize) {
        *self.flows.entry((from, to)).or_default() += 1;
        self.moved.push((serial, position, from, to));
    }
}

impl VectorStore {
    /// An empty store; refuses a vnode count, dimension or replication
    /// factor out of range.
    ///
    /// ```
    /// use elastic_vdb::{StoreConfig, VectorStore};
    ///
    /// let db = VectorStore::new(StoreConfig { dimension: 8, ..Default::default() })?;
    /// assert_eq!(db.config().dimension, 8);
    /// let error = VectorStore::new(StoreConfig { dimension: 0, ..Default::default() }).unwrap_err();
    /// assert_eq!(error.to_string(), "vector dimension must be between 1 and 65536, got 0");
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn new(config: StoreConfig) -> Result<VectorStore, Error> {
        validate_vnodes(config.vnodes.into())?;
        if !(1..=MAX_DIMENSION).contains(&config.dimension) {
            return Err(Error::DimensionOutOfRange(config.dimension));
        }
        validate_replication(config.replication)?;
        Ok(VectorStore {
            config,
            ring: Ring::with_vnodes(config.vnodes)?,
            rng: Xoshiro256PlusPlus::seed_from_u64(config.seed),
            next_serial: 0,
            primaries: BTreeMap::new(),
            replicas: BTreeMap::new(),
            unassigned: Shard::new(config.dimension),
            lost: BTreeSet::new(),
            history: Vec::new(),
            last_moved: Vec::new(),
            ring_before: Ring::with_vnodes(config.vnodes)?,
            sample: Sample::default(),
        })
    }

    /// The configuration the store was made with; `vnodes` and
    /// `replication` are the current ones, after any rebuild or change.
    ///
    /// ```
    /// assert_eq!(elastic_vdb::VectorStore::default().config().seed, 42);
    /// ```
    #[must_use]
    pub fn config(&self) -> StoreConfig {
        StoreConfig {
            vnodes: self.ring.vnodes_per_node(),
            ..self.config
        }
    }

    /// The ring.
    ///
    /// ```
    /// assert!(elastic_vdb::VectorStore::default().ring().is_empty());
    /// ```
    #[must_use]
    pub fn ring(&self) -> &Ring {
        &self.ring
    }

    /// How many vectors the store holds (each counted once, however many
    /// copies it has; lost vectors not counted).
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(5)?;
    /// assert_eq!(db.len(), 5);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.next_serial as usize - self.lost.len()
    }

    /// Whether the store holds no vector.
    ///
    /// ```
    /// assert!(elastic_vdb::VectorStore::default().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many vectors were ever created (the next one gets this serial number).
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(5)?;
    /// assert_eq!(db.generated(), 5);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn generated(&self) -> u32 {
        self.next_serial
    }

    /// Serial numbers of the vectors lost in failures, ascending.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(10)?;
    /// db.add_node("a")?;
    /// db.fail_node("a")?;
    /// assert_eq!(db.lost().len(), 10);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn lost(&self) -> Vec<u32> {
        self.lost.iter().copied().collect()
    }

    /// Draws `count` new unit vectors, names them on from the last one, and
    /// stores each on the nodes of its preference list (or in the unassigned
    /// pool while the ring is empty). Returns their serial numbers.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// assert_eq!(db.add_vectors(3)?, 0..3);
    /// assert_eq!(db.add_vectors(2)?, 3..5);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn add_vectors(&mut self, count: usize) -> Result<Range<u32>, Error> {
        let too_many = || Error::TooManyVectors {
            held: u64::from(self.next_serial),
            requested: count as u64,
        };
        let count = u32::try_from(count).map_err(|_| too_many())?;
        let end = self.next_serial.checked_add(count).ok_or_else(too_many)?;
        if !fits(end.into(), self.config.dimension, self.config.replication) {
            return Err(too_many());
        }
        let first = self.next_serial;
        let dimension = self.config.dimension;
        let mut vector = vec![0f32; dimension];
        let mut slots = Vec::new();
        // First where every new vector goes, so that each shard grows once
        // and exactly: growing by doubling would leave up to half of a big
        // shard's block allocated and unused.
        let positions: Vec<u64> = (first..end)
            .map(|serial| key_position(&vector_id(serial)))
            .collect();
        // Every preference list has the same length: one copy per node up
        // to the replication factor, none while the ring is empty.
        let copies = self.config.replication.min(self.ring.node_count());
        let mut lists: Vec<u32> = Vec::with_capacity(positions.len() * copies);
        let mut incoming: BTreeMap<(u32, bool), usize> = BTreeMap::new();
        for &position in &positions {
            self.ring
                .preference_slots(position, self.config.replication, &mut slots);
            debug_assert_eq!(slots.len(), copies);
            for (rank, &slot) in slots.iter().enumerate() {
                *incoming.entry((slot, rank == 0)).or_default() += 1;
            }
            lists.extend_from_slice(&slots);
        }
        if copies == 0 {
            self.unassigned.reserve(positions.len());
        }
        for (&(slot, primary), &rows) in &incoming {
            let node = self.ring.slot_id(slot);
            let shards = if primary {
                &mut self.primaries
            } else {
                &mut self.replicas
            };
            if let Some(shard) = shards.get_mut(node) {
                shard.reserve(rows);
            }
        }
        for (index, (serial, &position)) in (first..end).zip(&positions).enumerate() {
            for component in &mut vector {
                *component = StandardNormal.sample(&mut self.rng);
            }
            // The tutorial's guard against a zero vector.
            let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt() + 1e-12;
            vector.iter_mut().for_each(|x| *x /= norm);
            let list = &lists[index * copies..(index + 1) * copies];
            if list.is_empty() {
                self.unassigned.append(serial, position, &vector);
            }
            for (rank, &slot) in list.iter().enumerate() {
                let node = self.ring.slot_id(slot);
                let shards = if rank == 0 {
                    &mut self.primaries
                } else {
                    &mut self.replicas
                };
                shards
                    .get_mut(node)
                    .expect("every node on the ring has shards")
                    .append(serial, position, &vector);
            }
        }
        for shard in self.all_shards_mut() {
            shard.settle();
        }
        self.next_serial = end;
        self.sample.extend(self.next_serial, first, &positions);
        Ok(first..end)
    }

    /// A regular sample of the vectors' positions (every `stride`-th by
    /// serial, at most [`SAMPLE_CAP`]), for looking at many vectors without
    /// hashing them again.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(100)?;
    /// assert_eq!(db.sample().positions().len(), 100);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn sample(&self) -> &Sample {
        &self.sample
    }

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
    /// ([`Error::DuplicateNode`], [`Error::UnknownNode`], ...),
    /// [`Error::ReplicationOutOfRange`], [`Error::TooManyCopies`],
    /// [`Error::DuplicateListEntry`], and [`Error::InvalidParameter`] for an
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
            return Err(Error::InvalidParameter {
                parameter: "nodes to fail",
                value: "an empty list".to_owned(),
                allowed: "at least one node on the ring",
            });
        }
        // Everything that can be refused is checked on a copy of the ring.
        let mut ring = self.ring.clone();
        for (index, id) in ids.iter().enumerate() {
            if ids[..index].contains(id) {
                return Err(Error::DuplicateListEntry(id.clone()));
            }
            ring.remove_node(id)?;
        }
        let old = std::mem::replace(&mut self.ring, ring);
        // The data goes first: nothing can be read from a crashed node.
        let mut gone: Vec<(u64, u32)> = Vec::new();
        for id in &ids {
            for shards in [&mut self.primaries, &mut self.replicas] {
                if let Some(shard) = shards.remove(id) {
                    gone.extend(shard.keys_on_arc(0, 0, true));
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
            return Err(Error::TooManyCopies {
                vectors,
                dimension: self.config.dimension,
                copies,
            });
        }
        let old_copies = self.config.replication;
        self.config.replication = copies;
        let ring = self.ring.clone();
        Ok(self.commit(Action::SetReplication(copies), ring, old_copies, None))
    }

    /// Brings the ring to exactly `nodes` at `vnodes`: see
    /// [`Action::Reshape`].
    fn reshape_to(&mut self, nodes: &[String], vnodes: u32) -> Result<Movement, Error> {
        validate_vnodes(vnodes.into())?;
        let mut wanted = BTreeSet::new();
        for node in nodes {
            validate_node_id(node)?;
            if !wanted.insert(node.as_str()) {
                return Err(Error::DuplicateListEntry(node.clone()));
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
        for node in nodes {
            if !ring.contains_node(node) {
                ring.add_node(node)?;
            }
        }
        self.ring = ring;
        let action = Action::Reshape {
            nodes: wanted.into_iter().map(str::to_owned).collect(),
            vnodes,
        };
        let copies = self.config.replication;
        Ok(self.commit(action, old, copies, None))
    }

    /// Records a change from the `old` ring (whose vectors had `old_copies`
    /// copies) to the current one: creates shards for new nodes, moves the
    /// data, drops departed nodes' shards, and counts what a crash lost.
    fn commit(
        &mut self,
        action: Action,
        old: Ring,
        old_copies: usize,
        failed: Option<Vec<(u64, u32)>>,
    ) -> Movement {
        let dimension = self.config.dimension;
        for node in self.ring.nodes() {
            for shards in [&mut self.primaries, &mut self.replicas] {
                if !shards.contains_key(node) {
                    shards.insert(node.to_owned(), Shard::new(dimension));
                }
            }
        }
        let mut tally = self.reconcile(&old, old_copies);
        self.rehome_orphans(&mut tally);
        for shard in self.all_shards_mut() {
            shard.release_if_empty();
        }
        let ring = &self.ring;
        for shards in [&mut self.primaries, &mut self.replicas] {
            shards.retain(|node, shard| ring.contains_node(node) || !shard.is_empty());
        }

        // A failed node's vectors that no survivor held are lost.
        let (mut lost, mut under_replicated) = (0, 0);
        if let Some(gone) = failed {
            let mut seen = BTreeSet::new();
            for (position, serial) in gone {
                if !seen.insert(serial) {
                    continue;
                }
                if self.holds(serial, position) {
                    under_replicated += 1;
                } else {
                    self.lost.insert(serial);
                    lost += 1;
                }
            }
        }
        let nodes_before = old.node_count();
        self.ring_before = old;
        self.finish(action, nodes_before, tally, under_replicated, lost)
    }

    /// Sends whatever is left on the shards of nodes that are no longer on
    /// the ring to the vectors' current preference lists (or the pool), so
    /// that dropping those shards can never drop a vector.
    ///
    /// Reconciliation already empties them: every vector a departed node
    /// held lies on an arc whose list changed. This is the guarantee that
    /// holds even if that ever stops being true, in release builds too; it
    /// costs one scan of the shard maps when there is nothing to rescue.
    fn rehome_orphans(&mut self, tally: &mut Tally) {
        let ring = &self.ring;
        let orphans: Vec<String> = self
            .primaries
            .iter()
            .chain(&self.replicas)
            .filter(|(node, shard)| !ring.contains_node(node) && !shard.is_empty())
            .map(|(node, _)| node.clone())
            .collect::<BTreeSet<String>>()
            .into_iter()
            .collect();
        if orphans.is_empty() {
            return;
        }
        if self.ring.is_empty() {
            self.reconcile_range(0, u64::MAX, &orphans, &[], tally);
            return;
        }
        // Against an empty ring every arc of a non-empty one has changed:
        // this lists each arc with its current preference list.
        let arcs = self
            .ring
            .changed_arcs_since(&Ring::new(), 0, self.config.replication);
        for arc in &arcs {
            for (low, high) in arc_ranges(arc.start, arc.end, arc.whole) {
                self.reconcile_range(low, high, &orphans, &arc.after, tally);
            }
        }
    }

    /// Whether any copy of a vector is still held.
    fn holds(&self, serial: u32, position: u64) -> bool {
        match self.ring.owner_of_position(position) {
            Some(owner) => self.primaries[owner].contains(serial, position),
            None => self.unassigned.contains(serial, position),
        }
    }

    /// Makes every vector whose preference list differs between `old`
    /// (with `old_copies` copies) and the current ring held exactly by its new
    /// list. Only arcs whose list changed are visited, and in them only the
    /// vectors on those arcs: the cost grows with what moves, not with the store.
    fn reconcile(&mut self, old: &Ring, old_copies: usize) -> Tally {
        let mut tally = Tally::default();
        let arcs = self
            .ring
            .changed_arcs_since(old, old_copies, self.config.replication);
        // Each receiving shard makes room once for what it will receive:
        // growing arc by arc would reallocate for every arc it gains.
        let mut incoming: BTreeMap<(&str, Copy), usize> = BTreeMap::new();
        for arc in &arcs {
            let vectors = self.vectors_on(arc);
            for (rank, node) in arc.after.iter().enumerate() {
                if arc.before.get(rank).is_none_or(|held| held != node) {
                    *incoming.entry((node, copy_kind(rank))).or_default() += vectors;
                }
            }
        }
        for ((node, kind), rows) in incoming {
            if let Some(shard) = self.shards_mut(kind).get_mut(node) {
                shard.reserve_received(rows);
            }
        }
        for arc in &arcs {
            for (low, high) in arc_ranges(arc.start, arc.end, arc.whole) {
                self.reconcile_range(low, high, &arc.before, &arc.after, &mut tally);
            }
        }
        tally
    }

    /// Reconciles the vectors with positions in `low..=high`, whose
    /// preference list was `old_list` and is now `new_list`. Every shard that
    /// may hold one of them gives up its run of the range as one block; the
    /// blocks are merged (one copy of each vector, read from its old holder)
    /// and the merged block goes into each shard of the new list as one run.
    fn reconcile_range(
        &mut self,
        low: u64,
        high: u64,
        old_list: &[String],
        new_list: &[String],
        tally: &mut Tally,
    ) {
        // The shards that may hold a vector of the range: both of every node
        // on either list, and the pool. The old list's own copies come first,
        // in rank order, so that a vector is read from its old primary when
        // it has one.
        let mut holders: Vec<(Option<&str>, Copy)> = Vec::new();
        for (rank, node) in old_list.iter().enumerate() {
            holders.push((Some(node), copy_kind(rank)));
        }
        holders.push((None, Copy::Primary));
        for node in old_list.iter().chain(new_list) {
            for kind in [Copy::Primary, Copy::Replica] {
                if !holders.contains(&(Some(node), kind)) {
                    holders.push((Some(node), kind));
                }
            }
        }
        let mut blocks: Vec<Block> = holders
            .iter()
            .map(|&(node, kind)| match node {
                None => self.unassigned.take_range(low, high),
                Some(node) => self
                    .shards_mut(kind)
                    .get_mut(node)
                    .map_or_else(Block::default, |shard| shard.take_range(low, high)),
            })
            .collect();
        let count: usize = blocks.iter().map(|block| block.keys.len()).sum();
        if count == 0 {
            return;
        }

        // Every (key, holder, row in the holder's block), in key order then
        // holder order: the first entry of each key is its source.
        let mut entries: Vec<(Key, usize, usize)> = Vec::with_capacity(count);
        for (holder, block) in blocks.iter().enumerate() {
            entries.extend(
                block
                    .keys
                    .iter()
                    .enumerate()
                    .map(|(row, &key)| (key, holder, row)),
            );
        }
        entries.sort_unstable();
        let dimension = self.config.dimension;
        let places: Vec<usize> = holders.iter().map(|(node, _)| tally.place(*node)).collect();
        let new_places: Vec<usize> = new_list
            .iter()
            .map(|node| tally.place(Some(node)))
            .collect();
        let pool = tally.place(None);
        // When one holder gave up every vector of the range (one copy per
        // vector: the usual case), its block is the merged block as it is,
        // and no second copy of the data is made.
        let mut givers = blocks
            .iter()
            .enumerate()
            .filter(|(_, b)| !b.keys.is_empty());
        let only_giver = match (givers.next(), givers.next()) {
            (Some((index, _)), None) => Some(index),
            _ => None,
        };
        let mut merged =
            Block::with_capacity(count, if only_giver.is_some() { 0 } else { dimension });
        // Per merged vector: the place it is read from, and which nodes of
        // the new list already held a copy (as a bit per rank).
        let mut sources: Vec<(usize, u32)> = Vec::with_capacity(count);
        for group in entries.chunk_by(|a, b| a.0 == b.0) {
            let (key, source, row) = group[0];
            merged.keys.push(key);
            if only_giver.is_none() {
                merged
                    .data
                    .extend_from_slice(blocks[source].row(row, dimension));
            }
            let mut already = 0u32;
            for &(_, holder, _) in group {
                if let Some(node) = holders[holder].0 {
                    match new_list.iter().position(|kept| kept == node) {
                        Some(rank) => already |= 1 << rank,
                        None => tally.dropped += 1,
                    }
                }
            }
            sources.push((places[source], already));
        }
        if let Some(giver) = only_giver {
            merged.data = std::mem::take(&mut blocks[giver].data);
        }

        if new_list.is_empty() {
            self.unassigned.insert(&merged);
            for (&(position, serial), &(from, _)) in merged.keys.iter().zip(&sources) {
                tally.send(serial, position, from, pool);
            }
        }
        for (rank, node) in new_list.iter().enumerate() {
            self.shards_mut(copy_kind(rank))
                .get_mut(node)
                .expect("every node on the ring has shards")
                .insert(&merged);
            for (&(position, serial), &(from, already)) in merged.keys.iter().zip(&sources) {
                // A copy promoted or demoted on the same node is no transfer.
                if already & (1 << rank) == 0 {
                    tally.send(serial, position, from, new_places[rank]);
                }
            }
        }
    }

    fn shards_mut(&mut self, kind: Copy) -> &mut BTreeMap<String, Shard> {
        match kind {
            Copy::Primary => &mut self.primaries,
            Copy::Replica => &mut self.replicas,
        }
    }

    fn finish(
        &mut self,
        action: Action,
        nodes_before: usize,
        tally: Tally,
        under_replicated: usize,
        lost: usize,
    ) -> Movement {
        let mut pairs: Vec<((usize, usize), usize)> = tally.flows.into_iter().collect();
        let places = &tally.places;
        pairs.sort_by(|(a, _), (b, _)| {
            (&places[a.0], &places[a.1]).cmp(&(&places[b.0], &places[b.1]))
        });
        let flow_index: std::collections::HashMap<(usize, usize), usize> = pairs
            .iter()
            .enumerate()
            .map(|(index, (pair, _))| (*pair, index))
            .collect();
        let flows: Vec<Flow> = pairs
            .iter()
            .map(|&((from, to), count)| Flow {
                from: places[from].clone(),
                to: places[to].clone(),
                count,
            })
            .collect();
        let mut last_moved: Vec<MovedKey> = tally
            .moved
            .iter()
            .map(|&(serial, position, from, to)| MovedKey {
                serial,
                position,
                flow: flow_index[&(from, to)],
            })
            .collect();
        last_moved.sort_unstable_by_key(|key| (key.serial, key.flow));
        let movement = Movement {
            action,
            moved: last_moved.len(),
            total: self.len(),
            flows,
            nodes_before,
            nodes_after: self.ring.node_count(),
            dropped: tally.dropped,
            under_replicated,
            lost,
            copies: self.config.replication,
            // Sorted by serial: each vector's copies sit side by side.
            vectors_moved: last_moved.chunk_by(|a, b| a.serial == b.serial).count(),
        };
        self.last_moved = last_moved;
        self.history.push(movement.clone());
        movement
    }

    /// Primary copies per node, sorted by node id, every node on the ring
    /// included (the tutorial's distribution).
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_node("a")?;
    /// assert_eq!(db.distribution()["a"], 0);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn distribution(&self) -> BTreeMap<String, usize> {
        self.primaries
            .iter()
            .map(|(id, shard)| (id.clone(), shard.len()))
            .collect()
    }

    /// Replica copies per node, sorted by node id.
    ///
    /// ```
    /// use elastic_vdb::{StoreConfig, VectorStore};
    ///
    /// let mut db = VectorStore::new(StoreConfig { replication: 2, ..Default::default() })?;
    /// db.add_vectors(10)?;
    /// db.add_node("a")?;
    /// db.add_node("b")?;
    /// assert_eq!(db.replica_distribution().values().sum::<usize>(), 10);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn replica_distribution(&self) -> BTreeMap<String, usize> {
        self.replicas
            .iter()
            .map(|(id, shard)| (id.clone(), shard.len()))
            .collect()
    }

    /// All copies held on nodes, primaries and replicas.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(10)?;
    /// db.add_node("a")?;
    /// assert_eq!(db.copies(), 10);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn copies(&self) -> usize {
        self.primaries
            .values()
            .chain(self.replicas.values())
            .map(Shard::len)
            .sum()
    }

    /// Each live vector's id and owner (`None` while unassigned), in id order.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(2)?;
    /// db.add_node("a")?;
    /// assert_eq!(db.shard_map()[1], ("vec_000001".to_string(), Some("a")));
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn shard_map(&self) -> Vec<(String, Option<&str>)> {
        let mut owners: Vec<Option<&str>> = vec![None; self.next_serial as usize];
        for (id, shard) in &self.primaries {
            for &serial in shard.serials() {
                owners[serial as usize] = Some(id.as_str());
            }
        }
        owners
            .into_iter()
            .enumerate()
            .filter(|(serial, _)| !self.lost.contains(&(*serial as u32)))
            .map(|(serial, owner)| (vector_id(serial as u32), owner))
            .collect()
    }

    /// The primaries of a node, or `None` if it is not on the ring.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_node("a")?;
    /// assert!(db.shard("a").is_some() && db.shard("b").is_none());
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn shard(&self, id: &str) -> Option<&Shard> {
        self.primaries.get(id)
    }

    /// The replicas a node keeps, or `None` if it is not on the ring.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_node("a")?;
    /// assert!(db.replica_shard("a").unwrap().is_empty());
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn replica_shard(&self, id: &str) -> Option<&Shard> {
        self.replicas.get(id)
    }

    /// Every node's primaries, sorted by node id.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_node("b")?;
    /// db.add_node("a")?;
    /// assert_eq!(db.shards().map(|(id, _)| id).collect::<Vec<_>>(), ["a", "b"]);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn shards(&self) -> impl ExactSizeIterator<Item = (&str, &Shard)> + '_ {
        self.primaries
            .iter()
            .map(|(id, shard)| (id.as_str(), shard))
    }

    /// The vectors no node holds, because the ring was empty when they came
    /// or when the last node left.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(4)?;
    /// assert_eq!(db.unassigned().len(), 4);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn unassigned(&self) -> &Shard {
        &self.unassigned
    }

    /// The report of the last topology change, if any.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// assert!(db.last_movement().is_none());
    /// db.add_node("a")?;
    /// assert!(db.last_movement().is_some());
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn last_movement(&self) -> Option<&Movement> {
        self.history.last()
    }

    /// The report of every topology change so far, oldest first.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_node("a")?;
    /// db.add_node("b")?;
    /// assert_eq!(db.history().len(), 2);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn history(&self) -> &[Movement] {
        &self.history
    }

    /// The copies the last topology change sent, by serial number.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(3)?;
    /// db.add_node("a")?;
    /// assert_eq!(db.last_moved().len(), 3);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn last_moved(&self) -> &[MovedKey] {
        &self.last_moved
    }

    /// The ring as it was before the last change (the current ring before
    /// any change, or after loading a snapshot).
    pub(crate) fn ring_before(&self) -> &Ring {
        &self.ring_before
    }

    /// The shards searched, each vector once: every node's primaries and the
    /// unassigned pool.
    pub(crate) fn primary_shards(&self) -> impl Iterator<Item = &Shard> + '_ {
        self.primaries
            .values()
            .chain(std::iter::once(&self.unassigned))
    }

    /// Every shard, mutably: each node's primaries and replicas, and the pool.
    fn all_shards_mut(&mut self) -> impl Iterator<Item = &mut Shard> + '_ {
        self.primaries
            .values_mut()
            .chain(self.replicas.values_mut())
            .chain(std::iter::once(&mut self.unassigned))
    }

    /// How many vectors lie on a changed arc: what its old primary holder
    /// (or the pool, when the ring was empty) holds there.
    fn vectors_on(&self, arc: &ChangedArc) -> usize {
        let holder = match arc.before.first() {
            Some(owner) => self.primaries.get(owner),
            None => Some(&self.unassigned),
        };
        holder.map_or(0, |shard| shard.count_on_arc(arc.start, arc.end, arc.whole))
    }
}

fn copy_kind(rank: usize) -> Copy {
    if rank == 0 {
        Copy::Primary
    } else {
        Copy::Replica
    }
}

/// Whether `vectors` vectors of `dimension`, `copies` copies each, fit in
/// the memory budget: the one check behind adding vectors, changing the
/// replication and loading a saved store.
fn fits(vectors: u64, dimension: usize, copies: usize) -> bool {
    store_bytes(vectors, dimension, copies) <= MAX_STORE_BYTES
}

fn validate_replication(copies: usize) -> Result<(), Error> {
    if (1..=MAX_REPLICATION).contains(&copies) {
        Ok(())
    } else {
        Err(Error::ReplicationOutOfRange(copies))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The budget's edge: a store of exactly `MAX_STORE_BYTES` fits, one
    /// vector more does not (16-float vectors and 64 bytes of bookkeeping
    /// are 128 bytes a copy, so 2^27 of them are 16 GiB).
    #[test]
    fn the_memory_budget_is_inclusive() {
        assert_eq!(store_bytes(1 << 27, 16, 1), MAX_STORE_BYTES);
        assert!(fits(1 << 27, 16, 1));
        assert!(!fits((1 << 27) + 1, 16, 1));
        assert!(fits(1 << 26, 16, 2) && !fits(1 << 26, 16, 3));
        assert!(!fits(u64::MAX, MAX_DIMENSION, MAX_REPLICATION));
    }

    /// The configuration reports the current vnode count and replication,
    /// and emptiness follows what is held.
    #[test]
    fn config_and_emptiness_follow_changes() -> Result<(), Error> {
        let mut db = VectorStore::new(StoreConfig {
            dimension: 2,
            ..StoreConfig::default()
        })?;
        assert!(db.is_empty());
        db.add_vectors(3)?;
        assert!(!db.is_empty());
        db.add_node("a")?;
        db.rebuild(17)?;
        db.set_replication(2)?;
        let config = db.config();
        assert_eq!((config.vnodes, config.replication), (17, 2));
        db.fail_node("a")?;
        assert!(db.is_empty());
        Ok(())
    }

    /// Takes the rows of `node`'s primaries at positions up to `high` and
    /// puts them on a `kind` shard of a node "ghost" the ring does not know
    /// (a state reconciliation never produces); returns how many.
    fn to_ghost(db: &mut VectorStore, node: &str, high: u64, kind: Copy) -> usize {
        let block = db
            .primaries
            .get_mut(node)
            .expect("the node is on the ring")
            .take_range(0, high);
        let mut ghost = Shard::new(db.config.dimension);
        ghost.insert(&block);
        db.shards_mut(kind).insert("ghost".to_owned(), ghost);
        block.keys.len()
    }

    /// Vectors left on the shard of a node that is not on the ring (a state
    /// reconciliation never produces) are sent to their owners by the next
    /// change, never dropped with the shard.
    #[test]
    fn a_stray_shard_is_rehomed_not_dropped() -> Result<(), Error> {
        let mut db = VectorStore::new(StoreConfig {
            dimension: 4,
            replication: 2,
            ..StoreConfig::default()
        })?;
        db.add_vectors(300)?;
        db.add_node("a")?;
        db.add_node("b")?;
        // Move every row of a's primaries onto a shard of a node "ghost"
        // that the ring has never seen.
        let stolen = to_ghost(&mut db, "a", u64::MAX, Copy::Primary);
        assert!(stolen > 50, "a held {stolen}");

        let step = db.add_node("c")?;
        assert!(!db.primaries.contains_key("ghost") && !db.replicas.contains_key("ghost"));
        assert_eq!(db.distribution().values().sum::<usize>(), 300);
        assert_eq!(db.copies(), 600);
        for serial in 0..300 {
            let position = key_position(&vector_id(serial));
            assert!(
                db.holds(serial, position),
                "vec {serial} is not on its primary"
            );
        }
        assert!(step.movement.dropped >= stolen);

        // And with no node left to take them, into the pool.
        db.remove_node("a")?;
        db.remove_node("b")?;
        assert!(to_ghost(&mut db, "c", u64::MAX / 2, Copy::Replica) > 0);
        db.remove_node("c")?;
        assert!(db.primaries.is_empty() && db.replicas.is_empty());
        assert_eq!(db.unassigned().len(), 300);
        Ok(())
    }
}
