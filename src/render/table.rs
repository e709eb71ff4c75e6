//! Tables as aligned text and as HTML: the one toolkit every table the crate
//! shows is written with.

use super::escape_xml;

/// An aligned text table: first column left, the others right-aligned.
pub(crate) fn text_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|cell| cell.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| -> String {
        cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(index, (cell, &width))| {
                if index == 0 {
                    format!("{cell:<width$}")
                } else {
                    format!("{cell:>width$}")
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

/// An HTML table with a caption; every cell escaped.
pub(crate) fn html_table(caption: &str, header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = format!(
        "<table style=\"border-collapse:collapse;font-family:sans-serif;font-size:13px\"><caption style=\"text-align:left;font-weight:bold;padding:4px 0\">{}</caption><thead><tr>",
        escape_xml(caption)
    );
    for cell in header {
        out.push_str(&format!(
            "<th style=\"border-bottom:2px solid #444;padding:3px 10px;text-align:right\">{}</th>",
            escape_xml(cell)
        ));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for (index, cell) in row.iter().enumerate() {
            let align = if index == 0 { "left" } else { "right" };
            out.push_str(&format!(
                "<td style=\"border-bottom:1px solid #ddd;padding:3px 10px;text-align:{align}\">{}</td>",
                escape_xml(cell)
            ));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}
