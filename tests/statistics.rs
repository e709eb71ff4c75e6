//! Seeded statistical checks: the numbers consistent hashing promises, on
//! fixed inputs, with tolerances wide enough for the theory's own spread.

use elastic_vdb::{Action, Ring, StoreConfig, VectorStore};

fn store(vnodes: u32, nodes: usize, vectors: usize) -> VectorStore {
    let mut db = VectorStore::new(StoreConfig {
        vnodes,
        dimension: 2,
        seed: 1,
        replication: 1,
    })
    .unwrap();
    for index in 0..nodes {
        db.add_node(&format!("node-{index:02}")).unwrap();
    }
    db.add_vectors(vectors).unwrap();
    db
}

#[test]
fn an_add_moves_about_one_over_n_plus_one_and_only_onto_the_new_node() {
    let mut db = store(1000, 10, 20_000);
    let step = db.add_node("newcomer").unwrap();
    let ideal = 1.0 / 11.0;
    let fraction = step.movement.fraction();
    assert!(
        (fraction - ideal).abs() < 0.15 * ideal,
        "moved {fraction:.4}, ideal {ideal:.4}"
    );
    assert!(
        step.movement
            .flows
            .iter()
            .all(|flow| flow.to.as_deref() == Some("newcomer"))
    );
    assert_eq!(step.movement.action, Action::AddNode("newcomer".into()));
}

#[test]
fn a_removal_moves_exactly_the_removed_nodes_vectors() {
    let mut db = store(200, 8, 10_000);
    let held = db.distribution()["node-03"];
    let step = db.remove_node("node-03").unwrap();
    assert_eq!(step.movement.moved, held);
    assert!(
        step.movement
            .flows
            .iter()
            .all(|flow| flow.from.as_deref() == Some("node-03"))
    );
    // The removed node's keys spread over several survivors, not one.
    assert!(step.movement.flows.len() >= 5, "{:?}", step.movement.flows);
}

#[test]
fn more_vnodes_give_better_balance() {
    let spread = |vnodes| {
        let db = store(vnodes, 10, 50_000);
        let counts: Vec<f64> = db.distribution().values().map(|&c| c as f64).collect();
        let mean = counts.iter().sum::<f64>() / counts.len() as f64;
        let variance = counts.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / counts.len() as f64;
        variance.sqrt() / mean
    };
    let (few, many) = (spread(4), spread(400));
    // Theory: the coefficient of variation falls like 1/sqrt(vnodes).
    assert!(few > 0.15, "4 vnodes: cv {few:.3}");
    assert!(many < 0.08, "400 vnodes: cv {many:.3}");
}

#[test]
fn key_shares_follow_ring_shares() {
    let db = store(50, 5, 100_000);
    let shares = db.ring().ownership();
    for (node, count) in db.distribution() {
        let expected = shares[&node] * 100_000.0;
        // Binomial standard deviation is below 130 here; allow five.
        assert!(
            (count as f64 - expected).abs() < 650.0,
            "{node}: {count} vectors, ring share predicts {expected:.0}"
        );
    }
}

#[test]
fn a_heavier_node_gets_a_proportional_share() {
    let mut ring = Ring::new();
    ring.add_node_with_vnodes("big", 900).unwrap();
    ring.add_node_with_vnodes("small", 300).unwrap();
    let shares = ring.ownership();
    assert!((shares["big"] - 0.75).abs() < 0.05, "{shares:?}");
}

#[test]
fn generated_vectors_are_unit_length_and_centred() {
    let mut db = VectorStore::new(StoreConfig {
        dimension: 64,
        ..StoreConfig::default()
    })
    .unwrap();
    db.add_vectors(2000).unwrap();
    let vectors = db.unassigned().vectors();
    for row in vectors.rows() {
        let norm: f32 = row.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5);
    }
    // Each component of a random unit vector has mean 0 and variance 1/64.
    let mean = vectors.mean_axis(ndarray::Axis(0)).unwrap();
    let bound = 5.0 * (1.0f32 / 64.0 / 2000.0).sqrt();
    assert!(mean.iter().all(|m| m.abs() < bound), "{mean}");
}

#[test]
fn the_same_seed_gives_the_same_vectors_and_another_seed_others() {
    let draw = |seed| {
        let mut db = VectorStore::new(StoreConfig {
            dimension: 8,
            seed,
            ..StoreConfig::default()
        })
        .unwrap();
        db.add_vectors(3).unwrap();
        db.unassigned().vectors().to_owned()
    };
    assert_eq!(draw(42), draw(42));
    assert_ne!(draw(42), draw(43));
}
