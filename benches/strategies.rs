//! Lookup cost of every placement strategy on the same key positions:
//! 10 and 100 nodes, 10,000 keys per iteration (positions already hashed,
//! so only the strategy's own work is timed). Also the build cost of each
//! lookup structure.
//!
//! `cargo bench --bench strategies`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use elastic_vdb::strategy::{Strategy, key_positions, node_names};

const KEYS: usize = 10_000;

fn lookups(c: &mut Criterion) {
    let keys = key_positions(KEYS);
    for nodes in [10, 100] {
        let names = node_names(nodes);
        let mut group = c.benchmark_group(format!("lookup/{nodes}_nodes"));
        group.throughput(Throughput::Elements(KEYS as u64));
        for strategy in Strategy::all(80) {
            let placement = strategy.build(&names).expect("valid strategy");
            group.bench_function(strategy.name(), |b| {
                b.iter(|| placement.assign(black_box(&keys)));
            });
        }
        group.finish();
        let mut group = c.benchmark_group(format!("build/{nodes}_nodes"));
        for strategy in Strategy::all(80) {
            group.bench_function(strategy.name(), |b| {
                b.iter(|| strategy.build(black_box(&names)).expect("valid strategy"));
            });
        }
        group.finish();
    }
}

criterion_group!(benches, lookups);
criterion_main!(benches);
