//! What the fuzz targets run, shared with `tests/fuzz_replay.rs`, which
//! replays the committed corpus on stable Rust in `make test`, and with
//! `tests/model.rs`, which uses the same invariant check.
//!
//! `operations` reads bytes as a script of store operations, including bad
//! input on purpose (odd ids, weights from raw bits, vnodes, replication
//! and queries out of range). A bad input must come back as an `Error` and
//! change nothing, compared on the whole state ([`state`]); every step must
//! leave the store consistent and account for every vector
//! ([`check_accounting`]). A panic or a broken invariant is a finding.

#![allow(dead_code)]

use std::collections::BTreeMap;

use elastic_vdb::hash::key_position;
use elastic_vdb::store::vector_id;
use elastic_vdb::{StoreConfig, VectorStore};

/// Every live vector is held exactly by its preference list (the primary on
/// the first node, a replica on each of the others, nothing elsewhere); a
/// lost vector is held nowhere; a vector with no node waits unassigned.
/// Every copy of a vector carries the same data and its own ring position,
/// and looking a vector up by id (through the shard's index) finds it.
pub fn check_store(store: &VectorStore) {
    check_accounting(store);
    check_copies(store);
    let copies = store.config().replication;
    let mut holders: BTreeMap<u32, Vec<(String, bool)>> = BTreeMap::new();
    for (node, shard) in store.shards() {
        for &serial in shard.serials() {
            holders
                .entry(serial)
                .or_default()
                .push((node.to_owned(), true));
        }
        let replicas = store
            .replica_shard(node)
            .expect("every node has a replica shard");
        for &serial in replicas.serials() {
            holders
                .entry(serial)
                .or_default()
                .push((node.to_owned(), false));
        }
    }
    let lost = store.lost();
    let unassigned = store.unassigned().serials();
    for serial in 0..store.generated() {
        let id = vector_id(serial);
        let mut held = holders.remove(&serial).unwrap_or_default();
        if lost.binary_search(&serial).is_ok() {
            assert!(held.is_empty(), "{id} is lost but still held");
            assert!(!unassigned.contains(&serial), "{id} is lost but waits");
            continue;
        }
        let list = store.ring().preference_list(key_position(&id), copies);
        let mut expected: Vec<(String, bool)> = list
            .iter()
            .enumerate()
            .map(|(rank, node)| ((*node).to_owned(), rank == 0))
            .collect();
        held.sort();
        expected.sort();
        assert_eq!(held, expected, "{id}: copies against its preference list");
        assert_eq!(
            list.is_empty(),
            unassigned.contains(&serial),
            "{id} waits unassigned exactly when no node is there"
        );
    }
    assert!(holders.is_empty(), "shards hold vectors never generated");
}

/// The whole state of a store, to compare before and after an operation
/// that was refused: its `Debug` form holds the ring, every shard with its
/// rows and index, the pool, the lost set, the history, the last moves, the
/// picture sample and the generator's state.
pub fn state(store: &VectorStore) -> String {
    format!("{store:?}")
}

/// Runs `operation` and checks the strong guarantee: if it returns an error,
/// the store is exactly as it was. Returns whether it was refused.
pub fn guarded<T, E: std::fmt::Display>(
    store: &mut VectorStore,
    what: &dyn std::fmt::Debug,
    operation: impl FnOnce(&mut VectorStore) -> Result<T, E>,
) -> Result<T, E> {
    let before = state(store);
    let result = operation(store);
    if let Err(error) = &result {
        assert!(
            state(store) == before,
            "{what:?} was refused ({error}) but changed the store"
        );
    }
    result
}

/// No vector dropped in silence: every vector generated is, exactly once,
/// a primary on a node of the ring, waiting in the pool, or reported lost;
/// the distribution and the pool add up to `len()`; and the store keeps
/// shards for exactly the nodes on the ring (a departed node's shard that
/// still held rows would be counted, searched and never reconciled).
pub fn check_accounting(store: &VectorStore) {
    let nodes: Vec<&str> = store.ring().nodes().collect();
    let distribution = store.distribution();
    for (kind, shards) in [
        ("primary", &distribution),
        ("replica", &store.replica_distribution()),
    ] {
        assert!(
            shards.keys().map(String::as_str).eq(nodes.iter().copied()),
            "{kind} shards {:?} for the ring's nodes {nodes:?}",
            shards.keys()
        );
    }
    let pool = store.unassigned().len();
    assert_eq!(
        distribution.values().sum::<usize>() + pool,
        store.len(),
        "the distribution {distribution:?} and the pool do not add up to len()"
    );
    let mut seen = vec![0u8; store.generated() as usize];
    let primaries = store.shards().map(|(_, shard)| shard);
    for shard in primaries.chain(std::iter::once(store.unassigned())) {
        for &serial in shard.serials() {
            seen[serial as usize] += 1;
        }
    }
    for serial in store.lost() {
        seen[serial as usize] += 1;
    }
    if let Some(serial) = seen.iter().position(|&count| count != 1) {
        panic!(
            "{} is held as a primary, waiting or lost {} times, not once",
            vector_id(serial as u32),
            seen[serial]
        );
    }
}

