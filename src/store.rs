//! The vector store: embeddings really held on per-node shards, moved between
//! them whenever the ring changes.
//!
//! Each vector is named `vec_{i:06}` (numbering goes on across calls), drawn
//! from a seeded normal distribution and scaled to unit length. Its ring
//! position is computed once, when it is created, and kept beside it: a
//! topology change re-locates cached positions and never re-hashes a key.

use std::collections::BTreeMap;
use std::ops::Range;

use ndarray::{ArrayView1, ArrayView2};
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, StandardNormal};

use crate::error::{Error, MAX_DIMENSION, validate_vnodes};
use crate::hash::key_position;
use crate::render::{DistributionView, HistoryView, RingView};
use crate::ring::{DEFAULT_VNODES, Ring};

/// How a store is set up. Public fields and [`Default`], so a notebook can
/// write `StoreConfig { dimension: 64, ..Default::default() }`.
///
/// ```
/// let config = elastic_vdb::StoreConfig::default();
/// assert_eq!((config.vnodes, config.dimension, config.seed), (80, 256, 42));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreConfig {
    /// Virtual nodes per node (the tutorial's 80).
    pub vnodes: u32,
    /// Length of every vector (the tutorial's 256).
    pub dimension: usize,
    /// Seed of the generator that draws the vectors (the tutorial's 42).
    pub seed: u64,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            vnodes: DEFAULT_VNODES,
            dimension: 256,
            seed: 42,
        }
    }
}

/// The name of the `serial`-th generated vector: `vec_000042`.
///
/// ```
/// assert_eq!(elastic_vdb::store::vector_id(42), "vec_000042");
/// assert_eq!(elastic_vdb::store::vector_id(1_234_567), "vec_1234567");
/// ```
#[must_use]
pub fn vector_id(serial: u32) -> String {
    format!("vec_{serial:06}")
}

/// The vectors one node holds, as rows of one contiguous block of `f32`.
///
/// ```
/// let mut db = elastic_vdb::VectorStore::default();
/// db.add_node("nodeA")?;
/// db.add_vectors(10)?;
/// let shard = db.shard("nodeA").unwrap();
/// assert_eq!(shard.vectors().shape(), &[10, 256]);
/// # Ok::<(), elastic_vdb::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Shard {
    dimension: usize,
    serials: Vec<u32>,
    positions: Vec<u64>,
    data: Vec<f32>,
}

impl Shard {
    fn new(dimension: usize) -> Shard {
        Shard {
            dimension,
            ..Shard::default()
        }
    }

    fn push(&mut self, serial: u32, position: u64, vector: &[f32]) {
        self.serials.push(serial);
        self.positions.push(position);
        self.data.extend_from_slice(vector);
    }

    fn row(&self, index: usize) -> &[f32] {
        &self.data[index * self.dimension..(index + 1) * self.dimension]
    }

    /// How many vectors the shard holds.
    ///
    /// ```
    /// let db = elastic_vdb::VectorStore::default();
    /// assert_eq!(db.unassigned().len(), 0);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.serials.len()
    }

    /// Whether the shard holds no vector.
    ///
    /// ```
    /// assert!(elastic_vdb::VectorStore::default().unassigned().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.serials.is_empty()
    }

    /// The ids of the vectors held, in row order.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(2)?;
    /// assert_eq!(db.unassigned().ids().collect::<Vec<_>>(), ["vec_000000", "vec_000001"]);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn ids(&self) -> impl ExactSizeIterator<Item = String> + '_ {
        self.serials.iter().map(|&serial| vector_id(serial))
    }

    /// The serial numbers of the vectors held, in row order.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(2)?;
    /// assert_eq!(db.unassigned().serials(), [0, 1]);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn serials(&self) -> &[u32] {
        &self.serials
    }

    /// The cached ring positions of the vectors held, in row order.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(1)?;
    /// assert_eq!(db.unassigned().positions(), [elastic_vdb::hash::key_position("vec_000000")]);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn positions(&self) -> &[u64] {
        &self.positions
    }

    /// All vectors held, one per row, without copying.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(3)?;
    /// assert_eq!(db.unassigned().vectors().nrows(), 3);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn vectors(&self) -> ArrayView2<'_, f32> {
        ArrayView2::from_shape((self.len(), self.dimension), &self.data)
            .expect("a shard's data is rows x dimension")
    }

    /// One vector, by row.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(1)?;
    /// let norm: f32 = db.unassigned().vector(0).unwrap().iter().map(|x| x * x).sum();
    /// assert!((norm - 1.0).abs() < 1e-5);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn vector(&self, row: usize) -> Option<ArrayView1<'_, f32>> {
        (row < self.len()).then(|| ArrayView1::from(self.row(row)))
    }
}

