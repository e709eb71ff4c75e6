//! The ring picture: the view, what it holds and how it is made from a
//! store. Drawing is split by what is drawn: `geometry` (where a position
//! sits on the picture), `layers` (the circle, its arcs and what lies
//! around it), `legend` (the text beside it).

mod geometry;
mod layers;
mod legend;

use std::collections::BTreeMap;
use std::fmt::Write;

use plotters::prelude::*;

use super::{RenderOptions, error_svg, node_colors, print_evcxr_blocks, side};
use crate::ring::{Handover, Ring};
use crate::store::{Flow, Key, MovedKey, VectorStore};

/// Up to this many ring points, a tick crosses the circle at each one;
/// above it, ticks are drawn short and faint outside the circle, so that
/// the arcs' colours stay readable (480 points, 01's rebuild to 160, are
/// drawn in full).
const FULL_TICKS: usize = 500;

/// Above this many ring points, ticks are not drawn: on the default
/// picture they would sit less than a pixel apart, a solid band hiding the
/// arcs (1,920 points, 01's rebuild to 640, are hidden, and the legend says so).
const MAX_TICKS: usize = 1_500;

/// Colour of vectors that no node holds.
const UNASSIGNED_GREY: RGBColor = RGBColor(150, 150, 150);

/// A picture of the hash ring: the circle is the space of 2^64 positions,
/// read clockwise from the top; each arc is coloured by the node that owns
/// it; a tick marks every virtual node; dots are vectors at their positions.
/// What the last change did is drawn outside the circle: a thin band over
/// every stretch that changed owner, in the colour of the owner before (so
/// band and arc read "from" and "to"), and a dark dot for every vector that
/// moved.
///
/// A view owns a snapshot of what it draws, so it stays valid after the
/// store changes.
///
/// ```
/// let mut db = elastic_vdb::VectorStore::default();
/// db.add_vectors(600)?;
/// db.add_node("nodeA")?;
/// let svg = db.ring_view().to_svg();
/// assert!(svg.contains("nodeA") && svg.contains("600"));
/// # Ok::<(), elastic_vdb::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct RingView {
    ring: Ring,
    /// The ring before the last change, to draw what it handed over.
    before: Option<Ring>,
    /// The sampled vectors; the ring says who holds each.
    dots: Vec<Key>,
    /// The sampled moved vectors, each with its flow.
    moved: Vec<MovedKey>,
    /// Every `stride`-th vector by serial is in `dots`.
    stride: usize,
    flows: Vec<Flow>,
    distribution: BTreeMap<String, usize>,
    replicas: BTreeMap<String, usize>,
    /// Positions of the sampled lost vectors.
    lost: Vec<u64>,
    lost_total: usize,
    total: usize,
    unassigned: usize,
    status: Option<String>,
    options: RenderOptions,
}

impl RingView {
    pub(crate) fn of_store(store: &VectorStore) -> RingView {
        let total = store.len();
        // The sample's positions are kept by the store: a view of a
        // million-vector store costs what its sample costs, with no hashing.
        let (stride, sample) = (store.sample().stride(), store.sample().positions());
        let lost = store.lost();
        let dots: Vec<Key> = (0u32..)
            .step_by(stride)
            .zip(sample)
            .filter(|(serial, _)| lost.binary_search(serial).is_err())
            .map(|(serial, &position)| Key { position, serial })
            .collect();
        let moved = store
            .last_moved()
            .iter()
            .filter(|moved| (moved.key.serial as usize).is_multiple_of(stride))
            .copied()
            .collect();
        let last = store.last_movement();
        RingView {
            ring: store.ring().clone(),
            before: last.map(|_| store.ring_before().clone()),
            dots,
            moved,
            stride,
            flows: last
                .map(|movement| movement.flows.clone())
                .unwrap_or_default(),
            distribution: store.distribution(),
            replicas: store.replica_distribution(),
            lost: lost
                .iter()
                .copied()
                .filter(|serial| (*serial as usize).is_multiple_of(stride))
                .map(|serial| crate::hash::key_position(&crate::hash::vector_id(serial)))
                .collect(),
            lost_total: lost.len(),
            total,
            unassigned: store.unassigned().len(),
            status: last.map(crate::store::Movement::status_line),
            options: super::default_options(),
        }
    }

