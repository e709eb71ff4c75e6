//! Notebook glue for values that have no picture: numbers, maps, vectors.

use std::fmt::Debug;
use std::io::Write;

/// Shows any [`Debug`] value as text when it ends a notebook cell.
///
/// evcxr first compiles a cell's last expression as `(value).evcxr_display()`
/// and, when that method does not exist, compiles the cell a second time
/// printing the value's `Debug` form. With this trait in scope (it comes with
/// `use elastic_vdb::prelude::*`) the method always exists, so a cell ending
/// in `db.distribution()` or a plain number is compiled once and shows
/// exactly the text it showed before. Pictures and tables keep their own
/// `evcxr_display`: an inherent method is always chosen over a trait's.
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

impl<T: Debug + ?Sized> ShowDebug for T {
    fn evcxr_display(&self) {
        let mut out = std::io::stdout().lock();
        // A closed stdout has nowhere to report to; evcxr's own fallback
        // ignores the same error.
        let _ = writeln!(
            out,
            "EVCXR_BEGIN_CONTENT text/plain\n{self:?}\nEVCXR_END_CONTENT"
        );
    }
}