/// What a topology change did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A node joined.
    AddNode(String),
    /// A node left.
    RemoveNode(String),
    /// Every node was given a new number of virtual nodes.
    Rebuild(u32),
    /// The ring was brought to another node set and vnode count at once;
    /// the movement is the net one, from the layout before to the one after.
    Reshape {
        /// The nodes afterwards, sorted.
        nodes: Vec<String>,
        /// Virtual nodes per node afterwards.
        vnodes: u32,
    },
}

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
        format!(
            "{}->{}",
            self.from.as_deref().unwrap_or(UNASSIGNED),
            self.to.as_deref().unwrap_or(UNASSIGNED)
        )
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Movement {
    /// The change.
    pub action: Action,
    /// Vectors that changed place.
    pub moved: usize,
    /// Vectors in the store.
    pub total: usize,
    /// Moves per (from, to), sorted.
    pub flows: Vec<Flow>,
    /// Nodes on the ring before the change.
    pub nodes_before: usize,
    /// Nodes on the ring after the change.
    pub nodes_after: usize,
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

    /// The fraction an ideal placement would move: a joining node should take
    /// `1/n` of the vectors (`n` counting it), a leaving node's share `1/n` (`n`
    /// counting it) should move, and nothing else. `None` for rebuilds and
    /// reshapes, which have no such ideal.
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
            Action::AddNode(_) => Some(1.0 / self.nodes_after.max(1) as f64),
            Action::RemoveNode(_) => Some(1.0 / self.nodes_before.max(1) as f64),
            _ => None,
        }
    }

    /// The status line the tutorial prints, e.g. `Added node | moved=0.273 (~27.3%)`.
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
            Action::AddNode(_) => "Added node".to_owned(),
            Action::RemoveNode(_) => "Removed node".to_owned(),
            Action::Rebuild(vnodes) => format!("Rebuilt ring with vnodes_per_node={vnodes}"),
            Action::Reshape { nodes, vnodes } => {
                format!("Reshaped ring to {} nodes x {vnodes} vnodes", nodes.len())
            }
        };
        let fraction = self.fraction();
        format!("{what} | moved={fraction:.3} (~{:.1}%)", fraction * 100.0)
    }
}

/// A vector that changed place in the last change, kept to draw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MovedKey {
    /// The vector's serial number.
    pub serial: u32,
    /// Its ring position.
    pub position: u64,
    /// Index of its flow in [`Movement::flows`].
    pub flow: usize,
}

/// What a topology change returns: the movement report, and the ring after
/// the change, which a notebook cell shows as a picture.
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
    /// The ring after the change, with the moved vectors marked.
    pub view: RingView,
}

impl Step {
    /// Shows the ring picture in an evcxr notebook cell.
    pub fn evcxr_display(&self) {
        self.view.evcxr_display();
    }
}

/// The elastic vector store: a ring, a shard per node, and the vectors that
/// wait for a node while the ring is empty.
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
    shards: BTreeMap<String, Shard>,
    unassigned: Shard,
    history: Vec<Movement>,
    last_moved: Vec<MovedKey>,
}

