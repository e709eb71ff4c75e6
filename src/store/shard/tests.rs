//! The shard's tests: rows, index and blocks agree after every move.

use super::*;

fn k(position: u64, serial: u32) -> Key {
    Key { position, serial }
}

fn shard_with(positions: &[u64]) -> Shard {
    let mut shard = Shard::new(2);
    for (serial, &position) in positions.iter().enumerate() {
        shard.append(
            k(position, serial as u32),
            &[serial as f32, -(serial as f32)],
        );
    }
    shard.settle();
    shard
}

fn serials(keys: Vec<Key>) -> Vec<u32> {
    keys.into_iter().map(|key| key.serial).collect()
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
    assert_eq!(shard.count_on_arc(8, 21), 2);
}

#[test]
fn removal_keeps_rows_contiguous_and_the_index_right() {
    let mut shard = shard_with(&[50, 10, 30, 20]);
    assert_eq!(shard.remove_keys(&[k(10, 1)]), 1);
    assert_eq!(shard.remove_keys(&[k(10, 1)]), 0, "already gone");
    assert_eq!(shard.serials(), [0, 3, 2]);
    assert_eq!(shard.vector(1).unwrap().to_vec(), [3.0, -3.0]);
    assert_eq!(shard.row_of(k(20, 3)), Some(1));
    assert_eq!(
        shard.remove_keys(&[k(20, 3), k(30, 2), k(40, 9), k(50, 0)]),
        3
    );
    assert!(shard.is_empty() && shard.vectors().is_empty());
}

#[test]
fn a_few_holes_in_a_big_shard_are_fixed_by_search() {
    let positions: Vec<u64> = (0..600).map(|i| (i * 7919 % 600) as u64).collect();
    let mut shard = shard_with(&positions);
    // Rows 0 and 1 leave; the last two rows fill their holes, and their
    // entries are found by binary search (600 entries, 2 rows to fix).
    let gone = [k(positions[0], 0), k(positions[1], 1)];
    assert_eq!(shard.remove_keys(&gone), 2);
    for (serial, &position) in positions.iter().enumerate().skip(2) {
        let row = shard.row_of(k(position, serial as u32)).expect("kept");
        assert_eq!(shard.vector(row).unwrap()[0], serial as f32);
    }
}

#[test]
fn arcs_select_by_position_and_wrap() {
    let shard = shard_with(&[5, 10, 15, u64::MAX]);
    assert_eq!(
        serials(shard.keys_on_arc(5, 15)),
        [1, 2],
        "start excluded, end included"
    );
    assert_eq!(
        serials(shard.keys_on_arc(15, 5)),
        [3, 0],
        "wraps past the top"
    );
    assert_eq!(shard.count_on_arc(15, 5), 2);
    assert_eq!(serials(shard.keys_on_arc(10, 10)).len(), 4);
    assert_eq!(serials(shard.keys_on_arc(u64::MAX, 4)), Vec::<u32>::new());
    assert_eq!(serials(shard.keys_on_arc(u64::MAX, 5)), [0]);
}

#[test]
fn a_taken_block_goes_back_in_as_one_run() {
    let mut shard = shard_with(&[50, 10, 30, 20, 40]);
    let block = shard.take_range(15, 35);
    assert_eq!(block.keys, [k(20, 3), k(30, 2)]);
    assert_eq!(block.row(1, 2), [2.0, -2.0]);
    assert_eq!(serials(shard.keys_on_arc(0, 0)), [1, 4, 0]);
    for (serial, position) in [(0, 50), (1, 10), (4, 40)] {
        let row = shard.row_of(k(position, serial)).expect("kept");
        assert_eq!(shard.vector(row).unwrap()[0], serial as f32);
    }
    let mut other = shard_with(&[5, 60]);
    other.insert(&block);
    assert_eq!(serials(other.keys_on_arc(0, 0)), [0, 3, 2, 1]);
    assert_eq!(
        other.vector(other.row_of(k(30, 2)).unwrap()).unwrap()[1],
        -2.0
    );
    assert!(shard.take_range(11, 19).keys.is_empty());
}

