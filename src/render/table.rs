//! Tables as aligned text and as HTML: the one toolkit every table of the
//! crate, and of the command line, is written with. One rule lines the
//! cells up in both forms: the first column names the row and is
//! left-aligned; any other column is right-aligned when every cell in it
//! reads as a number (`1,639`, `27.3%`, `3→3`, or `-` for none) and
//! left-aligned otherwise; a header goes with its column.

use super::escape_xml;

/// Whether `cell` reads as a number: a digit first (after an optional
/// sign), then no letters but a unit of at most three at the end (`27.3%`,
/// `1,639`, `3→3`, `4.2 ms`, `1.1 MiB`), or `-`, the mark for no value.
/// `10 nodes, 1,000 keys` is text.
fn reads_as_number(cell: &str) -> bool {
    let digits = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    let body = digits.trim_end_matches(char::is_alphabetic);
    cell == "-"
        || (digits.starts_with(|c: char| c.is_ascii_digit())
            && digits.chars().count() - body.chars().count() <= 3
            && !body.contains(char::is_alphabetic))
}

/// For each column, whether it is right-aligned.
fn right_aligned(columns: usize, rows: &[Vec<String>]) -> Vec<bool> {
    (0..columns)
        .map(|column| {
            column > 0
                && rows
                    .iter()
                    .all(|row| row.get(column).is_none_or(|cell| reads_as_number(cell)))
        })
        .collect()
}

/// An aligned text table, columns two spaces apart, no trailing spaces.
///
/// ```
/// use elastic_vdb::render::table::text_table;
///
/// let rows = vec![
///     vec!["nodeA".to_owned(), "1,639".to_owned(), "nodeD".to_owned(), "10 nodes".to_owned()],
///     vec!["nodeBB".to_owned(), "7".to_owned(), "-".to_owned(), "3 nodes".to_owned()],
/// ];
/// assert_eq!(
///     text_table(&["from", "vectors", "to", "setting"], &rows),
///     "from    vectors  to     setting\nnodeA     1,639  nodeD  10 nodes\nnodeBB        7  -      3 nodes"
/// );
/// ```
#[must_use]
pub fn text_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|cell| cell.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let right = right_aligned(header.len(), rows);
    let line = |cells: Vec<&str>| -> String {
        cells
            .iter()
            .zip(&widths)
            .zip(&right)
            .map(|((cell, &width), &right)| {
                if right {
                    format!("{cell:>width$}")
                } else {
                    format!("{cell:<width$}")
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    let mut out = line(header.to_vec());
    for row in rows {
        out.push('\n');
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

/// An HTML table, aligned as [`text_table`], with a caption unless it is
/// empty; every cell escaped.
///
/// ```
/// use elastic_vdb::render::table::html_table;
///
/// let html = html_table("", &["node", "vectors"], &[vec!["a<b".to_owned(), "3".to_owned()]]);
/// assert!(html.contains(">a&lt;b</td>") && html.contains("text-align:right\">3</td>"));
/// assert!(!html.contains("<caption"));
/// ```
#[must_use]
pub fn html_table(caption: &str, header: &[&str], rows: &[Vec<String>]) -> String {
    let right = right_aligned(header.len(), rows);
    let align = |column: usize| {
        if right.get(column).copied().unwrap_or(false) {
            "right"
        } else {
            "left"
        }
    };
    let mut out = String::from(
        "<table style=\"border-collapse:collapse;font-family:sans-serif;font-size:13px\">",
    );
    if !caption.is_empty() {
        out.push_str(&format!(
            "<caption style=\"text-align:left;font-weight:bold;padding:4px 0\">{}</caption>",
            escape_xml(caption)
        ));
    }
    out.push_str("<thead><tr>");
    for (column, cell) in header.iter().enumerate() {
        out.push_str(&format!(
            "<th style=\"border-bottom:2px solid #444;padding:3px 10px;text-align:{}\">{}</th>",
            align(column),
            escape_xml(cell)
        ));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for (column, cell) in row.iter().enumerate() {
            out.push_str(&format!(
                "<td style=\"border-bottom:1px solid #ddd;padding:3px 10px;text-align:{}\">{}</td>",
                align(column),
                escape_xml(cell)
            ));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

#[cfg(test)]
mod tests {
    use super::reads_as_number;

    #[test]
    fn numbers_and_text_are_told_apart() {
        for number in [
            "7", "1,639", "27.3%", "-", "-0.5", "3→3", "4.2 ms", "1.28x", "12 µs", "9.8 KiB",
        ] {
            assert!(reads_as_number(number), "{number}");
        }
        for text in [
            "",
            "nodeA",
            "10 nodes",
            "CV 0.0025",
            "3 of 7",
            "2 copies",
            "4 nodes",
            "∅",
        ] {
            assert!(!reads_as_number(text), "{text}");
        }
    }
}
