//! Every rejected input: a typed error whose message names the value, and
//! nothing changed by the failed call.

use elastic_vdb::error::{NodeIdProblem, RingError, parse_node_list};
use elastic_vdb::{Error, Ring, StoreConfig, VectorStore};

fn message(result: Result<impl std::fmt::Debug, Error>) -> String {
    result.unwrap_err().to_string()
}

#[test]
fn node_id_messages() {
    let mut ring = Ring::new();
    let cases = [
        ("", "node id is empty"),
        ("   ", r#"node id "   " is blank"#),
        (
            " nodeA",
            r#"node id " nodeA" starts or ends with white space"#,
        ),
        (
            "nodeA\n",
            r#"node id "nodeA\n" contains the control character U+000A"#,
        ),
        (
            "a\u{0}b",
            r#"node id "a\0b" contains the control character U+0000"#,
        ),
    ];
    for (id, expected) in cases {
        assert_eq!(message(ring.add_node(id)), expected, "id {id:?}");
    }
    let long = "x".repeat(257);
    assert_eq!(
        message(ring.add_node(&long)),
        r#"node id "xxxxxxxxxxxxxxxxxxxxxxxx"... is 257 bytes long; the limit is 256"#
    );
    assert!(
        ring.add_node(&"x".repeat(256)).is_ok(),
        "256 bytes is allowed"
    );
    assert!(ring.is_empty() || ring.node_count() == 1);
    assert!(matches!(
        ring.add_node("\t"),
        Err(Error::Ring(RingError::InvalidNodeId {
            problem: NodeIdProblem::Blank,
            ..
        }))
    ));
}

#[test]
fn membership_messages() {
    let mut ring = Ring::new();
    ring.add_node("nodeA").unwrap();
    assert_eq!(
        message(ring.add_node("nodeA")),
        r#"node "nodeA" is already on the ring"#
    );
    assert_eq!(
        message(ring.remove_node("nodeZ")),
        r#"node "nodeZ" is not on the ring"#
    );
    assert_eq!(ring.point_count(), 80, "failed calls change nothing");
}

#[test]
fn vnode_messages() {
    assert_eq!(
        message(Ring::with_vnodes(0)),
        "vnodes per node must be between 1 and 10000, got 0"
    );
    assert_eq!(
        message(Ring::with_vnodes(10_001)),
        "vnodes per node must be between 1 and 10000, got 10001"
    );
    assert!(Ring::with_vnodes(10_000).is_ok());
    let mut ring = Ring::new();
    ring.add_node("a").unwrap();
    assert_eq!(
        message(ring.rebuild(0)),
        "vnodes per node must be between 1 and 10000, got 0"
    );
    assert_eq!(
        message(ring.add_node_with_vnodes("b", 0)),
        "vnodes per node must be between 1 and 10000, got 0"
    );
    assert_eq!(ring.point_count(), 80);
}

#[test]
fn store_messages_and_nothing_lost() {
    let config = |dimension, vnodes| StoreConfig {
        dimension,
        vnodes,
        seed: 1,
        replication: 1,
    };
    assert_eq!(
        message(VectorStore::new(config(0, 80))),
        "vector dimension must be between 1 and 65536, got 0"
    );
    assert_eq!(
        message(VectorStore::new(config(65_537, 80))),
        "vector dimension must be between 1 and 65536, got 65537"
    );
    assert_eq!(
        message(VectorStore::new(config(4, 0))),
        "vnodes per node must be between 1 and 10000, got 0"
    );

    let mut db = VectorStore::new(config(4, 16)).unwrap();
    db.add_vectors(100).unwrap();
    db.add_node("a").unwrap();
    let before = db.distribution();
    assert!(db.add_node("a").is_err());
    assert!(db.remove_node("b").is_err());
    assert!(db.rebuild(0).is_err());
    assert_eq!(
        message(db.reshape(&["a", "a"], 16)),
        r#"node list names "a" more than once"#
    );
    assert_eq!(message(db.reshape(&["a", ""], 16)), "node id is empty");
    assert_eq!(
        message(db.reshape(&["a"], 0)),
        "vnodes per node must be between 1 and 10000, got 0"
    );
    assert_eq!(db.distribution(), before, "failed calls moved nothing");
    assert_eq!(db.len(), 100);
    assert_eq!(
        message(db.add_vectors(usize::MAX)),
        format!(
            "cannot add {} vectors to the 100 held: a store keeps at most 4294967295 vectors and 16 GiB for them (copies and 64 bytes of bookkeeping per copy included)",
            usize::MAX
        )
    );
    assert_eq!(db.len(), 100);
}

#[test]
fn node_list_messages() {
    assert_eq!(
        message(parse_node_list("A,,B")),
        r#"node list "A,,B" has an empty entry"#
    );
    assert_eq!(
        message(parse_node_list("A,B,")),
        r#"node list "A,B," has an empty entry"#
    );
    assert_eq!(
        message(parse_node_list("A,B,A")),
        r#"node list names "A" more than once"#
    );
    assert_eq!(parse_node_list("").unwrap(), Vec::<String>::new());
    assert_eq!(parse_node_list(" A , B ").unwrap(), ["A", "B"]);
}

#[test]
fn weight_and_replication_messages() {
    let mut ring = Ring::new();
    for (weight, shown) in [
        (0.0, "0"),
        (-1.5, "-1.5"),
        (f64::NAN, "NaN"),
        (f64::INFINITY, "inf"),
    ] {
        assert_eq!(
            message(ring.add_weighted_node("a", weight)),
            format!("node weight must be a finite number above 0, got {shown}")
        );
    }
    assert_eq!(
        message(ring.add_weighted_node("a", 1000.0)),
        "a node of weight 1000 would get 80000 vnodes at 80 per node; a node may have at most 10000"
    );
    // Found by adversarial testing: this was "... got 18446744073709551615".
    assert_eq!(
        message(ring.add_weighted_node("a", 1e300)),
        "a node of weight 1e300 would get 8e301 vnodes at 80 per node; a node may have at most 10000"
    );
    assert!(ring.is_empty(), "no failed call added a node");
    for copies in [0, 17] {
        let config = StoreConfig {
            replication: copies,
            ..StoreConfig::default()
        };
        assert_eq!(
            message(VectorStore::new(config)),
            format!("replication factor must be between 1 and 16, got {copies}")
        );
    }
    let mut db = VectorStore::default();
    assert_eq!(
        message(db.set_replication(0)),
        "replication factor must be between 1 and 16, got 0"
    );
    assert_eq!(db.config().replication, 1);
    assert_eq!(
        message(db.fail_node("ghost")),
        r#"node "ghost" is not on the ring"#
    );
}

#[test]
fn search_messages() {
    let mut db = VectorStore::new(StoreConfig {
        dimension: 3,
        ..StoreConfig::default()
    })
    .unwrap();
    db.add_vectors(10).unwrap();
    assert_eq!(
        message(db.search(&[1.0, 2.0], 3)),
        "query has 2 components; the store's vectors have 3"
    );
    assert_eq!(
        message(db.search(&[1.0, f32::NAN, 0.0], 3)),
        "query component 1 is NaN; it must be a finite number"
    );
    assert_eq!(
        message(db.search(&[f32::NEG_INFINITY, 0.0, 0.0], 3)),
        "query component 0 is -inf; it must be a finite number"
    );
    assert_eq!(
        message(db.search(&[0.0, 0.0, 0.0], 3)),
        "query is all zeros, so it has no direction to compare"
    );
    assert_eq!(
        message(db.search(&[1.0, 0.0, 0.0], 0)),
        "k must be at least 1, got 0"
    );
    assert_eq!(
        message(db.search_by_id("vec_000010", 3)),
        r#"vector "vec_000010" is not in the store"#
    );
    assert_eq!(
        message(db.search_by_id("vec_1", 3)),
        r#"vector "vec_1" is not in the store"#
    );
    assert_eq!(
        db.search(&[1.0, 0.0, 0.0], 100).unwrap().len(),
        10,
        "k above the store's size"
    );
}

#[test]
fn saved_store_messages() {
    let mut db = VectorStore::default();
    db.add_node("a").unwrap();
    db.add_vectors(5).unwrap();
    let good = db.to_json();
    let load = |json: &str| message(VectorStore::from_json(json));
    assert!(
        load(&good[..good.len() / 2])
            .starts_with("cannot load the saved store: not valid JSON (EOF while parsing")
    );
    assert_eq!(
        load("[1, 2]"),
        r#"cannot load the saved store: it has no "format": "elastic-vdb store" field"#
    );
    assert_eq!(
        load(r#"{"format": "something else", "version": 1}"#),
        r#"cannot load the saved store: its format is "something else", not "elastic-vdb store""#
    );
    assert_eq!(
        load(&good.replace(r#""version": 1"#, r#""version": "one""#)),
        r#"cannot load the saved store: it has no numeric "version" field"#
    );
    assert_eq!(
        load(&good.replace(r#""version": 1"#, r#""version": 2"#)),
        "cannot load the saved store: it is version 2; this library reads version 1"
    );
    assert!(load(&good.replace(r#""seed": 42,"#, "")).contains("missing field `seed`"));
    assert!(
        load(&good.replace(r#""seed": 42,"#, r#""seed": 42, "colour": 1,"#))
            .contains("unknown field `colour`")
    );
    assert_eq!(
        load(&good.replace(r#""vnodes": 80"#, r#""vnodes": 0"#)),
        "vnodes per node must be between 1 and 10000, got 0"
    );
    assert_eq!(
        load(&good.replace(r#""id": "a""#, r#""id": """#)),
        "node id is empty"
    );
    assert_eq!(
        load(&good.replace(r#""lost": []"#, r#""lost": [7]"#)),
        "cannot load the saved store: it lists vec_000007 as lost, but only 5 vectors were generated"
    );
    // Found by adversarial testing: a key given twice kept the last value,
    // and a UTF-8 byte-order mark was refused.
    let seed_twice = load(&good.replace(r#""seed": 42,"#, r#""seed": 1, "seed": 42,"#));
    assert!(
        seed_twice.contains("duplicate field `seed`"),
        "{seed_twice}"
    );
    assert!(
        load(&good.replace(r#""weight": 1.0"#, r#""weight": 1.0, "weight": 2.0"#))
            .contains("duplicate field `weight`")
    );
    assert_eq!(
        VectorStore::from_json(&format!("\u{feff}{good}"))
            .unwrap()
            .to_json(),
        good
    );
    let twice = good.replace(r#""nodes": ["#, r#""nodes": [{"id": "a", "weight": 1.0},"#);
    assert_eq!(load(&twice), r#"node "a" is already on the ring"#);
    assert_eq!(
        VectorStore::from_json(&good).unwrap().distribution(),
        db.distribution()
    );
}

#[test]
fn a_store_too_big_for_memory_is_refused_before_anything_is_drawn() {
    let mut db = VectorStore::default();
    // 20 million vectors of 256 floats are 20 GB: over the 16 GiB limit.
    assert_eq!(
        message(db.add_vectors(20_000_000)),
        "cannot add 20000000 vectors to the 0 held: a store keeps at most 4294967295 vectors and 16 GiB for them (copies and 64 bytes of bookkeeping per copy included)"
    );
    assert!(db.is_empty());
}

#[test]
fn node_ids_cannot_make_colliding_vnode_strings() {
    // Other libraries hashed `{id}{v}`, so `member` + `10` and `member1` + `0`
    // were the same string. Ours are `node:{id}#vnode:{v}`: the text after the
    // last `#vnode:` is the vnode number (digits only, no leading zeros), so
    // the string names exactly one (id, v), even for ids holding `#vnode:`.
    let mut ring = Ring::with_vnodes(20).unwrap();
    for id in ["member", "member1", "a#vnode:1", "a", "a#vnode:1#vnode:2"] {
        ring.add_node(id).unwrap();
    }
    let positions: std::collections::BTreeSet<u64> =
        ring.points().map(|point| point.position).collect();
    assert_eq!(positions.len(), 100, "no two vnodes share a position");
    for id in ["member", "member1", "a#vnode:1", "a"] {
        assert_eq!(ring.vnodes_of(id), Some(20));
    }
    assert_ne!(
        elastic_vdb::hash::vnode_position("member", 10),
        elastic_vdb::hash::vnode_position("member1", 0)
    );
}

#[test]
fn replication_above_the_node_count_is_kept_and_reported_not_refused() {
    // Decided: a factor above the node count is not an error (nodes may join
    // later, and a crash must not turn a valid store invalid); each vector is
    // held once per node until enough nodes are there.
    let mut db = VectorStore::new(StoreConfig {
        replication: 3,
        ..StoreConfig::default()
    })
    .unwrap();
    db.add_vectors(100).unwrap();
    db.add_node("a").unwrap();
    db.add_node("b").unwrap();
    assert_eq!(db.copies(), 200);
    db.add_node("c").unwrap();
    assert_eq!(db.copies(), 300);
    db.add_node("d").unwrap();
    assert_eq!(db.copies(), 300);
}

#[test]
fn a_saved_store_of_billions_of_tiny_vectors_is_refused_before_loading() {
    // Found by fuzzing the loader: 4 billion one-dimensional vectors are only
    // 16 GB of data, but their bookkeeping would need 190 GB more.
    let json = r#"{"format": "elastic-vdb store", "version": 1, "vnodes": 4, "dimension": 1,
        "seed": 1, "replication": 1, "generated": 4000000000, "nodes": [], "lost": []}"#;
    assert_eq!(
        VectorStore::from_json(json).unwrap_err().to_string(),
        "cannot add 4000000000 vectors to the 0 held: a store keeps at most 4294967295 vectors and 16 GiB for them (copies and 64 bytes of bookkeeping per copy included)"
    );
}

#[test]
fn replication_is_refused_when_its_copies_would_not_fit_and_what_saves_loads() {
    // Found by adversarial testing: accepted, and then its own snapshot was
    // refused by `from_json`.
    let mut db = VectorStore::new(StoreConfig {
        dimension: 65_536,
        ..StoreConfig::default()
    })
    .unwrap();
    db.add_node("a").unwrap();
    db.add_vectors(4_096).unwrap();
    let before = db.to_json();
    assert_eq!(
        message(db.set_replication(16)),
        "cannot keep 16 copies of 4096 vectors of dimension 65536: they would take 16.004 GiB, above the 16 GiB a store may hold (64 bytes of bookkeeping per copy included)"
    );
    assert_eq!(db.to_json(), before);
    // The largest factor accepted is one whose snapshot loads back.
    let mut accepted = 0;
    for copies in 1..=16 {
        if db.set_replication(copies).is_ok() {
            accepted = copies;
        }
    }
    assert_eq!(accepted, 15);
    let saved = db.to_json();
    drop(db);
    let loaded = VectorStore::from_json(&saved).unwrap();
    assert_eq!(loaded.config().replication, 15);
    assert_eq!(loaded.len(), 4_096);
}

#[test]
fn a_snapshot_whose_bookkeeping_would_not_fit_is_refused() {
    // Found by adversarial testing: 330 million one-dimensional vectors
    // passed the old 52-bytes-a-row budget and would have needed about 19 GB.
    let json = r#"{"format": "elastic-vdb store", "version": 1, "vnodes": 4, "dimension": 1,
        "seed": 1, "replication": 1, "generated": 330000000, "nodes": [], "lost": []}"#;
    assert!(
        VectorStore::from_json(json)
            .unwrap_err()
            .to_string()
            .starts_with("cannot add 330000000 vectors to the 0 held")
    );
}

/// Found by adversarial testing: a finite non-zero query whose squared norm
/// under- or overflows `f32` was refused as "all zeros"; a vector's score
/// against itself was 1.0000001; and `brute_force_search` summed in another
/// order than `search`, so near-ties were ranked differently.
#[test]
fn queries_at_the_edges_of_f32_and_rankings_at_ties() {
    let mut db = VectorStore::new(StoreConfig {
        dimension: 4,
        ..StoreConfig::default()
    })
    .unwrap();
    db.add_vectors(2_000).unwrap();
    db.add_node("a").unwrap();
    db.add_node("b").unwrap();
    let unit = db.search(&[1.0, 0.0, 0.0, 0.0], 10).unwrap();
    for tiny_or_huge in [1e-23, 3e19, f32::MIN_POSITIVE / 8.0, f32::MAX] {
        let query = [tiny_or_huge, 0.0, 0.0, 0.0];
        assert_eq!(db.search(&query, 10).unwrap(), unit, "{tiny_or_huge:e}");
    }
    assert_eq!(
        message(db.search(&[0.0, -0.0, 0.0, 0.0], 3)),
        "query is all zeros, so it has no direction to compare"
    );
    for serial in 0..2_000 {
        let id = format!("vec_{serial:06}");
        let hits = db.search_by_id(&id, 3).unwrap();
        assert_eq!(hits[0].id, id);
        assert!(
            hits.iter().all(|hit| (-1.0..=1.0).contains(&hit.score)),
            "{hits:?}"
        );
    }

    // Full rankings, bit for bit. In one dimension every score is exactly
    // +1 or -1 (all ties); in two, near-ties abound.
    for dimension in [1, 2, 3] {
        let mut db = VectorStore::new(StoreConfig {
            dimension,
            seed: 7,
            ..StoreConfig::default()
        })
        .unwrap();
        db.add_vectors(3_000).unwrap();
        for node in ["a", "b", "c"] {
            db.add_node(node).unwrap();
        }
        for serial in (0..3_000).step_by(150) {
            let query = db.vector_by_id(&format!("vec_{serial:06}")).unwrap();
            let fast = db.search(&query, 3_000).unwrap();
            let slow = db.brute_force_search(&query, 3_000).unwrap();
            assert_eq!(fast.len(), 3_000);
            assert!(
                fast.iter()
                    .zip(&slow)
                    .all(|(a, b)| a.serial == b.serial && a.score.to_bits() == b.score.to_bits()),
                "dimension {dimension}, query vec_{serial:06}"
            );
            for k in [1, 7, 100] {
                assert_eq!(db.search(&query, k).unwrap(), slow[..k], "k {k}");
            }
        }
    }
}
