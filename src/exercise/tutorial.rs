//! Notebook 01's exercises: modulo against the ring, what a join, a
//! departure and a rebuild move, the owner lookup written by the student;
//! and the notebook's state after any step, to catch up.

use super::{Verdict, last_change, prediction, without_panicking};
use crate::Error;
use crate::error::ParameterError;
use crate::hash::key_position;
use crate::render::thousands;
use crate::store::{Action, Movement, VectorStore, vector_id};

/// The percentage of the vectors `vec_000000` onwards, `keys` of them,
/// whose node changes when modulo placement (`position mod n`) goes from
/// `from` to `to` nodes; 0 when `keys`, `from` or `to` is 0.
///
/// ```
/// let moved = elastic_vdb::exercise::modulo_moved_percent(6000, 3, 4);
/// assert!((moved - 75.0).abs() < 2.0);
/// ```
#[must_use]
pub fn modulo_moved_percent(keys: u32, from: u64, to: u64) -> f64 {
    if keys == 0 || from == 0 || to == 0 {
        return 0.0;
    }
    let moved = (0..keys)
        .map(|serial| key_position(&vector_id(serial)))
        .filter(|position| position % from != position % to)
        .count();
    100.0 * moved as f64 / f64::from(keys)
}

/// 01.modulo: the percentage of the tutorial's 6,000 vectors that change
/// node when plain `hash mod 3` placement gets a fourth node.
///
/// ```
/// assert!(!elastic_vdb::exercise::check_modulo(25.0).is_correct());
/// ```
#[must_use]
pub fn check_modulo(guess_percent: f64) -> Verdict {
    let measured = modulo_moved_percent(6000, 3, 4);
    let what = "of the 6,000 vectors, going from mod 3 to mod 4";
    prediction(
        "01.modulo",
        guess_percent,
        measured,
        what,
        "a vector keeps its node only if its hash leaves the same remainder when divided by 3 and by 4, \
         which happens for one hash in four.",
    )
}

/// 01.join: the percentage of vectors the last join moved (run it right
/// after `db.add_node(...)`).
///
/// ```
/// let mut db = elastic_vdb::VectorStore::default();
/// db.add_vectors(6000)?;
/// for node in ["nodeA", "nodeB", "nodeC", "nodeD"] {
///     db.add_node(node)?;
/// }
/// assert!(elastic_vdb::exercise::check_join(25.0, &db).is_correct());
/// # Ok::<(), elastic_vdb::Error>(())
/// ```
#[must_use]
pub fn check_join(guess_percent: f64, db: &VectorStore) -> Verdict {
    moved_share(
        "01.join",
        guess_percent,
        db,
        "join",
        |a| a.joining().is_some(),
        |m| {
            let n = m.nodes_after;
            format!(
                "after the join there are {n} nodes; a fair split gives the newcomer 1/{n} of the vectors, \
             and only what it receives moves."
            )
        },
    )
}

/// 01.leave: the percentage of vectors the last departure moved (run it
/// right after `db.remove_node(...)`).
///
/// ```
/// let mut db = elastic_vdb::VectorStore::default();
/// db.add_vectors(6000)?;
/// db.add_node("nodeA")?;
/// db.add_node("nodeB")?;
/// db.remove_node("nodeB")?;
/// assert!(!elastic_vdb::exercise::check_leave(100.0, &db).is_correct());
/// # Ok::<(), elastic_vdb::Error>(())
/// ```
#[must_use]
pub fn check_leave(guess_percent: f64, db: &VectorStore) -> Verdict {
    moved_share(
        "01.leave",
        guess_percent,
        db,
        "departure",
        |a| matches!(a, Action::RemoveNode(_)),
        |_| {
            "only the leaving node's own vectors move: look up its count in the distribution before it left."
            .to_owned()
        },
    )
}

/// 01.rebuild: the percentage of vectors the last rebuild moved.
///
/// ```
/// let mut db = elastic_vdb::VectorStore::default();
/// db.add_vectors(6000)?;
/// for node in ["nodeA", "nodeC", "nodeD"] {
///     db.add_node(node)?;
/// }
/// db.rebuild(160)?;
/// assert!(elastic_vdb::exercise::check_rebuild(33.0, &db).is_correct());
/// # Ok::<(), elastic_vdb::Error>(())
/// ```
#[must_use]
pub fn check_rebuild(guess_percent: f64, db: &VectorStore) -> Verdict {
    moved_share(
        "01.rebuild",
        guess_percent,
        db,
        "rebuild",
        |a| matches!(a, Action::Rebuild(_)),
        |_| {
            "virtual node v of a node is hashed the same way at every count, so the points of the smaller \
         count stay where they were. A vector moves only if the first point after it is one that came \
         (or went) and belongs to another node: going from 80 to 160, half the points are new, and two \
         times in three a new point belongs to one of the other two nodes."
            .to_owned()
        },
    )
}