    /// The same view drawn with other options.
    ///
    /// ```
    /// use elastic_vdb::{RenderOptions, VectorStore};
    ///
    /// let view = VectorStore::default().ring_view()
    ///     .with_options(RenderOptions { width: 500, ..Default::default() });
    /// assert!(view.to_svg().contains(r#"width="500""#));
    /// ```
    #[must_use]
    pub fn with_options(mut self, options: RenderOptions) -> RingView {
        self.options = options;
        self
    }

    /// The options the view draws with.
    ///
    /// ```
    /// assert_eq!(elastic_vdb::VectorStore::default().ring_view().options().width, 800);
    /// ```
    #[must_use]
    pub fn options(&self) -> &RenderOptions {
        &self.options
    }

    /// The title: the generated one names the node and vector counts.
    ///
    /// ```
    /// assert_eq!(elastic_vdb::VectorStore::default().ring_view().title(),
    ///            "Consistent hash ring | nodes=0 | vectors=0");
    /// ```
    #[must_use]
    pub fn title(&self) -> String {
        self.options.title.clone().unwrap_or_else(|| {
            format!(
                "Consistent hash ring | nodes={} | vectors={}",
                self.ring.node_count(),
                self.total
            )
        })
    }

    /// The status line of the change that led to this view, if any.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// assert_eq!(db.add_node("a")?.view.status(), Some("Added node | moved=0.000 (~0.0%)"));
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn status(&self) -> Option<&str> {
        self.status.as_deref()
    }

    /// Each node of the picture with its colour, sorted by id, a node the
    /// last change took away marked "(gone)": a key for a caption when the
    /// legend is left out (the filmstrip).
    pub(crate) fn node_key(&self) -> Vec<(String, RGBColor)> {
        self.colors()
            .into_iter()
            .map(|(id, color)| {
                if self.ring.contains_node(id) {
                    (id.to_owned(), color)
                } else {
                    (format!("{id} (gone)"), color)
                }
            })
            .collect()
    }

    /// The same picture without a status line (a caption carries it).
    pub(crate) fn without_status(mut self) -> RingView {
        self.status = None;
        self
    }

    /// The same picture without the vectors the last change moved (and
    /// without their flows in the legend): the state itself, as the first
    /// frame of a [`crate::Timeline`] shows it.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_vectors(100)?;
    /// db.add_node("a")?;
    /// assert!(db.ring_view().to_svg().contains("moved in the last change"));
    /// assert!(!db.ring_view().without_moves().to_svg().contains("moved in the last change"));
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn without_moves(mut self) -> RingView {
        self.moved.clear();
        self.flows.clear();
        self.before = None;
        self
    }

    /// The stretches the last change handed from one node to another.
    fn handovers(&self) -> Vec<Handover> {
        match (&self.before, self.options.show_moved) {
            (Some(before), true) => self.ring.handovers_since(before),
            _ => Vec::new(),
        }
    }

    /// A colour for every node the picture names: those on the ring, and
    /// those the last change took away (their stretches and flows are drawn
    /// in the colour they had).
    fn colors(&self) -> BTreeMap<&str, RGBColor> {
        let departed = self
            .flows
            .iter()
            .flat_map(|flow| [flow.from.as_deref(), flow.to.as_deref()])
            .flatten()
            .chain(self.before.iter().flat_map(Ring::nodes));
        node_colors(self.ring.nodes().chain(departed))
    }

