//! Exact small examples for the elastic store: preference lists, plans,
//! replication, failures and saved stores, on the tutorial's placement.

use elastic_vdb::error::RingError;
use std::collections::BTreeMap;

use elastic_vdb::hash::key_position;
use elastic_vdb::{StoreConfig, VectorStore};

fn tutorial(copies: usize) -> VectorStore {
    let mut db = VectorStore::new(StoreConfig {
        replication: copies,
        ..StoreConfig::default()
    })
    .unwrap();
    db.add_vectors(6000).unwrap();
    for node in ["nodeA", "nodeB", "nodeC"] {
        db.add_node(node).unwrap();
    }
    db
}

#[test]
fn preference_lists_walk_clockwise_over_distinct_nodes() {
    let mut db = tutorial(1);
    db.add_node("nodeD").unwrap();
    let ring = db.ring();
    let position = key_position("vec_000007");
    assert_eq!(ring.preference_list(position, 1), ["nodeB"]);
    assert_eq!(ring.preference_list(position, 2), ["nodeB", "nodeC"]);
    let all = ring.preference_list(position, 4);
    assert_eq!(all.len(), 4, "every node once: {all:?}");
    assert_eq!(
        ring.preference_list(position, 9).len(),
        4,
        "no more than the nodes there are"
    );
    assert!(
        elastic_vdb::Ring::new()
            .preference_list(position, 2)
            .is_empty()
    );
}

