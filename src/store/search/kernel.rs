//! The arithmetic of a search: the reference score every result carries,
//! the fast kernels that shortlist candidates, and how far apart the two
//! can be.
//!
//! A result's score is always the reference [`score`], computed the same
//! way on every machine, so a search gives the same numbers on a laptop
//! without AVX and on a server with AVX-512. The fast kernels (pulp's
//! runtime-dispatched SIMD for one query, matrixmultiply's blocked product
//! for a batch) sum in other orders; they only decide which rows are worth
//! scoring again, within [`margin`] of the reference.

use pulp::{Arch, Simd, WithSimd};

/// Which arithmetic ranks the rows before the candidates are scored again
/// with the reference sum. Both give the same results, scores included;
/// only the time differs.
///
/// ```
/// use elastic_vdb::{Kernel, SearchOptions};
///
/// assert_eq!(SearchOptions::default().kernel, Kernel::Simd);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kernel {
    /// The widest instructions this CPU has, chosen when the program runs
    /// (AVX-512, AVX2 with FMA, NEON, or plain code): for one query a dot
    /// product in eight running sums, compiled for each instruction set and
    /// inlined into the scan; for a batch matrixmultiply's blocked matrix
    /// product.
    #[default]
    Simd,
    /// Plain Rust, one row and one query at a time: the reference sum
    /// itself, on any target.
    Portable,
}

/// Appends to `passed` the index and score of every row of `rows` (rows of
/// `query.len()` components) whose score by `kernel` against `query` is at
/// least `floor`.
pub(super) fn rows_above(
    kernel: Kernel,
    rows: &[f32],
    query: &[f32],
    floor: f32,
    passed: &mut Vec<(u32, f32)>,
) {
    if query.is_empty() {
        // A store's dimension is at least 1: no rows of length 0 exist.
        return;
    }
    match kernel {
        Kernel::Simd => Arch::new().dispatch(Scan {
            rows,
            query,
            floor,
            passed,
            prefetch: Prefetch::new(),
        }),
        Kernel::Portable => {
            for (index, row) in (0..).zip(rows.chunks_exact(query.len())) {
                let score = score(row, query);
                if score >= floor {
                    passed.push((index, score));
                }
            }
        }
    }
}

/// One query against many rows, compiled for each instruction set pulp
/// knows. The rows' loop sits inside, so that the dot product inlines, and
/// compares each score with the floor there: a call back per row could not
/// be inlined into code compiled for other instructions, and writing every
/// score out to be compared later cost a tenth of the scan.
struct Scan<'s> {
    rows: &'s [f32],
    query: &'s [f32],
    floor: f32,
    passed: &'s mut Vec<(u32, f32)>,
    prefetch: Prefetch,
}

/// How many rows ahead of the one being scored the scan asks for: the
/// hardware's own prefetcher stops at each 4 KiB page, and asking four
/// rows ahead read 1M x 256 rows 6% faster (65 ms against 69, interleaved).
const PREFETCH_ROWS: usize = 4;

/// A hint to the CPU to start loading memory it will soon read, through
/// pulp's safe wrapper of the SSE prefetch instruction (a prefetch reads nothing and
/// cannot fault, whatever the address). Nothing on other processors.
#[derive(Debug, Clone, Copy)]
struct Prefetch {
    #[cfg(target_arch = "x86_64")]
    sse: Option<pulp::core_arch::x86::Sse>,
}

impl Prefetch {
    fn new() -> Prefetch {
        Prefetch {
            #[cfg(target_arch = "x86_64")]
            sse: pulp::core_arch::x86::Sse::try_new(),
        }
    }

    /// Asks for the `length` components from `start` on, one cache line
    /// (16 `f32`) at a time.
    #[inline(always)]
    #[cfg_attr(not(target_arch = "x86_64"), allow(unused_variables))]
    fn ask(self, start: *const f32, length: usize) {
        #[cfg(target_arch = "x86_64")]
        if let Some(sse) = self.sse {
            for line in (0..length).step_by(16) {
                sse._mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(
                    start.wrapping_add(line).cast(),
                );
            }
        }
    }
}

impl WithSimd for Scan<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) {
        // The common embedding sizes get a loop whose row length the
        // compiler knows, unrolled in full: at 256 dimensions that read the
        // rows a tenth faster than the same loop with the length in a
        // variable (BENCHMARKS.md, P5).
        match self.query.len() {
            128 => scan_rows::<S, 128>(simd, self),
            256 => scan_rows::<S, 256>(simd, self),
            384 => scan_rows::<S, 384>(simd, self),
            512 => scan_rows::<S, 512>(simd, self),
            768 => scan_rows::<S, 768>(simd, self),
            1024 => scan_rows::<S, 1024>(simd, self),
            1536 => scan_rows::<S, 1536>(simd, self),
            _ => scan_rows::<S, 0>(simd, self),
        }
    }
}

/// The rows against the query; `DIMENSION` is the query's length, or 0 for
/// a length known only at run time.
#[inline(always)]
fn scan_rows<S: Simd, const DIMENSION: usize>(simd: S, scan: Scan<'_>) {
    let dimension = if DIMENSION == 0 {
        scan.query.len()
    } else {
        DIMENSION
    };
    let query = S::as_simd_f32s(&scan.query[..dimension]);
    for (index, row) in (0..).zip(scan.rows.chunks_exact(dimension)) {
        // Past the last rows this names memory the slice does not hold:
        // harmless for a hint, and the address is only computed, never read.
        scan.prefetch.ask(
            row.as_ptr().wrapping_add(PREFETCH_ROWS * dimension),
            dimension,
        );
        let score = simd_dot(simd, S::as_simd_f32s(row), query).clamp(-1.0, 1.0);
        if score >= scan.floor {
            scan.passed.push((index, score));
        }
    }
}

