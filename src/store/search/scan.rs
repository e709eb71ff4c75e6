//! Scatter-gather: the primary rows of every shard cut into equal parts,
//! one per thread; each thread shortlists its part for every query; the
//! threads' partial results are merged by the caller.

use std::thread;

use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, ArrayView2, Axis};

use super::kernel::{Kernel, margin, rows_above, score};
use super::shortlist::Shortlist;
use crate::store::Shard;

/// Rows scored per matrix product in a batch: 1,024 rows of 256 `f32` are
/// 1 MiB, which stays in a core's L2 cache while every query meets it.
const BATCH_ROWS: usize = 1024;

/// Rows scored at a time for one query, against the shortlist's floor as
/// it stood before them.
const SCORED_ROWS: usize = 256;

/// Fewer rows than this per thread and a thread costs more to start than it
/// saves.
pub(super) const MIN_ROWS_PER_THREAD: usize = 1024;

/// Consecutive rows and their serial numbers.
#[derive(Debug, Clone, Copy)]
pub(super) struct Segment<'a> {
    rows: &'a [f32],
    serials: &'a [u32],
}

impl<'a> Segment<'a> {
    fn len(&self) -> usize {
        self.serials.len()
    }

    /// The rows in runs of at most `rows` rows, each with its serials.
    fn runs(&self, rows: usize, dimension: usize) -> impl Iterator<Item = (&'a [f32], &'a [u32])> {
        self.rows
            .chunks(rows * dimension)
            .zip(self.serials.chunks(rows))
    }
}

/// Every row of `shards`, as the segments their blocks hold.
pub(super) fn segments<'a>(shards: impl Iterator<Item = &'a Shard>) -> Vec<Segment<'a>> {
    let mut segments = Vec::new();
    for shard in shards {
        let mut serials = shard.serials();
        for rows in shard.slices() {
            let count = rows.len() / shard.dimension();
            let (these, rest) = serials.split_at(count);
            if count > 0 {
                segments.push(Segment {
                    rows,
                    serials: these,
                });
            }
            serials = rest;
        }
    }
    segments
}

/// `segments` cut into at most `parts` runs of nearly equal rows, in order.
pub(super) fn split<'a>(
    segments: &[Segment<'a>],
    parts: usize,
    dimension: usize,
) -> Vec<Vec<Segment<'a>>> {
    let total: usize = segments.iter().map(Segment::len).sum();
    let per_part = total.div_ceil(parts.max(1)).max(1);
    let mut split = vec![Vec::new()];
    let mut room = per_part;
    for segment in segments {
        let mut segment = *segment;
        while segment.len() > 0 {
            if room == 0 {
                split.push(Vec::new());
                room = per_part;
            }
            let taken = segment.len().min(room);
            let (rows, rest_rows) = segment.rows.split_at(taken * dimension);
            let (serials, rest_serials) = segment.serials.split_at(taken);
            split
                .last_mut()
                .expect("never empty")
                .push(Segment { rows, serials });
            segment = Segment {
                rows: rest_rows,
                serials: rest_serials,
            };
            room -= taken;
        }
    }
    split
}

