//! Placement cost: hashing and locating a key against its two parts, SHA-256
//! alone and a binary search alone, measured side by side in one run; and
//! the cost of drawing the tutorial's ring.
//!
//! `cargo bench --bench placement`; the ratio to report is
//! `hash_and_locate / (sha256_only + binary_search_only)`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use elastic_vdb::hash::key_position;
use elastic_vdb::store::vector_id;
use elastic_vdb::{Ring, VectorStore};

const KEYS: usize = 10_000;

fn ring_of(nodes: usize, vnodes: u32) -> Ring {
    let mut ring = Ring::with_vnodes(vnodes).expect("valid vnodes");
    for index in 0..nodes {
        ring.add_node(&format!("node-{index:03}"))
            .expect("distinct ids");
    }
    ring
}

fn placement(c: &mut Criterion) {
    let keys: Vec<String> = (0..KEYS as u32).map(vector_id).collect();
    let positions: Vec<u64> = keys.iter().map(|key| key_position(key)).collect();
    for (nodes, vnodes) in [(10, 80), (100, 800)] {
        let ring = ring_of(nodes, vnodes);
        let points: Vec<u64> = ring.points().map(|point| point.position).collect();
        let mut group = c.benchmark_group(format!("placement/{nodes}x{vnodes}"));
        group.throughput(Throughput::Elements(KEYS as u64));
        group.bench_function("sha256_only", |b| {
            b.iter(|| {
                keys.iter()
                    .fold(0u64, |acc, key| acc ^ key_position(black_box(key)))
            });
        });
        group.bench_function("binary_search_only", |b| {
            b.iter(|| {
                positions.iter().fold(0usize, |acc, &position| {
                    let index = points.partition_point(|&p| p < black_box(position));
                    acc ^ if index == points.len() { 0 } else { index }
                })
            });
        });
        group.bench_function("hash_and_locate", |b| {
            b.iter(|| {
                keys.iter().fold(0usize, |acc, key| {
                    acc ^ ring.owner(black_box(key)).map_or(0, str::len)
                })
            });
        });
        group.finish();
    }
}

fn rendering(c: &mut Criterion) {
    let mut db = VectorStore::default();
    db.add_vectors(6000).expect("6000 vectors fit");
    for node in ["nodeA", "nodeB", "nodeC", "nodeD"] {
        db.add_node(node).expect("distinct ids");
    }
    let view = db.ring_view();
    let mut group = c.benchmark_group("render/tutorial-6000");
    group.bench_function("ring_view_snapshot", |b| {
        b.iter(|| black_box(db.ring_view()))
    });
    group.bench_function("ring_to_svg", |b| b.iter(|| black_box(view.to_svg())));
    group.bench_function("rebuild_and_draw", |b| {
        b.iter(|| {
            let mut db = db.clone();
            black_box(db.rebuild(160).expect("valid").view.to_svg())
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = placement, rendering
}
criterion_main!(benches);