/// A prediction of the share the store's last change moved, which must be
/// of the kind `is_kind` accepts; the hint may use the change's report.
fn moved_share(
    exercise: &'static str,
    guess_percent: f64,
    db: &VectorStore,
    kind: &str,
    is_kind: fn(&Action) -> bool,
    hint: impl Fn(&Movement) -> String,
) -> Verdict {
    match last_change(exercise, db, kind, is_kind) {
        Ok(movement) => prediction(
            exercise,
            guess_percent,
            movement.fraction() * 100.0,
            &format!(
                "{} of {} vectors",
                thousands(movement.moved),
                thousands(movement.total)
            ),
            &hint(movement),
        ),
        Err(verdict) => verdict,
    }
}

/// 01.lookup: grades a student's owner lookup. `owner(points, position)`
/// gets the ring's points as `(position, node)` pairs in clockwise order and
/// must return the node of the first point at or after `position`, wrapping
/// round to the first point past the last. It is asked every vector's
/// position, every point's own position, the positions just after each
/// point, 0 and the largest position, and compared with the ring; the first
/// mismatch (or panic) is reported.
///
/// ```
/// let mut db = elastic_vdb::VectorStore::default();
/// db.add_vectors(600)?;
/// db.add_node("nodeA")?;
/// db.add_node("nodeB")?;
/// let owner = |points: &[(u64, String)], position: u64| -> String {
///     let i = points.partition_point(|(p, _)| *p < position);
///     points[i % points.len()].1.clone()
/// };
/// assert!(elastic_vdb::exercise::check_lookup(&db, owner).is_correct());
/// # Ok::<(), elastic_vdb::Error>(())
/// ```
pub fn check_lookup(db: &VectorStore, owner: impl Fn(&[(u64, String)], u64) -> String) -> Verdict {
    const ID: &str = "01.lookup";
    let ring = db.ring();
    let points: Vec<(u64, String)> = ring
        .points()
        .map(|p| (p.position, p.node.to_owned()))
        .collect();
    if points.is_empty() {
        return Verdict::wrong(
            ID,
            "the ring has no points to look up.".to_owned(),
            "add a node first.",
        );
    }
    let mut positions: Vec<(u64, &str)> =
        vec![(0, "position 0"), (u64::MAX, "the largest position")];
    for point in &points {
        positions.push((point.0, "a position equal to a point"));
        positions.push((point.0.wrapping_add(1), "the position just after a point"));
    }
    positions
        .extend((0..db.generated()).map(|s| (key_position(&vector_id(s)), "a vector's position")));
    for (position, kind) in &positions {
        let expected = ring.owner_of_position(*position).unwrap_or_default();
        let answer = match without_panicking(|| owner(&points, *position)) {
            Ok(answer) => answer,
            Err(message) if message.starts_with("not yet implemented") => {
                return Verdict::wrong(
                    ID,
                    "your function is not written yet (it reached todo!()).".to_owned(),
                    "replace todo!(...) with your lookup and run both cells again.",
                );
            }
            Err(message) => {
                return Verdict::wrong(
                    ID,
                    format!("your function panicked at {kind}, {position}: {message}"),
                    "past the last point the walk continues at the first one; an index equal to the \
                     number of points must wrap round to 0.",
                );
            }
        };
        if answer != expected {
            return Verdict::wrong(
                ID,
                format!("at {kind}, {position}, you said {answer:?}; the ring says {expected:?}."),
                "a vector belongs to the first point at or after its position (a point owns the arc that \
                 ends at it, itself included), and past the last point the walk wraps to the first.",
            );
        }
    }
    Verdict::right(
        ID,
        format!(
            "your lookup agrees with the ring at all {} positions, the edge cases included.",
            thousands(positions.len())
        ),
    )
}

/// The steps of notebook 01, by the name [`catch_up_01`] takes.
const STEPS_01: [&str; 7] = [
    "vectors", "nodeA", "nodeB", "nodeC", "nodeD", "-nodeB", "rebuild",
];

