//! Playing freely: a short script of changes applied in order, shown as an
//! animated ring and the table of what each change moved.

use super::{HistoryView, Timeline, print_picture_and_html};
use crate::Error;
use crate::error::ParameterError;
use crate::store::{ACTION_FORMS, Action, VectorStore};

/// Reads `add nodeE; remove nodeA, rebuild 40` (actions in their command
/// form, separated by `;`, `,` or new lines), or names the first step it
/// cannot read.
fn read_script(script: &str) -> Result<Vec<Action>, Error> {
    script
        .split([';', ',', '\n'])
        .map(str::trim)
        .filter(|step| !step.is_empty())
        .map(|step| {
            step.parse().map_err(|_| {
                Error::Parameter(ParameterError::Invalid {
                    parameter: "script step",
                    value: format!("{step:?}"),
                    allowed: ACTION_FORMS,
                })
            })
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
    /// Applies a short script of changes in order, each an [`Action`] in
    /// its command form (`add <node>`, `add <node> weight <w>`, `remove
    /// <node>`, `fail <node>`, `rebuild <vnodes>`, ...; see
    /// [`ACTION_FORMS`]), separated by `;`, `,` or new lines, and returns the rings and the
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
        for action in changes {
            timeline.push(copy.step(action)?.view);
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
                Action::AddNode("a".into()),
                Action::AddWeightedNode {
                    id: "b".into(),
                    weight: 2.0
                },
                Action::RemoveNode("a".into()),
                Action::FailNode("b".into()),
                Action::Rebuild(7),
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
