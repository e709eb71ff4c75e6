//! One query's candidates: the rows a fast kernel ranked near the top, kept
//! until the end and then scored again with the reference sum.
//!
//! If every row's fast score is less than `margin` from its reference score,
//! a row whose fast score lies more than two margins below the k-th best
//! fast score has k rows strictly better than it by the reference too, so it
//! cannot be among the k best, ties included. [`super::kernel::margin`] is
//! twice the proven bound, which leaves room for the rounding of the
//! subtraction that sets the floor. Fast scores are held to -1..=1 as the
//! reference scores are. Every other row is kept. The
//! k-th best fast score only rises during the scan, so a row dropped early
//! would have been dropped at the end as well.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use super::kernel::score;

/// A fast score, ordered with `total_cmp` so that it can sit in a heap.
#[derive(Debug, Clone, Copy)]
struct Fast(f32);

impl PartialEq for Fast {
    fn eq(&self, other: &Self) -> bool {
        self.0.total_cmp(&other.0) == Ordering::Equal
    }
}

impl Eq for Fast {}

impl PartialOrd for Fast {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Fast {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// The candidates of one query over the rows one thread scans.
#[derive(Debug)]
pub(super) struct Shortlist<'a> {
    k: usize,
    /// Two margins: how far below the k-th best fast score a row may lie
    /// and still be kept. Zero when the fast score is the reference.
    window: f32,
    /// The k best fast scores so far, the lowest on top.
    best: BinaryHeap<Reverse<Fast>>,
    /// Rows kept below `floor` are dropped once this many are kept.
    prune_at: usize,
    /// The lowest fast score a row may have to be kept.
    floor: f32,
    kept: Vec<(f32, &'a [f32], u32)>,
}

impl<'a> Shortlist<'a> {
    pub(super) fn new(k: usize, margin: f32) -> Shortlist<'a> {
        Shortlist {
            k,
            window: 2.0 * margin,
            // Grown as rows come: `k` may be far above the rows there are.
            best: BinaryHeap::new(),
            prune_at: k.saturating_mul(2).saturating_add(64),
            floor: f32::NEG_INFINITY,
            kept: Vec::new(),
        }
    }

    /// The lowest fast score a row may have to be kept.
    pub(super) fn floor(&self) -> f32 {
        self.floor
    }

    /// A row, its serial number and its fast score.
    #[inline]
    pub(super) fn offer(&mut self, fast: f32, row: &'a [f32], serial: u32) {
        // Held to -1..=1 like the reference score, so that the argument
        // above holds at the ends too (clamping never widens a gap).
        let fast = fast.clamp(-1.0, 1.0);
        if fast < self.floor {
            return;
        }
        self.kept.push((fast, row, serial));
        if self.best.len() < self.k {
            self.best.push(Reverse(Fast(fast)));
        } else if let Some(mut lowest) = self.best.peek_mut()
            && fast > lowest.0.0
        {
            *lowest = Reverse(Fast(fast));
        }
        if self.best.len() == self.k {
            let kth = self
                .best
                .peek()
                .map_or(f32::NEG_INFINITY, |lowest| lowest.0.0);
            self.floor = kth - self.window;
        }
        if self.kept.len() >= self.prune_at {
            let floor = self.floor;
            self.kept.retain(|&(fast, ..)| fast >= floor);
            // Many rows tied near the top: let the list grow rather than
            // prune it again at every row.
            self.prune_at = self.prune_at.max(2 * self.kept.len());
        }
    }

    /// The kept rows scored again with the reference sum: their
    /// `(score, serial)` pairs, in no particular order.
    pub(super) fn rescored(self, query: &[f32]) -> Vec<(f32, u32)> {
        let floor = self.floor;
        self.kept
            .into_iter()
            .filter(|&(fast, ..)| fast >= floor)
            .map(|(_, row, serial)| (score(row, query), serial))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::top_k;
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Fast scores off by up to nine tenths of the margin either way
        /// (the margin bounds the error strictly), on reference scores
        /// spaced closer than the margin and often tied: the shortlist,
        /// scored again, is the reference top k exactly.
        #[test]
        fn the_shortlist_finds_the_reference_top_k(
            steps in prop::collection::vec(0u8..20, 0..300),
            errors in prop::collection::vec(-9i8..=9, 300),
            k in 1usize..20,
            prune_at in prop::sample::select(vec![1usize, 7, usize::MAX]),
        ) {
            let margin = 0.01;
            let rows: Vec<[f32; 1]> = steps.iter().map(|&step| [f32::from(step) * 0.004]).collect();
            let mut list = Shortlist::new(k, margin);
            list.prune_at = prune_at;
            for (serial, (row, &error)) in rows.iter().zip(&errors).enumerate() {
                list.offer(row[0] + f32::from(error) * margin / 10.0, row, serial as u32);
            }
            let reference: Vec<(f32, u32)> = rows.iter().zip(0..).map(|(row, serial)| (row[0], serial)).collect();
            prop_assert_eq!(top_k(list.rescored(&[1.0]), k), top_k(reference, k));
        }
    }

    /// With a zero margin the shortlist keeps exactly the rows that can be
    /// among the k best: all those tied with the k-th.
    #[test]
    fn a_zero_margin_keeps_the_ties_at_the_kth_score() {
        let row = [1.0f32];
        let mut list = Shortlist::new(2, 0.0);
        for (serial, fast) in [0.1, 0.9, 0.5, 0.5, 0.2, 0.5].into_iter().enumerate() {
            list.offer(fast, &row, serial as u32);
        }
        let kept: Vec<u32> = list
            .kept
            .iter()
            .filter(|entry| entry.0 >= list.floor)
            .map(|entry| entry.2)
            .collect();
        assert_eq!(kept, [1, 2, 3, 5]);
    }

    /// A row dropped early never belonged: a shortlist that prunes often
    /// finishes with the same rows as one that never prunes.
    #[test]
    fn pruning_early_drops_nothing_the_end_would_keep() {
        let row = [1.0f32];
        let scores: Vec<f32> = (0..5000u32)
            .map(|i| ((i * 7919) % 1009) as f32 / 1009.0)
            .collect();
        let finish = |prune_at: usize| {
            let mut list = Shortlist::new(5, 0.001);
            list.prune_at = prune_at;
            for (serial, &fast) in scores.iter().enumerate() {
                list.offer(fast, &row, serial as u32);
            }
            let mut serials: Vec<u32> = list
                .rescored(&row)
                .into_iter()
                .map(|(_, serial)| serial)
                .collect();
            serials.sort_unstable();
            serials
        };
        let never = finish(usize::MAX);
        assert_eq!(finish(1), never);
        assert_eq!(finish(74), never);
        assert!(never.len() >= 5 && never.len() < 30, "{}", never.len());
    }
}
