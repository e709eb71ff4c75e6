//! Notebook glue for values that have no picture: numbers, maps, lists.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::fmt::Debug;
use std::io::Write;

/// Shows a plain value (a number, a string, a map, a list, an option, a
/// result, a tuple) as text when it ends a notebook cell.
///
/// evcxr first compiles a cell's last expression as `(value).evcxr_display()`
/// and, when that method does not exist, compiles the cell a second time
/// printing the value's `Debug` form. This trait, which comes with
/// `use elastic_vdb::prelude::*`, gives the plain types a cell usually ends
/// in that method, printing the same text/plain block evcxr would, so such a
/// cell is compiled once. It is implemented for those standard types only,
/// never for all `Debug` types: a picture behind a `Box` or a reference
/// still finds its own `evcxr_display` through auto-deref.
///
/// ```
/// use elastic_vdb::prelude::*;
///
/// // In a notebook this prints one text/plain block holding `[1, 2, 3]`.
/// vec![1, 2, 3].evcxr_display();
/// ```
pub trait ShowDebug {
    /// Prints the value's `Debug` form as evcxr's `text/plain` block.
    fn evcxr_display(&self);
}

fn print_debug(value: &dyn Debug) {
    // A closed standard output leaves nowhere to say anything.
    let _ = writeln!(
        std::io::stdout().lock(),
        "EVCXR_BEGIN_CONTENT text/plain\n{value:?}\nEVCXR_END_CONTENT"
    );
}

macro_rules! show_debug {
    ($($type:ty),* $(,)?) => {
        $(impl ShowDebug for $type {
            fn evcxr_display(&self) {
                print_debug(&self);
            }
        })*
    };
}

show_debug!(
    bool,
    char,
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    f32,
    f64,
    str,
    String,
    ()
);

impl<T: Debug> ShowDebug for [T] {
    fn evcxr_display(&self) {
        print_debug(&self);
    }
}

impl<T: Debug, const N: usize> ShowDebug for [T; N] {
    fn evcxr_display(&self) {
        print_debug(self);
    }
}

macro_rules! show_debug_generic {
    ($([$($parameter:ident),*] $type:ty),* $(,)?) => {
        $(impl<$($parameter: Debug),*> ShowDebug for $type {
            fn evcxr_display(&self) {
                print_debug(self);
            }
        })*
    };
}

show_debug_generic!(
    [T] Vec<T>,
    [T] VecDeque<T>,
    [T] Option<T>,
    [T, E] Result<T, E>,
    [K, V] BTreeMap<K, V>,
    [K, V, S] HashMap<K, V, S>,
    [T] BTreeSet<T>,
    [T, S] HashSet<T, S>,
    [A, B] (A, B),
    [A, B, C] (A, B, C),
    [A, B, C, D] (A, B, C, D),
);

impl<T: ShowDebug + ?Sized> ShowDebug for &T {
    fn evcxr_display(&self) {
        (**self).evcxr_display();
    }
}

/// Makes a panicking notebook cell say what went wrong in one line,
/// instead of Rust's default message, which in evcxr names the kernel's
/// generated crate (`src/lib.rs:125:18`) and adds a backtrace of compiler
/// paths. When the panic is raised in the cell's own code, the line quotes
/// that code (evcxr copies a cell's lines into the generated crate, found
/// through `EVCXR_TMPDIR`, which the kernel `make kernel` installs sets).
/// That kernel calls this at start; in another kernel, call it once in any
/// cell. The line still begins `panicked at`, as Rust's own message does.
///
/// ```
/// elastic_vdb::render::short_panics();
/// let caught = std::panic::catch_unwind(|| {
///     let numbers = vec![1, 2, 3];
///     numbers[std::hint::black_box(7)]
/// });
/// assert!(caught.is_err());
/// ```
pub fn short_panics() {
    std::panic::set_hook(Box::new(|info| {
        let message = panic_message(info.payload());
        let place = info
            .location()
            .zip(std::env::var_os("EVCXR_TMPDIR"))
            .and_then(|(location, folder)| {
                cell_line(
                    std::path::Path::new(&folder),
                    location.file(),
                    location.line(),
                )
            })
            .map_or_else(|| "this cell".to_owned(), |line| format!("`{line}`"));
        // One line, written at once: evcxr forwards standard error line by
        // line, apart from the cell's completion, and a second line could
        // arrive after the cell had finished (seen in CI: it was lost).
        let text = format!(
            "panicked at {place}: {message}. A cell that panics loses the variables it used: \
             run the cells above again (Run > Run All Above Selected Cell), or the notebook's \
             catch-up line.\n"
        );
        // Nothing can be reported if standard error is closed.
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }));
}

/// The line of the cell's own code a panic was raised at, trimmed and cut
/// to 80 characters: evcxr compiles each cell as `src/lib.rs` (a relative
/// path, unlike any library's) in its `folder` (`EVCXR_TMPDIR`).
fn cell_line(folder: &std::path::Path, file: &str, line: u32) -> Option<String> {
    if file != "src/lib.rs" {
        return None;
    }
    let source = std::fs::read_to_string(folder.join(file)).ok()?;
    let text = source
        .lines()
        .nth(usize::try_from(line).ok()?.checked_sub(1)?)?
        .trim();
    if text.is_empty() {
        return None;
    }
    let mut quoted: String = text.chars().take(80).collect();
    if quoted.len() < text.len() {
        quoted.push_str(" ...");
    }
    Some(quoted)
}

/// The message a panic was raised with (`panic!("...")` gives a `&str`,
/// `panic!("{x}")` a `String`).
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic without a message")
}

#[cfg(test)]
mod tests {
    use super::cell_line;

    #[test]
    fn a_panic_in_the_cell_quotes_its_line_and_nothing_else_does() {
        let folder = std::env::temp_dir().join(format!("cell-line-{}", std::process::id()));
        std::fs::create_dir_all(folder.join("src")).unwrap();
        let long = format!("let x = {};", "1 + ".repeat(40));
        std::fs::write(
            folder.join("src/lib.rs"),
            format!("fn run() {{\n    db.distribution()[\"nope\"];\n\n{long}\n}}\n"),
        )
        .unwrap();
        assert_eq!(
            cell_line(&folder, "src/lib.rs", 2).as_deref(),
            Some(r#"db.distribution()["nope"];"#)
        );
        let cut = cell_line(&folder, "src/lib.rs", 4).unwrap();
        assert!(cut.ends_with(" ...") && cut.chars().count() == 84, "{cut}");
        // A blank line, a line past the end, line 0, a library's file.
        for (file, line) in [
            ("src/lib.rs", 3),
            ("src/lib.rs", 99),
            ("src/lib.rs", 0),
            ("/work/src/ring.rs", 2),
        ] {
            assert_eq!(cell_line(&folder, file, line), None, "{file}:{line}");
        }
        assert_eq!(cell_line(&folder.join("missing"), "src/lib.rs", 2), None);
        std::fs::remove_dir_all(folder).unwrap();
    }
}
