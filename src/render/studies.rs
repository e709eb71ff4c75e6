//! How the analysis studies show themselves: their tables, as text and as
//! HTML (the text form goes with the HTML in a notebook), and their charts.

use super::table::{html_table, text_table};
use super::{
    CurveView, DistributionView, GroupedBarsView, Series, SeriesStyle, print_text_and_html,
};
use crate::analysis::{Claims, Comparison, SweepRow, VnodeSweep};
use crate::error::{Error, ParameterError};
use crate::format::{human_bytes, thousands};

/// `to_text`, `to_html` and `evcxr_display` for a study with `caption()` and
/// `cells()`: the studies' tables show themselves the same way.
macro_rules! table_display {
    ($type:ty) => {
        impl $type {
            /// The table as aligned text, under its caption.
            #[must_use]
            pub fn to_text(&self) -> String {
                let (header, rows) = self.cells();
                format!("{}\n{}", self.caption(), text_table(&header, &rows))
            }

            /// The table as HTML, with its caption.
            #[must_use]
            pub fn to_html(&self) -> String {
                let (header, rows) = self.cells();
                html_table(&self.caption(), &header, &rows)
            }

            /// Shows the table in an evcxr notebook cell (HTML, with the
            /// text form too).
            pub fn evcxr_display(&self) {
                print_text_and_html(&self.to_text(), &self.to_html());
            }
        }
    };
}

table_display!(Comparison);
table_display!(VnodeSweep);
table_display!(Claims);

impl Comparison {
    fn cells(&self) -> (Vec<&'static str>, Vec<Vec<String>>) {
        let header = vec![
            "strategy",
            "max/mean",
            "min/mean",
            "CV",
            "moved on add",
            "of which not to the new node",
            "moved on remove",
            "memory",
        ];
        let rows = self
            .rows
            .iter()
            .map(|row| {
                vec![
                    row.label.clone(),
                    format!("{:.3}", row.balance.max_over_mean),
                    format!("{:.3}", row.balance.min_over_mean),
                    format!("{:.4}", row.balance.cv),
                    format!("{:.2}%", row.moved_on_add.fraction() * 100.0),
                    format!(
                        "{:.2}%",
                        row.moved_on_add.excess() as f64 / self.keys as f64 * 100.0
                    ),
                    row.moved_on_remove.map_or("-".into(), |movement| {
                        format!("{:.2}%", movement.fraction() * 100.0)
                    }),
                    human_bytes(row.memory_bytes),
                ]
            })
            .collect();
        (header, rows)
    }

    fn caption(&self) -> String {
        let (add, remove) = self.ideals();
        format!(
            "{} keys on {} nodes; a join moves ideally {:.2}%, a removal {:.2}%",
            thousands(self.keys),
            self.nodes,
            add * 100.0,
            remove * 100.0
        )
    }

    /// Fraction of keys moved on a join and on a removal per strategy, with
    /// the ideals as dashed lines.
    #[must_use]
    pub fn movement_view(&self) -> GroupedBarsView {
        let (add, remove) = self.ideals();
        GroupedBarsView {
            title: format!("Keys moved per strategy | {} nodes", self.nodes),
            y_label: "fraction of keys moved".into(),
            groups: self.rows.iter().map(|row| row.name.to_owned()).collect(),
            series: vec![
                (
                    format!("node{} joins", self.nodes),
                    self.rows
                        .iter()
                        .map(|row| row.moved_on_add.fraction())
                        .collect(),
                ),
                (
                    format!(
                        "{} leaves",
                        self.rows
                            .first()
                            .and_then(|row| row.removed_node.clone())
                            .unwrap_or_default()
                    ),
                    self.rows
                        .iter()
                        .map(|row| {
                            row.moved_on_remove
                                .map_or(0.0, |movement| movement.fraction())
                        })
                        .collect(),
                ),
            ],
            references: vec![
                (format!("ideal join 1/{}", self.nodes + 1), add),
                (format!("ideal removal 1/{}", self.nodes), remove),
            ],
            references_per_series: true,
            log_y: true,
            ..GroupedBarsView::default()
        }
    }

