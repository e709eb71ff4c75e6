//! Carrying out a change shard by shard: every shard learns once which
//! arcs it gains and which it loses, receives everything it gains straight
//! from its sources and indexes it once, and gives up everything it loses
//! in one pass. The cost follows
//! what moves and the shards it touches, not the number of changed arcs
//! times the size of a shard: taken arc by arc, each arc's run was cut out
//! of the middle of a shard's index and the rest of the index shifted,
//! which made a change with hundreds of thousands of changed arcs (11
//! copies on 11 nodes of 10,000 vnodes) take seconds.

use super::reconcile::{Role, role_at};
use super::tally::Tally;
use super::{Shard, VectorStore};
use crate::ring::{Members, Ring, arc_ranges};

/// A shard by name: a node's primaries or replicas, or the pool (`None`).
type Place<'a> = (Option<&'a str>, Role);

/// A shard by number: a node's primaries or replicas, the node a
/// [`Members`] number, or the pool (`None`).
type Seat = (Option<u32>, Role);

/// The seats that hold the copies of a preference list, in rank order;
/// the pool for an empty list.
fn seats_of(list: &[u32]) -> impl Iterator<Item = Seat> + Clone + '_ {
    let pool = list.is_empty().then_some((None, Role::Primary));
    pool.into_iter().chain(
        list.iter()
            .enumerate()
            .map(|(rank, &node)| (Some(node), role_at(rank))),
    )
}

/// Where in a table of every seat `seat` sits: the pool first, then each
/// member's primaries and replicas.
fn index_of((node, role): Seat) -> usize {
    node.map_or(0, |node| 1 + 2 * node as usize + role as usize)
}

/// A stretch of the circle a shard gains or loses, `low..=high`, and what
/// goes with it: a [`Sending`] for a gain, whether the copies are dropped
/// (their node on the new list no more) for a loss.
struct Stretch<T> {
    low: u64,
    high: u64,
    what: T,
}

/// Where a gained stretch is read from (the first old holder that still
/// has a shard; a crashed node's shards are gone) and whether the
/// receiving node held it already in another role (a promotion or a
/// demotion, which sends nothing).
#[derive(Clone, Copy, PartialEq)]
struct Sending {
    source: Seat,
    on_the_node: bool,
}

/// Adds `low..=high` to `stretches`: joined to the last one when it
/// follows on from it with the same `what`, as a stretch of its own
/// otherwise.
fn add_stretch<T: PartialEq>(stretches: &mut Vec<Stretch<T>>, low: u64, high: u64, what: T) {
    match stretches.last_mut() {
        Some(last) if last.what == what && last.high.checked_add(1) == Some(low) => {
            last.high = high
        }
        _ => stretches.push(Stretch { low, high, what }),
    }
}

/// What every shard gains and loses in a change, found in one sweep of
/// the changed arcs.
struct Changes {
    /// Per seat (see [`index_of`]), the stretches it gains, in the order
    /// met; neighbouring stretches from the same source, both sending or
    /// both not, are one.
    gains: Vec<Vec<Stretch<Sending>>>,
    /// Per seat, the stretches it loses; neighbouring stretches, both
    /// dropped or both kept on the node, are one.
    losses: Vec<Vec<Stretch<bool>>>,
}

impl VectorStore {
    fn shard_at(&self, (node, role): Place<'_>) -> Option<&Shard> {
        match node {
            None => Some(&self.unassigned),
            Some(node) => match role {
                Role::Primary => self.primaries.get(node),
                Role::Replica => self.replicas.get(node),
            },
        }
    }

    pub(super) fn shard_at_mut(&mut self, (node, role): Place<'_>) -> Option<&mut Shard> {
        match node {
            None => Some(&mut self.unassigned),
            Some(node) => self.shards_mut(role).get_mut(node),
        }
    }

    /// Takes a shard's contents out, leaving an empty shard in its place
    /// (no entry of the map is removed or made: no id is copied).
    fn take_shard(&mut self, place: Place<'_>) -> Option<Shard> {
        self.shard_at_mut(place).map(std::mem::take)
    }

    /// Puts back what [`VectorStore::take_shard`] took.
    fn put_shard(&mut self, place: Place<'_>, shard: Shard) {
        if let Some(at) = self.shard_at_mut(place) {
            *at = shard;
        }
    }

