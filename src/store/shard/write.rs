//! Rows coming into a shard and going out: appended one by one as vectors
//! are generated, or moved as whole blocks, an arc's run at a time, when
//! the ring changes.

use itertools::Itertools;

use super::{Block, Entry, Key, Shard};

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
        let mut rows: Vec<u32> = taken.iter().map(|entry| entry.row).collect();
        self.remove_rows(&mut rows);
        block
    }

    /// Removes every vector in one of `runs` of the index (ascending and
    /// disjoint, each found by [`Shard::run`] for a range of positions);
    /// returns how many there were. The index keeps its order with one
    /// pass: each kept stretch moves down once, however many runs there are
    /// (cutting the ranges out one at a time moved the rest of the index
    /// once per range).
    pub(crate) fn remove_runs(&mut self, runs: &[std::ops::Range<usize>]) -> usize {
        debug_assert_eq!(self.index.len(), self.serials.len(), "settled");
        let runs: Vec<std::ops::Range<usize>> =
            runs.iter().filter(|run| !run.is_empty()).cloned().collect();
        let Some(first) = runs.first() else {
            return 0;
        };
        let mut rows: Vec<u32> = runs
            .iter()
            .flat_map(|run| self.index[run.clone()].iter().map(|entry| entry.row))
            .collect();
        let mut write = first.start;
        for (at, run) in runs.iter().enumerate() {
            let kept_until = runs.get(at + 1).map_or(self.index.len(), |next| next.start);
            self.index.copy_within(run.end..kept_until, write);
            write += kept_until - run.end;
        }
        self.index.truncate(write);
        let removed = rows.len();
        self.remove_rows(&mut rows);
        removed
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
                let key = Key {
                    position: self.positions[row as usize],
                    serial: self.serials[row as usize],
                };
                (key, row)
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
}
