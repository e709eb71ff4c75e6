//! Migration cost against a full re-placement, measured side by side.
//!
//! A store of 100 nodes x 80 vnodes and 1,000,000 vectors of 16 dimensions
//! (so that setup stays short), and one of 100,000 vectors of 256
//! dimensions (where the data dominates what a move copies).
//! `full_replacement` hashes and locates every key again, as the original
//! demo does after each change; `plan_add` works out a join without moving
//! anything; `add_node` carries one out and `remove_node` carries out a
//! departure (each on a fresh copy of the store, whose copying and dropping
//! are not timed), each drawing the ring after it as a notebook cell does;
//! `apply_add` and `apply_remove` make the same changes through
//! `VectorStore::apply`, with no picture, as a program would. The ratios
//! to report are those over `full_replacement`, within one group.
//! `memcpy_moved` copies as many bytes as the join moves, in one block:
//! the physical limit of moving those rows in memory.
//!
//! `cargo bench --bench migration`

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use elastic_vdb::store::vector_id;
use elastic_vdb::{Action, StoreConfig, VectorStore};

fn store(vectors: usize, dimension: usize) -> VectorStore {
    let mut db = VectorStore::new(StoreConfig {
        dimension,
        ..StoreConfig::default()
    })
    .expect("valid configuration");
    for node in 0..100 {
        db.add_node(&format!("node-{node:03}"))
            .expect("distinct ids");
    }
    db.add_vectors(vectors).expect("the vectors fit");
    db
}

fn group(c: &mut Criterion, name: &str, vectors: usize, dimension: usize) {
    let db = store(vectors, dimension);
    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    group.bench_function("full_replacement", |b| {
        b.iter(|| {
            (0..vectors as u32).fold(0usize, |acc, serial| {
                acc ^ db.ring().owner(&vector_id(serial)).map_or(0, str::len)
            })
        });
    });
    group.bench_function("plan_add", |b| {
        b.iter(|| black_box(db.plan_add_node("newcomer").expect("new id").moved()));
    });
    group.bench_function("add_node", |b| {
        b.iter_batched_ref(
            || db.clone(),
            |copy| black_box(copy.add_node("newcomer").expect("new id").movement.moved),
            BatchSize::PerIteration,
        );
    });
    group.bench_function("remove_node", |b| {
        b.iter_batched_ref(
            || db.clone(),
            |copy| {
                black_box(
                    copy.remove_node("node-050")
                        .expect("on the ring")
                        .movement
                        .moved,
                )
            },
            BatchSize::PerIteration,
        );
    });
    // The changes the ratios are read from: more samples, since each is
    // one change on a cold copy and varies by a fifth from one to the next.
    group.sample_size(50);
    for (name, action) in [
        ("apply_add", Action::AddNode("newcomer".into())),
        ("apply_remove", Action::RemoveNode("node-050".into())),
    ] {
        group.bench_function(name, |b| {
            b.iter_batched_ref(
                || db.clone(),
                |copy| black_box(copy.apply(action.clone()).expect("valid change").moved),
                BatchSize::PerIteration,
            );
        });
    }
    let moved = db
        .clone()
        .apply(Action::AddNode("newcomer".into()))
        .expect("new id")
        .moved;
    group.sample_size(10);
    let source = vec![1.0f32; moved * dimension];
    let mut target = vec![0.0f32; moved * dimension];
    group.bench_function("memcpy_moved", |b| {
        b.iter(|| {
            target.copy_from_slice(black_box(&source));
            black_box(target[0])
        });
    });
    group.finish();
}

fn migration(c: &mut Criterion) {
    group(c, "migration/100-nodes-1M", 1_000_000, 16);
    group(c, "migration/100-nodes-100k-256d", 100_000, 256);
}

criterion_group!(benches, migration);
criterion_main!(benches);
