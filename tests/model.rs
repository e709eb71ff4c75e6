//! Model-based tests: random operation sequences drive the real ring and
//! store and a naive model side by side, and after every step they must agree.
//!
//! The model ring is a plain list of points searched linearly; the model
//! store recomputes every vector's owner from it. Every operation runs
//! through `harness::guarded` (a refused one must leave the whole store as
//! it was) and every step ends with `harness::check_accounting` (no vector
//! dropped in silence).

use elastic_vdb::error::{ParameterError, RingError};
use std::collections::BTreeMap;

use elastic_vdb::hash::{key_position, salted_vnode_position, vnode_position};
use elastic_vdb::store::vector_id;
use elastic_vdb::{Action, Error, Ring, StoreConfig, VectorStore};
use proptest::prelude::*;

#[path = "../fuzz/harness.rs"]
mod harness;

use harness::{check_accounting, check_store as check_copies, guarded};

#[derive(Debug, Default, Clone)]
struct ModelRing {
    vnodes: u32,
    /// (position, node), unsorted, in the order placed.
    points: Vec<(u64, String)>,
    nodes: Vec<String>,
}

impl ModelRing {
    fn add(&mut self, id: &str) -> Result<(), Error> {
        if self.nodes.iter().any(|node| node == id) {
            return Err(Error::Ring(RingError::DuplicateNode(id.to_owned())));
        }
        self.place(id);
        self.nodes.push(id.to_owned());
        Ok(())
    }

    fn place(&mut self, id: &str) {
        for vnode in 0..self.vnodes {
            let mut position = vnode_position(id, vnode);
            let mut salt = 0;
            while self.points.iter().any(|(p, _)| *p == position) {
                salt += 1;
                position = salted_vnode_position(id, vnode, salt);
            }
            self.points.push((position, id.to_owned()));
        }
    }

    fn remove(&mut self, id: &str) -> Result<(), Error> {
        let before = self.nodes.len();
        self.nodes.retain(|node| node != id);
        if self.nodes.len() == before {
            return Err(Error::Ring(RingError::UnknownNode(id.to_owned())));
        }
        self.points.retain(|(_, node)| node != id);
        Ok(())
    }

    fn rebuild(&mut self, vnodes: u32) {
        self.vnodes = vnodes;
        self.points.clear();
        for id in self.nodes.clone() {
            self.place(&id);
        }
    }

    fn owner(&self, position: u64) -> Option<&str> {
        let at_or_after = self
            .points
            .iter()
            .filter(|(p, _)| *p >= position)
            .min_by_key(|(p, _)| *p);
        at_or_after
            .or_else(|| self.points.iter().min_by_key(|(p, _)| *p))
            .map(|(_, node)| node.as_str())
    }
}

#[derive(Debug, Clone)]
enum Op {
    AddVectors(usize),
    AddNode(u8),
    RemoveNode(u8),
    Rebuild(u32),
    Reshape(Vec<u8>, u32),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (0usize..40).prop_map(Op::AddVectors),
        4 => (0u8..7).prop_map(Op::AddNode),
        3 => (0u8..7).prop_map(Op::RemoveNode),
        1 => (1u32..24).prop_map(Op::Rebuild),
        1 => (proptest::collection::vec(0u8..7, 0..5), 1u32..24).prop_map(|(n, v)| Op::Reshape(n, v)),
    ]
}

fn node_name(index: u8) -> String {
    format!("node-{index}")
}

/// The first component of every vector when it was created: a vector that
/// moves must arrive unchanged.
fn fingerprints(store: &VectorStore) -> BTreeMap<u32, Vec<f32>> {
    let mut out = BTreeMap::new();
    let shards = store
        .shards()
        .map(|(_, shard)| shard)
        .chain(std::iter::once(store.unassigned()));
    for shard in shards {
        for (row, &serial) in shard.serials().iter().enumerate() {
            let vector = shard.vector(row).unwrap().to_vec();
            assert!(
                out.insert(serial, vector).is_none(),
                "{} held twice",
                vector_id(serial)
            );
        }
    }
    out
}

