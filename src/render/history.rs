//! The table of topology changes.

use super::table::{html_table, text_table};
use crate::store::{Action, Movement};

/// Every topology change of a store as a table: what happened, how much
/// moved, what an ideal placement would have moved, and where the vectors
/// went. Shows itself as an HTML table in a notebook.
///
/// ```
/// let mut db = elastic_vdb::VectorStore::default();
/// db.add_vectors(600)?;
/// db.add_node("a")?;
/// db.add_node("b")?;
/// let text = db.history_view().to_text();
/// assert!(text.contains("add b"));
/// # Ok::<(), elastic_vdb::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct HistoryView {
    rows: Vec<Vec<String>>,
}

const HEADER: [&str; 6] = ["change", "nodes", "moved", "of all", "ideal", "flows"];

impl HistoryView {
    /// A table of these movements, oldest first.
    ///
    /// ```
    /// assert_eq!(elastic_vdb::render::HistoryView::new(&[]).len(), 0);
    /// ```
    #[must_use]
    pub fn new(history: &[Movement]) -> HistoryView {
        let rows = history
            .iter()
            .map(|movement| {
                let change = match &movement.action {
                    Action::FailNode(_) | Action::FailNodes(_) => {
                        format!("{} (lost {})", movement.action, movement.lost)
                    }
                    other => other.to_string(),
                };
                let flows = movement
                    .flows
                    .iter()
                    .map(|flow| {
                        format!("{}\u{2192}{} {}", flow.source(), flow.target(), flow.count)
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                vec![
                    change,
                    format!("{}\u{2192}{}", movement.nodes_before, movement.nodes_after),
                    movement.moved.to_string(),
                    format!("{:.1}%", movement.fraction() * 100.0),
                    movement
                        .ideal_fraction()
                        .map_or_else(|| "-".to_owned(), |ideal| format!("{:.1}%", ideal * 100.0)),
                    flows,
                ]
            })
            .collect();
        HistoryView { rows }
    }

    /// How many changes the table lists.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_node("a")?;
    /// assert_eq!(db.history_view().len(), 1);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the table is empty.
    ///
    /// ```
    /// assert!(elastic_vdb::VectorStore::default().history_view().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The table as aligned text.
    ///
    /// ```
    /// let text = elastic_vdb::VectorStore::default().history_view().to_text();
    /// assert!(text.starts_with("change"));
    /// ```
    #[must_use]
    pub fn to_text(&self) -> String {
        text_table(&HEADER, &self.rows)
    }

    /// The table as HTML.
    ///
    /// ```
    /// let html = elastic_vdb::VectorStore::default().history_view().to_html();
    /// assert!(html.starts_with("<table"));
    /// ```
    #[must_use]
    pub fn to_html(&self) -> String {
        html_table("", &HEADER, &self.rows)
    }

    /// Shows the table in an evcxr notebook cell.
    pub fn evcxr_display(&self) {
        super::print_text_and_html(&self.to_text(), &self.to_html());
    }
}