    /// The same picture with another status line, such as "start" for the
    /// first frame of a [`crate::Timeline`] (a view of a store otherwise
    /// carries the status of the store's last change).
    ///
    /// ```
    /// let view = elastic_vdb::VectorStore::default().ring_view().with_status("start");
    /// assert_eq!(view.status(), Some("start"));
    /// ```
    #[must_use]
    pub fn with_status(mut self, status: impl Into<String>) -> RingView {
        self.status = Some(status.into());
        self
    }

    /// A few lines of text that say what the picture shows.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_node("a")?;
    /// assert!(db.ring_view().summary().contains("Shard distribution: {'a': 0}"));
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn summary(&self) -> String {
        let mut out = self.title();
        if let Some(status) = &self.status {
            let _ = write!(out, "\n{status}");
        }
        let _ = write!(
            out,
            "\nShard distribution: {}",
            python_dict(&self.distribution, self.unassigned)
        );
        out
    }

    /// The picture as an SVG document.
    ///
    /// ```
    /// let svg = elastic_vdb::VectorStore::default().ring_view().to_svg();
    /// assert!(svg.starts_with("<svg") && svg.contains("Ring is empty"));
    /// ```
    #[must_use]
    pub fn to_svg(&self) -> String {
        let (width, height) = (
            side(self.options.width, 200),
            side(self.options.height, 200),
        );
        let mut svg = String::new();
        let layers = {
            let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
            self.draw(&root).and_then(|layers| {
                root.present().map_err(|e| e.to_string())?;
                Ok(layers)
            })
        };
        match layers {
            Ok(layers) => {
                // Thousands of dots as plotters circles weigh about 75 bytes
                // each; as zero-length round-capped path segments, grouped by
                // colour, about 10.
                if let Some(end) = svg.rfind("</svg>") {
                    svg.insert_str(end, &layers);
                }
                svg
            }
            Err(message) => error_svg(width, height, &message),
        }
    }

    /// Shows the picture in an evcxr notebook cell.
    pub fn evcxr_display(&self) {
        let mut alt = self.title();
        if let Some(status) = &self.status {
            alt.push_str(" | ");
            alt.push_str(status);
        }
        print_evcxr_blocks(&self.summary(), &alt, &self.to_svg());
    }

    /// Every how many serial numbers a dot is drawn, after `max_dots`.
    fn shown_stride(&self) -> usize {
        let wanted = self.options.max_dots.max(1);
        let per_view = self.total.div_ceil(wanted).max(1);
        // A multiple of the view's own stride, so the sample stays regular.
        per_view.div_ceil(self.stride) * self.stride
    }
}

/// The tutorial prints distributions as Python dicts; so do we, for the
/// same text.
pub(crate) fn python_dict(distribution: &BTreeMap<String, usize>, unassigned: usize) -> String {
    let mut entries: Vec<String> = distribution
        .iter()
        .map(|(id, count)| format!("{}: {count}", python_str(id)))
        .collect();
    if unassigned > 0 {
        entries.push(format!("'{}': {unassigned}", crate::store::UNASSIGNED));
    }
    format!("{{{}}}", entries.join(", "))
}

/// A string as Python's `repr` writes it, for the ids people use.
fn python_str(text: &str) -> String {
    if text.contains('\'') && !text.contains('"') {
        format!("\"{text}\"")
    } else {
        format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
    }
}

fn ordinal(value: usize) -> String {
    let suffix = match (value % 10, value % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{value}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_dict_matches_the_tutorial_form() {
        let distribution: BTreeMap<String, usize> =
            [("nodeA".to_owned(), 2), ("it's".to_owned(), 1)]
                .into_iter()
                .collect();
        assert_eq!(python_dict(&distribution, 0), r#"{"it's": 1, 'nodeA': 2}"#);
        assert_eq!(python_dict(&BTreeMap::new(), 5), "{'∅': 5}");
    }

    #[test]
    fn ordinals() {
        assert_eq!(
            [1, 2, 3, 4, 11, 12, 13, 21, 167].map(ordinal),
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "167th"
            ]
        );
    }
}