impl Default for VectorStore {
    fn default() -> Self {
        VectorStore::new(StoreConfig::default()).expect("the default configuration is valid")
    }
}

impl VectorStore {
    /// An empty store; refuses a vnode count or dimension out of range.
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
        Ok(VectorStore {
            config,
            ring: Ring::with_vnodes(config.vnodes)?,
            rng: Xoshiro256PlusPlus::seed_from_u64(config.seed),
            next_serial: 0,
            shards: BTreeMap::new(),
            unassigned: Shard::new(config.dimension),
            history: Vec::new(),
            last_moved: Vec::new(),
        })
    }

    /// The configuration the store was made with (its `vnodes` is the
    /// current count, after any rebuild).
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

    /// How many vectors the store holds.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(5)?;
    /// assert_eq!(db.len(), 5);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.next_serial as usize
    }

    /// Whether the store holds no vector.
    ///
    /// ```
    /// assert!(elastic_vdb::VectorStore::default().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.next_serial == 0
    }

    /// Draws `count` new unit vectors, names them on from the last one, and
    /// stores each on the shard of the node that owns it (or in the
    /// unassigned pool while the ring is empty). Returns their serial numbers.
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
        let first = self.next_serial;
        let dimension = self.config.dimension;
        let mut vector = vec![0f32; dimension];
        for serial in first..end {
            for component in &mut vector {
                *component = StandardNormal.sample(&mut self.rng);
            }
            // The tutorial's guard against a zero vector.
            let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt() + 1e-12;
            vector.iter_mut().for_each(|x| *x /= norm);
            let position = key_position(&vector_id(serial));
            let shard = match self.ring.owner_of_position(position) {
                Some(node) => self
                    .shards
                    .get_mut(node)
                    .expect("every node on the ring has a shard"),
                None => &mut self.unassigned,
            };
            shard.push(serial, position, &vector);
        }
        self.next_serial = end;
        Ok(first..end)
    }

    /// Adds a node; the vectors it now owns move onto its shard.
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
        self.ring.add_node(id)?;
        self.shards
            .insert(id.to_owned(), Shard::new(self.config.dimension));
        let nodes_before = self.ring.node_count() - 1;
        Ok(self.migrate(Action::AddNode(id.to_owned()), nodes_before))
    }

    /// Removes a node; its vectors move to the nodes that now own them (to
    /// the unassigned pool if it was the last node).
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
        self.ring.remove_node(id)?;
        let nodes_before = self.ring.node_count() + 1;
        Ok(self.migrate(Action::RemoveNode(id.to_owned()), nodes_before))
    }

    /// Gives every node `vnodes` virtual nodes and moves the vectors whose
    /// owner changed (the tutorial's "Rebuild ring").
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
        self.ring.rebuild(vnodes)?;
        Ok(self.migrate(Action::Rebuild(vnodes), self.ring.node_count()))
    }

    /// Brings the ring to exactly `nodes`, each with `vnodes` virtual nodes,
    /// in one change: nodes not listed leave, new ones join, the vnode count
    /// changes. The report gives the net movement between the two layouts (a
    /// vector that passes through a third node on the way counts once, or not
    /// at all if it ends where it started). Everything is checked before
    /// anything changes.
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
        validate_vnodes(vnodes.into())?;
        let mut wanted = std::collections::BTreeSet::new();
        for node in nodes {
            let node = node.as_ref();
            crate::error::validate_node_id(node)?;
            if !wanted.insert(node) {
                return Err(Error::DuplicateListEntry(node.to_owned()));
            }
        }
        let (history_length, nodes_before) = (self.history.len(), self.ring.node_count());
        let before: Vec<Option<String>> = self
            .shard_map()
            .into_iter()
            .map(|(_, owner)| owner.map(str::to_owned))
            .collect();
        for node in nodes {
            if !self.ring.contains_node(node.as_ref()) {
                self.add_node(node.as_ref())?;
            }
        }
        let leaving: Vec<String> = self
            .ring
            .nodes()
            .filter(|node| !wanted.contains(node))
            .map(str::to_owned)
            .collect();
        for node in leaving {
            self.remove_node(&node)?;
        }
        if self.ring.vnodes_per_node() != vnodes {
            self.ring.rebuild(vnodes)?;
            self.migrate(Action::Rebuild(vnodes), self.ring.node_count());
        }

        let after = self.shard_map();
        let mut flows: BTreeMap<(Option<String>, Option<String>), usize> = BTreeMap::new();
        let mut moved = Vec::new();
        for (serial, (old, (_, new))) in before.iter().zip(&after).enumerate() {
            if old.as_deref() != *new {
                *flows
                    .entry((old.clone(), new.map(str::to_owned)))
                    .or_default() += 1;
                moved.push(serial);
            }
        }
        let flows: Vec<Flow> = flows
            .into_iter()
            .map(|((from, to), count)| Flow { from, to, count })
            .collect();
        let positions: BTreeMap<u32, u64> = self
            .placed_vectors()
            .map(|(serial, position, _)| (serial, position))
            .collect();
        self.last_moved = moved
            .into_iter()
            .map(|serial| {
                let serial = serial as u32;
                let (old, new) = (&before[serial as usize], after[serial as usize].1);
                MovedKey {
                    serial,
                    position: positions[&serial],
                    flow: flows
                        .iter()
                        .position(|flow| flow.from == *old && flow.to.as_deref() == new)
                        .expect("every move has its flow"),
                }
            })
            .collect();
        let movement = Movement {
            action: Action::Reshape {
                nodes: wanted.into_iter().map(str::to_owned).collect(),
                vnodes,
            },
            moved: self.last_moved.len(),
            total: self.len(),
            flows,
            nodes_before,
            nodes_after: self.ring.node_count(),
        };
        self.history.truncate(history_length);
        self.history.push(movement.clone());
        Ok(Step {
            movement,
            view: self.ring_view(),
        })
    }

    /// Moves every vector whose owner changed to its new owner's shard,
    /// looking owners up from cached positions.
    fn migrate(&mut self, action: Action, nodes_before: usize) -> Step {
        let dimension = self.config.dimension;
        let mut flows: BTreeMap<(Option<String>, Option<String>), usize> = BTreeMap::new();
        let mut arrivals: BTreeMap<Option<String>, Shard> = BTreeMap::new();
        let mut moved_keys: Vec<(u32, u64, Option<String>, Option<String>)> = Vec::new();

        let sources = self
            .shards
            .iter_mut()
            .map(|(id, shard)| (Some(id.clone()), shard))
            .chain(std::iter::once((None, &mut self.unassigned)));
        for (source, shard) in sources {
            // `None` is the unassigned pool; a departed node's shard has no
            // slot and keeps nothing, even when the ring is now empty.
            let own_slot = match source.as_deref() {
                Some(id) => self.ring.slot_of(id).map(Some),
                None => Some(None),
            };
            let mut kept = 0;
            for row in 0..shard.len() {
                let position = shard.positions[row];
                let owner = self.ring.slot_of_position(position);
                if Some(owner) == own_slot {
                    if kept != row {
                        shard.serials[kept] = shard.serials[row];
                        shard.positions[kept] = position;
                        shard
                            .data
                            .copy_within(row * dimension..(row + 1) * dimension, kept * dimension);
                    }
                    kept += 1;
                    continue;
                }
                let destination = owner.map(|slot| self.ring.slot_id(slot).to_owned());
                arrivals
                    .entry(destination.clone())
                    .or_insert_with(|| Shard::new(dimension))
                    .push(shard.serials[row], position, shard.row(row));
                *flows
                    .entry((source.clone(), destination.clone()))
                    .or_default() += 1;
                moved_keys.push((shard.serials[row], position, source.clone(), destination));
            }
            shard.serials.truncate(kept);
            shard.positions.truncate(kept);
            shard.data.truncate(kept * dimension);
        }

        for (destination, arrived) in arrivals {
            let shard = match destination {
                Some(id) => self
                    .shards
                    .get_mut(&id)
                    .expect("every node on the ring has a shard"),
                None => &mut self.unassigned,
            };
            shard.serials.extend_from_slice(&arrived.serials);
            shard.positions.extend_from_slice(&arrived.positions);
            shard.data.extend_from_slice(&arrived.data);
        }

        // A departed node's shard is empty now.
        let ring = &self.ring;
        self.shards.retain(|id, _| ring.contains_node(id));

        let flows: Vec<Flow> = flows
            .into_iter()
            .map(|((from, to), count)| Flow { from, to, count })
            .collect();
        let flow_index: BTreeMap<(Option<&str>, Option<&str>), usize> = flows
            .iter()
            .enumerate()
            .map(|(index, flow)| ((flow.from.as_deref(), flow.to.as_deref()), index))
            .collect();
        let mut last_moved: Vec<MovedKey> = moved_keys
            .iter()
            .map(|(serial, position, from, to)| MovedKey {
                serial: *serial,
                position: *position,
                flow: flow_index[&(from.as_deref(), to.as_deref())],
            })
            .collect();
        last_moved.sort_unstable_by_key(|key| key.serial);
        let movement = Movement {
            action,
            moved: last_moved.len(),
            total: self.len(),
            flows,
            nodes_before,
            nodes_after: self.ring.node_count(),
        };
        self.last_moved = last_moved;
        self.history.push(movement.clone());
        Step {
            movement,
            view: self.ring_view(),
        }
    }

    /// Vectors per node, sorted by node id, every node on the ring included.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_node("a")?;
    /// assert_eq!(db.distribution()["a"], 0);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn distribution(&self) -> BTreeMap<String, usize> {
        self.shards
            .iter()
            .map(|(id, shard)| (id.clone(), shard.len()))
            .collect()
    }

    /// Each vector's id and owner (`None` while unassigned), in id order.
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
        let mut owners: Vec<Option<&str>> = vec![None; self.len()];
        for (id, shard) in &self.shards {
            for &serial in &shard.serials {
                owners[serial as usize] = Some(id.as_str());
            }
        }
        owners
            .into_iter()
            .enumerate()
            .map(|(serial, owner)| (vector_id(serial as u32), owner))
            .collect()
    }

    /// The shard of a node, or `None` if it is not on the ring.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_node("a")?;
    /// assert!(db.shard("a").is_some() && db.shard("b").is_none());
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn shard(&self, id: &str) -> Option<&Shard> {
        self.shards.get(id)
    }

    /// Every node's shard, sorted by node id.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_node("b")?;
    /// db.add_node("a")?;
    /// assert_eq!(db.shards().map(|(id, _)| id).collect::<Vec<_>>(), ["a", "b"]);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn shards(&self) -> impl ExactSizeIterator<Item = (&str, &Shard)> + '_ {
        self.shards.iter().map(|(id, shard)| (id.as_str(), shard))
    }

    /// The vectors no node holds, because the ring was empty when they came.
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

    /// The vectors the last topology change moved, by serial number.
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
        HistoryView::new(&self.history)
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

    /// Every vector's serial number and cached position, with the node
    /// holding it (`None`: unassigned).
    pub(crate) fn placed_vectors(&self) -> impl Iterator<Item = (u32, u64, Option<&str>)> + '_ {
        self.shards
            .iter()
            .flat_map(|(id, shard)| {
                shard
                    .serials
                    .iter()
                    .zip(&shard.positions)
                    .map(move |(&serial, &position)| (serial, position, Some(id.as_str())))
            })
            .chain(
                self.unassigned
                    .serials
                    .iter()
                    .zip(&self.unassigned.positions)
                    .map(|(&serial, &position)| (serial, position, None)),
            )
    }
}
