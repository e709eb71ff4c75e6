//! P5 of the performance issue: one top-10 cosine query over 1M vectors of
//! 256 dimensions on 10 nodes, against a plain streaming scan that reads
//! every vector once and keeps only a running maximum (what memory bandwidth
//! allows), measured side by side. `benches/baselines.py` times numpy's
//! matrix-vector product + argpartition and faiss's IndexFlatIP on the same
//! shape; this bench runs it when `BENCH_PYTHON` names a Python with numpy
//! and faiss-cpu (`make bench` sets it up).
//!
//! `cargo bench --bench search`

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use elastic_vdb::{StoreConfig, VectorStore};

const VECTORS: usize = 1_000_000;
const DIMENSION: usize = 256;

fn search(c: &mut Criterion) {
    let mut store = VectorStore::new(StoreConfig {
        vnodes: 80,
        dimension: DIMENSION,
        seed: 42,
        replication: 1,
    })
    .expect("valid config");
    for index in 0..10 {
        store
            .add_node(&format!("node{index:02}"))
            .expect("distinct ids");
    }
    store.add_vectors(VECTORS).expect("fits in memory");
    let query = store.vector_by_id("vec_000042").expect("stored");

    let mut group = c.benchmark_group("p5_top10_1Mx256");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Bytes((VECTORS * DIMENSION * 4) as u64));
    // The bound: every vector read once and summed in 16 lanes, no scoring.
    group.bench_function("streaming_scan_sum", |b| {
        b.iter(|| {
            let mut lanes = [0f32; 16];
            for (_, shard) in store.shards() {
                for block in shard.blocks() {
                    let block = block.to_slice().expect("a block is contiguous");
                    for chunk in block.chunks_exact(16) {
                        for lane in 0..16 {
                            lanes[lane] += chunk[lane];
                        }
                    }
                }
            }
            black_box(lanes.iter().sum::<f32>())
        });
    });
    group.bench_function("store_search_top10", |b| {
        b.iter(|| store.search(black_box(&query), 10).expect("valid query"));
    });
    group.finish();

    if let Ok(python) = std::env::var("BENCH_PYTHON") {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/baselines.py");
        match std::process::Command::new(&python)
            .args([script, "search"])
            .output()
        {
            Ok(output) if output.status.success() => {
                print!("{}", String::from_utf8_lossy(&output.stdout));
            }
            Ok(output) => eprintln!(
                "python baselines failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ),
            Err(error) => eprintln!("cannot run {python}: {error}"),
        }
    } else {
        eprintln!("python baselines skipped: set BENCH_PYTHON (make bench does)");
    }
}

criterion_group!(benches, search);
criterion_main!(benches);
