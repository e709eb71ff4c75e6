//! Counting what a reconciliation sent, and turning the count into the
//! change's [`Movement`].

use super::{Action, Flow, Key, MovedKey, Movement, VectorStore};

/// What a reconciliation did, before it becomes a [`Movement`].
#[derive(Default)]
pub(super) struct Tally {
    /// Places seen, interned: `None` is the unassigned pool.
    places: Vec<Option<String>>,
    /// (from, to) place indexes -> copies sent.
    flows: std::collections::HashMap<(usize, usize), usize>,
    /// Every copy sent.
    moved: Vec<Sent>,
    /// Copies deleted from nodes no longer on their vector's list.
    pub(super) dropped: usize,
}

/// One copy sent: which vector, between which places (indexes into
/// [`Tally`]'s places).
struct Sent {
    key: Key,
    from: usize,
    to: usize,
}

impl Tally {
    pub(super) fn place(&mut self, name: Option<&str>) -> usize {
        match self
            .places
            .iter()
            .position(|place| place.as_deref() == name)
        {
            Some(index) => index,
            None => {
                self.places.push(name.map(str::to_owned));
                self.places.len() - 1
            }
        }
    }

    pub(super) fn send(&mut self, key: Key, from: usize, to: usize) {
        *self.flows.entry((from, to)).or_default() += 1;
        self.moved.push(Sent { key, from, to });
    }
}

impl VectorStore {
    pub(super) fn finish(
        &mut self,
        action: Action,
        nodes_before: usize,
        tally: Tally,
        under_replicated: usize,
        lost: usize,
    ) -> Movement {
        let mut pairs: Vec<((usize, usize), usize)> = tally.flows.into_iter().collect();
        let places = &tally.places;
        pairs.sort_by(|(a, _), (b, _)| {
            (&places[a.0], &places[a.1]).cmp(&(&places[b.0], &places[b.1]))
        });
        let flow_index: std::collections::HashMap<(usize, usize), usize> = pairs
            .iter()
            .enumerate()
            .map(|(index, (pair, _))| (*pair, index))
            .collect();
        let flows: Vec<Flow> = pairs
            .iter()
            .map(|&((from, to), count)| Flow {
                from: places[from].clone(),
                to: places[to].clone(),
                count,
            })
            .collect();
        let mut last_moved: Vec<MovedKey> = tally
            .moved
            .iter()
            .map(|sent| MovedKey {
                key: sent.key,
                flow: flow_index[&(sent.from, sent.to)],
            })
            .collect();
        last_moved.sort_unstable_by_key(|moved| (moved.key.serial, moved.flow));
        let movement = Movement {
            action,
            moved: last_moved.len(),
            total: self.len(),
            flows,
            nodes_before,
            nodes_after: self.ring.node_count(),
            dropped: tally.dropped,
            under_replicated,
            lost,
            copies: self.config.replication,
            // Sorted by serial: each vector's copies sit side by side.
            vectors_moved: last_moved
                .chunk_by(|a, b| a.key.serial == b.key.serial)
                .count(),
        };
        self.last_moved = last_moved;
        self.history.push(movement.clone());
        movement
    }
}
