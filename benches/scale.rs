//! Costs that grow with the number of nodes and points, each beside its
//! baseline in the same run (issue 16's adversarial cases):
//!
//! - `build/1000x80`: a store of 1,000 nodes x 80 vnodes built one join at
//!   a time and in one placement (`Action::Reshape`, what the command line
//!   does), and loaded from its snapshot, against a bare `Ring` of the same
//!   nodes built one node at a time and in one batch. Target: the store
//!   within 2x of the bare ring.
//! - `replication/10x10000-r11`: 10 nodes x 10,000 vnodes holding 20,000
//!   vectors with 11 copies asked for (more than the nodes), then a node of
//!   weight 1e-9 (one point among 100,000): the join, the next join and a
//!   read-only plan for a departure. Before the bounded preference walk
//!   these took 59 s, 70 s and 70 s; target: under 100 ms each. The same
//!   join with one copy is the baseline.
//!
//! `cargo bench --bench scale`

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use elastic_vdb::{Action, Ring, StoreConfig, VectorStore};

fn ids(count: usize) -> Vec<String> {
    (0..count).map(|node| format!("node-{node:04}")).collect()
}

fn build(c: &mut Criterion) {
    let nodes = ids(1000);
    let weighted: Vec<(&str, f64)> = nodes.iter().map(|id| (id.as_str(), 1.0)).collect();
    let mut group = c.benchmark_group("build/1000x80");
    group.sample_size(10);
    group.bench_function("ring_one_by_one", |b| {
        b.iter(|| {
            let mut ring = Ring::new();
            for id in &nodes {
                ring.add_node(id).expect("distinct ids");
            }
            black_box(ring.point_count())
        });
    });
    group.bench_function("ring_batch", |b| {
        b.iter(|| {
            let mut ring = Ring::new();
            ring.add_weighted_nodes(&weighted).expect("distinct ids");
            black_box(ring.point_count())
        });
    });
    group.bench_function("store_one_by_one", |b| {
        b.iter(|| {
            let mut db = VectorStore::default();
            for id in &nodes {
                db.apply(Action::AddNode(id.clone())).expect("distinct ids");
            }
            black_box(db.ring().point_count())
        });
    });
    group.bench_function("store_reshape", |b| {
        b.iter(|| {
            let mut db = VectorStore::default();
            db.apply(Action::Reshape {
                nodes: nodes.clone(),
                vnodes: 80,
            })
            .expect("distinct ids");
            black_box(db.ring().point_count())
        });
    });
    let mut db = VectorStore::default();
    db.apply(Action::Reshape {
        nodes: nodes.clone(),
        vnodes: 80,
    })
    .expect("distinct ids");
    let saved = db.to_json();
    group.bench_function("store_load", |b| {
        b.iter(|| {
            let loaded = VectorStore::from_json(&saved).expect("a saved store");
            black_box(loaded.ring().point_count())
        });
    });
    group.finish();
}

fn replication(c: &mut Criterion) {
    let store = |replication: usize| {
        let mut db = VectorStore::new(StoreConfig {
            vnodes: 10_000,
            dimension: 16,
            replication,
            ..StoreConfig::default()
        })
        .expect("valid configuration");
        db.apply(Action::Reshape {
            nodes: ids(10),
            vnodes: 10_000,
        })
        .expect("distinct ids");
        db.add_vectors(20_000).expect("the vectors fit");
        db
    };
    let tiny = || Action::AddWeightedNode {
        id: "tiny".into(),
        weight: 1e-9,
    };
    let mut group = c.benchmark_group("replication/10x10000-r11");
    group.sample_size(10);
    for copies in [1, 11] {
        let db = store(copies);
        group.bench_function(format!("tiny_join/{copies}-copies"), |b| {
            b.iter_batched_ref(
                || db.clone(),
                |copy| black_box(copy.apply(tiny()).expect("new id").moved),
                BatchSize::PerIteration,
            );
        });
        let mut with_tiny = db.clone();
        with_tiny.apply(tiny()).expect("new id");
        group.bench_function(format!("next_join/{copies}-copies"), |b| {
            b.iter_batched_ref(
                || with_tiny.clone(),
                |copy| {
                    let join = Action::AddNode("late".into());
                    black_box(copy.apply(join).expect("new id").moved)
                },
                BatchSize::PerIteration,
            );
        });
        group.bench_function(format!("plan_remove/{copies}-copies"), |b| {
            b.iter(|| {
                black_box(
                    with_tiny
                        .plan_remove_node("node-0005")
                        .expect("on the ring")
                        .moved(),
                )
            });
        });
    }
    group.finish();
}

criterion_group!(benches, build, replication);
criterion_main!(benches);