fn check_agreement(store: &VectorStore, model: &ModelRing) {
    let ring = store.ring();
    assert_eq!(ring.point_count(), model.points.len());
    let mut model_nodes = model.nodes.clone();
    model_nodes.sort();
    assert_eq!(ring.nodes().collect::<Vec<_>>(), model_nodes);
    for (serial, (id, owner)) in store.shard_map().into_iter().enumerate() {
        let position = key_position(&id);
        assert_eq!(owner, model.owner(position), "owner of {id}");
        assert_eq!(id, vector_id(serial as u32));
    }
    let held: usize =
        store.shards().map(|(_, shard)| shard.len()).sum::<usize>() + store.unassigned().len();
    assert_eq!(held, store.len(), "no vector dropped or duplicated");
    for (id, shard) in store.shards() {
        for &position in shard.positions() {
            assert_eq!(
                ring.owner_of_position(position),
                Some(id),
                "a shard holds only what it owns"
            );
        }
    }
    // Spot positions between and on points.
    for &(position, _) in model.points.iter().take(16) {
        for probe in [position, position.wrapping_add(1), position.wrapping_sub(1)] {
            assert_eq!(ring.owner_of_position(probe), model.owner(probe));
        }
    }
}

/// Runs `cases` random operation sequences through `body` with a fixed
/// seed, and returns how many operations were carried out in all.
fn run_sequences<T: std::fmt::Debug>(
    cases: u32,
    strategy: impl Strategy<Value = Vec<T>>,
    body: impl Fn(Vec<T>) -> Result<(), TestCaseError>,
) -> usize {
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let steps = AtomicUsize::new(0);
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let outcome = runner.run(&strategy, |ops| {
        steps.fetch_add(ops.len(), Ordering::Relaxed);
        body(ops)
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
    steps.into_inner()
}

/// Operations carried out per `cargo test` run by the sequence tests below
/// (at least; the issue asks 10,000 in all).
const STORE_STEPS: usize = 7_000;
const ELASTIC_STEPS: usize = 4_000;

#[test]
fn store_and_ring_agree_with_the_naive_model() {
    let steps = run_sequences(
        280,
        proptest::collection::vec(op(), 1..50),
        check_store_sequence,
    );
    eprintln!("store and ring against the naive model: {steps} operations");
    assert!(steps >= STORE_STEPS, "only {steps} operations ran");
}

fn check_store_sequence(ops: Vec<Op>) -> Result<(), TestCaseError> {
    {
        let mut store = VectorStore::new(StoreConfig {
            vnodes: 8,
            dimension: 3,
            seed: 7,
            replication: 1,
        })
        .unwrap();
        let mut model = ModelRing {
            vnodes: 8,
            ..ModelRing::default()
        };
        let mut vectors = fingerprints(&store);
        for op in ops {
            let before = store
                .shard_map()
                .into_iter()
                .map(|(_, o)| o.map(str::to_owned))
                .collect::<Vec<_>>();
            let result = match &op {
                Op::AddVectors(count) => {
                    guarded(&mut store, &op, |s| s.add_vectors(*count)).unwrap();
                    None
                }
                Op::AddNode(index) => {
                    let id = node_name(*index);
                    let expected = model.add(&id);
                    let result = guarded(&mut store, &op, |s| s.add_node(&id));
                    prop_assert_eq!(result.as_ref().err(), expected.as_ref().err());
                    result.ok()
                }
                Op::RemoveNode(index) => {
                    let id = node_name(*index);
                    let expected = model.remove(&id);
                    let result = guarded(&mut store, &op, |s| s.remove_node(&id));
                    prop_assert_eq!(result.as_ref().err(), expected.as_ref().err());
                    result.ok()
                }
                Op::Rebuild(vnodes) => {
                    model.rebuild(*vnodes);
                    Some(guarded(&mut store, &op, |s| s.rebuild(*vnodes)).unwrap())
                }
                Op::Reshape(indices, vnodes) => {
                    let mut names: Vec<String> = indices.iter().map(|&i| node_name(i)).collect();
                    names.dedup();
                    let distinct = names
                        .iter()
                        .collect::<std::collections::BTreeSet<_>>()
                        .len()
                        == names.len();
                    let result = guarded(&mut store, &op, |s| s.reshape(&names, *vnodes));
                    if !distinct {
                        prop_assert!(matches!(
                            result,
                            Err(Error::Parameter(ParameterError::DuplicateListEntry(_)))
                        ));
                        None
                    } else {
                        for name in &names {
                            if !model.nodes.contains(name) {
                                model.add(name).unwrap();
                            }
                        }
                        for gone in model
                            .nodes
                            .clone()
                            .into_iter()
                            .filter(|n| !names.contains(n))
                        {
                            model.remove(&gone).unwrap();
                        }
                        if model.vnodes != *vnodes {
                            model.rebuild(*vnodes);
                        }
                        Some(result.unwrap())
                    }
                }
            };
            check_agreement(&store, &model);
            check_accounting(&store);

            let now = fingerprints(&store);
            for (serial, vector) in &vectors {
                prop_assert_eq!(
                    Some(vector),
                    now.get(serial),
                    "vector {} changed or vanished",
                    serial
                );
            }
            vectors = now;

            if let Some(step) = result {
                let after: Vec<Option<String>> = store
                    .shard_map()
                    .into_iter()
                    .map(|(_, o)| o.map(str::to_owned))
                    .collect();
                let changed = before.iter().zip(&after).filter(|(b, a)| b != a).count();
                prop_assert_eq!(step.movement.moved, changed);
                prop_assert_eq!(
                    step.movement.flows.iter().map(|f| f.count).sum::<usize>(),
                    changed
                );
                prop_assert_eq!(store.last_moved().len(), changed);
                match &step.movement.action {
                    // Monotonicity: an add only moves keys onto the new node,
                    // a removal only off the removed one.
                    Action::AddNode(id) => prop_assert!(
                        step.movement
                            .flows
                            .iter()
                            .all(|f| f.to.as_ref() == Some(id))
                    ),
                    Action::RemoveNode(id) => prop_assert!(
                        step.movement
                            .flows
                            .iter()
                            .all(|f| f.from.as_ref() == Some(id))
                    ),
                    _ => {}
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn ring_lookups_agree_with_a_linear_scan(
        nodes in proptest::collection::btree_set("[a-z]{1,6}", 1..6),
        vnodes in 1u32..30,
        probes in proptest::collection::vec(any::<u64>(), 1..64),
    ) {
        let mut ring = Ring::with_vnodes(vnodes).unwrap();
        let mut model = ModelRing { vnodes, ..ModelRing::default() };
        for node in &nodes {
            ring.add_node(node).unwrap();
            model.add(node).unwrap();
        }
        for probe in probes.into_iter().chain([0, u64::MAX]) {
            prop_assert_eq!(ring.owner_of_position(probe), model.owner(probe));
        }
        let arcs = ring.arcs();
        prop_assert_eq!(arcs.iter().map(|arc| arc.length()).sum::<u128>(), 1u128 << 64);
        for arc in &arcs {
            prop_assert_eq!(ring.owner_of_position(arc.end), Some(arc.node));
            prop_assert_eq!(ring.owner_of_position(arc.start.wrapping_add(1)), Some(arc.node));
        }
        let shares: f64 = ring.ownership().values().sum();
        prop_assert!((shares - 1.0).abs() < 1e-9);
    }
}

#[derive(Debug, Clone)]
enum ElasticOp {
    AddVectors(usize),
    AddNode(u8),
    AddWeighted(u8, u8),
    Decommission(u8),
    Fail(u8),
    FailMany(Vec<u8>),
    Rebuild(u32),
    Replication(usize),
}

fn elastic_op() -> impl Strategy<Value = ElasticOp> {
    prop_oneof![
        2 => (0usize..30).prop_map(ElasticOp::AddVectors),
        4 => (0u8..6).prop_map(ElasticOp::AddNode),
        1 => (0u8..6, 1u8..8).prop_map(|(n, w)| ElasticOp::AddWeighted(n, w)),
        2 => (0u8..6).prop_map(ElasticOp::Decommission),
        2 => (0u8..6).prop_map(ElasticOp::Fail),
        1 => proptest::collection::vec(0u8..6, 0..4).prop_map(ElasticOp::FailMany),
        1 => (1u32..12).prop_map(ElasticOp::Rebuild),
        1 => (1usize..4).prop_map(ElasticOp::Replication),
    ]
}

fn check_search(store: &VectorStore, seed: u64) {
    let dimension = store.config().dimension;
    let query: Vec<f32> = (0..dimension)
        .map(|i| ((seed + i as u64 * 7919) % 97) as f32 - 48.0)
        .collect();
    if query.iter().all(|&x| x == 0.0) {
        return;
    }
    let k = 1 + (seed % 7) as usize;
    let fast = store.search(&query, k).unwrap();
    let slow = store.brute_force_search(&query, k).unwrap();
    assert_eq!(fast.len(), slow.len().min(store.len()));
    for (a, b) in fast.iter().zip(&slow) {
        assert!((a.score - b.score).abs() < 1e-6, "{a:?} vs {b:?}");
    }
    // Ids agree wherever scores are not tied within rounding.
    let ids = |hits: &[elastic_vdb::store::Hit]| {
        hits.iter()
            .map(|h| h.serial)
            .collect::<std::collections::BTreeSet<_>>()
    };
    if fast
        .windows(2)
        .all(|w| (w[0].score - w[1].score).abs() > 1e-6)
    {
        assert_eq!(ids(&fast), ids(&slow));
    }
}

#[test]
fn replicas_failures_and_search_stay_consistent() {
    let sequences = proptest::collection::vec((elastic_op(), any::<u64>()), 1..40);
    let steps = run_sequences(220, sequences, |ops| {
        let seed = ops[0].1;
        check_elastic_sequence(ops.into_iter().map(|(op, _)| op).collect(), seed)
    });
    eprintln!("replicas, failures and search: {steps} operations");
    assert!(steps >= ELASTIC_STEPS, "only {steps} operations ran");
}

/// Copies sent per (from, to) node, `None` for the pool.
type Flows = BTreeMap<(Option<String>, Option<String>), usize>;

/// What a change sends and drops, worked out vector by vector from the
/// preference lists of the rings before and after: every node on the new
/// list and not on the old one receives a copy from the first node of the
/// old list that did not crash (from the pool when the old list is empty,
/// into it when the new one is), and every node on the old list and not
/// on the new one that did not crash drops its copy. A node on both lists
/// keeps its copy, promoted or demoted, and sends nothing. `serials` are
/// the vectors left: one whose every holder crashed is lost, not moved.
/// Returns the copies sent, the copies dropped, and the flows.
fn expected_tally(
    (before, before_copies): (&Ring, usize),
    (after, copies): (&Ring, usize),
    crashed: &[String],
    serials: impl Iterator<Item = u32>,
) -> (usize, usize, Flows) {
    let (mut sent, mut dropped, mut flows) = (0, 0, Flows::new());
    for serial in serials {
        let position = key_position(&vector_id(serial));
        let old: Vec<&str> = before
            .preference_list(position, before_copies)
            .into_iter()
            .filter(|node| !crashed.iter().any(|gone| gone == node))
            .collect();
        let new = after.preference_list(position, copies);
        let from = old.first().map(|node| node.to_string());
        let receivers: Vec<Option<String>> = if new.is_empty() {
            old.first().map(|_| None).into_iter().collect()
        } else {
            new.iter()
                .filter(|node| !old.contains(node))
                .map(|node| Some(node.to_string()))
                .collect()
        };
        for to in receivers {
            sent += 1;
            *flows.entry((from.clone(), to)).or_default() += 1;
        }
        dropped += old.iter().filter(|node| !new.contains(node)).count();
    }
    (sent, dropped, flows)
}

fn check_elastic_sequence(ops: Vec<ElasticOp>, seed: u64) -> Result<(), TestCaseError> {
    {
        let mut store = VectorStore::new(StoreConfig {
            vnodes: 6,
            dimension: 4,
            seed,
            replication: 2,
        })
        .unwrap();
        for (step, op) in ops.into_iter().enumerate() {
            let live_before = store.len();
            let nodes_before = store.ring().node_count();
            let copies_before = store.config().replication;
            let ring_before = store.ring().clone();
            let result = match &op {
                ElasticOp::AddVectors(count) => {
                    guarded(&mut store, &op, |s| s.add_vectors(*count)).unwrap();
                    None
                }
                ElasticOp::AddNode(n) => {
                    guarded(&mut store, &op, |s| s.add_node(&node_name(*n))).ok()
                }
                ElasticOp::AddWeighted(n, w) => guarded(&mut store, &op, |s| {
                    s.add_weighted_node(&node_name(*n), f64::from(*w) / 4.0)
                })
                .ok(),
                ElasticOp::Decommission(n) => {
                    guarded(&mut store, &op, |s| s.decommission(&node_name(*n))).ok()
                }
                ElasticOp::Fail(n) => {
                    guarded(&mut store, &op, |s| s.fail_node(&node_name(*n))).ok()
                }
                ElasticOp::FailMany(ns) => {
                    let names: Vec<String> = ns.iter().map(|n| node_name(*n)).collect();
                    guarded(&mut store, &op, |s| s.fail_nodes(&names)).ok()
                }
                ElasticOp::Rebuild(v) => Some(guarded(&mut store, &op, |s| s.rebuild(*v)).unwrap()),
                ElasticOp::Replication(r) => {
                    Some(guarded(&mut store, &op, |s| s.set_replication(*r)).unwrap())
                }
            };
            check_copies(&store);
            if let Some(step) = &result {
                let movement = &step.movement;
                prop_assert_eq!(
                    store.len() + movement.lost,
                    live_before,
                    "lost vectors are reported"
                );
                match &movement.action {
                    Action::FailNode(_) => {
                        if copies_before >= 2 && nodes_before >= 2 {
                            prop_assert_eq!(movement.lost, 0, "two copies survive one crash");
                        }
                    }
                    Action::FailNodes(ids) => {
                        prop_assert!(ids.len() >= 2, "one failed node is reported as FailNode");
                        if ids.len() < copies_before.min(nodes_before) {
                            prop_assert_eq!(
                                movement.lost,
                                0,
                                "R copies survive fewer than R crashes"
                            );
                        }
                    }
                    _ => prop_assert_eq!(movement.lost, 0, "only a crash loses data"),
                }
                prop_assert_eq!(movement.moved, store.last_moved().len());
                // Every copy a list names is held after each change, so what
                // moves follows from the two rings and the crashed nodes.
                let crashed: Vec<String> = match &op {
                    ElasticOp::Fail(n) => vec![node_name(*n)],
                    ElasticOp::FailMany(ns) => ns.iter().map(|n| node_name(*n)).collect(),
                    _ => Vec::new(),
                };
                {
                    let (sent, dropped, flows) = expected_tally(
                        (&ring_before, copies_before),
                        (store.ring(), store.config().replication),
                        &crashed,
                        fingerprints(&store).into_keys(),
                    );
                    let reported: Flows = movement
                        .flows
                        .iter()
                        .map(|flow| ((flow.from.clone(), flow.to.clone()), flow.count))
                        .collect();
                    prop_assert_eq!(movement.moved, sent, "copies sent by {:?}", op);
                    prop_assert_eq!(movement.dropped, dropped, "copies dropped by {:?}", op);
                    prop_assert_eq!(reported, flows, "flows of {:?}", op);
                }
            }
            check_search(&store, seed.wrapping_add(step as u64));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 120, ..ProptestConfig::default() })]

    /// A plan, made before anything moves, predicts exactly what the change moves.
    #[test]
    fn plans_predict_the_moves_exactly(
        nodes in proptest::collection::btree_set(0u8..8, 0..6),
        vectors in 0usize..300,
        copies in 1usize..4,
        vnodes in 1u32..20,
        target in 0u8..8,
    ) {
        let mut store = VectorStore::new(StoreConfig { vnodes, dimension: 2, seed: 3, replication: copies }).unwrap();
        store.add_vectors(vectors).unwrap();
        for node in &nodes {
            store.add_node(&node_name(*node)).unwrap();
        }
        let id = node_name(target);
        let plan = if nodes.contains(&target) { store.plan_remove_node(&id) } else { store.plan_add_node(&id) }.unwrap();
        let step = store.carry_out(&plan).unwrap();
        let planned: Vec<(Option<String>, Option<String>, usize)> =
            plan.flows.iter().map(|f| (f.from.clone(), f.to.clone(), f.count)).collect();
        let done: Vec<(Option<String>, Option<String>, usize)> =
            step.movement.flows.iter().map(|f| (f.from.clone(), f.to.clone(), f.count)).collect();
        prop_assert_eq!(planned, done);
        prop_assert_eq!(plan.moved(), step.movement.moved);
        prop_assert_eq!(plan.bytes(), plan.moved() * 2 * 4);
        check_copies(&store);
    }
}
