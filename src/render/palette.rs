//! Stable node colours.

use std::collections::BTreeMap;

use plotters::style::RGBColor;

use crate::hash::position;

/// The Okabe-Ito palette without its black (black is the ticks' and the
/// text's colour): seven hues chosen to stay apart for the common forms of
/// colour blindness, and readable on white.
const PALETTE: [RGBColor; 7] = [
    RGBColor(230, 159, 0),   // orange
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(240, 228, 66),  // yellow
    RGBColor(0, 114, 178),   // blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(204, 121, 167), // reddish purple
];

/// A colour for every node, stable for a node id: each id hashes to a
/// palette entry, and when two nodes of the same picture hash to the same
/// entry the later one (by id) takes the next free entry. Beyond 7 nodes
/// colours repeat.
///
/// ```
/// let colors = elastic_vdb::render::node_colors(["nodeA", "nodeB"]);
/// assert_ne!(colors["nodeA"], colors["nodeB"]);
/// assert_eq!(colors["nodeA"], elastic_vdb::render::node_colors(["nodeA"])["nodeA"]);
/// ```
#[must_use]
pub fn node_colors<'a>(ids: impl IntoIterator<Item = &'a str>) -> BTreeMap<&'a str, RGBColor> {
    let mut ids: Vec<&str> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    let mut used = [false; PALETTE.len()];
    let mut colors = BTreeMap::new();
    for (count, id) in ids.into_iter().enumerate() {
        let home = (position(&format!("color:{id}")) % PALETTE.len() as u64) as usize;
        let slot = if count < PALETTE.len() {
            (0..PALETTE.len())
                .map(|step| (home + step) % PALETTE.len())
                .find(|&slot| !used[slot])
                .expect("fewer nodes than colours so far")
        } else {
            home
        };
        used[slot] = true;
        colors.insert(id, PALETTE[slot]);
    }
    colors
}

/// A colour as `#rrggbb`.
///
/// ```
/// use plotters::style::RGBColor;
/// assert_eq!(elastic_vdb::render::rgb_hex(RGBColor(255, 0, 16)), "#ff0010");
/// ```
#[must_use]
pub fn rgb_hex(color: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", color.0, color.1, color.2)
}
