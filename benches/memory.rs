//! P4 of the performance issue: one million vectors of 256 `f32` held in at
//! most 1.05x their raw bytes (1.024 GB). A counting allocator measures the
//! bytes the store holds once built (everything it allocated and has not
//! freed) and the peak while building, against the raw vector bytes.
//!
//! `cargo bench --bench memory` (not criterion: this measures bytes, not time).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use elastic_vdb::{StoreConfig, VectorStore};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call forwards to the system allocator unchanged; the
// counters only observe sizes.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        // SAFETY: forwarded as is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded as is.
        unsafe { System.dealloc(pointer, layout) }
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size >= layout.size() {
            let now = LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size
                - layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        // SAFETY: forwarded as is.
        unsafe { System.realloc(pointer, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn main() {
    const VECTORS: usize = 1_000_000;
    const DIMENSION: usize = 256;
    let raw = VECTORS * DIMENSION * std::mem::size_of::<f32>();
    let baseline = LIVE.load(Ordering::Relaxed);
    PEAK.store(baseline, Ordering::Relaxed);
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
    let held = LIVE.load(Ordering::Relaxed) - baseline;
    let peak = PEAK.load(Ordering::Relaxed) - baseline;
    println!(
        "p4: {VECTORS} vectors x {DIMENSION} f32 = {raw} raw bytes; the store holds {held} bytes \
         ({:.4}x raw, {:.1} bytes per vector beyond the data); peak while building {peak} bytes ({:.4}x raw); target 1.05x",
        held as f64 / raw as f64,
        (held - raw) as f64 / VECTORS as f64,
        peak as f64 / raw as f64,
    );
    std::hint::black_box(&store);
}
