//! Exact top-k cosine similarity, scatter-gathered over the shards.

use crate::error::{Error, SearchError, StoreError};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::{Key, Shard, VectorStore, vector_id};
use crate::hash::key_position;

/// One search result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The vector's id, e.g. `vec_000042`.
    pub id: String,
    /// Its serial number.
    pub serial: u32,
    /// Cosine similarity to the query, from -1 to 1 inclusive.
    pub score: f32,
}

/// Best first; equal scores by serial number, so results are stable.
fn better(a: &(f32, u32), b: &(f32, u32)) -> Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
}

/// The `k` best of `scored`, best first.
fn top_k(mut scored: Vec<(f32, u32)>, k: usize) -> Vec<(f32, u32)> {
    if scored.len() > k {
        scored.select_nth_unstable_by(k - 1, better);
        scored.truncate(k);
    }
    scored.sort_unstable_by(better);
    scored
}

/// A shard's local top-k: one pass over its rows, keeping the `k` best
/// seen so far in a heap whose top is the worst of them, so that most rows
/// cost one comparison after their dot product.
fn shard_top_k(shard: &Shard, query: &[f32], k: usize) -> Vec<(f32, u32)> {
    let mut kept: BinaryHeap<Ranked> = BinaryHeap::with_capacity(k.min(shard.len()) + 1);
    let rows = shard.blocks().flat_map(|block| {
        block
            .to_slice()
            .expect("a block is contiguous")
            .chunks_exact(query.len())
    });
    for (row, &serial) in rows.zip(shard.serials()) {
        let candidate = Ranked((score(row, query), serial));
        if kept.len() < k {
            kept.push(candidate);
        } else if let Some(mut worst) = kept.peek_mut()
            && candidate < *worst
        {
            *worst = candidate;
        }
    }
    let mut best: Vec<(f32, u32)> = kept.into_iter().map(|ranked| ranked.0).collect();
    best.sort_unstable_by(better);
    best
}

/// A score and serial ordered by [`better`]: the better is the smaller, so
/// a max-heap of them keeps its worst on top.
#[derive(Debug, Clone, Copy)]
struct Ranked((f32, u32));

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Ranked {}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        better(&self.0, &other.0)
    }
}

/// The cosine similarity of a stored unit vector and a unit query: their
/// dot product, held to -1..=1 (rounding can take a vector's score against
/// itself to 1.0000001). Held before ranking, so that ties are broken the
/// same way everywhere.
#[inline]
fn score(row: &[f32], query: &[f32]) -> f32 {
    dot(row, query).clamp(-1.0, 1.0)
}

/// The dot product of two equally long slices, summed in 16 lanes so that
/// the compiler keeps several vector registers busy; the scan over a shard
/// is then bound by memory bandwidth, not by the latency of one running sum
/// (ndarray's matrix-vector product, without a BLAS, used one).
#[inline]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    const LANES: usize = 16;
    let mut lanes = [0f32; LANES];
    let (a_blocks, b_blocks) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail: f32 = a_blocks
        .remainder()
        .iter()
        .zip(b_blocks.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in a_blocks.zip(b_blocks) {
        for lane in 0..LANES {
            lanes[lane] += x[lane] * y[lane];
        }
    }
    lanes.iter().sum::<f32>() + tail
}

impl VectorStore {
    /// The `k` stored vectors most similar to `query` by cosine similarity,
    /// best first. Every shard computes its own top `k` over its primaries
    /// (so each vector counts once, however many replicas it has), and the
    /// partial results are merged.
    ///
    /// ```
    /// use elastic_vdb::{StoreConfig, VectorStore};
    ///
    /// let mut db = VectorStore::new(StoreConfig { dimension: 3, ..Default::default() })?;
    /// db.add_vectors(100)?;
    /// db.add_node("a")?;
    /// db.add_node("b")?;
    /// let hits = db.search(&[1.0, 0.0, 0.0], 5)?;
    /// assert_eq!(hits.len(), 5);
    /// assert!(hits.windows(2).all(|pair| pair[0].score >= pair[1].score));
    /// assert_eq!(db.search(&[1.0, 0.0], 5).unwrap_err().to_string(),
    ///            "query has 2 components; the store's vectors have 3");
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn search(&self, query: &[f32], k: usize) -> Result<Vec<Hit>, Error> {
        let query = self.normalized_query(query, k)?;
        let partial: Vec<(f32, u32)> = self
            .primary_shards()
            .flat_map(|shard| shard_top_k(shard, &query, k))
            .collect();
        Ok(hits(top_k(partial, k)))
    }

    /// The `k` vectors most similar to the stored vector `id` (which comes
    /// first, with score 1).
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(500)?;
    /// db.add_node("a")?;
    /// let hits = db.search_by_id("vec_000042", 3)?;
    /// assert_eq!(hits[0].id, "vec_000042");
    /// assert!((hits[0].score - 1.0).abs() < 1e-5);
    /// assert!(db.search_by_id("vec_999999", 3).is_err());
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn search_by_id(&self, id: &str, k: usize) -> Result<Vec<Hit>, Error> {
        let vector = self
            .vector_by_id(id)
            .ok_or_else(|| Error::Store(StoreError::UnknownVector(id.to_owned())))?;
        self.search(&vector, k)
    }

