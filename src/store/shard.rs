//! The vectors held by one node: rows of `f32` in contiguous blocks, with a
//! sorted index by ring position, so that a topology change finds the rows
//! of an arc with two binary searches and moves them as one block.

use ndarray::{Array2, ArrayView1, ArrayView2, CowArray, Ix2};

use super::vector_id;

/// A vector's place in a shard's index: ring position, then serial number.
pub(crate) type Key = (u64, u32);

/// One index entry: which row holds the vector at `(position, serial)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    position: u64,
    serial: u32,
    row: u32,
}

impl Entry {
    fn key(&self) -> Key {
        (self.position, self.serial)
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

/// The inclusive position ranges an arc covers: the arc after `start` up to
/// and including `end`, wrapping past `u64::MAX` (two ranges), or the whole
/// circle when `whole` is set.
pub(crate) fn arc_ranges(start: u64, end: u64, whole: bool) -> Vec<(u64, u64)> {
    if whole {
        vec![(0, u64::MAX)]
    } else if start < end {
        vec![(start + 1, end)]
    } else if start == u64::MAX {
        vec![(0, end)]
    } else {
        vec![(start + 1, u64::MAX), (0, end)]
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

    /// Appends a row without indexing it; [`Shard::settle`] must follow
    /// before the shard is read by key.
    pub(crate) fn append(&mut self, serial: u32, position: u64, vector: &[f32]) {
        debug_assert_eq!(vector.len(), self.dimension);
        self.serials.push(serial);
        self.positions.push(position);
        if self.received.is_empty() && self.data.capacity() - self.data.len() >= vector.len() {
            self.data.extend_from_slice(vector);
        } else {
            self.received.extend_from_slice(vector);
        }
    }

    /// Indexes the rows appended since the last call: they are sorted, then
    /// spliced in as one run when they fill one gap of the index (what an
    /// arc does), or merged with it otherwise.
    pub(crate) fn settle(&mut self) {
        let first = self.index.len();
        if first == self.serials.len() {
            return;
        }
        let mut fresh: Vec<Entry> = (first..self.serials.len())
            .map(|row| Entry {
                position: self.positions[row],
                serial: self.serials[row],
                row: u32::try_from(row).expect("a shard holds fewer than 2^32 rows"),
            })
            .collect();
        fresh.sort_unstable();
        let (low, high) = (fresh[0], fresh[fresh.len() - 1]);
        let at = self.index.partition_point(|entry| *entry < low);
        if self.index.get(at).is_none_or(|next| high < *next) {
            self.index.splice(at..at, fresh);
        } else {
            let mut merged = Vec::with_capacity(self.index.len() + fresh.len());
            let mut old = self.index.iter().copied().peekable();
            let mut new = fresh.into_iter().peekable();
            while let (Some(a), Some(b)) = (old.peek(), new.peek()) {
                merged.push(if a < b { old.next() } else { new.next() }.expect("peeked"));
            }
            merged.extend(old);
            merged.extend(new);
            self.index = merged;
        }
        debug_assert!(
            self.index
                .windows(2)
                .all(|pair| pair[0].key() < pair[1].key())
        );
    }

    /// Appends and indexes a block of vectors the shard does not hold.
    pub(crate) fn insert(&mut self, block: &Block) {
        // Amortised growth: a caller that knows the total reserves it first.
        self.reserve_received(block.keys.len());
        for (index, &(position, serial)) in block.keys.iter().enumerate() {
            self.append(serial, position, block.row(index, self.dimension));
        }
        self.settle();
    }

    /// Gives the memory back once the shard holds nothing (a pool emptied
    /// by the first join, a node that handed over all it had): truncating
    /// keeps a `Vec`'s allocation, which would otherwise stay held.
    pub(crate) fn release_if_empty(&mut self) {
        if self.is_empty() {
            *self = Shard::new(self.dimension);
        }
    }

    /// Makes room for `rows` more rows, exactly (adding vectors).
    pub(crate) fn reserve(&mut self, rows: usize) {
        self.serials.reserve_exact(rows);
        self.positions.reserve_exact(rows);
        if self.received.is_empty() {
            self.data.reserve_exact(rows * self.dimension);
        } else {
            self.received.reserve_exact(rows * self.dimension);
        }
        self.index
            .reserve_exact(self.serials.len() + rows - self.index.len());
    }

    /// Makes room for `rows` rows about to be received in a topology change.
    /// Their data goes to the block of received rows, which grows by
    /// doubling, so that the exactly sized first block is never copied. The
    /// ids, positions and index grow exactly: doubling them would double
    /// what the shard's bookkeeping holds, and a splice into the index
    /// already moves as much as a copy does.
    pub(crate) fn reserve_received(&mut self, rows: usize) {
        self.serials.reserve_exact(rows);
        self.positions.reserve_exact(rows);
        let spare = (self.data.capacity() - self.data.len()) / self.dimension;
        if !self.received.is_empty() || spare < rows {
            self.received.reserve(rows * self.dimension);
        }
        self.index
            .reserve_exact(self.serials.len() + rows - self.index.len());
    }

    /// Where a key sits in the index.
    fn find(&self, serial: u32, position: u64) -> Option<usize> {
        debug_assert_eq!(self.index.len(), self.serials.len(), "settled");
        self.index
            .binary_search_by(|entry| entry.key().cmp(&(position, serial)))
            .ok()
    }

    pub(crate) fn contains(&self, serial: u32, position: u64) -> bool {
        self.find(serial, position).is_some()
    }

    pub(crate) fn row_of(&self, serial: u32, position: u64) -> Option<usize> {
        self.find(serial, position)
            .map(|at| self.index[at].row as usize)
    }

    /// The run of the index with positions in `low..=high`.
    fn run(&self, low: u64, high: u64) -> std::ops::Range<usize> {
        let start = self.index.partition_point(|entry| entry.position < low);
        let end = start + self.index[start..].partition_point(|entry| entry.position <= high);
        start..end
    }

    /// Takes every vector with a position in `low..=high` out of the shard.
    pub(crate) fn take_range(&mut self, low: u64, high: u64) -> Block {
        debug_assert_eq!(self.index.len(), self.serials.len(), "settled");
        let run = self.run(low, high);
        let mut block = Block::with_capacity(run.len(), self.dimension);
        if run.is_empty() {
            return block;
        }
        let taken: Vec<Entry> = self.index.drain(run).collect();
        for entry in &taken {
            block.keys.push(entry.key());
            block.data.extend_from_slice(self.row(entry.row as usize));
        }
        let mut rows: Vec<u32> = taken.iter().map(|entry| entry.row).collect();
        self.remove_rows(&mut rows);
        block
    }

    /// Removes the given vectors (sorted by key) where held; returns how
    /// many were.
    pub(crate) fn remove_keys(&mut self, keys: &[Key]) -> usize {
        debug_assert_eq!(self.index.len(), self.serials.len(), "settled");
        let mut rows = Vec::new();
        let mut wanted = keys.iter().peekable();
        self.index.retain(|entry| {
            while wanted.next_if(|key| **key < entry.key()).is_some() {}
            let gone = wanted.next_if(|key| **key == entry.key()).is_some();
            if gone {
                rows.push(entry.row);
            }
            !gone
        });
        let removed = rows.len();
        self.remove_rows(&mut rows);
        removed
    }

    /// Drops rows whose index entries are already gone. Each hole is filled
    /// with the last row, highest hole first, so that the row moved in is
    /// never one still to be dropped; then the index entries of the rows
    /// that moved are pointed at their new rows.
    fn remove_rows(&mut self, rows: &mut [u32]) {
        rows.sort_unstable_by(|a, b| b.cmp(a));
        let dimension = self.dimension;
        for &row in rows.iter() {
            let row = row as usize;
            let last = self.serials.len() - 1;
            let first_rows = self.data.len() / dimension;
            if row != last {
                self.serials[row] = self.serials[last];
                self.positions[row] = self.positions[last];
                // The last row is in the received block whenever it holds any.
                let to = row * dimension..(row + 1) * dimension;
                if last < first_rows {
                    self.data
                        .copy_within(last * dimension..(last + 1) * dimension, to.start);
                } else {
                    let from = (last - first_rows) * dimension;
                    if row < first_rows {
                        self.data[to].copy_from_slice(&self.received[from..from + dimension]);
                    } else {
                        let to = (row - first_rows) * dimension;
                        self.received.copy_within(from..from + dimension, to);
                    }
                }
            }
            self.serials.truncate(last);
            self.positions.truncate(last);
            if self.received.is_empty() {
                self.data.truncate(last * dimension);
            } else {
                self.received.truncate(self.received.len() - dimension);
            }
        }
        // The holes below the new length hold the rows that moved; their
        // index entries must point at them. The index is usually cold when
        // a change reaches the shard: a binary search per row misses the
        // cache at nearly every step, while one forward walk over the index
        // in key order reads it sequentially. The walk wins unless it has
        // far more entries to pass than rows to fix (measured: a join on
        // 100 nodes x 1M vectors, 8.2 ms with searches, 6.3 ms walking).
        let mut moved: Vec<(Key, u32)> = rows
            .iter()
            .filter(|&&row| (row as usize) < self.serials.len())
            .map(|&row| {
                (
                    (self.positions[row as usize], self.serials[row as usize]),
                    row,
                )
            })
            .collect();
        if self.index.len() <= moved.len().saturating_mul(256) {
            moved.sort_unstable();
            let mut at = 0;
            for (key, row) in moved {
                while self.index[at].key() < key {
                    at += 1;
                }
                debug_assert_eq!(self.index[at].key(), key, "every kept row is indexed");
                self.index[at].row = row;
            }
        } else {
            for (key, row) in moved {
                let at = self
                    .index
                    .binary_search_by(|entry| entry.key().cmp(&key))
                    .expect("every kept row is indexed");
                self.index[at].row = row;
            }
        }
    }

    /// The (position, serial) of every vector on the arc after `start` up to
    /// and including `end`, wrapping past `u64::MAX`; the whole circle when
    /// `whole` is set.
    pub(crate) fn keys_on_arc(&self, start: u64, end: u64, whole: bool) -> Vec<Key> {
        arc_ranges(start, end, whole)
            .into_iter()
            .flat_map(|(low, high)| self.index[self.run(low, high)].iter().map(Entry::key))
            .collect()
    }

    /// How many vectors lie on an arc, as [`Shard::keys_on_arc`] would list.
    pub(crate) fn count_on_arc(&self, start: u64, end: u64, whole: bool) -> usize {
        arc_ranges(start, end, whole)
            .into_iter()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn shard_with(positions: &[u64]) -> Shard {
        let mut shard = Shard::new(2);
        for (serial, &position) in positions.iter().enumerate() {
            shard.append(serial as u32, position, &[serial as f32, -(serial as f32)]);
        }
        shard.settle();
        shard
    }

    fn serials(keys: Vec<Key>) -> Vec<u32> {
        keys.into_iter().map(|(_, serial)| serial).collect()
    }

    /// A range takes the keys at both of its ends, and nothing outside.
    #[test]
    fn a_range_includes_both_ends() {
        let mut shard = shard_with(&[9, 10, 20, 21, 0, u64::MAX]);
        let block = shard.take_range(10, 20);
        assert_eq!(serials(block.keys.clone()), [1, 2]);
        assert_eq!(block.data, [1.0, -1.0, 2.0, -2.0]);
        assert_eq!(serials(shard.take_range(0, 0).keys), [4]);
        assert_eq!(serials(shard.take_range(u64::MAX, u64::MAX).keys), [5]);
        assert_eq!(shard.serials().len(), 2);
        assert_eq!(shard.count_on_arc(8, 21, false), 2);
    }

    #[test]
    fn removal_keeps_rows_contiguous_and_the_index_right() {
        let mut shard = shard_with(&[50, 10, 30, 20]);
        assert_eq!(shard.remove_keys(&[(10, 1)]), 1);
        assert_eq!(shard.remove_keys(&[(10, 1)]), 0, "already gone");
        assert_eq!(shard.serials(), [0, 3, 2]);
        assert_eq!(shard.vector(1).unwrap().to_vec(), [3.0, -3.0]);
        assert_eq!(shard.row_of(3, 20), Some(1));
        assert_eq!(shard.remove_keys(&[(20, 3), (30, 2), (40, 9), (50, 0)]), 3);
        assert!(shard.is_empty() && shard.vectors().is_empty());
    }

    #[test]
    fn a_few_holes_in_a_big_shard_are_fixed_by_search() {
        let positions: Vec<u64> = (0..600).map(|i| (i * 7919 % 600) as u64).collect();
        let mut shard = shard_with(&positions);
        // Rows 0 and 1 leave; the last two rows fill their holes, and their
        // entries are found by binary search (600 entries, 2 rows to fix).
        let gone = [(positions[0], 0), (positions[1], 1)];
        assert_eq!(shard.remove_keys(&gone), 2);
        for (serial, &position) in positions.iter().enumerate().skip(2) {
            let row = shard.row_of(serial as u32, position).expect("kept");
            assert_eq!(shard.vector(row).unwrap()[0], serial as f32);
        }
    }

    #[test]
    fn arcs_select_by_position_and_wrap() {
        let shard = shard_with(&[5, 10, 15, u64::MAX]);
        assert_eq!(
            serials(shard.keys_on_arc(5, 15, false)),
            [1, 2],
            "start excluded, end included"
        );
        assert_eq!(
            serials(shard.keys_on_arc(15, 5, false)),
            [3, 0],
            "wraps past the top"
        );
        assert_eq!(shard.count_on_arc(15, 5, false), 2);
        assert_eq!(serials(shard.keys_on_arc(10, 10, true)).len(), 4);
        assert_eq!(
            serials(shard.keys_on_arc(u64::MAX, 4, false)),
            Vec::<u32>::new()
        );
        assert_eq!(serials(shard.keys_on_arc(u64::MAX, 5, false)), [0]);
    }

    #[test]
    fn a_taken_block_goes_back_in_as_one_run() {
        let mut shard = shard_with(&[50, 10, 30, 20, 40]);
        let block = shard.take_range(15, 35);
        assert_eq!(block.keys, [(20, 3), (30, 2)]);
        assert_eq!(block.row(1, 2), [2.0, -2.0]);
        assert_eq!(serials(shard.keys_on_arc(0, 0, true)), [1, 4, 0]);
        for (serial, position) in [(0, 50), (1, 10), (4, 40)] {
            let row = shard.row_of(serial, position).expect("kept");
            assert_eq!(shard.vector(row).unwrap()[0], serial as f32);
        }
        let mut other = shard_with(&[5, 60]);
        other.insert(&block);
        assert_eq!(serials(other.keys_on_arc(0, 0, true)), [0, 3, 2, 1]);
        assert_eq!(other.vector(other.row_of(2, 30).unwrap()).unwrap()[1], -2.0);
        assert!(shard.take_range(11, 19).keys.is_empty());
    }

    #[test]
    fn received_rows_go_to_a_second_block_and_holes_are_filled_from_it() {
        let mut shard = Shard::new(2);
        shard.reserve(3);
        for (serial, position) in [(0, 10), (1, 20), (2, 30)] {
            shard.append(serial, position, &[serial as f32, 0.0]);
        }
        shard.settle();
        let sealed = shard.data.as_ptr();
        let mut block = Block::default();
        for (serial, position) in [(5, 15), (6, 25)] {
            block.keys.push((position, serial));
            block.data.extend_from_slice(&[serial as f32, 0.0]);
        }
        shard.reserve_received(2);
        shard.insert(&block);
        assert_eq!(shard.data.as_ptr(), sealed, "the first block was not moved");
        assert_eq!(
            shard.blocks().map(|b| b.nrows()).collect::<Vec<_>>(),
            [3, 2]
        );
        assert_eq!(
            shard.vectors().column(0).to_vec(),
            [0.0, 1.0, 2.0, 5.0, 6.0]
        );
        // A hole in the first block takes the last received row.
        assert_eq!(shard.remove_keys(&[(20, 1)]), 1);
        assert_eq!(shard.serials(), [0, 6, 2, 5]);
        assert_eq!(shard.vector(1).unwrap()[0], 6.0);
        assert_eq!(shard.row_of(6, 25), Some(1));
        // Once the received block is empty, the first block shrinks again.
        assert_eq!(shard.remove_keys(&[(10, 0), (15, 5)]), 2);
        assert_eq!(shard.blocks().count(), 1);
        assert_eq!(shard.serials(), [2, 6]);
        assert_eq!(shard.vectors().column(0).to_vec(), [2.0, 6.0]);
        for (serial, position) in [(6, 25), (2, 30)] {
            let row = shard.row_of(serial, position).unwrap();
            assert_eq!(shard.vector(row).unwrap()[0], serial as f32);
        }
    }

    #[test]
    fn appended_rows_anywhere_are_merged_into_the_index() {
        let mut shard = shard_with(&[10, 30]);
        shard.append(7, 40, &[7.0, 0.0]);
        shard.append(8, 5, &[8.0, 0.0]);
        shard.append(9, 20, &[9.0, 0.0]);
        shard.settle();
        assert_eq!(serials(shard.keys_on_arc(0, 0, true)), [8, 0, 9, 1, 7]);
        assert_eq!(shard.row_of(9, 20), Some(4));
        assert_eq!(shard.count_on_arc(6, 30, false), 3);
    }
}
