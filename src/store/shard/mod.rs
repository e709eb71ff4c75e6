//! The vectors held by one node: rows of `f32` in contiguous blocks, with a
//! sorted index by ring position, so that a topology change finds the rows
//! of an arc with two binary searches and moves them as one block.
//!
//! `mod.rs` holds the shard and what can be read from it; `write.rs` how
//! rows come in and go out (appends, arc-sized blocks taken and received).

#[cfg(test)]
mod tests;
mod write;

use ndarray::{Array2, ArrayView1, ArrayView2, CowArray, Ix2};

use super::vector_id;
use crate::ring::arc_ranges;

/// Where a vector sits: its ring position, then its serial number. Keys
/// sort by position first, the order of a shard's index and of every list
/// of keys in the store.
///
/// ```
/// use elastic_vdb::store::Key;
///
/// let early = Key { position: 5, serial: 9 };
/// assert!(early < Key { position: 6, serial: 0 });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    /// The vector's ring position (the SHA-256 of its id).
    pub position: u64,
    /// Its serial number: the `n` of `vec-n`.
    pub serial: u32,
}

/// One index entry: which row holds the vector at `(position, serial)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    position: u64,
    serial: u32,
    row: u32,
}

impl Entry {
    fn key(&self) -> Key {
        Key {
            position: self.position,
            serial: self.serial,
        }
    }
}

/// Vectors taken out of a shard (or bound for one), in key order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Block {
    pub(crate) keys: Vec<Key>,
    pub(crate) data: Vec<f32>,
}

impl Block {
    pub(crate) fn with_capacity(rows: usize, dimension: usize) -> Block {
        Block {
            keys: Vec::with_capacity(rows),
            data: Vec::with_capacity(rows * dimension),
        }
    }

    pub(crate) fn row(&self, index: usize, dimension: usize) -> &[f32] {
        &self.data[index * dimension..(index + 1) * dimension]
    }
}

/// The vectors one node holds (its primaries, or its replicas), as rows of
/// `f32` in one contiguous block, or two once it has received rows in a
/// topology change.
///
/// Rows are in no particular order (a removal moves the last row into the
/// hole); the index, sorted by ring position, says which row holds which
/// vector. An arc of the circle is then one run of the index: finding it
/// costs two binary searches, and a join or a departure copies only the
/// rows it moves. The index takes 16 bytes per vector.
///
/// The data is one block sized exactly when vectors are added, followed by
/// a second block for the rows received in topology changes since, which
/// grows by doubling. A node that receives a few hundred rows from a
/// departing neighbour then allocates a small block instead of copying its
/// whole shard into a larger one. [`Shard::blocks`] shows both.
///
/// ```
/// let mut db = elastic_vdb::VectorStore::default();
/// db.add_node("nodeA")?;
/// db.add_vectors(10)?;
/// let shard = db.shard("nodeA").unwrap();
/// assert_eq!(shard.vectors().shape(), &[10, 256]);
/// # Ok::<(), elastic_vdb::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Shard {
    dimension: usize,
    serials: Vec<u32>,
    positions: Vec<u64>,
    /// The first rows, in a block sized exactly by [`Shard::reserve`].
    data: Vec<f32>,
    /// The rows after `data`'s. While it holds any, `data` neither grows
    /// nor shrinks: a removal fills its hole with the last row, taken from
    /// here.
    received: Vec<f32>,
    /// Sorted by (position, serial). Rows from `index.len()` on were
    /// appended since the last [`Shard::settle`] and are not indexed yet.
    index: Vec<Entry>,
}

impl Shard {
    pub(crate) fn new(dimension: usize) -> Shard {
        Shard {
            dimension,
            ..Shard::default()
        }
    }

    /// Where a key sits in the index.
    fn find(&self, key: Key) -> Option<usize> {
        debug_assert_eq!(self.index.len(), self.serials.len(), "settled");
        self.index
            .binary_search_by(|entry| entry.key().cmp(&key))
            .ok()
    }

    pub(crate) fn contains(&self, key: Key) -> bool {
        self.find(key).is_some()
    }

    pub(crate) fn row_of(&self, key: Key) -> Option<usize> {
        self.find(key).map(|at| self.index[at].row as usize)
    }

    /// The run of the index with positions in `low..=high`. Its end is
    /// found by galloping from its start (steps of 1, 2, 4, ... then a
    /// binary search in the last step): an arc's run is a few entries, and
    /// the index is cold when a change reads it, so the search stays on the
    /// cache lines next to the start instead of halving the rest of the
    /// index.
    pub(crate) fn run(&self, low: u64, high: u64) -> std::ops::Range<usize> {
        let start = self.index.partition_point(|entry| entry.position < low);
        self.run_from(start, high)
    }

