//! Following one key round the ring: its hash, its position, and the
//! clockwise walk to its owner and the rest of its preference list.

use std::fmt::Write;

use super::{escape_xml, print_text_and_html};
use crate::hash::key_position;
use crate::store::VectorStore;

/// What a point met on the walk did for the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TraceRole {
    /// Its node holds copy `n` of the key (1: the owner, the primary copy).
    Copy(usize),
    /// Its node already holds a copy: the walk goes on.
    Skipped,
}

/// One point met on the clockwise walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceStep {
    /// The point's position.
    pub position: u64,
    /// The node the point belongs to.
    pub node: String,
    /// What it did for the key.
    pub role: TraceRole,
}

/// One key followed round the ring, made by [`VectorStore::trace`]: shows
/// itself as text in a notebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyTrace {
    /// The key, as given.
    pub key: String,
    /// Its position: the first 8 bytes of SHA-256 of `key:<key>`.
    pub position: u64,
    /// The points met, in order, until every copy found its node.
    pub steps: Vec<TraceStep>,
    /// Whether the walk went past the largest point and on from the first.
    pub wrapped: bool,
    /// Copies kept of each vector.
    pub copies: usize,
}

impl VectorStore {
    /// Follows `key` round the ring: its position, then the points met
    /// clockwise from it until its copies have their nodes (the first is its
    /// owner). Works for any key, stored or not.
    ///
    /// ```
    /// let mut db = elastic_vdb::VectorStore::default();
    /// db.add_node("nodeA")?;
    /// db.add_node("nodeB")?;
    /// let trace = db.trace("vec_000042");
    /// assert_eq!(trace.position, elastic_vdb::hash::key_position("vec_000042"));
    /// assert_eq!(Some(trace.steps[0].node.as_str()), db.ring().owner("vec_000042"));
    /// assert!(trace.to_text().contains("owner"));
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn trace(&self, key: &str) -> KeyTrace {
        let position = key_position(key);
        let copies = self.config().replication;
        let points: Vec<(u64, &str)> = self.ring().points().map(|p| (p.position, p.node)).collect();
        let wanted = copies.min(self.ring().node_count());
        let start = points.partition_point(|(point, _)| *point < position);
        let mut steps = Vec::new();
        let mut holders: Vec<&str> = Vec::new();
        let mut wrapped = false;
        for offset in 0..points.len() {
            if holders.len() == wanted {
                break;
            }
            let index = start + offset;
            wrapped |= index >= points.len();
            let (point, node) = points[index % points.len()];
            let role = if holders.contains(&node) {
                TraceRole::Skipped
            } else {
                holders.push(node);
                TraceRole::Copy(holders.len())
            };
            steps.push(TraceStep {
                position: point,
                node: node.to_owned(),
                role,
            });
        }
        KeyTrace {
            key: key.to_owned(),
            position,
            steps,
            wrapped,
            copies,
        }
    }
}

/// A position as a share of the way round the circle.
fn round_share(position: u64) -> f64 {
    position as f64 / 2f64.powi(64) * 100.0
}

impl KeyTrace {
    /// The nodes holding the key's copies, owner first.
    #[must_use]
    pub fn preference_list(&self) -> Vec<&str> {
        self.steps
            .iter()
            .filter(|step| step.role != TraceRole::Skipped)
            .map(|step| step.node.as_str())
            .collect()
    }

    /// The walk as text, a point a line.
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "key {:?}: SHA-256 of \"key:{}\", first 8 bytes = position {} ({:.2}% of the way round)",
            self.key,
            self.key,
            self.position,
            round_share(self.position)
        );
        if self.steps.is_empty() {
            out.push_str("\nno node on the ring: the key waits in the unassigned pool");
            return out;
        }
        out.push_str("\nclockwise from there, the first point at or after it:");
        let mut wrap_said = false;
        let first_index_after_wrap = self
            .steps
            .iter()
            .position(|step| step.position < self.position);
        for (index, step) in self.steps.iter().enumerate() {
            if self.wrapped && !wrap_said && first_index_after_wrap == Some(index) {
                out.push_str(
                    "\n  (past the largest position the walk goes on from the first point)",
                );
                wrap_said = true;
            }
            let role = match &step.role {
                TraceRole::Copy(1) if self.copies == 1 => "owner".to_owned(),
                TraceRole::Copy(1) => format!("owner: copy 1 of {}", self.copies),
                TraceRole::Copy(n) => format!("copy {n} of {}", self.copies),
                TraceRole::Skipped => "same node again, skipped".to_owned(),
            };
            let _ = write!(
                out,
                "\n  point at {:>20} ({:>6.2}%)  {:<10} {role}",
                step.position,
                round_share(step.position),
                step.node
            );
        }
        let _ = write!(
            out,
            "\npreference list: {}",
            self.preference_list().join(", ")
        );
        out
    }

    /// Shows the walk in a notebook cell.
    pub fn evcxr_display(&self) {
        let text = self.to_text();
        print_text_and_html(&text, &format!("<pre>{}</pre>", escape_xml(&text)));
    }
}

#[cfg(test)]
mod tests {
    use crate::StoreConfig;
    use crate::store::VectorStore;

    use super::TraceRole;

    #[test]
    fn the_walk_finds_each_copy_on_a_new_node_and_agrees_with_the_ring() {
        let config = StoreConfig {
            replication: 3,
            vnodes: 8,
            ..StoreConfig::default()
        };
        let mut db = VectorStore::new(config).unwrap();
        for node in ["a", "b", "c", "d"] {
            db.add_node(node).unwrap();
        }
        for serial in 0..300 {
            let key = crate::hash::vector_id(serial);
            let trace = db.trace(&key);
            let expected = db.ring().preference_list(trace.position, 3);
            assert_eq!(trace.preference_list(), expected, "{key}");
            let copies = trace
                .steps
                .iter()
                .filter(|s| s.role != TraceRole::Skipped)
                .count();
            assert_eq!(copies, 3);
            assert!(matches!(
                trace.steps.last().map(|s| &s.role),
                Some(TraceRole::Copy(3))
            ));
        }
    }

    #[test]
    fn a_key_past_the_last_point_wraps_and_an_empty_ring_says_so() {
        let mut db = VectorStore::default();
        assert!(db.trace("x").to_text().contains("unassigned pool"));
        db.add_node("a").unwrap();
        let last = db.ring().points().last().unwrap().position;
        // Find a key whose position lies past the ring's last point.
        let key = (0..100_000)
            .map(|i| format!("k{i}"))
            .find(|k| crate::hash::key_position(k) > last)
            .unwrap();
        let trace = db.trace(&key);
        assert!(trace.wrapped);
        assert!(
            trace.to_text().contains("past the largest position"),
            "{}",
            trace.to_text()
        );
        assert_eq!(
            trace.steps[0].position,
            db.ring().points().next().unwrap().position
        );
    }
}
