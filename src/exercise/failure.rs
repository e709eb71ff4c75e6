//! Notebook 04's exercises: what crashes lose with one copy and with two.

use super::{Verdict, last_change, prediction};
use crate::render::thousands;
use crate::store::{Action, Movement, VectorStore};

/// The share lost by the last crash, in percent of the vectors held before.
fn lost_percent(movement: &Movement, db: &VectorStore) -> f64 {
    let before = db.len() + movement.lost;
    if before == 0 {
        return 0.0;
    }
    100.0 * movement.lost as f64 / before as f64
}

/// A check of the last crash of a store with `copies` copies per vector.
fn crash(
    exercise: &'static str,
    guess_percent: f64,
    db: &VectorStore,
    copies: usize,
    nodes: usize,
    hint: &str,
) -> Verdict {
    let kind = if nodes == 1 {
        "crash of one node"
    } else {
        "crash of several nodes at once"
    };
    let movement = match last_change(exercise, db, kind, |a| {
        matches!(a, Action::FailNode(_) | Action::FailNodes(_))
    }) {
        Ok(movement) => movement,
        Err(verdict) => return verdict,
    };
    let failed = match &movement.action {
        Action::FailNodes(ids) => ids.len(),
        _ => 1,
    };
    if db.config().replication != copies || failed != nodes {
        return Verdict::wrong(
            exercise,
            format!(
                "this store keeps {} cop{} of each vector and its last crash took {failed} node{}.",
                db.config().replication,
                if db.config().replication == 1 {
                    "y"
                } else {
                    "ies"
                },
                if failed == 1 { "" } else { "s" }
            ),
            format!(
                "check the store this exercise is about: {copies} cop{} per vector, {nodes} node{} crashed.",
                if copies == 1 { "y" } else { "ies" },
                if nodes == 1 { "" } else { "s" }
            ),
        );
    }
    prediction(
        exercise,
        guess_percent,
        lost_percent(movement, db),
        &format!(
            "{} of {} vectors lost",
            thousands(movement.lost),
            thousands(db.len() + movement.lost)
        ),
        hint,
    )
}

/// 04.crash-one: the percentage of vectors lost when one node crashes and
/// each vector has one copy (run it on that store after its `fail_node`).
///
/// ```
/// let mut db = elastic_vdb::VectorStore::default();
/// db.add_vectors(6000)?;
/// for node in ["nodeA", "nodeB", "nodeC", "nodeD"] { db.add_node(node)?; }
/// db.fail_node("nodeB")?;
/// assert!(elastic_vdb::exercise::check_crash_one(25.0, &db).is_correct());
/// # Ok::<(), elastic_vdb::Error>(())
/// ```
#[must_use]
pub fn check_crash_one(guess_percent: f64, db: &VectorStore) -> Verdict {
    crash(
        "04.crash-one",
        guess_percent,
        db,
        1,
        1,
        "with one copy a vector lives on one node only, so a crash loses exactly what that node held: \
         its share of the four nodes.",
    )
}

/// 04.crash-two: the same crash when each vector has two copies.
///
/// ```
/// use elastic_vdb::{StoreConfig, VectorStore};
///
/// let mut db = VectorStore::new(StoreConfig { replication: 2, ..Default::default() })?;
/// db.add_vectors(600)?;
/// for node in ["nodeA", "nodeB", "nodeC"] { db.add_node(node)?; }
/// db.fail_node("nodeB")?;
/// assert!(elastic_vdb::exercise::check_crash_two(0.0, &db).is_correct());
/// # Ok::<(), elastic_vdb::Error>(())
/// ```
#[must_use]
pub fn check_crash_two(guess_percent: f64, db: &VectorStore) -> Verdict {
    crash(
        "04.crash-two",
        guess_percent,
        db,
        2,
        1,
        "with two copies every vector also lives on the next different node clockwise, so one crash \
         never takes both copies.",
    )
}

/// Notebook 04's four nodes.
const NODES: [&str; 4] = ["nodeA", "nodeB", "nodeC", "nodeD"];

/// The four-node, two-copy cluster of notebook 04 (6,000 vectors).
fn two_copy_cluster() -> Result<VectorStore, crate::Error> {
    let config = crate::StoreConfig {
        replication: 2,
        ..crate::StoreConfig::default()
    };
    let mut db = VectorStore::new(config)?;
    db.add_vectors(6000)?;
    for node in NODES {
        db.add_node(node)?;
    }
    Ok(db)
}

