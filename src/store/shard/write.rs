//! Rows coming into a shard and going out: appended one by one as vectors
//! are generated, or moved as whole blocks, an arc's run at a time, when
//! the ring changes.

use itertools::Itertools;

use super::{Block, Entry, Key, Shard};

/// A row that goes, in the table [`Shard::fill_holes`] returns.
const GONE: u32 = u32::MAX;

impl Shard {
    /// Appends a row without indexing it; [`Shard::settle`] must follow
    /// before the shard is read by key.
    pub(crate) fn append(&mut self, key: Key, vector: &[f32]) {
        debug_assert_eq!(vector.len(), self.dimension);
        self.serials.push(key.serial);
        self.positions.push(key.position);
        if self.received.is_empty() && self.data.capacity() - self.data.len() >= vector.len() {
            self.data.extend_from_slice(vector);
        } else {
            self.received.extend_from_slice(vector);
        }
    }

    /// Appends, without indexing them, copies of the vectors of `run`, a
    /// run of `source`'s index ([`Shard::run`]), and their keys to `keys`;
    /// [`Shard::settle`] must follow.
    pub(crate) fn append_run(
        &mut self,
        source: &Shard,
        run: std::ops::Range<usize>,
        keys: &mut Vec<Key>,
    ) {
        for entry in &source.index[run] {
            self.append(entry.key(), source.row(entry.row as usize));
            keys.push(entry.key());
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
            merged.extend(self.index.iter().copied().merge(fresh));
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
        for (index, &key) in block.keys.iter().enumerate() {
            self.append(key, block.row(index, self.dimension));
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
        let rows: Vec<u32> = taken.iter().map(|entry| entry.row).collect();
        self.remove_rows(&rows);
        block
    }

    /// Removes every vector in one of `runs` of the index (ascending and
    /// disjoint, each found by [`Shard::run`] for a range of positions);
    /// returns how many there were.
    ///
    /// One pass over the index from the first run on both closes the gaps
    /// (each kept stretch moves down once, however many runs there are) and
    /// points the entries of the rows moved into holes at their new rows:
    /// those rows came from the end of the block, so an entry needs a new
    /// row exactly when its row is past the new length. The entries before
    /// the first run are read for that only when they are few; otherwise
    /// the moved rows among them are found by binary search.
    pub(crate) fn remove_runs(&mut self, runs: &[std::ops::Range<usize>]) -> usize {
        debug_assert_eq!(self.index.len(), self.serials.len(), "settled");
        let runs: Vec<std::ops::Range<usize>> =
            runs.iter().filter(|run| !run.is_empty()).cloned().collect();
        let Some(first) = runs.first().map(|run| run.start) else {
            return 0;
        };
        let gone: Vec<u32> = runs
            .iter()
            .flat_map(|run| self.index[run.clone()].iter().map(|entry| entry.row))
            .collect();
        let kept = self.serials.len() - gone.len();
        let moved_to = self.fill_holes(&gone);
        // The entries before the first run, before anything moves.
        self.mend_moved(first, kept, &moved_to);
        // From the first run on: each kept stretch moves down (one memmove),
        // then its entries of moved rows get their new rows while it is
        // still in the cache.
        let mut write = first;
        for (at, run) in runs.iter().enumerate() {
            let kept_until = runs.get(at + 1).map_or(self.index.len(), |next| next.start);
            self.index.copy_within(run.end..kept_until, write);
            let moved_down = write..write + (kept_until - run.end);
            for entry in &mut self.index[moved_down.clone()] {
                mend(entry, kept, &moved_to);
            }
            write = moved_down.end;
        }
        self.index.truncate(write);
        gone.len()
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
        self.remove_rows(&rows);
        removed
    }

    /// Drops rows whose index entries are already gone, and points the
    /// entries of the rows moved into their holes at their new rows.
    fn remove_rows(&mut self, rows: &[u32]) {
        let kept = self.serials.len() - rows.len();
        let moved_to = self.fill_holes(rows);
        self.mend_moved(self.index.len(), kept, &moved_to);
    }

    /// Points the entries among `index[..upto]` (every entry with a key
    /// below `index[upto]`'s) of the rows [`Shard::fill_holes`] moved at
    /// their new rows; `moved_to` is its table, `kept` the new length.
    ///
    /// The index is usually cold when a change reaches the shard: a binary
    /// search per row misses the cache at nearly every step, while one
    /// forward walk over the index in key order reads it sequentially. The
    /// walk wins unless it has far more entries to pass than rows to fix
    /// (measured: a join on 100 nodes x 1M vectors, 8.2 ms with searches,
    /// 6.3 ms walking).
    fn mend_moved(&mut self, upto: usize, kept: usize, moved_to: &[u32]) {
        let moved = moved_to.iter().filter(|&&row| row != GONE).count();
        if upto <= moved.saturating_mul(256) {
            for entry in &mut self.index[..upto] {
                mend(entry, kept, moved_to);
            }
            return;
        }
        // Keys from `index[upto]`'s on are not among those searched.
        let bound = self.index.get(upto).map(Entry::key);
        for &row in moved_to.iter().filter(|&&row| row != GONE) {
            let key = Key {
                position: self.positions[row as usize],
                serial: self.serials[row as usize],
            };
            if bound.is_none_or(|bound| key < bound) {
                let at = self.index[..upto]
                    .binary_search_by(|entry| entry.key().cmp(&key))
                    .expect("every kept row is indexed");
                self.index[at].row = row;
            }
        }
    }

    /// Drops the rows `gone` (distinct) from the block: each row past the
    /// new length that stays is moved into the hole of a row below it that
    /// goes, and the block is cut at the new length. Returns, for each row
    /// from the new length on, the row it moved to, or [`GONE`]; the index
    /// is left for the caller to mend.
    fn fill_holes(&mut self, gone: &[u32]) -> Vec<u32> {
        if gone.is_empty() {
            return Vec::new();
        }
        let kept = self.serials.len() - gone.len();
        let mut moved_to = vec![0; gone.len()];
        let mut holes = Vec::new();
        for &row in gone {
            match (row as usize).checked_sub(kept) {
                Some(offset) => moved_to[offset] = GONE,
                None => holes.push(row),
            }
        }
        let mut holes = holes.into_iter();
        let dimension = self.dimension;
        let first_rows = self.data.len() / dimension;
        for (offset, slot) in moved_to.iter_mut().enumerate() {
            if *slot == GONE {
                continue;
            }
            let (from, to) = (
                kept + offset,
                holes
                    .next()
                    .expect("a row that stays past the end for every hole below it")
                    as usize,
            );
            self.serials[to] = self.serials[from];
            self.positions[to] = self.positions[from];
            // A hole is below the row moved into it: both in the first
            // block, both received, or from the received block to the first.
            let at = |row: usize| row * dimension..(row + 1) * dimension;
            let received = |row: usize| at(row - first_rows);
            if from < first_rows {
                self.data.copy_within(at(from), to * dimension);
            } else if to < first_rows {
                self.data[at(to)].copy_from_slice(&self.received[received(from)]);
            } else {
                self.received
                    .copy_within(received(from), (to - first_rows) * dimension);
            }
            *slot = u32::try_from(to).expect("rows are counted in u32");
        }
        self.serials.truncate(kept);
        self.positions.truncate(kept);
        match kept.checked_sub(first_rows) {
            Some(received_rows) => self.received.truncate(received_rows * dimension),
            None => {
                self.received.clear();
                self.data.truncate(kept * dimension);
            }
        }
        moved_to
    }
}

/// Points `entry` at the row its row moved to, when [`Shard::fill_holes`]
/// moved it (its row is at or past `kept`, the new length; `moved_to` is
/// the table it returned).
fn mend(entry: &mut Entry, kept: usize, moved_to: &[u32]) {
    if let Some(offset) = (entry.row as usize).checked_sub(kept) {
        entry.row = moved_to[offset];
    }
}
