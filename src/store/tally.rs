//! Counting what a reconciliation sent, and turning the count into the
//! change's [`Movement`].

use super::{Action, Flow, Key, MovedKey, Movement, VectorStore};

/// What a reconciliation did, before it becomes a [`Movement`].
#[derive(Default)]
pub(super) struct Tally {
    /// Places seen, interned: `None` is the unassigned pool.
    places: Vec<Option<String>>,
    /// Each flow met, in the order met: its (from, to) place indexes and
    /// the copies it sent.
    flows: Vec<((usize, usize), usize)>,
    /// Where each (from, to) pair's flow is in `flows`.
    flow_of: std::collections::HashMap<(usize, usize), usize>,
    /// Every copy sent.
    moved: Vec<Sent>,
    /// Copies deleted from nodes no longer on their vector's list.
    pub(super) dropped: usize,
}

/// One copy sent: which vector, in which flow (an index into [`Tally`]'s
/// flows).
struct Sent {
    key: Key,
    flow: usize,
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

    /// Counts one copy of `key` sent from place `from` to place `to`.
    pub(super) fn send(&mut self, key: Key, from: usize, to: usize) {
        self.send_all(&[key], from, to);
    }

    /// Counts a copy of each of `keys` sent from place `from` to place
    /// `to`: the flow is looked up once, not per key.
    pub(super) fn send_all(&mut self, keys: &[Key], from: usize, to: usize) {
        let flows = &mut self.flows;
        let flow = *self.flow_of.entry((from, to)).or_insert_with(|| {
            flows.push(((from, to), 0));
            flows.len() - 1
        });
        self.flows[flow].1 += keys.len();
        self.moved
            .extend(keys.iter().map(|&key| Sent { key, flow }));
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
        let (places, pairs) = (&tally.places, &tally.flows);
        // The flows in order of their places' names; `rank` maps a flow as
        // met to its place in that order.
        let mut order: Vec<usize> = (0..pairs.len()).collect();
        order.sort_by(|&a, &b| {
            let ((a_from, a_to), (b_from, b_to)) = (pairs[a].0, pairs[b].0);
            (&places[a_from], &places[a_to]).cmp(&(&places[b_from], &places[b_to]))
        });
        let mut rank = vec![0; order.len()];
        for (at, &flow) in order.iter().enumerate() {
            rank[flow] = at;
        }
        let flows: Vec<Flow> = order
            .iter()
            .map(|&flow| {
                let ((from, to), count) = pairs[flow];
                Flow {
                    from: places[from].clone(),
                    to: places[to].clone(),
                    count,
                }
            })
            .collect();
        let mut last_moved: Vec<MovedKey> = tally
            .moved
            .iter()
            .map(|sent| MovedKey {
                key: sent.key,
                flow: rank[sent.flow],
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
