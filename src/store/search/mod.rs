//! Exact top-k cosine similarity, scatter-gathered over the shards.
//!
//! The primary rows of all shards are cut into equal parts, one per thread
//! ([`scan`]); each thread ranks its rows for every query with a fast kernel
//! and keeps a shortlist ([`shortlist`]); the shortlisted rows are scored
//! again with the reference sum ([`kernel`]) and merged. The results are
//! those of [`VectorStore::brute_force_search`] exactly, whatever the
//! kernel, the number of threads or the CPU.

mod kernel;
mod scan;
mod shortlist;

use crate::error::{Error, MAX_SEARCH_THREADS, SearchError, StoreError};
use std::cmp::Ordering;

use ndarray::Array2;

use super::{Key, VectorStore, vector_id};
use crate::hash::key_position;
pub use kernel::Kernel;
use kernel::score;

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

/// How a search is carried out (never what it finds): how many threads
/// scan the shards, and which [`Kernel`] ranks the rows. The default uses
/// every core the operating system offers and the SIMD kernels.
///
/// ```
/// use elastic_vdb::{Kernel, SearchOptions, VectorStore};
///
/// let mut db = VectorStore::default();
/// db.add_vectors(3000)?;
/// db.add_node("a")?;
/// db.add_node("b")?;
/// let query = db.vector_by_id("vec_000007").unwrap();
/// let one = SearchOptions { threads: 1, kernel: Kernel::Portable };
/// let two = SearchOptions { threads: 2, ..SearchOptions::default() };
/// assert_eq!(db.search_with(&query, 5, one)?, db.search_with(&query, 5, two)?);
/// # Ok::<(), elastic_vdb::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchOptions {
    /// Threads that scan at once, 1 to [`MAX_SEARCH_THREADS`]. A store
    /// too small to share out uses fewer.
    pub threads: usize,
    /// The arithmetic that ranks rows before the shortlist is rescored.
    pub kernel: Kernel,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            threads: std::thread::available_parallelism()
                .map_or(1, std::num::NonZeroUsize::get)
                .min(MAX_SEARCH_THREADS),
            kernel: Kernel::default(),
        }
    }
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