    /// The runs of several shards' indexes, `count` of them, the one at
    /// `at` given by `wanted(at)` as `(number, shard, low, high)`, as
    /// [`Shard::run`] finds them one by one; `number` tells the shards apart
    /// (the same for the same shard, small: a table is sized by the
    /// largest). Asked for by index, so that tens of thousands of requests
    /// need no list of their own.
    ///
    /// Only a shard's first run needs a binary search: a later run of the
    /// same shard that starts at or after the one before is found by
    /// galloping from it (a change with many copies asks for tens of
    /// thousands of runs of a few shards, in order). The first searches
    /// take their steps together, a step of every search per round: each
    /// step waits for a cache miss (a change reads cold indexes), and the
    /// steps of different searches are independent, so the memory serves
    /// them at once instead of one after the other.
    pub(crate) fn runs<'a>(
        count: usize,
        wanted: impl Fn(usize) -> (usize, &'a Shard, u64, u64),
    ) -> Vec<std::ops::Range<usize>> {
        // Each request's previous request of the same shard (`NONE` for a
        // shard's first), and the first requests.
        const NONE: u32 = u32::MAX;
        let mut last: Vec<u32> = Vec::new();
        let mut firsts = Vec::new();
        let previous: Vec<u32> = (0..count)
            .map(|at| {
                let number = wanted(at).0;
                if last.len() <= number {
                    last.resize(number + 1, NONE);
                }
                let before = std::mem::replace(
                    &mut last[number],
                    u32::try_from(at).expect("fewer than 2^32 runs"),
                );
                if before == NONE {
                    firsts.push(at);
                }
                before
            })
            .collect();
        let mut runs = vec![0..0; count];
        // Sixteen at a time: enough misses in flight, and the searches'
        // state stays in the fastest cache however many there are.
        for batch in firsts.chunks(16) {
            // Each search narrows `index[base..base + size]`, which holds
            // the first entry at or after `low` or ends just before it.
            let mut searches = [(0, 0); 16];
            for (search, &at) in searches.iter_mut().zip(batch) {
                search.1 = wanted(at).1.index.len();
            }
            let searches = &mut searches[..batch.len()];
            loop {
                let mut narrowing = false;
                for ((base, size), &at) in searches.iter_mut().zip(batch) {
                    let (_, shard, low, _) = wanted(at);
                    if *size > 1 {
                        let half = *size / 2;
                        // Without a branch: which way a step goes is a coin
                        // toss the processor would guess wrong half the time.
                        *base += half * usize::from(shard.index[*base + half].position < low);
                        *size -= half;
                        narrowing = true;
                    }
                }
                if !narrowing {
                    break;
                }
            }
            for (&(base, size), &at) in searches.iter().zip(batch) {
                let (_, shard, low, high) = wanted(at);
                let below = size == 1 && shard.index[base].position < low;
                runs[at] = shard.run_from(base + usize::from(below), high);
            }
        }
        for (at, &before) in previous.iter().enumerate() {
            if before == NONE {
                continue;
            }
            let before = before as usize;
            let (_, shard, low, high) = wanted(at);
            let (_, _, before_low, before_high) = wanted(before);
            // From the end of the run before when this one starts past it,
            // from its start when inside it, by search when before it (or
            // when the one before was an empty range, high below low).
            let from = if before_low <= before_high && low > before_high {
                runs[before].end
            } else if low >= before_low {
                runs[before].start
            } else {
                runs[at] = shard.run(low, high);
                continue;
            };
            let start = from + gallop(&shard.index[from..], |entry| entry.position < low);
            runs[at] = shard.run_from(start, high);
        }
        runs
    }

    /// The run of the index from `start` (its first entry at or after the
    /// run's low end) up to the last entry at or before `high`.
    fn run_from(&self, start: usize, high: u64) -> std::ops::Range<usize> {
        start..start + gallop(&self.index[start..], |entry| entry.position <= high)
    }

    /// The key of every vector on the arc after `start` up to and including
    /// `end`, wrapping past `u64::MAX`; the whole circle when they are equal
    /// ([`arc_ranges`]).
    pub(crate) fn keys_on_arc(&self, start: u64, end: u64) -> Vec<Key> {
        arc_ranges(start, end)
            .flat_map(|(low, high)| self.index[self.run(low, high)].iter().map(Entry::key))
            .collect()
    }

    /// How many vectors lie on an arc, as [`Shard::keys_on_arc`] would list.
    pub(crate) fn count_on_arc(&self, start: u64, end: u64) -> usize {
        arc_ranges(start, end)
            .map(|(low, high)| self.run(low, high).len())
            .sum()
    }

