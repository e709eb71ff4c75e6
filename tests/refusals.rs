//! A refused operation changes nothing: random operation sequences that live
//! at the limits (weights whose vnode count crosses the cap in both
//! directions, vnode counts near it, replication above the node count or the
//! maximum, removing the last node, empty rings, bad ids) drive a store, and
//! after every operation that returns an error the whole store (its `Debug`
//! form: ring, shards with their rows and index, pool, history, sample) must
//! be exactly what it was. After every step, accepted or not, no vector is
//! lost or held twice in silence: `len()` is the vectors held once in
//! primaries plus the pool, the distribution plus the pool adds up to it,
//! and only a crash's reported losses are missing from what was generated.

use std::cell::Cell;

use elastic_vdb::error::{MAX_REPLICATION, MAX_VNODES};
use elastic_vdb::{StoreConfig, VectorStore};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

#[path = "../fuzz/harness.rs"]
mod harness;

/// Refused operations a run must reach, so that a generator drifting away
/// from the limits fails the test instead of silently testing nothing.
const REFUSED_FLOOR: usize = 2_000;

#[derive(Debug, Clone)]
enum Op {
    AddVectors(usize),
    AddNode(u8),
    AddWeighted(u8, f64),
    Remove(u8),
    Decommission(u8),
    Fail(u8),
    Rebuild(u32),
    SetReplication(usize),
    Reshape(Vec<u8>, u32),
}

/// Node ids: two of them refused (empty, one byte over the length limit),
/// one at the length limit and one that looks like a vnode string.
fn node_name(index: u8) -> String {
    match index {
        7 => String::new(),
        8 => "n#vnode:0".to_owned(),
        9 => "x".repeat(elastic_vdb::error::MAX_NODE_ID_BYTES),
        10 => "y".repeat(elastic_vdb::error::MAX_NODE_ID_BYTES + 1),
        _ => format!("node-{index}"),
    }
}

fn weight() -> impl Strategy<Value = f64> {
    // At the store's 40 vnodes per node: weights from far below one vnode
    // to exactly the cap and just past it, and values that are no weight.
    let per_node = f64::from(MAX_VNODES) / 40.0;
    prop_oneof![
        Just(1e-300),
        Just(0.001),
        Just(0.5),
        Just(1.0),
        Just(3.0),
        Just(4.0),
        Just(4.000_001),
        Just(per_node),
        Just(per_node + 0.02),
        Just(1e300),
        Just(0.0),
        Just(-1.0),
        Just(f64::NAN),
        Just(f64::INFINITY),
        0.01f64..8.0,
    ]
}

fn vnodes() -> impl Strategy<Value = u32> {
    // Just past a quarter of the cap: refused once a node of weight 4 or
    // more is on the ring, accepted (and a big ring) otherwise.
    prop_oneof![
        8 => 1u32..64,
        1 => Just(0),
        1 => Just(MAX_VNODES / 4 + 1),
        1 => Just(MAX_VNODES + 1),
        1 => Just(u32::MAX),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        // Past the memory budget (400 million vectors of 3 floats need
        // about 30 GB) or the numbering: refused before anything is drawn.
        2 => prop_oneof![8 => 0usize..30, 1 => Just(400_000_000), 1 => Just(usize::MAX)]
            .prop_map(Op::AddVectors),
        4 => (0u8..11).prop_map(Op::AddNode),
        3 => ((0u8..11), weight()).prop_map(|(n, w)| Op::AddWeighted(n, w)),
        2 => (0u8..11).prop_map(Op::Remove),
        1 => (0u8..11).prop_map(Op::Decommission),
        1 => (0u8..11).prop_map(Op::Fail),
        2 => vnodes().prop_map(Op::Rebuild),
        2 => prop_oneof![0usize..6, Just(MAX_REPLICATION), Just(MAX_REPLICATION + 1), Just(usize::MAX)]
            .prop_map(Op::SetReplication),
        1 => (proptest::collection::vec(0u8..11, 0..5), vnodes()).prop_map(|(n, v)| Op::Reshape(n, v)),
    ]
}

fn apply(store: &mut VectorStore, op: &Op) -> Result<(), elastic_vdb::Error> {
    match op {
        Op::AddVectors(count) => store.add_vectors(*count).map(drop),
        Op::AddNode(n) => store.add_node(&node_name(*n)).map(drop),
        Op::AddWeighted(n, w) => store.add_weighted_node(&node_name(*n), *w).map(drop),
        Op::Remove(n) => store.remove_node(&node_name(*n)).map(drop),
        Op::Decommission(n) => store.decommission(&node_name(*n)).map(drop),
        Op::Fail(n) => store.fail_node(&node_name(*n)).map(drop),
        Op::Rebuild(vnodes) => store.rebuild(*vnodes).map(drop),
        Op::SetReplication(copies) => store.set_replication(*copies).map(drop),
        Op::Reshape(nodes, vnodes) => {
            let names: Vec<String> = nodes.iter().map(|&n| node_name(n)).collect();
            store.reshape(&names, *vnodes).map(drop)
        }
    }
}

#[test]
fn refused_operations_change_nothing() {
    let refused = Cell::new(0usize);
    let accepted = Cell::new(0usize);
    let mut runner = TestRunner::new(Config {
        cases: 240,
        rng_algorithm: proptest::test_runner::RngAlgorithm::ChaCha,
        ..Config::default()
    });
    let strategy = proptest::collection::vec(op(), 1..40);
    let outcome = runner.run(&strategy, |ops| {
        let mut store = VectorStore::new(StoreConfig {
            vnodes: 40,
            dimension: 3,
            seed: 11,
            replication: 1,
        })
        .unwrap();
        for op in &ops {
            match harness::guarded(&mut store, op, |store| apply(store, op)) {
                Ok(()) => accepted.set(accepted.get() + 1),
                Err(_) => refused.set(refused.get() + 1),
            }
            harness::check_store(&store);
        }
        Ok(())
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
    eprintln!(
        "refusals: {} refused and {} accepted operations",
        refused.get(),
        accepted.get()
    );
    assert!(
        refused.get() >= REFUSED_FLOOR,
        "only {} refused operations ran",
        refused.get()
    );
}