    /// Makes every vector whose preference list differs between `old`
    /// (with `old_copies` copies) and the current ring held exactly by its
    /// new list, and tallies the copies sent and dropped.
    pub(super) fn transfer(&mut self, old: &Ring, old_copies: usize) -> Tally {
        let mut tally = Tally::default();
        // Nothing to move: building a cluster before its vectors costs the
        // ring's own work, not a comparison of every arc per join.
        if self.is_empty() {
            return tally;
        }
        // Out of the store while the shards change: the names borrow it.
        let ring = std::mem::take(&mut self.ring);
        let members = Members::of(old, &ring);
        let place = |(node, role): Seat| (node.map(|node| members.name(node)), role);
        let Changes { gains, losses } = self.changes(&members, old_copies);
        // Each node's index among the tally's places, found once.
        let mut tallied: Vec<Option<usize>> = vec![None; gains.len()];
        let mut tally_of = |tally: &mut Tally, (node, _): Seat| {
            let index = index_of((node, Role::Primary));
            *tallied[index].get_or_insert_with(|| tally.place(node.map(|node| members.name(node))))
        };

        // Every shard receives what it gains straight from the shards it
        // gains it from, unindexed, then indexes it once. Nothing is given
        // up before every shard has received: a source may lose elsewhere.
        let mut sent = Vec::new();
        let seats = gains.len();
        for (index, mut stretches) in gains.into_iter().enumerate() {
            if stretches.is_empty() {
                continue;
            }
            let seat = seat_at(index);
            stretches.sort_unstable_by_key(|gain| gain.low);
            // Out of its place (an empty shard stands in) while it
            // receives, so that the sources can be read beside it (a shard
            // never gains what it gives).
            let Some(mut target) = self.take_shard(place(seat)) else {
                continue;
            };
            // The sources' shards by seat, each looked up by name once.
            let mut sources: Vec<Option<Option<&Shard>>> = vec![None; seats];
            // A stretch whose source has no shard (a crashed node's are
            // gone) sends nothing; each other's run of its source's index is
            // found once, all together: to size the target, then to copy.
            stretches.retain(|gain| {
                let seat = gain.what.source;
                sources[index_of(seat)]
                    .get_or_insert_with(|| self.shard_at(place(seat)))
                    .is_some()
            });
            let source_of = |gain: &Stretch<Sending>| {
                sources[index_of(gain.what.source)]
                    .flatten()
                    .expect("kept only with a shard")
            };
            let runs = Shard::runs(stretches.len(), |at| {
                let gain = &stretches[at];
                (
                    index_of(gain.what.source),
                    source_of(gain),
                    gain.low,
                    gain.high,
                )
            });
            target.reserve_received(runs.iter().map(ExactSizeIterator::len).sum());
            let to = tally_of(&mut tally, seat);
            for (gain, run) in stretches.iter().zip(runs) {
                let shard = source_of(gain);
                sent.clear();
                target.append_run(shard, run, &mut sent);
                if !gain.what.on_the_node && !sent.is_empty() {
                    let from = tally_of(&mut tally, gain.what.source);
                    tally.send_all(&sent, from, to);
                }
            }
            target.settle();
            self.put_shard(place(seat), target);
        }

        let mut runs = Vec::new();
        for (index, mut stretches) in losses.into_iter().enumerate() {
            if stretches.is_empty() {
                continue;
            }
            let Some(shard) = self.shard_at_mut(place(seat_at(index))) else {
                continue;
            };
            stretches.sort_unstable_by_key(|loss| loss.low);
            runs.clear();
            for &Stretch {
                low,
                high,
                what: dropped,
            } in &stretches
            {
                let run = shard.run(low, high);
                if dropped {
                    tally.dropped += run.len();
                }
                runs.push(run);
            }
            shard.remove_runs(&runs);
        }
        self.ring = ring;
        tally
    }

    /// For each shard, the stretches it gains and those it loses between
    /// the two rings of `members` (the old one with `old_copies` copies),
    /// in one sweep of the changed arcs, with each gain's source chosen as
    /// it is met.
    fn changes(&self, members: &Members<'_>, old_copies: usize) -> Changes {
        let seats = 1 + 2 * members.count();
        let mut gains: Vec<Vec<Stretch<Sending>>> =
            std::iter::repeat_with(Vec::new).take(seats).collect();
        let mut losses: Vec<Vec<Stretch<bool>>> =
            std::iter::repeat_with(Vec::new).take(seats).collect();
        // Whether each seat has a shard (a crashed node's are gone), looked
        // up by name once.
        let mut held: Vec<Option<bool>> = vec![None; seats];
        let mut has_shard = |seat: Seat| {
            let (node, role) = seat;
            *held[index_of(seat)].get_or_insert_with(|| {
                self.shard_at((node.map(|node| members.name(node)), role))
                    .is_some()
            })
        };
        members.for_each_changed_list(
            old_copies,
            self.config.replication,
            |start, end, before, after| {
                let (old_seats, new_seats) = (seats_of(before), seats_of(after));
                let source = old_seats.clone().find(|&seat| has_shard(seat));
                for (low, high) in arc_ranges(start, end) {
                    if let Some(source) = source {
                        for seat in new_seats
                            .clone()
                            .filter(|&seat| !old_seats.clone().any(|held| held == seat))
                        {
                            let on_the_node = seat.0.is_some_and(|node| before.contains(&node));
                            let sending = Sending {
                                source,
                                on_the_node,
                            };
                            add_stretch(&mut gains[index_of(seat)], low, high, sending);
                        }
                    }
                    for seat in old_seats
                        .clone()
                        .filter(|&seat| !new_seats.clone().any(|kept| kept == seat))
                    {
                        let dropped = seat.0.is_some_and(|node| !after.contains(&node));
                        add_stretch(&mut losses[index_of(seat)], low, high, dropped);
                    }
                }
            },
        );
        Changes { gains, losses }
    }
}

/// The seat at `index` of a table of every seat (see [`index_of`]).
fn seat_at(index: usize) -> Seat {
    match index.checked_sub(1) {
        None => (None, Role::Primary),
        Some(offset) => {
            let role = if offset % 2 == 0 {
                Role::Primary
            } else {
                Role::Replica
            };
            (
                Some(u32::try_from(offset / 2).expect("seats come from u32 members")),
                role,
            )
        }
    }
}