/// A dot product in eight running sums of SIMD registers (one sum waits on
/// the latency of each fused multiply-add; eight keep the core fed), then
/// the components that do not fill a register.
#[inline(always)]
fn simd_dot<S: Simd>(
    simd: S,
    (row, row_tail): (&[S::f32s], &[f32]),
    (query, query_tail): (&[S::f32s], &[f32]),
) -> f32 {
    const SUMS: usize = 8;
    let mut sums = [simd.splat_f32s(0.0); SUMS];
    let (rows, queries) = (row.chunks_exact(SUMS), query.chunks_exact(SUMS));
    for (&r, &q) in rows.remainder().iter().zip(queries.remainder()) {
        sums[0] = simd.mul_add_e_f32s(r, q, sums[0]);
    }
    for (r, q) in rows.zip(queries) {
        for lane in 0..SUMS {
            sums[lane] = simd.mul_add_e_f32s(r[lane], q[lane], sums[lane]);
        }
    }
    let total = sums[1..]
        .iter()
        .fold(sums[0], |total, &sum| simd.add_f32s(total, sum));
    let tail: f32 = row_tail.iter().zip(query_tail).map(|(x, y)| x * y).sum();
    simd.reduce_sum_f32s(total) + tail
}

/// The reference cosine similarity of a stored unit vector and a unit
/// query: their dot product summed in 16 lanes, held to -1..=1 (rounding
/// can take a vector's score against itself to 1.0000001). Held before
/// ranking, so that ties are broken the same way everywhere.
#[inline]
pub(super) fn score(row: &[f32], query: &[f32]) -> f32 {
    dot(row, query).clamp(-1.0, 1.0)
}

/// The dot product of two equally long slices, summed in 16 lanes so that
/// the compiler keeps several vector registers busy.
#[inline]
pub(super) fn dot(a: &[f32], b: &[f32]) -> f32 {
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

/// How far a fast kernel's dot product of two unit vectors of `dimension`
/// components can be from the reference sum's.
///
/// In `f32` arithmetic (unit roundoff u = `EPSILON / 2`) a dot product of n
/// terms summed in any order, with or without fused multiply-adds, is within
/// γₙ·Σ|aᵢbᵢ| of the exact value, where γₙ = nu / (1 - nu), and Σ|aᵢbᵢ| is
/// at most the product of the two norms. Two such sums are at most twice
/// that apart. The stored vectors and the query are unit vectors up to
/// their own rounding, (n + 2)·EPSILON at most. The bound below is that,
/// plus u for the subtraction that sets a shortlist's floor, doubled for
/// safety: about 6e-5 at 256 dimensions.
pub(super) fn margin(dimension: usize) -> f32 {
    let n = dimension as f64;
    let epsilon = f64::from(f32::EPSILON);
    let norm = 1.0 + (n + 2.0) * epsilon;
    let gamma = (n * epsilon / 2.0) / (1.0 - n * epsilon / 2.0);
    let bound = 2.0 * gamma * norm * norm + epsilon / 2.0;
    (2.0 * bound) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast score `kernel` gives one row.
    fn fast(kernel: Kernel, row: &[f32], query: &[f32]) -> f32 {
        let mut passed = Vec::new();
        rows_above(kernel, row, query, f32::NEG_INFINITY, &mut passed);
        passed[0].1
    }

    fn pattern(length: usize, a: usize, b: usize, shift: f32, scale: f32) -> Vec<f32> {
        (0..length)
            .map(|i| ((i * a % b) as f32 - shift) / scale)
            .collect()
    }

    /// The SIMD kernel and the reference sum against a plain sum in f64, at
    /// every length from one through several lanes and a remainder. The
    /// SIMD kernel's score is held to -1..=1 like every score.
    #[test]
    fn both_kernels_match_a_plain_sum() {
        for length in 1..=70usize {
            let a = pattern(length, 37, 11, 5.0, 3.0);
            let b = pattern(length, 53, 7, 3.0, 2.0);
            let plain: f64 = a
                .iter()
                .zip(&b)
                .map(|(x, y)| f64::from(*x) * f64::from(*y))
                .sum();
            for (name, sum, expected) in [
                ("simd", fast(Kernel::Simd, &a, &b), plain.clamp(-1.0, 1.0)),
                ("reference", dot(&a, &b), plain),
            ] {
                let sum = f64::from(sum);
                assert!(
                    (sum - expected).abs() <= 1e-4 * (1.0 + expected.abs()),
                    "{name}, length {length}: {sum} vs {expected}"
                );
            }
        }
    }

    /// The margin holds between the two kernels on unit vectors at
    /// dimensions from 1 to 4096 (every size with a loop of its own among
    /// them), with room to spare, and is small enough to shortlist few rows.
    #[test]
    fn the_kernels_differ_by_less_than_the_margin() {
        for dimension in [
            1, 2, 3, 15, 16, 17, 100, 128, 256, 384, 512, 768, 1000, 1024, 1536, 4096,
        ] {
            let unit = |seed: usize| {
                let mut v = pattern(dimension, 7919 + seed, 104_729, 52_364.0, 1.0);
                let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt() + 1e-12;
                v.iter_mut().for_each(|x| *x /= norm);
                v
            };
            let query = unit(0);
            let mut worst = 0f32;
            for seed in 1..50 {
                let row = unit(seed);
                let gap =
                    (fast(Kernel::Simd, &row, &query) - fast(Kernel::Portable, &row, &query)).abs();
                worst = worst.max(gap);
            }
            assert!(
                worst <= margin(dimension) / 4.0,
                "{dimension}: {worst} vs {}",
                margin(dimension)
            );
        }
        assert!(margin(256) < 1e-4);
        assert!(margin(1) > 0.0);
    }
}