    /// The same answer as [`VectorStore::search`], computed the slow, obvious
    /// way: every vector scored one at a time, all of them sorted. It scores
    /// with the same arithmetic and breaks ties by the same rule (higher
    /// score, then lower serial), so the two agree exactly, ties included;
    /// tests compare them.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(300)?;
    /// db.add_node("a")?;
    /// db.add_node("b")?;
    /// let fast = db.search_by_id("vec_000001", 10)?;
    /// let slow = db.brute_force_search(&db.vector_by_id("vec_000001").unwrap(), 10)?;
    /// assert_eq!(fast.iter().map(|h| &h.id).collect::<Vec<_>>(), slow.iter().map(|h| &h.id).collect::<Vec<_>>());
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn brute_force_search(&self, query: &[f32], k: usize) -> Result<Vec<Hit>, Error> {
        let query = self.normalized_query(query, k)?;
        let mut scored = Vec::with_capacity(self.len());
        for shard in self.primary_shards() {
            for (row, &serial) in shard.serials().iter().enumerate() {
                scored.push((score(shard.row(row), &query), serial));
            }
        }
        scored.sort_unstable_by(better);
        scored.truncate(k);
        Ok(hits(scored))
    }

    /// A stored vector's components, by id.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(1)?;
    /// assert_eq!(db.vector_by_id("vec_000000").unwrap().len(), 256);
    /// assert!(db.vector_by_id("nope").is_none());
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn vector_by_id(&self, id: &str) -> Option<Vec<f32>> {
        let serial: u32 = id.strip_prefix("vec_")?.parse().ok()?;
        if vector_id(serial) != id {
            return None;
        }
        let position = key_position(id);
        let shard = match self.ring.owner_of_position(position) {
            Some(owner) => self.primaries.get(owner)?,
            None => &self.unassigned,
        };
        let row = shard.row_of(Key { position, serial })?;
        Some(shard.row(row).to_vec())
    }

    fn normalized_query(&self, query: &[f32], k: usize) -> Result<Vec<f32>, Error> {
        if k == 0 {
            return Err(Error::Search(SearchError::ZeroK));
        }
        if query.len() != self.config.dimension {
            return Err(Error::Search(SearchError::QueryDimension {
                expected: self.config.dimension,
                got: query.len(),
            }));
        }
        if let Some((index, &value)) = query.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(Error::Search(SearchError::NonFiniteQuery { index, value }));
        }
        // Scaled by the largest component first: the squares of 1e-23 or
        // of 3e19 under- or overflow f32, and such a query still has a
        // direction. After scaling the largest component is 1, so the sum of
        // squares lies between 1 and the dimension.
        let largest = query.iter().fold(0f32, |largest, x| largest.max(x.abs()));
        if largest == 0.0 {
            return Err(Error::Search(SearchError::ZeroQuery));
        }
        let mut unit: Vec<f32> = query.iter().map(|x| x / largest).collect();
        let norm = unit.iter().map(|x| x * x).sum::<f32>().sqrt();
        unit.iter_mut().for_each(|x| *x /= norm);
        Ok(unit)
    }
}

fn hits(scored: Vec<(f32, u32)>) -> Vec<Hit> {
    scored
        .into_iter()
        .map(|(score, serial)| Hit {
            id: vector_id(serial),
            serial,
            score,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The 16-lane dot product against a plain sum in f64, at every length
    /// from empty through several lanes and a remainder (searches at the
    /// tests' small dimensions never reach the lanes).
    #[test]
    fn dot_matches_a_plain_sum() {
        for length in 0..=70usize {
            let a: Vec<f32> = (0..length)
                .map(|i| ((i * 37 % 11) as f32 - 5.0) / 3.0)
                .collect();
            let b: Vec<f32> = (0..length)
                .map(|i| ((i * 53 % 7) as f32 - 3.0) / 2.0)
                .collect();
            let plain: f64 = a
                .iter()
                .zip(&b)
                .map(|(x, y)| f64::from(*x) * f64::from(*y))
                .sum();
            let fast = f64::from(dot(&a, &b));
            assert!(
                (fast - plain).abs() <= 1e-4 * (1.0 + plain.abs()),
                "length {length}: {fast} vs {plain}"
            );
        }
    }

    /// Search at a dimension that fills the lanes ranks by the true cosine:
    /// checked against scores computed independently in f64.
    #[test]
    fn search_ranks_by_the_true_cosine() -> Result<(), crate::Error> {
        let mut db = VectorStore::new(crate::StoreConfig {
            dimension: 40,
            ..crate::StoreConfig::default()
        })?;
        db.add_vectors(400)?;
        db.add_node("a")?;
        db.add_node("b")?;
        let query: Vec<f32> = (0..40).map(|i| (i as f32 * 0.7).sin()).collect();
        let norm = query
            .iter()
            .map(|x| f64::from(*x).powi(2))
            .sum::<f64>()
            .sqrt();
        let cosine = |id: &str| -> f64 {
            let vector = db.vector_by_id(id).expect("held");
            vector
                .iter()
                .zip(&query)
                .map(|(v, q)| f64::from(*v) * f64::from(*q))
                .sum::<f64>()
                / norm
        };
        let hits = db.search(&query, 400)?;
        assert_eq!(hits.len(), 400);
        for hit in &hits {
            assert!(
                (f64::from(hit.score) - cosine(&hit.id)).abs() < 1e-5,
                "{hit:?}"
            );
        }
        let mut best: Vec<(f64, String)> = hits
            .iter()
            .map(|hit| (cosine(&hit.id), hit.id.clone()))
            .collect();
        best.sort_by(|a, b| b.0.total_cmp(&a.0));
        assert_eq!(hits[0].id, best[0].1);
        assert!(hits.windows(2).all(|pair| pair[0].score >= pair[1].score));
        Ok(())
    }

    #[test]
    fn top_k_orders_by_score_then_serial() {
        let scored = vec![(0.5, 3), (0.9, 7), (0.5, 1), (-1.0, 0), (0.9, 2)];
        assert_eq!(top_k(scored.clone(), 3), [(0.9, 2), (0.9, 7), (0.5, 1)]);
        assert_eq!(top_k(scored, 10).len(), 5);
    }
}
