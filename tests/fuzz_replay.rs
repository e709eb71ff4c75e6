//! Replays the committed fuzz corpus (`fuzz/corpus/<target>/`) through the
//! fuzz targets' own code on stable Rust, so every input the fuzzer ever
//! kept keeps passing. The fuzzer itself runs with `make fuzz` (nightly and
//! cargo-fuzz).

#[path = "../fuzz/harness.rs"]
mod harness;

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) -> usize {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut inputs: Vec<_> = std::fs::read_dir(&folder)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", folder.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    inputs.sort();
    for input in &inputs {
        let data = std::fs::read(input).expect("a corpus file");
        let outcome = std::panic::catch_unwind(|| run(&data));
        assert!(outcome.is_ok(), "{} fails", input.display());
    }
    inputs.len()
}

#[test]
fn the_operations_corpus_replays_cleanly() {
    let count = replay("operations", harness::operations);
    assert!(count >= 10, "the operations corpus has only {count} inputs");
}

#[test]
fn the_snapshot_corpus_replays_cleanly() {
    let count = replay("snapshot", harness::snapshot);
    assert!(count >= 10, "the snapshot corpus has only {count} inputs");
}