impl VectorStore {
    /// The `k` stored vectors most similar to `query` by cosine similarity,
    /// best first, equal scores by serial number. Each vector counts once,
    /// however many replicas it has: only primaries are searched. Uses
    /// [`SearchOptions::default`]: every core and the SIMD kernels.
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
        self.search_with(query, k, SearchOptions::default())
    }

    /// [`VectorStore::search`] with the threads and kernel chosen.
    ///
    /// ```
    /// use elastic_vdb::{SearchOptions, VectorStore};
    ///
    /// let mut db = VectorStore::default();
    /// db.add_vectors(200)?;
    /// db.add_node("a")?;
    /// let one_thread = SearchOptions { threads: 1, ..SearchOptions::default() };
    /// assert_eq!(db.search_with(&[0.5; 256], 3, one_thread)?.len(), 3);
    /// let none = SearchOptions { threads: 0, ..SearchOptions::default() };
    /// assert_eq!(db.search_with(&[0.5; 256], 3, none).unwrap_err().to_string(),
    ///            "threads must be between 1 and 256, got 0");
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn search_with(
        &self,
        query: &[f32],
        k: usize,
        options: SearchOptions,
    ) -> Result<Vec<Hit>, Error> {
        check_threads(options.threads)?;
        let query = self.normalized_query(query, k)?;
        // No more results than vectors, however many are asked for.
        let k = k.min(self.len()).max(1);
        let parts = self.parts(options.threads);
        let partial = scan::scatter(&parts, |part| {
            scan::one_query(part, &query, k, options.kernel)
        });
        Ok(hits(top_k(partial.concat(), k)))
    }

    /// The `k` best results of each query, in the order of the queries: the
    /// same as [`VectorStore::search`] on each, computed in one pass over
    /// the shards that scores blocks of rows against all the queries at
    /// once, as a matrix product does.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(500)?;
    /// db.add_node("a")?;
    /// db.add_node("b")?;
    /// let queries = [db.vector_by_id("vec_000001").unwrap(), db.vector_by_id("vec_000002").unwrap()];
    /// let results = db.search_batch(&queries, 4)?;
    /// assert_eq!(results[1], db.search(&queries[1], 4)?);
    /// assert_eq!(results[0][0].id, "vec_000001");
    /// assert_eq!(db.search_batch(&[vec![1.0; 256], vec![0.0; 256]], 4).unwrap_err().to_string(),
    ///            "query 1 of the batch: query is all zeros, so it has no direction to compare");
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn search_batch<Q: AsRef<[f32]>>(
        &self,
        queries: &[Q],
        k: usize,
    ) -> Result<Vec<Vec<Hit>>, Error> {
        self.search_batch_with(queries, k, SearchOptions::default())
    }

    /// [`VectorStore::search_batch`] with the threads and kernel chosen.
    ///
    /// ```
    /// use elastic_vdb::{Kernel, SearchOptions, VectorStore};
    ///
    /// let mut db = VectorStore::default();
    /// db.add_vectors(300)?;
    /// db.add_node("a")?;
    /// let queries = vec![vec![0.5; 256], vec![-0.5; 256]];
    /// let portable = SearchOptions { threads: 1, kernel: Kernel::Portable };
    /// assert_eq!(db.search_batch_with(&queries, 3, portable)?, db.search_batch(&queries, 3)?);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn search_batch_with<Q: AsRef<[f32]>>(
        &self,
        queries: &[Q],
        k: usize,
        options: SearchOptions,
    ) -> Result<Vec<Vec<Hit>>, Error> {
        check_threads(options.threads)?;
        if k == 0 {
            return Err(Error::Search(SearchError::ZeroK));
        }
        let dimension = self.config.dimension;
        let mut units = Array2::<f32>::zeros((queries.len(), dimension));
        for (index, (query, mut unit)) in queries.iter().zip(units.rows_mut()).enumerate() {
            let normalized =
                self.normalized_query(query.as_ref(), k)
                    .map_err(|error| match error {
                        Error::Search(problem) => Error::Search(SearchError::InBatch {
                            query: index,
                            problem: Box::new(problem),
                        }),
                        other => other,
                    })?;
            unit.assign(&ndarray::ArrayView1::from(&normalized));
        }
        if queries.is_empty() {
            return Ok(Vec::new());
        }
        // No more results than vectors, however many are asked for.
        let k = k.min(self.len()).max(1);
        let parts = self.parts(options.threads);
        let partial = scan::scatter(&parts, |part| {
            scan::many_queries(part, units.view(), k, options.kernel)
        });
        let mut merged: Vec<Vec<(f32, u32)>> = vec![Vec::new(); queries.len()];
        for part in partial {
            for (all, mine) in merged.iter_mut().zip(part) {
                all.extend(mine);
            }
        }
        Ok(merged
            .into_iter()
            .map(|scored| hits(top_k(scored, k)))
            .collect())
    }

    /// The primary rows cut into at most `threads` parts, fewer if the
    /// store is too small for each to have [`scan::MIN_ROWS_PER_THREAD`].
    fn parts(&self, threads: usize) -> Vec<Vec<scan::Segment<'_>>> {
        let segments = scan::segments(self.primary_shards());
        let rows = self.len();
        let parts = threads.min(rows / scan::MIN_ROWS_PER_THREAD).max(1);
        scan::split(&segments, parts, self.config.dimension)
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

fn check_threads(threads: usize) -> Result<(), Error> {
    if (1..=MAX_SEARCH_THREADS).contains(&threads) {
        Ok(())
    } else {
        Err(Error::Search(SearchError::Threads(threads)))
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
