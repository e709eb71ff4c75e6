//! The table of topology changes.

use super::escape_xml;
use crate::store::{Action, Movement, UNASSIGNED};

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
    rows: Vec<[String; 6]>,
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
                        format!(
                            "{}\u{2192}{} {}",
                            flow.from.as_deref().unwrap_or(UNASSIGNED),
                            flow.to.as_deref().unwrap_or(UNASSIGNED),
                            flow.count
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                [
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
        let mut widths = HEADER.map(|h| h.chars().count());
        for row in &self.rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let line = |cells: &[&str]| {
            let mut out = String::new();
            for (index, (cell, width)) in cells.iter().zip(widths).enumerate() {
                let pad = " ".repeat(width - cell.chars().count());
                if index == 0 || index == cells.len() - 1 {
                    out.push_str(cell);
                    out.push_str(&pad);
                } else {
                    out.push_str(&pad);
                    out.push_str(cell);
                }
                out.push_str("  ");
            }
            out.trim_end().to_owned()
        };
        let mut lines = vec![line(&HEADER)];
        for row in &self.rows {
            lines.push(line(&row.each_ref().map(String::as_str)));
        }
        lines.join("\n")
    }

    /// The table as HTML.
    ///
    /// ```
    /// let html = elastic_vdb::VectorStore::default().history_view().to_html();
    /// assert!(html.starts_with("<table"));
    /// ```
    #[must_use]
    pub fn to_html(&self) -> String {
        let mut html = String::from("<table class=\"elastic-vdb-history\"><thead><tr>");
        for (index, head) in HEADER.iter().enumerate() {
            let align = if (2..5).contains(&index) {
                "right"
            } else {
                "left"
            };
            html.push_str(&format!("<th style=\"text-align:{align}\">{head}</th>"));
        }
        html.push_str("</tr></thead><tbody>");
        for row in &self.rows {
            html.push_str("<tr>");
            for (index, cell) in row.iter().enumerate() {
                let align = if (2..5).contains(&index) {
                    "right"
                } else {
                    "left"
                };
                html.push_str(&format!(
                    "<td style=\"text-align:{align}\">{}</td>",
                    escape_xml(cell)
                ));
            }
            html.push_str("</tr>");
        }
        html.push_str("</tbody></table>");
        html
    }

    /// Shows the table in an evcxr notebook cell.
    pub fn evcxr_display(&self) {
        super::print_text_and_html(&self.to_text(), &self.to_html());
    }
}