/// The percentage of notebook 04's two-copy cluster lost when each pair of
/// its four nodes crashes at the same moment, pair by pair (in a fresh
/// cluster each time), in the order (A, B), (A, C), ... (C, D).
///
/// ```
/// let losses = elastic_vdb::exercise::pair_losses()?;
/// assert_eq!(losses.len(), 6);
/// // Every vector has exactly one pair of holders: the losses add up to all.
/// assert!((losses.iter().map(|(_, lost)| lost).sum::<f64>() - 100.0).abs() < 1e-9);
/// # Ok::<(), elastic_vdb::Error>(())
/// ```
pub fn pair_losses() -> Result<Vec<([&'static str; 2], f64)>, crate::Error> {
    let mut losses = Vec::new();
    for (index, first) in NODES.iter().enumerate() {
        for second in &NODES[index + 1..] {
            let lost = two_copy_cluster()?
                .fail_nodes(&[first, second])?
                .movement
                .lost;
            losses.push(([*first, *second], 100.0 * lost as f64 / 6000.0));
        }
    }
    Ok(losses)
}

/// 04.two-crashes: the percentage of the vectors lost when two of the four
/// nodes crash at the same moment, each vector having two copies, on average
/// over the six possible pairs (measured by crashing each pair).
///
/// ```
/// assert!(elastic_vdb::exercise::check_two_crashes(100.0 / 6.0).is_correct());
/// assert!(!elastic_vdb::exercise::check_two_crashes(0.0).is_correct());
/// ```
#[must_use]
pub fn check_two_crashes(guess_percent: f64) -> Verdict {
    let losses = match pair_losses() {
        Ok(losses) => losses,
        Err(error) => {
            return Verdict::wrong(
                "04.two-crashes",
                format!("could not build the cluster: {error}."),
                "",
            );
        }
    };
    let average = losses.iter().map(|(_, lost)| lost).sum::<f64>() / losses.len() as f64;
    let (low, high) = losses
        .iter()
        .fold((f64::MAX, f64::MIN), |(low, high), (_, lost)| {
            (low.min(*lost), high.max(*lost))
        });
    prediction(
        "04.two-crashes",
        guess_percent,
        average,
        &format!("average over the six pairs, from {low:.1}% to {high:.1}%"),
        "a vector is lost only when both nodes of its preference list crashed: its primary is on one of \
         the two (half the vectors, with four nodes) and the next different node clockwise is the other \
         (one time in three).",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StoreConfig;

    fn cluster(copies: usize) -> VectorStore {
        let config = StoreConfig {
            replication: copies,
            ..StoreConfig::default()
        };
        let mut db = VectorStore::new(config).unwrap();
        db.add_vectors(6000).unwrap();
        for node in ["nodeA", "nodeB", "nodeC", "nodeD"] {
            db.add_node(node).unwrap();
        }
        db
    }

    #[test]
    fn each_crash_exercise_measures_its_own_store() {
        let mut single = cluster(1);
        single.fail_node("nodeB").unwrap();
        let verdict = check_crash_one(24.4, &single);
        assert!(
            verdict.is_correct() && verdict.to_string().contains("1,462 of 6,000"),
            "{verdict}"
        );
        assert!(!check_crash_one(0.0, &single).is_correct());
        let wrong_store = check_crash_two(0.0, &single).to_string();
        assert!(wrong_store.contains("keeps 1 copy"), "{wrong_store}");

        let mut double = cluster(2);
        assert!(
            check_crash_two(0.0, &double)
                .to_string()
                .contains("not crash")
        );
        double.fail_node("nodeB").unwrap();
        assert!(check_crash_two(0.0, &double).is_correct());
        assert!(!check_crash_two(25.0, &double).is_correct());
        // A fraction of the one-copy loss, or "a little", is not nothing.
        for guess in [0.244, 2.0, -1.0] {
            let verdict = check_crash_two(guess, &double);
            assert!(!verdict.is_correct(), "{verdict}");
            assert!(verdict.to_string().contains("exactly zero"), "{verdict}");
        }
        assert!(check_crash_two(0.01, &double).is_correct());

        let verdict = check_two_crashes(17.0);
        assert!(
            verdict.is_correct() && verdict.to_string().contains("measured 16.7%"),
            "{verdict}"
        );
        assert!(!check_two_crashes(50.0).is_correct());
        let losses = pair_losses().unwrap();
        let highest = losses.iter().map(|(_, lost)| *lost).fold(0.0, f64::max);
        let lowest = losses.iter().map(|(_, lost)| *lost).fold(100.0, f64::min);
        assert!(highest - lowest > 1.0, "the pairs differ: {losses:?}");
    }
}
