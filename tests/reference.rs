//! Exact agreement with the tutorial's own Python, whose results are in
//! `tests/fixtures/reference.json` (see `make_reference.py` beside it).

use std::collections::BTreeMap;

use elastic_vdb::hash::position;
use elastic_vdb::store::UNASSIGNED;
use elastic_vdb::{Movement, Ring, StoreConfig, VectorStore};
use serde_json::Value;

fn reference() -> Value {
    serde_json::from_str(include_str!("fixtures/reference.json")).expect("fixture is JSON")
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .expect("array")
        .iter()
        .map(|v| v.as_str().expect("string").to_owned())
        .collect()
}

fn counts(value: &Value) -> BTreeMap<String, usize> {
    value
        .as_object()
        .expect("object")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().expect("count") as usize))
        .collect()
}

/// Decodes the fixture's one-character-per-vector owner string.
fn decode_owners(encoded: &str, nodes: &[String]) -> Vec<Option<String>> {
    encoded
        .chars()
        .map(|c| match c {
            '.' => None,
            '0'..='9' => Some(nodes[c as usize - '0' as usize].clone()),
            _ => Some(nodes[c as usize - 'a' as usize + 10].clone()),
        })
        .collect()
}

fn owners(store: &VectorStore) -> Vec<Option<String>> {
    store
        .shard_map()
        .into_iter()
        .map(|(_, owner)| owner.map(str::to_owned))
        .collect()
}

fn distribution_with_unassigned(store: &VectorStore) -> BTreeMap<String, usize> {
    let mut distribution = store.distribution();
    if !store.unassigned().is_empty() {
        distribution.insert(UNASSIGNED.to_owned(), store.unassigned().len());
    }
    distribution
}

#[test]
fn positions_are_the_tutorials() {
    for case in reference()["positions"].as_array().unwrap() {
        let text = case[0].as_str().unwrap();
        let expected: u64 = case[1].as_str().unwrap().parse().unwrap();
        assert_eq!(position(text), expected, "position of {text:?}");
    }
}

#[test]
fn the_tutorial_session_moves_and_places_every_vector_as_the_tutorial_does() {
    let mut db = VectorStore::default();
    db.add_vectors(6000).unwrap();
    for expected in reference()["tutorial_session"].as_array().unwrap() {
        let node = expected["node"].as_str().unwrap();
        let step = match expected["action"].as_str().unwrap() {
            "add" => db.add_node(node),
            "remove" => db.remove_node(node),
            "rebuild" => db.rebuild(node.parse().unwrap()),
            other => panic!("unknown action {other}"),
        }
        .unwrap();
        let label = format!("{} {node}", expected["action"]);
        assert_movement(&step.movement, expected, &label);
        assert_eq!(
            distribution_with_unassigned(&db),
            counts(&expected["distribution"]),
            "{label}"
        );
        assert_eq!(
            db.ring().vnode_counts(),
            counts(&expected["vnodes"]),
            "{label}"
        );
        let nodes = strings(&expected["nodes"]);
        assert_eq!(
            owners(&db),
            decode_owners(expected["owners"].as_str().unwrap(), &nodes),
            "{label}: shard map"
        );
    }
}

#[test]
fn status_lines_format_like_the_tutorial() {
    let mut db = VectorStore::default();
    db.add_vectors(6000).unwrap();
    let mut lines = Vec::new();
    for node in ["nodeA", "nodeB", "nodeC", "nodeD"] {
        lines.push(db.add_node(node).unwrap().movement.status_line());
    }
    lines.push(db.remove_node("nodeB").unwrap().movement.status_line());
    assert_eq!(
        lines,
        [
            "Added node | moved=1.000 (~100.0%)",
            "Added node | moved=0.552 (~55.2%)",
            "Added node | moved=0.340 (~34.0%)",
            "Added node | moved=0.273 (~27.3%)",
            "Removed node | moved=0.244 (~24.4%)",
        ]
    );
}

#[test]
fn other_node_names_vnode_counts_and_vector_counts_match() {
    for case in reference()["layouts"].as_array().unwrap() {
        let nodes = strings(&case["nodes"]);
        let vnodes = case["vnodes"].as_u64().unwrap() as u32;
        let mut db = VectorStore::new(StoreConfig {
            vnodes,
            dimension: 4,
            ..StoreConfig::default()
        })
        .unwrap();
        for node in &nodes {
            db.add_node(node).unwrap();
        }
        db.add_vectors(case["vectors"].as_u64().unwrap() as usize)
            .unwrap();
        let label = format!("{nodes:?} x {vnodes}");
        assert_eq!(db.distribution(), counts(&case["distribution"]), "{label}");
        let mut sorted = nodes.clone();
        sorted.sort();
        assert_eq!(
            owners(&db),
            decode_owners(case["owners"].as_str().unwrap(), &sorted),
            "{label}"
        );
    }
}

#[test]
fn movements_between_layouts_match() {
    for case in reference()["movements"].as_array().unwrap() {
        let (from, to) = (strings(&case["from"]), strings(&case["to"]));
        let mut db = VectorStore::new(StoreConfig {
            vnodes: case["vnodes"].as_u64().unwrap() as u32,
            dimension: 4,
            ..StoreConfig::default()
        })
        .unwrap();
        for node in &from {
            db.add_node(node).unwrap();
        }
        db.add_vectors(case["vectors"].as_u64().unwrap() as usize)
            .unwrap();
        let step = db
            .reshape(&to, case["to_vnodes"].as_u64().unwrap() as u32)
            .unwrap();
        let label = format!("{from:?} -> {to:?}");
        assert_movement(&step.movement, case, &label);
        assert_eq!(
            step.movement.total as u64,
            case["total"].as_u64().unwrap(),
            "{label}"
        );
    }
}

/// The moved count, fraction and flows of a movement against the fixture's.
fn assert_movement(movement: &Movement, expected: &Value, label: &str) {
    assert_eq!(
        movement.moved as u64,
        expected["moved"].as_u64().unwrap(),
        "{label}"
    );
    assert_eq!(
        movement.fraction(),
        expected["fraction"].as_f64().unwrap(),
        "{label}"
    );
    let flows: BTreeMap<String, usize> = movement
        .flows
        .iter()
        .map(|flow| (flow.label(), flow.count))
        .collect();
    assert_eq!(flows, counts(&expected["flows"]), "{label}");
}

#[test]
fn golden_placements_of_arbitrary_keys_never_drift() {
    let mut checked = 0;
    for ring_case in reference()["golden_placements"].as_array().unwrap() {
        let mut ring = Ring::with_vnodes(ring_case["vnodes"].as_u64().unwrap() as u32).unwrap();
        for node in strings(&ring_case["nodes"]) {
            ring.add_node(&node).unwrap();
        }
        for case in ring_case["cases"].as_array().unwrap() {
            let key = case[0].as_str().unwrap();
            assert_eq!(ring.owner(key), case[1].as_str(), "key {key:?}");
            checked += 1;
        }
    }
    assert_eq!(checked, 40 * 25);
}
