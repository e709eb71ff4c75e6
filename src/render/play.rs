//! Playing freely: a short script of changes applied in order, shown as an
//! animated ring and the table of what each change moved.

use super::Step;
use super::{HistoryView, Timeline, print_picture_and_html};
use crate::Error;
use crate::error::ParameterError;
use crate::store::VectorStore;

/// What a script may say, for the error that names a step it cannot read.
const SCRIPT_STEPS: &str =
    "one of: add <node>, add <node> weight <w>, remove <node>, fail <node>, rebuild <vnodes>";

/// One step of a script, read before anything is changed.
#[derive(Debug, Clone, PartialEq)]
enum Change {
    Add(String, Option<f64>),
    Remove(String),
    Fail(String),
    Rebuild(u32),
}

fn unreadable(step: &str) -> Error {
    Error::Parameter(ParameterError::Invalid {
        parameter: "script step",
        value: format!("{step:?}"),
        allowed: SCRIPT_STEPS,
    })
}

/// Reads `add nodeE; remove nodeA, rebuild 40` (steps separated by `;`,
/// `,` or new lines) into changes, or names the first step it cannot read.
fn read_script(script: &str) -> Result<Vec<Change>, Error> {
    script
        .split([';', ',', '\n'])
        .map(str::trim)
        .filter(|step| !step.is_empty())
        .map(|step| {
            let words: Vec<&str> = step.split_whitespace().collect();
            match words.as_slice() {
                ["add", node] => Ok(Change::Add((*node).to_owned(), None)),
                ["add", node, "weight", weight] => weight
                    .parse::<f64>()
                    .map(|w| Change::Add((*node).to_owned(), Some(w)))
                    .map_err(|_| unreadable(step)),
                ["remove", node] => Ok(Change::Remove((*node).to_owned())),
                ["fail", node] => Ok(Change::Fail((*node).to_owned())),
                ["rebuild", vnodes] => vnodes
                    .parse::<u32>()
                    .map(Change::Rebuild)
                    .map_err(|_| unreadable(step)),
                _ => Err(unreadable(step)),
            }
        })
        .collect()
}

/// The result of [`VectorStore::play`]: the rings of every step, animated,
/// and the table of what each moved.
#[derive(Debug, Clone)]
pub struct Play {
    /// The ring before the script, then after each step.
    pub timeline: Timeline,
    /// What each step moved, in order.
    pub history: HistoryView,
}

impl Play {
    /// Shows the animated ring and the table in a notebook cell.
    pub fn evcxr_display(&self) {
        print_picture_and_html(
            &format!("{}\n{}", self.timeline.summary(), self.history.to_text()),
            "the script's steps, animated",
            &self.timeline.to_animated_svg(),
            &self.history.to_html(),
        );
    }
}

impl VectorStore {
    /// Applies a short script of changes in order (`add <node>`, `add <node>
    /// weight <w>`, `remove <node>`, `fail <node>`, `rebuild <vnodes>`,
    /// separated by `;`, `,` or new lines) and returns the rings and the
    /// table of what each step moved. All or nothing: a step that cannot be
    /// read, or that the store refuses (a node already there, say), is
    /// named in the error and the store is left exactly as it was.
    ///
    /// ```
    /// let mut db = elastic_vdb::exercise::catch_up_01("nodeD")?;
    /// let play = db.play("add nodeE; remove nodeA; rebuild 40")?;
    /// assert_eq!(play.timeline.len(), 4);
    /// assert_eq!(db.ring().vnodes_per_node(), 40);
    /// let before = db.distribution();
    /// assert!(db.play("add nodeF; add nodeC").is_err()); // nodeC is there
    /// assert_eq!(db.distribution(), before);
    /// assert!(db.play("jump nodeF").is_err());
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    pub fn play(&mut self, script: &str) -> Result<Play, Error> {
        let changes = read_script(script)?;
        let mut copy = self.clone();
        let mut timeline = Timeline::new();
        timeline.push(
            copy.ring_view()
                .without_moves()
                .with_status("before the script"),
        );
        let already = copy.history().len();
        for change in &changes {
            let step: Step = match change {
                Change::Add(node, None) => copy.add_node(node)?,
                Change::Add(node, Some(weight)) => copy.add_weighted_node(node, *weight)?,
                Change::Remove(node) => copy.remove_node(node)?,
                Change::Fail(node) => copy.fail_node(node)?,
                Change::Rebuild(vnodes) => copy.rebuild(*vnodes)?,
            };
            timeline.push(step.view);
        }
        let history = HistoryView::new(&copy.history()[already..]);
        *self = copy;
        Ok(Play { timeline, history })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_are_read_whole_or_refused_by_their_first_bad_step() {
        assert_eq!(
            read_script("add a\nadd b weight 2; remove a, fail b ; rebuild 7").unwrap(),
            vec![
                Change::Add("a".into(), None),
                Change::Add("b".into(), Some(2.0)),
                Change::Remove("a".into()),
                Change::Fail("b".into()),
                Change::Rebuild(7),
            ]
        );
        assert_eq!(read_script("  ").unwrap(), vec![]);
        for bad in ["add", "add a b", "rebuild many", "add a weight x", "grow a"] {
            let error = read_script(&format!("add z; {bad}"))
                .unwrap_err()
                .to_string();
            assert!(error.contains(&format!("{bad:?}")), "{error}");
        }
    }

    #[test]
    fn a_refused_step_leaves_the_store_as_it_was() {
        let mut db = crate::exercise::catch_up_01("nodeC").unwrap();
        let (distribution, history) = (db.distribution(), db.history().len());
        let error = db.play("add nodeD; remove nodeX").unwrap_err().to_string();
        assert!(error.contains("nodeX"), "{error}");
        assert_eq!(
            (db.distribution(), db.history().len()),
            (distribution, history)
        );
        let play = db.play("add nodeD, fail nodeA").unwrap();
        assert_eq!(play.history.len(), 2);
        assert_eq!(db.history().len(), history + 2);
        assert!(!db.ring().contains_node("nodeA"));
    }
}
