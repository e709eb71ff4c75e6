//! The keys and node names the strategies are compared on, and placing
//! many keys at once on both cores.

use super::Placement;
use crate::hash::{key_position, vector_id};

/// `n` node ids, `node00`, `node01`, ... (two digits up to 100 nodes), the
/// names the comparisons and the CLI use.
///
/// ```
/// assert_eq!(elastic_vdb::strategy::node_names(3), ["node00", "node01", "node02"]);
/// ```
#[must_use]
pub fn node_names(n: usize) -> Vec<String> {
    let width = n.saturating_sub(1).to_string().len().max(2);
    (0..n).map(|i| format!("node{i:0width$}")).collect()
}

/// The placement-contract positions of the first `count` vector ids
/// (`vec_000000`, ...): the keys every comparison uses.
///
/// ```
/// use elastic_vdb::hash::key_position;
///
/// assert_eq!(elastic_vdb::strategy::key_positions(2), [key_position("vec_000000"), key_position("vec_000001")]);
/// ```
#[must_use]
pub fn key_positions(count: usize) -> Vec<u64> {
    (0..count)
        .map(|serial| key_position(&vector_id(serial as u32)))
        .collect()
}

/// Hashes and places `keys` (placement-contract key strings such as
/// `vec_000042`) on `threads` threads, each taking a contiguous slice: the
/// first placement of a batch of keys, with both cores busy. For the
/// bounded-load ring, whose placement depends on order, the keys are hashed
/// in parallel and placed in one pass.
///
/// ```
/// use elastic_vdb::strategy::{Placement, Strategy, key_positions, node_names, place_keys};
/// use elastic_vdb::hash::vector_id;
///
/// let ring = Strategy::Ring { vnodes: 80 }.build(&node_names(10))?;
/// let keys: Vec<String> = (0..1000).map(vector_id).collect();
/// assert_eq!(place_keys(ring.as_ref(), &keys, 2), ring.assign(&key_positions(1000)));
/// # Ok::<(), elastic_vdb::Error>(())
/// ```
#[must_use]
pub fn place_keys<K: AsRef<str> + Sync>(
    placement: &dyn Placement,
    keys: &[K],
    threads: usize,
) -> Vec<u32> {
    let independent = placement.locate(0).is_some() || placement.nodes().is_empty();
    if !independent {
        let positions = in_parallel(keys, threads, |part, out: &mut [u64]| {
            for (slot, key) in out.iter_mut().zip(part) {
                *slot = key_position(key.as_ref());
            }
        });
        return placement.assign(&positions);
    }
    // Hash a block of keys, then locate the block: the searches of a block
    // are independent of one another, so the processor overlaps them, which
    // it cannot do when each search waits for its own key's hash.
    in_parallel(keys, threads, |part, out: &mut [u32]| {
        let mut block = [0u64; 256];
        for (keys, owners) in part.chunks(block.len()).zip(out.chunks_mut(block.len())) {
            for (slot, key) in block.iter_mut().zip(keys) {
                *slot = key_position(key.as_ref());
            }
            for (owner, &position) in owners.iter_mut().zip(&block) {
                *owner = placement.locate(position).map_or(0, |index| index as u32);
            }
        }
    })
}

/// `work` over `items` split into `threads` contiguous parts (1 to 64), each
/// writing its own part of one preallocated output, so nothing is copied or
/// joined afterwards.
fn in_parallel<K: Sync, T: Copy + Default + Send>(
    items: &[K],
    threads: usize,
    work: impl Fn(&[K], &mut [T]) + Sync,
) -> Vec<T> {
    let mut out = vec![T::default(); items.len()];
    let threads = threads.clamp(1, 64);
    if threads == 1 || items.len() < 2 {
        work(items, &mut out);
        return out;
    }
    let chunk = items.len().div_ceil(threads);
    let work = &work;
    std::thread::scope(|scope| {
        let mut parts = items.chunks(chunk).zip(out.chunks_mut(chunk));
        let first = parts.next();
        for (part, slots) in parts {
            scope.spawn(move || work(part, slots));
        }
        // The calling thread takes the first part itself.
        if let Some((part, slots)) = first {
            work(part, slots);
        }
    });
    out
}

/// A 64-bit finaliser (SplitMix64's): a bijection that spreads every input
/// bit over the output. Strategies that need several independent hashes of a
/// key derive them from its SHA-256 position with it, which keeps the
/// comparison on the contract's positions without hashing each key again.
///
/// ```
/// use elastic_vdb::strategy::mix64;
///
/// assert_ne!(mix64(1), mix64(2));
/// assert_eq!(mix64(0), 0);
/// ```
#[must_use]
pub fn mix64(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}