/// Notebook 01's store as it stands after the step `after`: `"vectors"`
/// (6,000 vectors, no node), `"nodeA"` to `"nodeD"` (after that node
/// joined), `"-nodeB"` (after nodeB left) or `"rebuild"` (after the rebuild
/// at 160 vnodes). For a late student, or after a kernel restart.
///
/// ```
/// let db = elastic_vdb::exercise::catch_up_01("nodeD")?;
/// assert_eq!(db.distribution()["nodeD"], 1639);
/// assert!(elastic_vdb::exercise::catch_up_01("nodeE").is_err());
/// # Ok::<(), elastic_vdb::Error>(())
/// ```
pub fn catch_up_01(after: &str) -> Result<VectorStore, Error> {
    let Some(last) = STEPS_01.iter().position(|step| *step == after) else {
        return Err(Error::Parameter(ParameterError::Invalid {
            parameter: "step",
            value: format!("{after:?}"),
            allowed: "one of \"vectors\", \"nodeA\", \"nodeB\", \"nodeC\", \"nodeD\", \"-nodeB\", \"rebuild\"",
        }));
    };
    let mut db = VectorStore::default();
    db.add_vectors(6000)?;
    for step in &STEPS_01[1..=last] {
        match *step {
            "-nodeB" => drop(db.remove_node("nodeB")?),
            "rebuild" => drop(db.rebuild(160)?),
            node => drop(db.add_node(node)?),
        }
    }
    Ok(db)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exercise::TOLERANCE_POINTS;

    #[test]
    fn modulo_moves_three_in_four() {
        let moved = modulo_moved_percent(6000, 3, 4);
        assert!((moved - 75.0).abs() < 1.5, "{moved}");
        assert_eq!(modulo_moved_percent(6000, 3, 3), 0.0);
        assert_eq!(modulo_moved_percent(0, 3, 4), 0.0);
        assert_eq!(modulo_moved_percent(6000, 0, 4), 0.0);
    }

    #[test]
    fn predictions_within_the_tolerance_pass_and_others_explain() {
        let db = catch_up_01("nodeD").unwrap();
        assert!(check_join(25.0, &db).is_correct());
        assert!(check_join(27.3 + TOLERANCE_POINTS, &db).is_correct());
        let far = check_join(27.3 + TOLERANCE_POINTS + 0.2, &db);
        assert!(!far.is_correct());
        assert!(far.to_string().contains("1/4"), "{far}");
        let fraction = check_join(0.25, &db);
        assert!(
            fraction.to_string().contains("you predicted 0.25%"),
            "{fraction}"
        );
        assert!(fraction.to_string().contains("in percent"), "{fraction}");
        let none = check_join(f64::NAN, &db);
        assert!(
            none.to_string().starts_with("✗ 01.join: no prediction yet"),
            "{none}"
        );
        assert!(!check_join(f64::INFINITY, &db).is_correct());
    }

    #[test]
    fn a_check_after_the_wrong_change_says_which_cell_to_run() {
        let db = catch_up_01("nodeC").unwrap();
        let verdict = check_leave(25.0, &db);
        assert!(!verdict.is_correct());
        assert!(verdict.to_string().contains("not departure"), "{verdict}");
        let empty = check_rebuild(33.0, &VectorStore::default());
        assert!(empty.to_string().contains("none yet"), "{empty}");
    }

    #[test]
    fn tutorial_answers() {
        let leave = catch_up_01("-nodeB").unwrap();
        assert!(check_leave(25.0, &leave).is_correct());
        assert!(!check_leave(75.0, &leave).is_correct());
        let rebuild = catch_up_01("rebuild").unwrap();
        assert!(check_rebuild(100.0 / 3.0, &rebuild).is_correct());
        assert!(!check_rebuild(100.0, &rebuild).is_correct());
        assert!(check_modulo(75.0).is_correct());
        assert!(!check_modulo(25.0).is_correct());
    }

    #[test]
    fn lookup_grader_finds_each_classic_mistake() {
        let db = catch_up_01("nodeD").unwrap();
        let right = |points: &[(u64, String)], position: u64| {
            let i = points.partition_point(|(p, _)| *p < position);
            points[i % points.len()].1.clone()
        };
        assert!(check_lookup(&db, right).is_correct());
        let no_wrap = |points: &[(u64, String)], position: u64| {
            points[points.partition_point(|(p, _)| *p < position)]
                .1
                .clone()
        };
        let verdict = check_lookup(&db, no_wrap);
        assert!(verdict.to_string().contains("panicked"), "{verdict}");
        let strictly_after = |points: &[(u64, String)], position: u64| {
            let i = points.partition_point(|(p, _)| *p <= position);
            points[i % points.len()].1.clone()
        };
        let verdict = check_lookup(&db, strictly_after);
        assert!(
            verdict.to_string().contains("equal to a point"),
            "{verdict}"
        );
        let unwritten = |_: &[(u64, String)], _: u64| -> String { todo!("your code here") };
        let verdict = check_lookup(&db, unwritten);
        assert!(verdict.to_string().contains("not written yet"), "{verdict}");
        let first_node = |points: &[(u64, String)], _: u64| points[0].1.clone();
        assert!(!check_lookup(&db, first_node).is_correct());
        let empty = check_lookup(&VectorStore::default(), right);
        assert!(!empty.is_correct());
    }

    #[test]
    fn catch_up_replays_the_notebook() {
        let mut db = VectorStore::default();
        db.add_vectors(6000).unwrap();
        assert_eq!(
            catch_up_01("vectors").unwrap().distribution(),
            db.distribution()
        );
        for node in ["nodeA", "nodeB", "nodeC", "nodeD"] {
            db.add_node(node).unwrap();
            assert_eq!(catch_up_01(node).unwrap().distribution(), db.distribution());
        }
        db.remove_node("nodeB").unwrap();
        assert_eq!(
            catch_up_01("-nodeB").unwrap().distribution(),
            db.distribution()
        );
        db.rebuild(160).unwrap();
        let caught = catch_up_01("rebuild").unwrap();
        assert_eq!(caught.distribution(), db.distribution());
        assert_eq!(caught.ring().vnodes_per_node(), 160);
        let error = catch_up_01("nodeE").unwrap_err().to_string();
        assert!(error.contains("\"nodeE\""), "{error}");
    }
}
