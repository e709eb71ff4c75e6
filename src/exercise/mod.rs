//! Exercises for the notebooks: a student writes down a prediction, or a
//! function, and a check compares it with what the library measures on the
//! student's own store.
//!
//! Every check returns a [`Verdict`] that reads `✓ 01.join: ...` or
//! `✗ 01.join: ... Hint: ...`; none panics, whatever the answer (a panic in
//! an evcxr cell costs the student the variables that cell touched). The
//! exercise id at the start of the line is what the teacher's grading command
//! counts. [`catch_up_01`] rebuilds notebook 01's store as it stands after
//! any of its steps, for a student who joins late or whose kernel restarted.
//!
//! One file per notebook: `tutorial` (01), `balance` (02), `failure` (04).
//!
//! ```
//! use elastic_vdb::exercise;
//!
//! let verdict = exercise::check_modulo(75.0);
//! assert!(verdict.is_correct());
//! assert!(verdict.to_string().starts_with("✓ 01.modulo"));
//! ```

use std::fmt;
use std::panic::{self, AssertUnwindSafe};

mod balance;
mod failure;
mod tutorial;

pub use balance::check_cv;
pub use failure::{check_crash_one, check_crash_two, check_two_crashes, pair_losses};
pub use tutorial::{
    catch_up_01, check_join, check_leave, check_lookup, check_modulo, check_rebuild,
    modulo_moved_percent,
};

use crate::render::{escape_xml, print_text_and_html};
use crate::store::{Action, Movement, VectorStore};

/// How far, in percentage points, a prediction may be from the measured
/// share and still count as right: the ideal shares the notebooks teach
/// (25% for a fourth node, say) are within it of what the tutorial's 6,000
/// vectors really do (27.3%).
pub const TOLERANCE_POINTS: f64 = 5.0;

/// The outcome of one check: which exercise, right or not, and what to say.
///
/// ```
/// let db = elastic_vdb::VectorStore::default();
/// let verdict = elastic_vdb::exercise::check_join(f64::NAN, &db);
/// assert!(!verdict.is_correct());
/// assert_eq!(verdict.exercise(), "01.join");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    exercise: &'static str,
    correct: bool,
    message: String,
    hint: Option<String>,
}

impl Verdict {
    pub(crate) fn right(exercise: &'static str, message: String) -> Verdict {
        Verdict {
            exercise,
            correct: true,
            message,
            hint: None,
        }
    }

    pub(crate) fn wrong(
        exercise: &'static str,
        message: String,
        hint: impl Into<String>,
    ) -> Verdict {
        let hint: String = hint.into();
        Verdict {
            exercise,
            correct: false,
            message,
            hint: (!hint.is_empty()).then_some(hint),
        }
    }

    /// The exercise's id, such as `01.join` (notebook, then name).
    #[must_use]
    pub fn exercise(&self) -> &'static str {
        self.exercise
    }

    /// Whether the answer was right.
    #[must_use]
    pub fn is_correct(&self) -> bool {
        self.correct
    }

    /// Shows the verdict in a notebook: one line of text, and the same line
    /// in green or red.
    pub fn evcxr_display(&self) {
        let colour = if self.correct { "#1b7837" } else { "#b2182b" };
        let html = format!(
            r#"<div style="font-size:1.1em;color:{colour}">{}</div>"#,
            escape_xml(&self.to_string())
        );
        print_text_and_html(&self.to_string(), &html);
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mark = if self.correct { '✓' } else { '✗' };
        write!(f, "{mark} {}: {}", self.exercise, self.message)?;
        match &self.hint {
            Some(hint) => write!(f, " Hint: {hint}"),
            None => Ok(()),
        }
    }
}

/// Compares a prediction, in percent, with the measured share.
pub(crate) fn prediction(
    exercise: &'static str,
    guess: f64,
    measured: f64,
    what: &str,
    hint: &str,
) -> Verdict {
    if !guess.is_finite() {
        return Verdict::wrong(
            exercise,
            format!("no prediction yet ({guess} is not a number)."),
            "replace NAN in the prediction cell with your guess in percent, such as 40.0, and run it again.",
        );
    }
    // One decimal, or two when one would round the guess (0.75 must not read 0.8).
    let said = if (guess * 10.0).fract().abs() < 1e-9 {
        format!("{guess:.1}")
    } else {
        format!("{guess:.2}")
    };
    let told = format!("you predicted {said}%; the library measured {measured:.1}% ({what}).");
    if measured == 0.0 && guess.abs() >= 0.05 {
        // Nothing at all is an exact answer: a guess of a few percent (or a
        // fraction such as 0.244, meaning 24.4%) says something is lost.
        return Verdict::wrong(
            exercise,
            told,
            format!("the measured share is exactly zero, not a little; {hint}"),
        );
    }
    if (guess - measured).abs() <= TOLERANCE_POINTS {
        return Verdict::right(exercise, told);
    }
    if guess > 0.0 && guess <= 1.0 && (guess * 100.0 - measured).abs() <= TOLERANCE_POINTS {
        return Verdict::wrong(
            exercise,
            told,
            format!(
                "write the prediction in percent: {guess} means {guess}%, not {}%.",
                guess * 100.0
            ),
        );
    }
    Verdict::wrong(exercise, told, hint)
}

/// The last change, if it was of the kind `is_kind` accepts, or a verdict
/// saying which cell to run first.
pub(crate) fn last_change<'a>(
    exercise: &'static str,
    db: &'a VectorStore,
    kind: &str,
    is_kind: fn(&Action) -> bool,
) -> Result<&'a Movement, Verdict> {
    match db.last_movement() {
        Some(movement) if is_kind(&movement.action) => Ok(movement),
        other => Err(Verdict::wrong(
            exercise,
            format!(
                "the store's last change is {}, not {kind}.",
                other.map_or("none yet".to_owned(), |m| m.status_line())
            ),
            format!("run the cell that makes the {kind} first, then this check."),
        )),
    }
}

/// Runs a student's function, turning a panic into its message: the panic
/// hook is silenced meanwhile, so the notebook shows the verdict instead of
/// a backtrace, and evcxr keeps the cell's variables.
pub(crate) fn without_panicking<R>(run: impl FnOnce() -> R) -> Result<R, String> {
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let result = panic::catch_unwind(AssertUnwindSafe(run));
    panic::set_hook(hook);
    result.map_err(|payload| crate::render::panic_message(payload.as_ref()).to_owned())
}