    pub(crate) fn row(&self, index: usize) -> &[f32] {
        let dimension = self.dimension;
        let start = index * dimension;
        match start.checked_sub(self.data.len()) {
            None => &self.data[start..start + dimension],
            Some(start) => &self.received[start..start + dimension],
        }
    }

    /// How many vectors the shard holds.
    ///
    /// ```
    /// let db = elastic_vdb::VectorStore::default();
    /// assert_eq!(db.unassigned().len(), 0);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.serials.len()
    }

    /// Whether the shard holds no vector.
    ///
    /// ```
    /// assert!(elastic_vdb::VectorStore::default().unassigned().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.serials.is_empty()
    }

    /// The ids of the vectors held, in row order.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(2)?;
    /// assert_eq!(db.unassigned().ids().collect::<Vec<_>>(), ["vec_000000", "vec_000001"]);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn ids(&self) -> impl ExactSizeIterator<Item = String> + '_ {
        self.serials.iter().map(|&serial| vector_id(serial))
    }

    /// The serial numbers of the vectors held, in row order.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(2)?;
    /// assert_eq!(db.unassigned().serials(), [0, 1]);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn serials(&self) -> &[u32] {
        &self.serials
    }

    /// The cached ring positions of the vectors held, in row order.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(1)?;
    /// assert_eq!(db.unassigned().positions(), [elastic_vdb::hash::key_position("vec_000000")]);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn positions(&self) -> &[u64] {
        &self.positions
    }

    /// All vectors held, one per row: a view when the rows are one block, a
    /// copy when the shard also holds rows received since its vectors were
    /// added (see [`Shard::blocks`] to read them without copying).
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(3)?;
    /// assert_eq!(db.unassigned().vectors().nrows(), 3);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn vectors(&self) -> CowArray<'_, f32, Ix2> {
        if self.received.is_empty() {
            CowArray::from(self.block(&self.data))
        } else {
            let mut all = Vec::with_capacity(self.data.len() + self.received.len());
            all.extend_from_slice(&self.data);
            all.extend_from_slice(&self.received);
            CowArray::from(
                Array2::from_shape_vec((self.len(), self.dimension), all)
                    .expect("a shard's data is rows x dimension"),
            )
        }
    }

    /// The rows as contiguous blocks, in row order, without copying: the
    /// block sized when the vectors were added, then (if any) the rows
    /// received in topology changes since. Empty blocks are skipped.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(1000)?;
    /// db.add_node("a")?;
    /// db.add_node("b")?;
    /// let shard = db.shard("b").unwrap();
    /// let rows: usize = shard.blocks().map(|block| block.nrows()).sum();
    /// assert_eq!(rows, shard.len());
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn blocks(&self) -> impl Iterator<Item = ArrayView2<'_, f32>> + '_ {
        [&self.data, &self.received]
            .into_iter()
            .filter(|block| !block.is_empty())
            .map(|block| self.block(block))
    }

    fn block<'a>(&self, data: &'a [f32]) -> ArrayView2<'a, f32> {
        ArrayView2::from_shape((data.len() / self.dimension, self.dimension), data)
            .expect("a shard's data is rows x dimension")
    }

    /// The rows as two contiguous slices, in row order: the block sized when
    /// the vectors were added, then the rows received since (either may be
    /// empty).
    pub(crate) fn slices(&self) -> [&[f32]; 2] {
        [&self.data, &self.received]
    }

    pub(crate) fn dimension(&self) -> usize {
        self.dimension
    }

    /// One vector, by row.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(1)?;
    /// let norm: f32 = db.unassigned().vector(0).unwrap().iter().map(|x| x * x).sum();
    /// assert!((norm - 1.0).abs() < 1e-5);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn vector(&self, row: usize) -> Option<ArrayView1<'_, f32>> {
        (row < self.len()).then(|| ArrayView1::from(self.row(row)))
    }
}

/// How many of `entries`, from the first, satisfy `before` (which holds
/// for a first stretch of them and no more), found by galloping: steps of
/// 1, 2, 4, ... from the start, then a binary search within the last step.
/// It reads only the cache lines near the start when the answer is near.
fn gallop(entries: &[Entry], before: impl Fn(&Entry) -> bool) -> usize {
    let (mut below, mut step) = (0, 1);
    // `entries[..below]` all satisfy `before`; look `step` further on.
    while below + step <= entries.len() && before(&entries[below + step - 1]) {
        below += step;
        step *= 2;
    }
    let bound = (below + step).min(entries.len());
    below + entries[below..bound].partition_point(before)
}