#[test]
fn the_plan_for_node_d_is_the_tutorials_movement() {
    let db = tutorial(1);
    let plan = db.plan_add_node("nodeD").unwrap();
    let flows: BTreeMap<String, usize> = plan
        .flows
        .iter()
        .map(|flow| {
            (
                format!(
                    "{}->{}",
                    flow.from.as_deref().unwrap(),
                    flow.to.as_deref().unwrap()
                ),
                flow.count,
            )
        })
        .collect();
    // The tutorial's own Python moved exactly these (tests/fixtures/reference.json).
    let expected: BTreeMap<String, usize> = [
        ("nodeA->nodeD", 283),
        ("nodeB->nodeD", 716),
        ("nodeC->nodeD", 640),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(flows, expected);
    assert_eq!(plan.bytes(), 1639 * 256 * 4);
    assert_eq!(
        plan.arcs.len(),
        80,
        "one arc ends at each of nodeD's 80 points"
    );
    assert_eq!(plan.arcs.iter().map(|arc| arc.vectors).sum::<usize>(), 1639);
    assert!(
        plan.arcs
            .iter()
            .all(|arc| arc.to.len() == 1 && &*arc.to[0] == "nodeD")
    );
    assert_eq!(
        plan.summary(),
        "add nodeD: would send 1639 of 6000 vectors (27.3%, 1.68 MB) over 80 arcs; theory: 25.0%"
    );
}

#[test]
fn two_copies_survive_a_crash_and_one_does_not() {
    let mut single = tutorial(1);
    let held = single.distribution()["nodeB"];
    let crash = single.fail_node("nodeB").unwrap().movement;
    assert_eq!(
        (crash.lost, crash.under_replicated, crash.moved),
        (held, 0, 0)
    );
    assert_eq!(single.len(), 6000 - held);
    assert_eq!(single.lost().len(), held);
    assert!(
        single
            .search_by_id(&elastic_vdb::store::vector_id(single.lost()[0]), 1)
            .is_err()
    );

    let mut double = tutorial(2);
    assert_eq!(double.copies(), 12_000);
    let on_b = double.distribution()["nodeB"] + double.replica_distribution()["nodeB"];
    let crash = double.fail_node("nodeB").unwrap().movement;
    assert_eq!((crash.lost, crash.under_replicated), (0, on_b));
    assert_eq!(crash.moved, on_b, "one fresh copy for every copy lost");
    assert_eq!(double.copies(), 12_000);
    assert_eq!(double.len(), 6000);
}

#[test]
fn a_saved_store_after_a_crash_loads_identically() {
    let mut db = tutorial(1);
    db.fail_node("nodeC").unwrap();
    db.add_weighted_node("big", 2.5).unwrap();
    let copy = VectorStore::from_json(&db.to_json()).unwrap();
    assert_eq!(copy.distribution(), db.distribution());
    assert_eq!(copy.lost(), db.lost());
    assert_eq!(copy.ring().vnodes_of("big"), Some(200));
    // The nodes come back in one placement, at the points their joins had.
    assert!(copy.ring().points().eq(db.ring().points()));
    assert_eq!(copy.to_json(), db.to_json());
    for id in ["vec_000000", "vec_004242", "vec_005999"] {
        assert_eq!(copy.vector_by_id(id), db.vector_by_id(id), "{id}");
    }
}

#[test]
fn weights_survive_a_save_and_load_bit_for_bit() {
    // Found by the fuzz harness: without serde_json's exact float parsing, a
    // weight such as 1.9068472781769435e-21 came back one ulp off.
    let mut db = VectorStore::default();
    db.add_weighted_node("tiny", 1.906_847_278_176_943_5e-21)
        .unwrap();
    db.add_weighted_node("odd", 0.1 + 0.2).unwrap();
    let saved = db.to_json();
    let loaded = VectorStore::from_json(&saved).unwrap();
    assert_eq!(loaded.to_json(), saved);
    assert_eq!(loaded.ring().weight_of("odd"), Some(0.1 + 0.2));
}

/// Issue 13's reproduction: a rebuild refused because a weighted node would
/// need too many vnodes used to replace the ring before finding that out,
/// and the next join dropped the forgotten nodes' shards (4,684 of 6,000
/// vectors, with `len()` still saying 6,000).
#[test]
fn a_refused_rebuild_leaves_the_store_as_it_was() {
    let mut db = VectorStore::default();
    db.add_vectors(6000).unwrap();
    db.add_node("a").unwrap();
    db.add_weighted_node("big", 3.0).unwrap();
    db.add_node("c").unwrap();
    let saved = db.to_json();
    let whole = format!("{db:?}");
    let distribution = db.distribution();
    assert_eq!(distribution.values().sum::<usize>(), 6000);

    let refused = db.rebuild(4000);
    assert!(
        matches!(
            refused,
            Err(elastic_vdb::Error::Ring(RingError::WeightTooLarge {
                vnodes_per_node: 4000,
                ..
            }))
        ),
        "{refused:?}"
    );
    assert_eq!(db.to_json(), saved, "the refused rebuild changed the store");
    assert!(
        format!("{db:?}") == whole,
        "the refused rebuild changed a shard"
    );
    assert_eq!(db.ring().node_count(), 3);

    db.add_node("d").unwrap();
    let after = db.distribution();
    assert_eq!(after.values().sum::<usize>(), 6000, "{after:?}");
    assert_eq!(db.len(), 6000);
    assert_eq!(after.len(), 4, "{after:?}");
}

#[test]
fn a_refused_ring_rebuild_leaves_the_ring_as_it_was() {
    let mut ring = elastic_vdb::Ring::new();
    ring.add_node("a").unwrap();
    ring.add_weighted_node("big", 3.0).unwrap();
    let before = format!("{ring:?}");
    assert!(ring.rebuild(4000).is_err());
    // Every field (points, owners, nodes, weights, order, vnode count).
    assert_eq!(format!("{ring:?}"), before);
}

/// `Movement::dropped` as documented: with one copy per vector it equals
/// `moved`, except for copies taken out of the pool (moved, not dropped). And `carry_out` refuses a plan that is not a join or a departure
/// with a parameter error naming it (it was a snapshot-loading error).
#[test]
fn dropped_counts_node_copies_and_apply_names_what_it_refuses() {
    let mut db = VectorStore::default();
    db.add_vectors(10).unwrap();
    let first = db.add_node("a").unwrap().movement;
    assert_eq!((first.moved, first.dropped), (10, 0));
    db.add_vectors(990).unwrap();
    let second = db.add_node("b").unwrap().movement;
    assert!(second.moved > 0);
    assert_eq!(second.dropped, second.moved);
    let last = {
        db.remove_node("a").unwrap();
        db.remove_node("b").unwrap().movement
    };
    assert_eq!((last.moved, last.dropped), (1000, 1000));

    let mut plan = db.plan_add_node("c").unwrap();
    plan.action = elastic_vdb::Action::Rebuild(40);
    let before = db.to_json();
    assert_eq!(
        db.carry_out(&plan).unwrap_err().to_string(),
        "plan must be a join or a departure (plan_add_node or plan_remove_node), got Rebuild(40)"
    );
    assert_eq!(db.to_json(), before);
}

/// The read accessors agree with each other: a node's shard holds its share,
/// an unknown node has none, and the history lists every change.
#[test]
fn shards_and_history_are_what_the_store_reports() {
    let mut db = VectorStore::new(StoreConfig {
        replication: 2,
        dimension: 8,
        ..StoreConfig::default()
    })
    .unwrap();
    db.add_vectors(500).unwrap();
    for node in ["a", "b", "c"] {
        db.add_node(node).unwrap();
    }
    db.remove_node("b").unwrap();
    let distribution = db.distribution();
    let replicas = db.replica_distribution();
    for node in ["a", "c"] {
        assert_eq!(db.shard(node).unwrap().len(), distribution[node]);
        assert_eq!(db.replica_shard(node).unwrap().len(), replicas[node]);
    }
    assert!(db.shard("b").is_none() && db.replica_shard("b").is_none());
    assert_eq!(distribution.values().sum::<usize>(), 500);
    let actions: Vec<String> = db
        .history()
        .iter()
        .map(|movement| format!("{:?}", movement.action))
        .collect();
    assert_eq!(
        actions,
        [
            r#"AddNode("a")"#,
            r#"AddNode("b")"#,
            r#"AddNode("c")"#,
            r#"RemoveNode("b")"#
        ]
    );
    assert_eq!(db.last_movement(), db.history().last());
}

/// A plan's HTML table (what a notebook shows) lists every flow with its
/// vectors and bytes, and escapes ids.
#[test]
fn a_plan_shows_its_flows_as_an_html_table() {
    let mut db = VectorStore::new(StoreConfig {
        dimension: 4,
        ..StoreConfig::default()
    })
    .unwrap();
    db.add_vectors(300).unwrap();
    db.add_node("a<b").unwrap();
    db.add_node("c").unwrap();
    let plan = db.plan_add_node("d&e").unwrap();
    let html = plan.to_html();
    // The crate's one table form: the summary as the caption, then a row
    // per flow, every cell escaped.
    assert!(
        html.starts_with("<table") && html.ends_with("</table>"),
        "{html}"
    );
    assert!(html.contains(&format!(
        ">{}</caption>",
        plan.summary().replace('&', "&amp;")
    )));
    let cells = |row: &str| -> Vec<String> {
        row.split("</td>")
            .filter_map(|cell| cell.rsplit_once('>').map(|(_, text)| text.to_owned()))
            .filter(|text| !text.is_empty())
            .collect()
    };
    let rows: Vec<Vec<String>> = html
        .split("<tr>")
        .skip(2) // before the header, and the header
        .map(cells)
        .collect();
    let expected: Vec<Vec<String>> = plan
        .flows
        .iter()
        .map(|flow| {
            vec![
                flow.from.as_deref().unwrap().replace('<', "&lt;"),
                "d&amp;e".to_owned(),
                flow.count.to_string(),
                plan.bytes_of(flow).to_string(),
            ]
        })
        .collect();
    assert_eq!(rows, expected, "{html}");
}
