//! Every way of searching gives the brute-force answer, bit for bit: either
//! kernel, any number of threads, one query or a batch, at dimensions where
//! ties abound (in one dimension nearly every score is +1 or -1) and where
//! they are rare, including sizes with loops of their own (128, 256) and
//! one without (130), with replicas, failures and received rows in the
//! shards.

use elastic_vdb::error::{Error, SearchError};
use elastic_vdb::{Hit, Kernel, SearchOptions, StoreConfig, VectorStore};
use proptest::prelude::*;

fn bits(hits: &[Hit]) -> Vec<(u32, u32)> {
    hits.iter()
        .map(|hit| (hit.serial, hit.score.to_bits()))
        .collect()
}

fn store(dimension: usize, vectors: usize, nodes: usize, replication: usize) -> VectorStore {
    let mut db = VectorStore::new(StoreConfig {
        dimension,
        replication,
        seed: 11,
        ..StoreConfig::default()
    })
    .unwrap();
    // Half the vectors before the nodes join and half after, so that some
    // shards hold received rows in a second block.
    db.add_vectors(vectors / 2).unwrap();
    for node in 0..nodes {
        db.add_node(&format!("n{node}")).unwrap();
    }
    db.add_vectors(vectors - vectors / 2).unwrap();
    if nodes > 2 {
        db.add_node("late").unwrap();
    }
    db
}

/// A query that is a stored vector (a score of 1 against itself), or the
/// sum of two (near-ties), or a pattern of its own.
fn query(db: &VectorStore, pick: u32) -> Vec<f32> {
    let held = db.generated().max(1);
    let stored = |serial: u32| {
        db.vector_by_id(&elastic_vdb::store::vector_id(serial % held))
            .unwrap_or_else(|| vec![1.0; db.config().dimension])
    };
    match pick % 3 {
        0 => stored(pick),
        1 => {
            let (a, b) = (stored(pick), stored(pick / 3 + 1));
            a.iter().zip(&b).map(|(x, y)| x + y + 1e-3).collect()
        }
        _ => (0..db.config().dimension)
            .map(|i| ((i as u32 * 7 + pick) % 13) as f32 - 6.0 + 0.5)
            .collect(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn every_way_of_searching_is_the_brute_force_answer(
        dimension in prop::sample::select(vec![1usize, 2, 3, 16, 17, 40, 128, 130, 256]),
        vectors in 0usize..5000,
        nodes in 0usize..5,
        replication in 1usize..3,
        k in prop::sample::select(vec![1usize, 2, 10, 100, 6000]),
        threads in 1usize..6,
        picks in prop::collection::vec(any::<u32>(), 1..6),
    ) {
        let db = store(dimension, vectors, nodes, replication);
        let queries: Vec<Vec<f32>> = picks.iter().map(|&pick| query(&db, pick)).collect();
        let expected: Vec<Vec<Hit>> = queries
            .iter()
            .map(|query| db.brute_force_search(query, k).unwrap())
            .collect();
        for answer in &expected {
            prop_assert_eq!(answer.len(), k.min(db.len()));
        }
        for kernel in [Kernel::Simd, Kernel::Portable] {
            let options = SearchOptions { threads, kernel };
            for (query, expected) in queries.iter().zip(&expected) {
                let found = db.search_with(query, k, options).unwrap();
                prop_assert_eq!(bits(&found), bits(expected), "{:?}", options);
            }
            let batch = db.search_batch_with(&queries, k, options).unwrap();
            prop_assert_eq!(batch.len(), queries.len());
            for (found, expected) in batch.iter().zip(&expected) {
                prop_assert_eq!(bits(found), bits(expected), "batch, {:?}", options);
            }
        }
    }
}

/// A crash leaves lost vectors out of every search; the surviving replicas
/// are promoted and searched once each.
#[test]
fn searches_after_a_failure_agree() {
    let mut db = store(8, 4000, 4, 2);
    db.apply(elastic_vdb::Action::FailNodes(vec![
        "n1".into(),
        "n2".into(),
    ]))
    .unwrap();
    let queries: Vec<Vec<f32>> = (0..7).map(|pick| query(&db, pick)).collect();
    for threads in [1, 2, 3] {
        for kernel in [Kernel::Simd, Kernel::Portable] {
            let options = SearchOptions { threads, kernel };
            let batch = db.search_batch_with(&queries, 50, options).unwrap();
            for (query, found) in queries.iter().zip(&batch) {
                let expected = db.brute_force_search(query, 50).unwrap();
                assert_eq!(bits(found), bits(&expected));
                assert_eq!(
                    bits(&db.search_with(query, 50, options).unwrap()),
                    bits(&expected)
                );
            }
        }
    }
}

#[test]
fn bad_options_and_batches_are_refused_with_their_values() {
    let db = store(3, 100, 2, 1);
    let message = |result: Result<Vec<Vec<Hit>>, Error>| result.unwrap_err().to_string();
    for threads in [0, 257, usize::MAX] {
        let options = SearchOptions {
            threads,
            kernel: Kernel::Simd,
        };
        assert_eq!(
            db.search_with(&[1.0, 0.0, 0.0], 3, options).unwrap_err(),
            Error::Search(SearchError::Threads(threads))
        );
        assert_eq!(
            message(db.search_batch_with(&[[1.0, 0.0, 0.0]], 3, options)),
            format!("threads must be between 1 and 256, got {threads}")
        );
    }
    assert_eq!(
        message(db.search_batch(&[vec![1.0, 0.0, 0.0], vec![1.0, 0.0]], 3)),
        "query 1 of the batch: query has 2 components; the store's vectors have 3"
    );
    assert_eq!(
        message(db.search_batch(&[[1.0, f32::NAN, 0.0]], 3)),
        "query 0 of the batch: query component 1 is NaN; it must be a finite number"
    );
    assert_eq!(
        message(db.search_batch(&[[1.0, 0.0, 0.0]], 0)),
        "k must be at least 1, got 0"
    );
    let none: [[f32; 3]; 0] = [];
    assert_eq!(db.search_batch(&none, 3).unwrap(), Vec::<Vec<Hit>>::new());
    assert_eq!(
        message(db.search_batch(&none, 0)),
        "k must be at least 1, got 0"
    );
    // A k far beyond the vectors held is all of them, not a failed
    // allocation.
    for k in [1 << 40, usize::MAX] {
        let all = db.search(&[1.0, 0.0, 0.0], k).unwrap();
        assert_eq!(all.len(), 100);
        assert_eq!(all, db.brute_force_search(&[1.0, 0.0, 0.0], k).unwrap());
        assert_eq!(db.search_batch(&[[1.0, 0.0, 0.0]], k).unwrap()[0], all);
    }
}

/// More threads than rows, and an empty store: nothing to share out.
#[test]
fn tiny_stores_search_with_any_number_of_threads() {
    for vectors in [0, 1, 5] {
        let db = store(4, vectors, 2, 1);
        for threads in [1, 2, 256] {
            let options = SearchOptions {
                threads,
                kernel: Kernel::Simd,
            };
            let found = db.search_with(&[1.0, 2.0, 3.0, 4.0], 10, options).unwrap();
            assert_eq!(found.len(), vectors);
            assert_eq!(
                bits(&found),
                bits(&db.brute_force_search(&[1.0, 2.0, 3.0, 4.0], 10).unwrap())
            );
        }
    }
}
