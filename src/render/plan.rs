//! How a migration plan shows itself: its summary, then its flows, as text
//! and as a table.

use super::print_text_and_html;
use super::table::html_table;
use crate::store::MigrationPlan;

impl MigrationPlan {
    /// The summary and the flows as an HTML table.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(100)?;
    /// db.add_node("a")?;
    /// let html = db.plan_add_node("b")?.to_html();
    /// assert!(html.contains("add b: would send") && html.contains(">a</td>"));
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn to_html(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .flows
            .iter()
            .map(|flow| {
                vec![
                    flow.source().to_owned(),
                    flow.target().to_owned(),
                    flow.count.to_string(),
                    self.bytes_of(flow).to_string(),
                ]
            })
            .collect();
        html_table(&self.summary(), &["from", "to", "vectors", "bytes"], &rows)
    }

    /// Shows the plan in an evcxr notebook cell.
    pub fn evcxr_display(&self) {
        let mut text = self.summary();
        for flow in &self.flows {
            text.push_str(&format!(
                "\n  {} -> {}: {} vectors, {} bytes",
                flow.source(),
                flow.target(),
                flow.count,
                self.bytes_of(flow)
            ));
        }
        print_text_and_html(&text, &self.to_html());
    }
}
