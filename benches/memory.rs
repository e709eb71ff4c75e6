//! P4 of the performance issue: one million vectors of 256 `f32` held in at
//! most 1.05x their raw bytes (1.024 GB). A counting allocator measures the
//! bytes the store holds once built (everything it allocated and has not
//! freed) and the peak while building, against the raw vector bytes.
//!
//! `cargo bench --bench memory` (not criterion: this measures bytes, not time).

use elastic_vdb::{StoreConfig, VectorStore};

#[path = "../tests/support/counting_allocator.rs"]
mod counting_allocator;

#[global_allocator]
static ALLOCATOR: counting_allocator::Counting = counting_allocator::Counting;

fn main() {
    const VECTORS: usize = 1_000_000;
    const DIMENSION: usize = 256;
    let raw = VECTORS * DIMENSION * std::mem::size_of::<f32>();
    let baseline = counting_allocator::start_peak();
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
    let held = counting_allocator::live() - baseline;
    let peak = counting_allocator::peak() - baseline;
    println!(
        "p4: {VECTORS} vectors x {DIMENSION} f32 = {raw} raw bytes; the store holds {held} bytes \
         ({:.4}x raw, {:.1} bytes per vector beyond the data); peak while building {peak} bytes ({:.4}x raw); target 1.05x",
        held as f64 / raw as f64,
        (held - raw) as f64 / VECTORS as f64,
        peak as f64 / raw as f64,
    );
    std::hint::black_box(&store);
}