#[test]
fn received_rows_go_to_a_second_block_and_holes_are_filled_from_it() {
    let mut shard = Shard::new(2);
    shard.reserve(3);
    for (serial, position) in [(0, 10), (1, 20), (2, 30)] {
        shard.append(k(position, serial), &[serial as f32, 0.0]);
    }
    shard.settle();
    let sealed = shard.data.as_ptr();
    let mut block = Block::default();
    for (serial, position) in [(5, 15), (6, 25)] {
        block.keys.push(k(position, serial));
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
    assert_eq!(shard.remove_keys(&[k(20, 1)]), 1);
    assert_eq!(shard.serials(), [0, 6, 2, 5]);
    assert_eq!(shard.vector(1).unwrap()[0], 6.0);
    assert_eq!(shard.row_of(k(25, 6)), Some(1));
    // Once the received block is empty, the first block shrinks again.
    assert_eq!(shard.remove_keys(&[k(10, 0), k(15, 5)]), 2);
    assert_eq!(shard.blocks().count(), 1);
    assert_eq!(shard.serials(), [2, 6]);
    assert_eq!(shard.vectors().column(0).to_vec(), [2.0, 6.0]);
    for (serial, position) in [(6, 25), (2, 30)] {
        let row = shard.row_of(k(position, serial)).unwrap();
        assert_eq!(shard.vector(row).unwrap()[0], serial as f32);
    }
}

#[test]
fn appended_rows_anywhere_are_merged_into_the_index() {
    let mut shard = shard_with(&[10, 30]);
    shard.append(k(40, 7), &[7.0, 0.0]);
    shard.append(k(5, 8), &[8.0, 0.0]);
    shard.append(k(20, 9), &[9.0, 0.0]);
    shard.settle();
    assert_eq!(serials(shard.keys_on_arc(0, 0)), [8, 0, 9, 1, 7]);
    assert_eq!(shard.row_of(k(20, 9)), Some(4));
    assert_eq!(shard.count_on_arc(6, 30), 3);
}

/// A shard of `positions` whose first `sealed` rows are in the first
/// block, sized exactly, and the rest received.
fn shard_in_two_blocks(positions: &[u64], sealed: usize) -> Shard {
    let mut shard = Shard::new(2);
    shard.reserve(sealed);
    for (serial, &position) in positions.iter().enumerate() {
        shard.append(
            k(position, serial as u32),
            &[serial as f32, -(serial as f32)],
        );
    }
    shard.settle();
    assert_eq!(shard.data.len(), 2 * sealed.min(positions.len()));
    shard
}

/// Ranges cut out in one pass leave what cutting their keys one by one
/// leaves, and exactly the keys outside the ranges: the index in order,
/// every kept row findable and holding its own vector. With every row in
/// the first block, every row received, and half and half; with the first
/// range near the start of the index (its entries before it read in the
/// pass) and far from it (the rows moved among them found by search).
#[test]
fn ranges_removed_in_one_pass_match_keys_removed_one_by_one() {
    let positions: Vec<u64> = (0..500).map(|i| (i * 7919 % 1000) as u64).collect();
    let range_sets: [&[(u64, u64)]; 10] = [
        &[],
        &[(0, 0)],
        &[(10, 19), (100, 100), (500, 520), (990, u64::MAX)],
        &[(0, u64::MAX)],
        &[(3, 4), (5, 6), (7, 1000)],
        &[(900, 902)],
        &[(700, 700)],
        &[(950, 951)],
        &[(520, 520)],
        &[(600, 640)],
    ];
    for (ranges, sealed) in range_sets
        .into_iter()
        .flat_map(|ranges| [0, 250, 500].map(|sealed| (ranges, sealed)))
    {
        let mut by_ranges = shard_in_two_blocks(&positions, sealed);
        let mut by_keys = shard_in_two_blocks(&positions, sealed);
        let outside: Vec<Key> = by_keys
            .keys_on_arc(0, 0)
            .into_iter()
            .filter(|key| {
                !ranges
                    .iter()
                    .any(|&(low, high)| (low..=high).contains(&key.position))
            })
            .collect();
        let mut keys: Vec<Key> = Vec::new();
        for &(low, high) in ranges {
            keys.extend(by_keys.keys_on_arc(low.wrapping_sub(1), high));
        }
        keys.sort_unstable();
        keys.dedup();
        let runs: Vec<_> = ranges
            .iter()
            .map(|&(low, high)| by_ranges.run(low, high))
            .collect();
        let removed = by_ranges.remove_runs(&runs);
        assert_eq!(removed, by_keys.remove_keys(&keys), "{ranges:?}");
        assert_eq!(
            by_ranges.keys_on_arc(0, 0),
            by_keys.keys_on_arc(0, 0),
            "{ranges:?}"
        );
        for key in by_ranges.keys_on_arc(0, 0) {
            let row = by_ranges.row_of(key).expect("indexed");
            assert_eq!(by_ranges.vector(row).unwrap()[0], key.serial as f32);
        }
        assert_eq!(by_ranges.len(), positions.len() - removed);
        assert_eq!(by_ranges.keys_on_arc(0, 0), outside, "{ranges:?}");
        let rows = by_ranges.blocks().map(|block| block.nrows()).sum::<usize>();
        assert_eq!(rows, by_ranges.len(), "{ranges:?}, {sealed} sealed");
    }
}

/// The galloping search for a run's end agrees with a plain filter for
/// every range between (and at) the positions of shards of every size up
/// to 40, runs of every length included, repeated positions too.
#[test]
fn a_run_is_every_entry_in_its_range() {
    for size in 0..40u64 {
        // Positions 0, 0, 10, 20, 20, 30, 40, 40, ...: some repeated.
        let positions: Vec<u64> = (0..size).map(|at| at * 2 / 3 * 10).collect();
        let shard = shard_with(&positions);
        let bounds: Vec<u64> = (0..=positions.last().map_or(0, |&last| last + 11)).collect();
        for &low in bounds.iter().step_by(5) {
            for &high in bounds.iter().filter(|&&high| high >= low) {
                let run = shard.run(low, high);
                let wanted = shard
                    .index
                    .iter()
                    .filter(|entry| (low..=high).contains(&entry.position))
                    .count();
                assert_eq!(run.len(), wanted, "size {size}, {low}..={high}");
                assert!(
                    shard.index[run]
                        .iter()
                        .all(|entry| (low..=high).contains(&entry.position))
                );
            }
        }
    }
}

/// Runs found together, by searches that take their steps side by side
/// and by galloping from a shard's previous run, are the runs found one by
/// one: shards of every size up to 40 (the empty one too), repeated
/// positions, every low end from below the first position to past the
/// last, and many runs of one shard, out of order, overlapping or not.
#[test]
fn runs_found_together_are_runs_found_one_by_one() {
    let shards: Vec<Shard> = (0..40u64)
        .map(|size| shard_with(&(0..size).map(|at| at * 2 / 3 * 10).collect::<Vec<u64>>()))
        .collect();
    for low in 0..300u64 {
        let wanted: Vec<(usize, &Shard, u64, u64)> = shards
            .iter()
            .enumerate()
            .map(|(at, shard)| (at, shard, low, low + (at as u64 % 7) * 9))
            .collect();
        let together = Shard::runs(wanted.len(), |at| wanted[at]);
        let one_by_one: Vec<_> = wanted
            .iter()
            .map(|&(_, shard, low, high)| shard.run(low, high))
            .collect();
        assert_eq!(together, one_by_one, "low {low}");
    }
    assert!(Shard::runs(0, |_| unreachable!("no run asked for")).is_empty());
    let big = &shards[39];
    for seed in 0..200u64 {
        let wanted: Vec<(usize, &Shard, u64, u64)> = (0..12u64)
            .map(|at| {
                let number = if (seed + at) % 3 == 0 {
                    39
                } else {
                    (seed + at) as usize % 40
                };
                let low = (seed * 31 + at * 97) % 300;
                (number, &shards[number], low, low + (seed + at * 7) % 60)
            })
            .collect();
        let one_by_one: Vec<_> = wanted
            .iter()
            .map(|&(_, shard, low, high)| shard.run(low, high))
            .collect();
        assert_eq!(
            Shard::runs(wanted.len(), |at| wanted[at]),
            one_by_one,
            "seed {seed}"
        );
    }
    // A run that starts just past the one before, one that starts on the
    // position where the one before ends (20, held twice), one inside the
    // one before, and one after an empty range (high below low).
    for pairs in [
        [(0, 19), (20, 40)],
        [(0, 20), (20, 40)],
        [(10, 30), (20, 20)],
        [(25, 5), (7, 40)],
    ] {
        let wanted = pairs.map(|(low, high)| (39, big, low, high));
        let one_by_one = wanted.map(|(_, shard, low, high)| shard.run(low, high));
        assert!(!one_by_one[1].is_empty());
        assert_eq!(Shard::runs(2, |at| wanted[at]), one_by_one, "{pairs:?}");
    }
}
