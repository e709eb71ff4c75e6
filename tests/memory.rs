//! The memory cap counts what a store really holds at its peak. For every
//! way of adding copies (vectors into the pool, onto one node or many,
//! replicated, in two batches, a load), a counting allocator measures the
//! peak bytes above the start, and that peak must fit in the budget the
//! store checks against `MAX_STORE_BYTES`: copies × (dimension × 4 +
//! `ROW_OVERHEAD_BYTES`) per generated vector.
//!
//! A topology change (a join, a change of replication) copies what it moves
//! before the giver lets it go, and records each moved key, so its peak may
//! exceed that budget by what it moves: each moved copy's data and twice its
//! bookkeeping. The worst case is a join that moves everything (the first
//! node after vectors waited in the pool): about twice the budget.
//!
//! One test function: the allocator's counters are global to this binary.

use elastic_vdb::error::ROW_OVERHEAD_BYTES;
use elastic_vdb::{Error, StoreConfig, VectorStore};

#[path = "support/counting_allocator.rs"]
mod counting_allocator;

#[global_allocator]
static ALLOCATOR: counting_allocator::Counting = counting_allocator::Counting;

const VECTORS: usize = 60_000;

/// The bytes the cap budgets for `generated` vectors of `dimension` with
/// `copies` copies each.
fn budget(generated: usize, dimension: usize, copies: usize) -> usize {
    generated * (dimension * 4 + ROW_OVERHEAD_BYTES as usize) * copies
}

/// Runs `build` and returns its peak bytes above the live bytes at its
/// start, and how many copies its topology changes moved.
fn peak_of(build: impl FnOnce() -> Result<VectorStore, Error>) -> (usize, usize) {
    let start = counting_allocator::start_peak();
    let store = build().expect("the scenario is valid");
    let peak = counting_allocator::peak() - start;
    let moved = store.history().iter().map(|step| step.moved).sum();
    drop(store);
    (peak, moved)
}

fn store(dimension: usize, replication: usize, nodes: usize) -> Result<VectorStore, Error> {
    let mut db = VectorStore::new(StoreConfig {
        dimension,
        replication,
        ..StoreConfig::default()
    })?;
    for node in 0..nodes {
        db.add_node(&format!("node{node}"))?;
    }
    Ok(db)
}

#[test]
fn every_way_of_adding_copies_peaks_within_the_budget() {
    let mut report = Vec::new();
    for dimension in [1, 8, 256] {
        let count = if dimension == 256 {
            VECTORS / 10
        } else {
            VECTORS
        };
        let saved = {
            let mut db = store(dimension, 2, 3).expect("valid");
            db.add_vectors(count).expect("fits");
            db.to_json()
        };
        // (name, copies the budget counts, how the store is built)
        type Build<'a> = Box<dyn FnOnce() -> Result<VectorStore, Error> + 'a>;
        let scenarios: Vec<(&str, usize, Build)> = vec![
            (
                "pool",
                1,
                Box::new(|| {
                    let mut db = store(dimension, 1, 0)?;
                    db.add_vectors(count)?;
                    Ok(db)
                }),
            ),
            (
                "one node",
                1,
                Box::new(|| {
                    let mut db = store(dimension, 1, 1)?;
                    db.add_vectors(count)?;
                    Ok(db)
                }),
            ),
            (
                "ten nodes",
                1,
                Box::new(|| {
                    let mut db = store(dimension, 1, 10)?;
                    db.add_vectors(count)?;
                    Ok(db)
                }),
            ),
            (
                "two batches",
                1,
                Box::new(|| {
                    let mut db = store(dimension, 1, 3)?;
                    db.add_vectors(count / 2)?;
                    db.add_vectors(count - count / 2)?;
                    Ok(db)
                }),
            ),
            (
                "three copies",
                3,
                Box::new(|| {
                    let mut db = store(dimension, 3, 4)?;
                    db.add_vectors(count)?;
                    Ok(db)
                }),
            ),
            (
                "pool, then a join",
                1,
                Box::new(|| {
                    let mut db = store(dimension, 1, 0)?;
                    db.add_vectors(count)?;
                    db.add_node("a")?;
                    Ok(db)
                }),
            ),
            (
                "one node, then a join",
                1,
                Box::new(|| {
                    let mut db = store(dimension, 1, 1)?;
                    db.add_vectors(count)?;
                    db.add_node("a")?;
                    Ok(db)
                }),
            ),
            (
                "replication 1 to 3",
                3,
                Box::new(|| {
                    let mut db = store(dimension, 1, 4)?;
                    db.add_vectors(count)?;
                    db.set_replication(3)?;
                    Ok(db)
                }),
            ),
            (
                "joins under replication 3",
                3,
                Box::new(|| {
                    let mut db = store(dimension, 3, 1)?;
                    db.add_vectors(count)?;
                    db.add_node("a")?;
                    db.add_node("b")?;
                    Ok(db)
                }),
            ),
            ("load", 2, Box::new(|| VectorStore::from_json(&saved))),
        ];
        for (name, copies, build) in scenarios {
            let (peak, moved) = peak_of(build);
            let in_flight = moved * (dimension * 4 + 2 * ROW_OVERHEAD_BYTES as usize);
            let allowed = budget(count, dimension, copies) + in_flight;
            let per_copy = peak as f64 / (count * copies) as f64 - (dimension * 4) as f64;
            report.push(format!(
                "dimension {dimension:>3}, {name:<26} peak {peak:>10} B, {per_copy:6.1} B a copy beyond the data, budget {} + {in_flight} for {moved} moved",
                budget(count, dimension, copies)
            ));
            assert!(peak <= allowed, "over {allowed}:\n{}", report.join("\n"));
        }
    }
    println!("{}", report.join("\n"));
}
