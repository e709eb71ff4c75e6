//! A sequence of ring pictures: played as an animation, or laid out as a
//! filmstrip.

use std::fmt::Write;

use super::{RenderOptions, RingView, escape_xml, print_evcxr_blocks, rgb_hex};

/// The ring after each of several changes. Shown in a notebook it plays the
/// steps in turn (an SVG animated with SMIL, inside a data-URI `<img>`: the
/// one form that animates in untrusted JupyterLab notebooks and in exported
/// HTML alike); [`Timeline::filmstrip`] lays the same steps side by side for
/// print and slides.
///
/// ```
/// use elastic_vdb::{Timeline, VectorStore};
///
/// let mut db = VectorStore::default();
/// db.add_vectors(600)?;
/// let mut timeline = Timeline::new();
/// timeline.push(db.add_node("nodeA")?.view);
/// timeline.push(db.add_node("nodeB")?.view);
/// assert_eq!(timeline.len(), 2);
/// let svg = timeline.to_animated_svg();
/// assert_eq!(svg.matches("<animate ").count(), 2);
/// assert!(timeline.filmstrip().to_svg().contains("Added node"));
/// # Ok::<(), elastic_vdb::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Timeline {
    frames: Vec<RingView>,
    /// How long each step stays on screen in the animation, in seconds.
    pub seconds_per_step: f64,
    /// At most this many vectors are drawn per frame (frames repeat the
    /// whole picture, so they are drawn lighter than a single view).
    pub max_dots: usize,
}

impl Default for Timeline {
    fn default() -> Self {
        Timeline::new()
    }
}

impl Timeline {
    /// An empty timeline: 2 seconds a step, 1,500 dots a frame.
    ///
    /// ```
    /// assert!(elastic_vdb::Timeline::new().is_empty());
    /// ```
    #[must_use]
    pub fn new() -> Timeline {
        Timeline {
            frames: Vec::new(),
            seconds_per_step: 2.0,
            max_dots: 1500,
        }
    }

    /// Adds a step: typically the `view` of the [`crate::Step`] a change returned.
    ///
    /// ```
    /// let mut timeline = elastic_vdb::Timeline::new();
    /// timeline.push(elastic_vdb::VectorStore::default().ring_view());
    /// assert_eq!(timeline.len(), 1);
    /// ```
    pub fn push(&mut self, view: RingView) {
        self.frames.push(view);
    }

    /// How many steps.
    ///
    /// ```
    /// assert_eq!(elastic_vdb::Timeline::new().len(), 0);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// Whether there is no step yet.
    ///
    /// ```
    /// assert!(elastic_vdb::Timeline::default().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// Each frame's SVG body, drawn with `options`, after `prepare` (the
    /// filmstrip takes the status line out: its caption carries it).
    fn frame_bodies(
        &self,
        options: &RenderOptions,
        prepare: impl Fn(RingView) -> RingView,
    ) -> Vec<String> {
        self.frames
            .iter()
            .map(|frame| {
                let svg = prepare(frame.clone().with_options(options.clone())).to_svg();
                let start = svg.find('>').map_or(0, |end| end + 1);
                let end = svg.rfind("</svg>").unwrap_or(svg.len());
                svg[start..end].to_owned()
            })
            .collect()
    }

    fn frame_options(&self) -> RenderOptions {
        RenderOptions {
            max_dots: self.max_dots,
            ..super::default_options()
        }
    }