    /// Peak-to-average load per strategy.
    #[must_use]
    pub fn balance_view(&self) -> GroupedBarsView {
        GroupedBarsView {
            title: format!(
                "Balance per strategy | {} keys on {} nodes",
                thousands(self.keys),
                self.nodes
            ),
            y_label: "keys per node / mean".into(),
            groups: self.rows.iter().map(|row| row.name.to_owned()).collect(),
            series: vec![
                (
                    "fullest node".into(),
                    self.rows
                        .iter()
                        .map(|row| row.balance.max_over_mean)
                        .collect(),
                ),
                (
                    "emptiest node".into(),
                    self.rows
                        .iter()
                        .map(|row| row.balance.min_over_mean)
                        .collect(),
                ),
            ],
            references: vec![("perfect balance".into(), 1.0)],
            ..GroupedBarsView::default()
        }
    }

    /// Keys per node of one strategy as bars.
    ///
    /// # Errors
    /// [`ParameterError::Invalid`] naming a strategy not in the comparison.
    pub fn keys_view(&self, name: &str) -> Result<DistributionView, Error> {
        let row = self.row(name).ok_or_else(|| {
            Error::Parameter(ParameterError::Invalid {
                parameter: "strategy",
                value: format!("{name:?}"),
                allowed: "one of the compared strategies' names",
            })
        })?;
        Ok(DistributionView::new(
            row.keys_per_node.clone(),
            format!("Keys per node | {}", row.label),
        ))
    }
}

impl Claims {
    fn caption(&self) -> String {
        "Published claims, measured here".to_owned()
    }

    fn cells(&self) -> (Vec<&'static str>, Vec<Vec<String>>) {
        let header = vec![
            "source", "claim", "setting", "expected", "measured", "verdict",
        ];
        let rows = self
            .rows
            .iter()
            .map(|row| {
                vec![
                    row.source.to_owned(),
                    row.claim.to_owned(),
                    row.setting.clone(),
                    row.expected.clone(),
                    row.measured.clone(),
                    if row.agrees {
                        "agrees"
                    } else {
                        "does not hold here"
                    }
                    .to_owned(),
                ]
            })
            .collect();
        (header, rows)
    }
}

impl VnodeSweep {
    fn cells(&self) -> (Vec<&'static str>, Vec<Vec<String>>) {
        let header = vec![
            "vnodes",
            "share CV",
            "theory",
            "key CV",
            "theory",
            "max/mean keys",
            "min/mean keys",
            "memory",
        ];
        let rows = self
            .rows
            .iter()
            .map(|row| {
                vec![
                    row.vnodes.to_string(),
                    format!("{:.4}", row.share_balance.cv),
                    format!("{:.4}", row.share_cv_theory),
                    format!("{:.4}", row.key_balance.cv),
                    format!("{:.4}", row.key_cv_theory),
                    format!("{:.3}", row.key_balance.max_over_mean),
                    format!("{:.3}", row.key_balance.min_over_mean),
                    human_bytes(row.memory_bytes),
                ]
            })
            .collect();
        (header, rows)
    }

    fn caption(&self) -> String {
        format!(
            "ring balance by vnodes per node | {} nodes, {} keys",
            self.nodes,
            thousands(self.keys)
        )
    }

    /// CV against vnodes per node on log axes, measured (shares and keys)
    /// with the theory curves.
    #[must_use]
    pub fn cv_view(&self) -> CurveView {
        let points = |value: fn(&SweepRow) -> f64| -> Vec<(f64, f64)> {
            self.rows
                .iter()
                .map(|row| (f64::from(row.vnodes), value(row)))
                .collect()
        };
        let theory = self.theory_curves(60);
        CurveView {
            title: format!(
                "Balance vs virtual nodes | {} nodes, {} keys",
                self.nodes,
                thousands(self.keys)
            ),
            x_label: "virtual nodes per node (log)".into(),
            y_label: "coefficient of variation (log)".into(),
            log_x: true,
            log_y: true,
            series: vec![
                Series {
                    label: "theory 1/sqrt(V)".into(),
                    points: theory.shares,
                    style: SeriesStyle::Dashed,
                },
                Series {
                    label: format!("theory with {} keys' sampling noise", thousands(self.keys)),
                    points: theory.keys,
                    style: SeriesStyle::Dotted,
                },
                Series {
                    label: "measured: ring shares".into(),
                    points: points(|row| row.share_balance.cv),
                    style: SeriesStyle::LineWithMarkers,
                },
                Series {
                    label: "measured: keys per node".into(),
                    points: points(|row| row.key_balance.cv),
                    style: SeriesStyle::LineWithMarkers,
                },
            ],
            ..CurveView::default()
        }
    }
}