/// `work` on each part, the first on this thread and the others on threads
/// of their own, results in the parts' order. A part whose thread cannot
/// be started runs here too.
pub(super) fn scatter<'a, T: Send>(
    parts: &[Vec<Segment<'a>>],
    work: impl Fn(&[Segment<'a>]) -> T + Sync,
) -> Vec<T> {
    let Some((first, others)) = parts.split_first() else {
        return Vec::new();
    };
    let work = &work;
    thread::scope(|scope| {
        let spawned: Vec<_> = others
            .iter()
            .map(|part| {
                thread::Builder::new()
                    .name("elastic-vdb search".into())
                    .spawn_scoped(scope, move || work(part))
                    .map_err(|_| part)
            })
            .collect();
        let mut results = vec![work(first)];
        for handle in spawned {
            results.push(match handle {
                Ok(handle) => handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                Err(part) => work(part),
            });
        }
        results
    })
}

/// One query's candidates over a part, scored again: `(score, serial)`.
pub(super) fn one_query(
    part: &[Segment<'_>],
    query: &[f32],
    k: usize,
    kernel: Kernel,
) -> Vec<(f32, u32)> {
    let dimension = query.len();
    let mut list = Shortlist::new(k, kernel_margin(kernel, dimension));
    let mut passed = Vec::new();
    for segment in part {
        for (rows, serials) in segment.runs(SCORED_ROWS, dimension) {
            passed.clear();
            rows_above(kernel, rows, query, list.floor(), &mut passed);
            for &(index, fast) in &passed {
                let index = index as usize;
                list.offer(
                    fast,
                    &rows[index * dimension..(index + 1) * dimension],
                    serials[index],
                );
            }
        }
    }
    list.rescored(query)
}

/// Every query's candidates over a part, scored again. `queries` holds one
/// unit query per row.
pub(super) fn many_queries(
    part: &[Segment<'_>],
    queries: ArrayView2<'_, f32>,
    k: usize,
    kernel: Kernel,
) -> Vec<Vec<(f32, u32)>> {
    let dimension = queries.ncols();
    let margin = kernel_margin(kernel, dimension);
    let mut lists: Vec<Shortlist<'_>> = (0..queries.nrows())
        .map(|_| Shortlist::new(k, margin))
        .collect();
    match kernel {
        Kernel::Simd => {
            let mut scores = Array2::<f32>::zeros((queries.nrows(), BATCH_ROWS));
            for segment in part {
                for (block, serials) in segment.runs(BATCH_ROWS, dimension) {
                    let rows = ArrayView2::from_shape((serials.len(), dimension), block)
                        .expect("a block is rows x dimension");
                    let (mut scores, _) = scores.view_mut().split_at(Axis(1), serials.len());
                    general_mat_mul(1.0, &queries, &rows.t(), 0.0, &mut scores);
                    for (list, fast) in lists.iter_mut().zip(scores.rows()) {
                        let rows = block.chunks_exact(dimension).zip(serials);
                        for (&fast, (row, &serial)) in fast.iter().zip(rows) {
                            list.offer(fast, row, serial);
                        }
                    }
                }
            }
        }
        Kernel::Portable => {
            for segment in part {
                for (row, &serial) in segment.rows.chunks_exact(dimension).zip(segment.serials) {
                    for (list, query) in lists.iter_mut().zip(queries.rows()) {
                        let query = query
                            .as_slice()
                            .expect("queries are rows of a standard array");
                        list.offer(score(row, query), row, serial);
                    }
                }
            }
        }
    }
    lists
        .into_iter()
        .zip(queries.rows())
        .map(|(list, query)| list.rescored(query.as_slice().expect("a standard array")))
        .collect()
}

/// The portable kernel's fast score is the reference score itself.
fn kernel_margin(kernel: Kernel, dimension: usize) -> f32 {
    match kernel {
        Kernel::Simd => margin(dimension),
        Kernel::Portable => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_cuts_equal_runs_across_segments() {
        let rows: Vec<f32> = (0..20).map(|i| i as f32).collect();
        let serials: Vec<u32> = (0..10).collect();
        // Two shards' blocks: 3 rows and 7 rows of two components.
        let segments = [
            Segment {
                rows: &rows[..6],
                serials: &serials[..3],
            },
            Segment {
                rows: &rows[6..],
                serials: &serials[3..],
            },
        ];
        let lengths = |parts: usize| -> Vec<Vec<usize>> {
            split(&segments, parts, 2)
                .iter()
                .map(|part| part.iter().map(Segment::len).collect())
                .collect()
        };
        assert_eq!(lengths(1), [vec![3, 7]]);
        assert_eq!(lengths(2), [vec![3, 2], vec![5]]);
        assert_eq!(lengths(3), [vec![3, 1], vec![4], vec![2]]);
        assert_eq!(lengths(10), vec![vec![1]; 10]);
        assert_eq!(lengths(20).len(), 10, "never an empty part");
        // Rows travel with their serials.
        for part in split(&segments, 3, 2) {
            for segment in part {
                for (row, serial) in segment.rows.chunks_exact(2).zip(segment.serials) {
                    assert_eq!(row[0], 2.0 * *serial as f32);
                }
            }
        }
        let nothing = split(&[], 4, 2);
        assert!(nothing.len() == 1 && nothing[0].is_empty());
    }
}
