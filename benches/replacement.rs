//! P1 and P2 of the performance issue, on one million keys and a ring of
//! 10 nodes x 80 vnodes, each baseline measured in the same run:
//!
//! - P1, first placement (hash + locate) against SHA-256 alone plus the
//!   binary search alone; against the `hashring` crate with a SHA-256
//!   hasher (same positions as ours); on one thread and on two.
//! - P2, re-placement from cached key positions: a sorted merge of the
//!   positions with the ring's points, against the tutorial's Python shard
//!   map on the same keys (run by `benches/python_baseline.py`, which
//!   executes the tutorial's own ring class; skipped, and said so, when
//!   `../shared/seed/tutorial.txt` or `python3` is missing).
//!
//! `cargo bench --bench replacement`

use std::hash::{BuildHasher, Hash, Hasher};
use std::hint::black_box;
use std::process::Command;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use elastic_vdb::hash::key_position;
use elastic_vdb::store::vector_id;
use elastic_vdb::strategy::{Placement, VnodeRing, node_names, place_keys};
use sha2::{Digest, Sha256};

const KEYS: usize = 1_000_000;
const NODES: usize = 10;
const VNODES: u32 = 80;

/// A `Hasher` that feeds every written byte to SHA-256 and finishes with the
/// digest's first 8 bytes, big-endian: the placement contract's hash.
#[derive(Clone, Default)]
struct Sha256Hasher(Sha256);

impl Hasher for Sha256Hasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn finish(&self) -> u64 {
        let digest = self.0.clone().finalize();
        u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"))
    }
}

#[derive(Clone, Default)]
struct Sha256Builder;

impl BuildHasher for Sha256Builder {
    type Hasher = Sha256Hasher;

    fn build_hasher(&self) -> Sha256Hasher {
        Sha256Hasher::default()
    }
}

/// Virtual node `vnode` of `id`, hashed as `node:{id}#vnode:{vnode}`.
#[derive(Clone, Debug, PartialEq)]
struct VirtualNode {
    id: String,
    vnode: u32,
}

impl Hash for VirtualNode {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write(format!("node:{}#vnode:{}", self.id, self.vnode).as_bytes());
    }
}

/// A key, hashed as `key:{key}`.
struct Key<'a>(&'a str);

impl Hash for Key<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write(b"key:");
        state.write(self.0.as_bytes());
    }
}

fn python_baseline(keys: usize) -> Option<(f64, serde_json::Value)> {
    let root = env!("CARGO_MANIFEST_DIR");
    let tutorial = format!("{root}/../shared/seed/tutorial.txt");
    if !std::path::Path::new(&tutorial).exists() {
        eprintln!("python baseline skipped: {tutorial} is missing");
        return None;
    }
    let output = Command::new("python3")
        .arg(format!("{root}/benches/python_baseline.py"))
        .args([
            &tutorial,
            &keys.to_string(),
            &NODES.to_string(),
            &VNODES.to_string(),
        ])
        .output()
        .ok()?;
    if !output.status.success() {
        eprintln!(
            "python baseline failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        return None;
    }
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).ok()?;
    Some((report["seconds"].as_f64()?, report["counts"].clone()))
}

fn replacement(c: &mut Criterion) {
    let keys: Vec<String> = (0..KEYS as u32).map(vector_id).collect();
    let positions: Vec<u64> = keys.iter().map(|key| key_position(key)).collect();
    let mut sorted = positions.clone();
    sorted.sort_unstable();
    let names = node_names(NODES);
    let ring = VnodeRing::new(&names, VNODES).expect("valid ring");
    let points: Vec<u64> = {
        let mut reference = elastic_vdb::Ring::with_vnodes(VNODES).expect("valid vnodes");
        for id in &names {
            reference.add_node(id).expect("distinct ids");
        }
        reference.points().map(|point| point.position).collect()
    };
    let mut crate_ring: hashring::HashRing<VirtualNode, Sha256Builder> =
        hashring::HashRing::with_hasher(Sha256Builder);
    for id in &names {
        for vnode in 0..VNODES {
            crate_ring.add(VirtualNode {
                id: id.clone(),
                vnode,
            });
        }
    }
    // Same keys, same owners: the crate's ring is the contract's ring.
    for key in keys.iter().take(10_000) {
        let ours = ring
            .locate(key_position(key))
            .map(|index| names[index].as_str());
        let theirs = crate_ring.get(&Key(key)).map(|node| node.id.as_str());
        assert_eq!(ours, theirs, "{key}");
    }

    let mut group = c.benchmark_group("p1_first_placement_1M");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(8));
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
                acc ^ points.partition_point(|&point| point < black_box(position))
            })
        });
    });
    group.bench_function("hash_and_locate_1_thread", |b| {
        b.iter(|| place_keys(&ring, black_box(&keys), 1));
    });
    group.bench_function("hash_and_locate_2_threads", |b| {
        b.iter(|| place_keys(&ring, black_box(&keys), 2));
    });
    group.bench_function("hashring_crate_sha256", |b| {
        b.iter(|| {
            keys.iter().fold(0u32, |acc, key| {
                acc ^ crate_ring
                    .get(&Key(black_box(key)))
                    .map_or(0, |node| node.vnode)
            })
        });
    });
    group.finish();

    let mut group = c.benchmark_group("p2_replacement_1M");
    group.sample_size(20);
    group.throughput(Throughput::Elements(KEYS as u64));
    group.bench_function("sorted_merge_cached_positions", |b| {
        b.iter(|| ring.assign_sorted(black_box(&sorted)));
    });
    group.bench_function("binary_search_cached_positions", |b| {
        b.iter(|| ring.assign(black_box(&positions)));
    });
    group.finish();

    if let Some((seconds, counts)) = python_baseline(KEYS) {
        let ours = ring.assign_sorted(&sorted);
        let mut per_node = [0u64; NODES];
        for owner in ours {
            per_node[owner as usize] += 1;
        }
        for (index, id) in names.iter().enumerate() {
            assert_eq!(
                counts[id].as_u64(),
                Some(per_node[index]),
                "the Python ring placed {id} differently"
            );
        }
        let started = std::time::Instant::now();
        let rounds = 20;
        for _ in 0..rounds {
            black_box(ring.assign_sorted(black_box(&sorted)));
        }
        let merge = started.elapsed().as_secs_f64() / f64::from(rounds);
        println!(
            "p2 baseline: tutorial Python shard map of {KEYS} keys took {seconds:.3} s ({:.0} ns per key); \
             the sorted merge took {:.2} ms in the same run: {:.0}x faster (target: 500x)",
            seconds / KEYS as f64 * 1e9,
            merge * 1e3,
            seconds / merge
        );
    }
}

criterion_group!(benches, replacement);
criterion_main!(benches);
