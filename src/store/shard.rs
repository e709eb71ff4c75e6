//! One block of vectors held by one node: contiguous rows of `f32`, with an
//! index by ring position so that a topology change finds the rows of an arc
//! without looking at the others.

use std::collections::BTreeMap;
use std::ops::Bound;

use ndarray::{ArrayView1, ArrayView2};

use super::vector_id;

/// The vectors one node holds (its primaries, or its replicas), as rows of
/// one contiguous block of `f32`.
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
    data: Vec<f32>,
    /// (position, serial) -> row. Removing a row moves the last row into its
    /// place, so rows stay contiguous and a removal costs a lookup, not a shift.
    index: BTreeMap<(u64, u32), u32>,
}

impl Shard {
    pub(crate) fn new(dimension: usize) -> Shard {
        Shard {
            dimension,
            ..Shard::default()
        }
    }

    pub(crate) fn push(&mut self, serial: u32, position: u64, vector: &[f32]) {
        debug_assert_eq!(vector.len(), self.dimension);
        let row = u32::try_from(self.serials.len()).expect("a shard holds fewer than 2^32 rows");
        let previous = self.index.insert((position, serial), row);
        debug_assert!(previous.is_none(), "a shard holds a vector once");
        self.serials.push(serial);
        self.positions.push(position);
        self.data.extend_from_slice(vector);
    }

    /// Makes room for `rows` more rows, exactly.
    pub(crate) fn reserve(&mut self, rows: usize) {
        self.serials.reserve_exact(rows);
        self.positions.reserve_exact(rows);
        self.data.reserve_exact(rows * self.dimension);
    }

    pub(crate) fn contains(&self, serial: u32, position: u64) -> bool {
        self.index.contains_key(&(position, serial))
    }

    /// Copies a vector's data into `out`; false if the shard does not hold it.
    pub(crate) fn copy_out(&self, serial: u32, position: u64, out: &mut Vec<f32>) -> bool {
        match self.index.get(&(position, serial)) {
            Some(&row) => {
                out.clear();
                out.extend_from_slice(self.row(row as usize));
                true
            }
            None => false,
        }
    }

    /// Removes a vector; false if the shard does not hold it.
    pub(crate) fn remove(&mut self, serial: u32, position: u64) -> bool {
        let Some(row) = self.index.remove(&(position, serial)) else {
            return false;
        };
        let row = row as usize;
        let last = self.serials.len() - 1;
        if row != last {
            let (moved_serial, moved_position) = (self.serials[last], self.positions[last]);
            self.serials[row] = moved_serial;
            self.positions[row] = moved_position;
            let dimension = self.dimension;
            self.data
                .copy_within(last * dimension..(last + 1) * dimension, row * dimension);
            *self
                .index
                .get_mut(&(moved_position, moved_serial))
                .expect("every row is indexed") = row as u32;
        }
        self.serials.truncate(last);
        self.positions.truncate(last);
        self.data.truncate(last * self.dimension);
        true
    }

    /// The (position, serial) of every vector on the arc after `start` up to
    /// and including `end`, wrapping past `u64::MAX`; the whole circle when
    /// `whole` is set.
    pub(crate) fn keys_on_arc(&self, start: u64, end: u64, whole: bool) -> Vec<(u64, u32)> {
        self.on_arc(start, end, whole).collect()
    }

    /// How many vectors lie on an arc, as [`Shard::keys_on_arc`] would list.
    pub(crate) fn count_on_arc(&self, start: u64, end: u64, whole: bool) -> usize {
        if whole {
            return self.len();
        }
        self.on_arc(start, end, whole).count()
    }

    /// The index keys on an arc, by one or (when it wraps) two range scans.
    fn on_arc(&self, start: u64, end: u64, whole: bool) -> impl Iterator<Item = (u64, u32)> + '_ {
        let after = (Bound::Excluded((start, u32::MAX)), Bound::Unbounded);
        let up_to = (Bound::Unbounded, Bound::Included((end, u32::MAX)));
        let (first, second) = if whole {
            (self.index.range(..), None)
        } else if start < end {
            (self.index.range((after.0, up_to.1)), None)
        } else {
            (self.index.range(after), Some(self.index.range(up_to)))
        };
        first
            .chain(second.into_iter().flatten())
            .map(|(key, _)| *key)
    }

    pub(crate) fn row(&self, index: usize) -> &[f32] {
        &self.data[index * self.dimension..(index + 1) * self.dimension]
    }

    pub(crate) fn row_of(&self, serial: u32, position: u64) -> Option<usize> {
        self.index.get(&(position, serial)).map(|&row| row as usize)
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

    /// All vectors held, one per row, without copying.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(3)?;
    /// assert_eq!(db.unassigned().vectors().nrows(), 3);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn vectors(&self) -> ArrayView2<'_, f32> {
        ArrayView2::from_shape((self.len(), self.dimension), &self.data)
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
            shard.push(serial as u32, position, &[serial as f32, -(serial as f32)]);
        }
        shard
    }

    #[test]
    fn removal_keeps_rows_contiguous_and_the_index_right() {
        let mut shard = shard_with(&[50, 10, 30, 20]);
        assert!(shard.remove(1, 10));
        assert!(!shard.remove(1, 10), "already gone");
        assert_eq!(shard.serials(), [0, 3, 2]);
        assert_eq!(shard.vector(1).unwrap().to_vec(), [3.0, -3.0]);
        assert_eq!(shard.row_of(3, 20), Some(1));
        assert!(shard.remove(3, 20) && shard.remove(0, 50) && shard.remove(2, 30));
        assert!(shard.is_empty() && shard.vectors().is_empty());
    }

    #[test]
    fn arcs_select_by_position_and_wrap() {
        let shard = shard_with(&[5, 10, 15, u64::MAX]);
        let serials = |keys: Vec<(u64, u32)>| keys.into_iter().map(|(_, s)| s).collect::<Vec<_>>();
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
        assert_eq!(serials(shard.keys_on_arc(10, 10, true)).len(), 4);
        assert_eq!(
            serials(shard.keys_on_arc(u64::MAX, 4, false)),
            Vec::<u32>::new()
        );
    }
}