    /// The steps as one SVG that shows each in turn, forever.
    ///
    /// ```
    /// let svg = elastic_vdb::Timeline::new().to_animated_svg();
    /// assert!(svg.contains("no steps yet"));
    /// ```
    #[must_use]
    pub fn to_animated_svg(&self) -> String {
        let options = self.frame_options();
        let (width, height) = (options.width, options.height);
        let mut svg = format!(
            r#"<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg"><rect width="{width}" height="{height}" fill="white"/>"#
        );
        let count = self.frames.len();
        if count == 0 {
            svg.push_str(r#"<text x="20" y="40" font-family="sans-serif" font-size="16">no steps yet</text></svg>"#);
            return svg;
        }
        let seconds = self.seconds_per_step.max(0.1) * count as f64;
        let key_times: Vec<String> = (0..count)
            .map(|step| format!("{:.4}", step as f64 / count as f64))
            .collect();
        let key_times = key_times.join(";");
        for (step, body) in self
            .frame_bodies(&options, |frame| frame)
            .into_iter()
            .enumerate()
        {
            let values: Vec<&str> = (0..count)
                .map(|other| if other == step { "1" } else { "0" })
                .collect();
            let first = if step == 0 { "1" } else { "0" };
            let _ = write!(
                svg,
                r##"<g opacity="{first}"><animate attributeName="opacity" calcMode="discrete" values="{}" keyTimes="{key_times}" dur="{seconds}s" repeatCount="indefinite"/>{body}<text x="{}" y="{}" text-anchor="end" font-family="sans-serif" font-size="13" fill="#555">step {} of {count}</text></g>"##,
                values.join(";"),
                width - 12,
                height - 12,
                step + 1
            );
        }
        svg.push_str("</svg>");
        svg
    }

    /// The steps side by side, `columns` to a row (two for up to four
    /// steps, so that four make a 2 x 2 grid; three otherwise), each
    /// captioned with its status line.
    ///
    /// ```
    /// let strip = elastic_vdb::Timeline::new().filmstrip();
    /// assert_eq!(strip.columns, 2);
    /// ```
    #[must_use]
    pub fn filmstrip(&self) -> Filmstrip {
        Filmstrip {
            timeline: self.clone(),
            columns: if self.len() <= 4 { 2 } else { 3 },
        }
    }

    /// Each step's status line, a step a line.
    ///
    /// ```
    /// let mut timeline = elastic_vdb::Timeline::new();
    /// timeline.push(elastic_vdb::VectorStore::default().ring_view());
    /// assert_eq!(timeline.summary(), "step 1: start");
    /// ```
    #[must_use]
    pub fn summary(&self) -> String {
        let lines: Vec<String> = self
            .frames
            .iter()
            .enumerate()
            .map(|(step, frame)| {
                format!("step {}: {}", step + 1, frame.status().unwrap_or("start"))
            })
            .collect();
        lines.join("\n")
    }

    /// Shows the animation in an evcxr notebook cell.
    pub fn evcxr_display(&self) {
        print_evcxr_blocks(
            &self.summary(),
            &format!("{} ring steps, animated", self.frames.len()),
            &self.to_animated_svg(),
        );
    }
}

/// A [`Timeline`] laid out as a grid of small rings, created by
/// [`Timeline::filmstrip`].
#[derive(Debug, Clone)]
pub struct Filmstrip {
    timeline: Timeline,
    /// Rings per row.
    pub columns: usize,
}

impl Filmstrip {
    /// The grid as one SVG.
    ///
    /// ```
    /// let mut timeline = elastic_vdb::Timeline::new();
    /// timeline.push(elastic_vdb::VectorStore::default().ring_view());
    /// assert!(timeline.filmstrip().to_svg().contains("1. start"));
    /// ```
    #[must_use]
    pub fn to_svg(&self) -> String {
        let options = RenderOptions {
            show_ticks: false,
            ..self.timeline.frame_options()
        };
        let frame_height = options.height;
        // Only the ring's part of each frame (the default picture's ring,
        // with the moved vectors around it, lies within x < 470): the
        // legend would be unreadable at this size, so the caption carries
        // the status and a key of the node colours instead.
        let ring_width = 470u32.min(options.width);
        let columns = self.columns.max(1);
        let rows = self.timeline.len().div_ceil(columns).max(1);
        let cell_width = 380u32;
        let cell_height = cell_width * frame_height / ring_width;
        let figure_lines = |step: usize| {
            let status = self.timeline.frames[step].status().unwrap_or("start");
            status.split(" | ").count().saturating_sub(1) as u32
        };
        let most_lines = (0..self.timeline.len())
            .map(figure_lines)
            .max()
            .unwrap_or(0);
        let caption = 26 + 15 * most_lines + 22;
        let width = cell_width * columns as u32;
        let height = (cell_height + caption) * rows as u32;
        let mut svg = format!(
            r#"<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg"><rect width="{width}" height="{height}" fill="white"/>"#
        );
        // The status is the caption: in the frame it would run past the crop.
        let bodies = self
            .timeline
            .frame_bodies(&options, RingView::without_status);
        for (step, body) in bodies.into_iter().enumerate() {
            let x = (step % columns) as u32 * cell_width;
            let y = (step / columns) as u32 * (cell_height + caption);
            let frame = &self.timeline.frames[step];
            let status = frame.status().unwrap_or("start");
            // "Added node | 48.8% of ... | 2925 copies sent" reads best as a
            // heading and its figures, one to a line.
            let mut parts = status.split(" | ");
            let heading = parts.next().unwrap_or(status);
            let _ = write!(
                svg,
                r##"<svg x="{x}" y="{y}" width="{cell_width}" height="{cell_height}" viewBox="0 0 {ring_width} {frame_height}">{body}</svg><text x="{}" y="{}" font-family="sans-serif" font-size="14" fill="#222"><tspan font-weight="bold">{}. {}</tspan>"##,
                x + 8,
                y + cell_height + 16,
                step + 1,
                escape_xml(heading),
            );
            for part in parts {
                let _ = write!(
                    svg,
                    r##"<tspan x="{}" dy="15" font-size="12">{}</tspan>"##,
                    x + 8,
                    escape_xml(part)
                );
            }
            svg.push_str("</text>");
            let mut key_x = x + 8;
            let key_y = y + cell_height + caption - 14;
            for (id, color) in frame.node_key() {
                let _ = write!(
                    svg,
                    r##"<rect x="{key_x}" y="{}" width="10" height="10" fill="{}"/><text x="{}" y="{key_y}" font-family="sans-serif" font-size="12" fill="#222">{}</text>"##,
                    key_y - 9,
                    rgb_hex(color),
                    key_x + 14,
                    escape_xml(&id)
                );
                key_x += 20 + 7 * id.chars().count() as u32;
            }
            let _ = write!(
                svg,
                r##"<rect x="{x}" y="{y}" width="{cell_width}" height="{}" fill="none" stroke="#ddd"/>"##,
                cell_height + caption
            );
        }
        svg.push_str("</svg>");
        svg
    }

    /// Shows the filmstrip in an evcxr notebook cell.
    pub fn evcxr_display(&self) {
        print_evcxr_blocks(
            &format!("{} ring steps, side by side", self.timeline.len()),
            "ring steps side by side",
            &self.to_svg(),
        );
    }
}