/// Every row of every shard: the position is its id's, all copies of a
/// vector hold the same data, and a lookup by id returns that data.
fn check_copies(store: &VectorStore) {
    let mut data: BTreeMap<u32, Vec<f32>> = BTreeMap::new();
    let shards = store
        .shards()
        .flat_map(|(node, shard)| [shard, store.replica_shard(node).expect("paired")])
        .chain(std::iter::once(store.unassigned()));
    for shard in shards {
        // Zipped below: a shorter list would silently check fewer rows.
        assert_eq!(shard.serials().len(), shard.len(), "one serial a row");
        assert_eq!(shard.positions().len(), shard.len(), "one position a row");
        assert!(shard.vector(shard.len()).is_none(), "no row past the last");
        for (row, (&serial, &position)) in shard.serials().iter().zip(shard.positions()).enumerate()
        {
            let id = vector_id(serial);
            assert_eq!(
                position,
                key_position(&id),
                "{id}: row {row} has another position"
            );
            let vector = shard.vector(row).expect("row in range").to_vec();
            let first = data.entry(serial).or_insert_with(|| vector.clone());
            assert_eq!(*first, vector, "{id}: copies differ");
        }
    }
    for (serial, vector) in data {
        let id = vector_id(serial);
        assert_eq!(store.vector_by_id(&id), Some(vector), "{id}: lookup by id");
    }
}

/// Reads bytes one at a time; past the end, zeros.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&first, rest)) => {
                self.0 = rest;
                first
            }
            None => 0,
        }
    }

    fn u64(&mut self) -> u64 {
        (0..8).fold(0, |acc, _| acc << 8 | u64::from(self.byte()))
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A node id: usually one of eight plain names, sometimes raw bytes (an
    /// empty, blank, control-character or non-UTF-8 id), sometimes tricky.
    fn node_id(&mut self) -> String {
        let choice = self.byte();
        match choice % 16 {
            0 => {
                let len = usize::from(self.byte() % 12);
                let raw: Vec<u8> = (0..len).map(|_| self.byte()).collect();
                String::from_utf8_lossy(&raw).into_owned()
            }
            1 => ["", " ", "a\n", " x", "member", "member1", "a#vnode:1", "é"]
                [usize::from(self.byte() % 8)]
            .to_owned(),
            2 => "x".repeat(250 + usize::from(self.byte() % 12)),
            _ => format!("n{}", choice % 8),
        }
    }
}

/// The most operations one input runs, so that each stays fast.
const MAX_OPERATIONS: usize = 48;

/// Runs a script of store operations and checks the store after each.
pub fn operations(data: &[u8]) {
    let mut bytes = Bytes(data);
    let config = StoreConfig {
        vnodes: u32::from(bytes.byte() % 24),
        dimension: usize::from(bytes.byte() % 5),
        seed: u64::from(bytes.byte()),
        replication: usize::from(bytes.byte() % 5),
    };
    let Ok(mut store) = VectorStore::new(config) else {
        return;
    };
    for _ in 0..MAX_OPERATIONS {
        if bytes.is_empty() {
            break;
        }
        let before = store.to_json();
        let whole_before = state(&store);
        let failed = match bytes.byte() % 13 {
            0 | 1 => store.add_vectors(usize::from(bytes.byte() % 40)).is_err(),
            2 | 3 => {
                let id = bytes.node_id();
                store.add_node(&id).is_err()
            }
            4 => {
                let id = bytes.node_id();
                let weight = f64::from_bits(bytes.u64());
                store.add_weighted_node(&id, weight).is_err()
            }
            5 => {
                let id = bytes.node_id();
                let weight = f64::from(bytes.byte() % 16) / 4.0;
                store.add_weighted_node(&id, weight).is_err()
            }
            6 => {
                let id = bytes.node_id();
                store.remove_node(&id).is_err()
            }
            7 => {
                let id = bytes.node_id();
                store.fail_node(&id).is_err()
            }
            8 => {
                let vnodes = match bytes.byte() {
                    255 => 10_001,
                    byte => u32::from(byte % 30),
                };
                store.rebuild(vnodes).is_err()
            }
            9 => store
                .set_replication(usize::from(bytes.byte() % 6))
                .is_err(),
            10 => {
                let ids: Vec<String> = (0..bytes.byte() % 5).map(|_| bytes.node_id()).collect();
                let vnodes = u32::from(bytes.byte() % 30);
                store.reshape(&ids, vnodes).is_err()
            }
            11 => {
                let length = usize::from(bytes.byte() % 6);
                let query: Vec<f32> = (0..length)
                    .map(|_| f32::from_bits(bytes.u64() as u32))
                    .collect();
                let k = usize::from(bytes.byte() % 12);
                if let Ok(hits) = store.search(&query, k) {
                    let reference = store
                        .brute_force_search(&query, k)
                        .expect("brute force accepts what search accepts");
                    // The same arithmetic and tie rule: the same answer.
                    assert_eq!(hits, reference, "search against brute force");
                }
                false
            }
            _ => {
                let copy = VectorStore::from_json(&before).expect("a saved store loads");
                assert_eq!(
                    copy.to_json(),
                    before,
                    "save, load, save gives the same text"
                );
                false
            }
        };
        if failed {
            assert!(
                state(&store) == whole_before,
                "a refused operation changes nothing"
            );
        }
        check_store(&store);
    }
}

/// Loads arbitrary text as a saved store.
pub fn snapshot(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // A valid file may declare millions of vectors, which the loader then
    // draws: correct, but it exhausts the fuzzer's memory and time limits.
    // Keep fuzzing to stores of at most 50,000 copies.
    if let Ok(serde_json::Value::Object(fields)) = serde_json::from_str(text) {
        let number = |name: &str| {
            fields
                .get(name)
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(0)
        };
        if number("generated").saturating_mul(number("replication").max(1)) > 50_000 {
            return;
        }
    }
    if let Ok(store) = VectorStore::from_json(text) {
        check_store(&store);
        let saved = store.to_json();
        let again = VectorStore::from_json(&saved).expect("a saved store loads");
        assert_eq!(
            again.to_json(),
            saved,
            "save, load, save gives the same text"
        );
    }
}
