//! The arcs of the circle: the one each point owns, and the comparison of
//! two rings arc by arc (what a change hands from one node to another, and
//! which preference lists it changes).

use std::collections::BTreeMap;

use super::Ring;
use super::lookup::Preferences;

/// The arc of the circle one point owns: positions after `start` up to and
/// including `end`, wrapping past `u64::MAX`. Created by [`Ring::arcs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OwnedArc<'a> {
    /// The previous point's position (exclusive).
    pub start: u64,
    /// This point's position (inclusive).
    pub end: u64,
    /// The node owning the arc.
    pub node: &'a str,
}

/// A stretch of the circle that changed owner between two rings: positions
/// after `start` up to and including `end` (the whole circle when they are
/// equal), owned by `from` before and by `to` after (`None`: no owner, an
/// empty ring). Created by [`Ring::handovers_since`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handover {
    /// The position before the stretch (exclusive).
    pub start: u64,
    /// The stretch's last position (inclusive).
    pub end: u64,
    /// The owner before.
    pub from: Option<String>,
    /// The owner after.
    pub to: Option<String>,
}

/// An arc of the circle whose preference list differs between two rings:
/// positions after `start` up to and including `end` (the whole circle when
/// they are equal, as on a ring of one point or none), held by `before` and
/// by `after` (owner first). Created by
/// [`Ring::changed_arcs_since`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedArc<'a> {
    /// The position before the arc (exclusive).
    pub start: u64,
    /// The arc's last position (inclusive).
    pub end: u64,
    /// The preference list before.
    pub before: Vec<&'a str>,
    /// The preference list after.
    pub after: Vec<&'a str>,
}

impl OwnedArc<'_> {
    /// How many positions the arc holds: `2^64` for the only point of a ring.
    ///
    /// ```
    /// use elastic_vdb::Ring;
    ///
    /// let mut ring = Ring::with_vnodes(1)?;
    /// ring.add_node("solo")?;
    /// assert_eq!(ring.arcs()[0].length(), 1u128 << 64);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn length(&self) -> u128 {
        let span = u128::from(self.end.wrapping_sub(self.start));
        if span == 0 { 1u128 << 64 } else { span }
    }

    /// Whether `position` lies on this arc.
    ///
    /// ```
    /// use elastic_vdb::ring::OwnedArc;
    ///
    /// let arc = OwnedArc { start: u64::MAX - 1, end: 5, node: "a" };
    /// assert!(arc.contains(0) && arc.contains(5) && !arc.contains(6));
    /// ```
    #[must_use]
    pub fn contains(&self, position: u64) -> bool {
        let offset = position.wrapping_sub(self.start);
        offset != 0 && u128::from(offset) <= self.length() || self.start == self.end
    }
}

impl Ring {
    /// The arc each point owns, in ring order; the first arc wraps around
    /// from the last point.
    ///
    /// ```
    /// let mut ring = elastic_vdb::Ring::with_vnodes(2)?;
    /// ring.add_node("a")?;
    /// let arcs = ring.arcs();
    /// assert_eq!(arcs.iter().map(|arc| arc.length()).sum::<u128>(), 1u128 << 64);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn arcs(&self) -> Vec<OwnedArc<'_>> {
        let Some(&last) = self.positions.last() else {
            return Vec::new();
        };
        let mut start = last;
        self.points()
            .map(|point| {
                let arc = OwnedArc {
                    start,
                    end: point.position,
                    node: point.node,
                };
                start = point.position;
                arc
            })
            .collect()
    }

    /// The fraction of the circle each node owns, sorted by node id; the
    /// fractions add up to 1 on a non-empty ring.
    ///
    /// ```
    /// let mut ring = elastic_vdb::Ring::new();
    /// ring.add_node("a")?;
    /// ring.add_node("b")?;
    /// let shares = ring.ownership();
    /// assert!((shares["a"] + shares["b"] - 1.0).abs() < 1e-12);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn ownership(&self) -> BTreeMap<String, f64> {
        let mut per_node: BTreeMap<&str, u128> = self.nodes().map(|id| (id, 0)).collect();
        for arc in self.arcs() {
            *per_node.entry(arc.node).or_default() += arc.length();
        }
        let circle = (1u128 << 64) as f64;
        per_node
            .into_iter()
            .map(|(id, length)| (id.to_owned(), length as f64 / circle))
            .collect()
    }

    /// The stretches of the circle whose owner differs between `before` and
    /// this ring, in ring order, neighbouring stretches with the same two
    /// owners joined: what a change handed from one node to another.
    ///
    /// ```
    /// use elastic_vdb::Ring;
    ///
    /// let mut before = Ring::new();
    /// before.add_node("a")?;
    /// let mut after = before.clone();
    /// after.add_node("b")?;
    /// let handovers = after.handovers_since(&before);
    /// assert!(handovers.iter().all(|h| h.from.as_deref() == Some("a") && h.to.as_deref() == Some("b")));
    /// // What b took is b's share of the circle.
    /// let taken: u128 = handovers.iter().map(|h| u128::from(h.end.wrapping_sub(h.start))).sum();
    /// assert!((taken as f64 / 2f64.powi(64) - after.ownership()["b"]).abs() < 1e-12);
    /// assert!(after.handovers_since(&after).is_empty());
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn handovers_since(&self, before: &Ring) -> Vec<Handover> {
        let mut handovers: Vec<Handover> = Vec::new();
        self.for_each_changed_arc(before, 1, 1, |start, end, old, new| {
            let (from, to) = (old.first().copied(), new.first().copied());
            match handovers.last_mut() {
                Some(previous)
                    if previous.end == start
                        && previous.from.as_deref() == from
                        && previous.to.as_deref() == to =>
                {
                    previous.end = end;
                }
                _ => handovers.push(Handover {
                    start,
                    end,
                    from: from.map(str::to_owned),
                    to: to.map(str::to_owned),
                }),
            }
        });
        // The first stretch starts where the last one ends: join them if
        // they are one handover cut at the top of the circle.
        if handovers.len() > 1 {
            let (first, rest) = handovers.split_first().expect("two or more");
            let tail = rest.last().expect("two or more");
            if tail.end == first.start && tail.from == first.from && tail.to == first.to {
                let end = first.end;
                handovers.remove(0);
                if let Some(tail) = handovers.last_mut() {
                    tail.end = end;
                }
            }
        }
        handovers
    }

    /// The arcs whose preference lists differ between `before` (with
    /// `before_copies` copies per vector) and this ring (with `copies`), in
    /// ring order. The points of both rings cut the circle into arcs on
    /// which each ring's list is constant (read at the arc's end), so
    /// comparing one list per arc finds every position whose holders
    /// change, at a cost that grows with the number of points.
    ///
    /// ```
    /// use elastic_vdb::Ring;
    ///
    /// let mut before = Ring::with_vnodes(4)?;
    /// before.add_node("a")?;
    /// let mut after = before.clone();
    /// after.add_node("b")?;
    /// let changed = after.changed_arcs_since(&before, 1, 1);
    /// assert!(changed.iter().all(|arc| arc.before == ["a"] && arc.after == ["b"]));
    /// // With two copies, a holds every position before and after: only
    /// // b's arrival as a second holder changes the lists.
    /// assert_eq!(after.changed_arcs_since(&before, 2, 2).len(), 8);
    /// # Ok::<(), elastic_vdb::Error>(())
    /// ```
    #[must_use]
    pub fn changed_arcs_since<'a>(
        &'a self,
        before: &'a Ring,
        before_copies: usize,
        copies: usize,
    ) -> Vec<ChangedArc<'a>> {
        let mut changed = Vec::new();
        self.for_each_changed_arc(before, before_copies, copies, |start, end, old, new| {
            changed.push(ChangedArc {
                start,
                end,
                before: old.to_vec(),
                after: new.to_vec(),
            });
        });
        changed
    }

    /// Calls `visit` with an arc's `start` and `end` (equal for the whole
    /// circle) and both preference lists of every arc where they differ,
    /// in ring order, without allocating per arc: the one walk behind
    /// [`Ring::changed_arcs_since`] and [`Ring::handovers_since`].
    fn for_each_changed_arc<'a>(
        &'a self,
        before: &'a Ring,
        before_copies: usize,
        copies: usize,
        mut visit: impl FnMut(u64, u64, &[&'a str], &[&'a str]),
    ) {
        let members = Members::of(before, self);
        let (mut old_names, mut new_names): (Vec<&'a str>, Vec<&'a str>) = (Vec::new(), Vec::new());
        members.for_each_changed_list(before_copies, copies, |start, end, old, new| {
            old_names.clear();
            old_names.extend(old.iter().map(|&member| members.name(member)));
            new_names.clear();
            new_names.extend(new.iter().map(|&member| members.name(member)));
            visit(start, end, &old_names, &new_names);
        });
    }
}

/// The nodes of two rings, `old` and `new`, numbered together: a node on
/// the new ring is its slot there; a node only on the old ring is its old
/// slot after all of the new ring's slots. A slot freed and taken by
/// another node in the same change is told apart by name. Holds both
/// rings, to compare their preference lists in those numbers
/// ([`Members::for_each_changed_list`]).
pub(crate) struct Members<'a> {
    old: &'a Ring,
    new: &'a Ring,
    /// Each old slot's member number.
    renumber: Vec<u32>,
}

impl<'a> Members<'a> {
    pub(crate) fn of(old: &'a Ring, new: &'a Ring) -> Members<'a> {
        let gone = new.slots.len();
        let renumber = (0..old.slots.len())
            .map(|slot| {
                old.slots[slot]
                    .as_ref()
                    .and_then(|record| new.by_id.get(&record.id).copied())
                    .unwrap_or_else(|| {
                        u32::try_from(gone + slot).expect("slots are numbered in u32")
                    })
            })
            .collect();
        Members { old, new, renumber }
    }

    /// How many member numbers there are (some unused): every number is
    /// below this.
    pub(crate) fn count(&self) -> usize {
        self.new.slots.len() + self.old.slots.len()
    }

    /// The node id of `member`.
    pub(crate) fn name(&self, member: u32) -> &'a str {
        let gone = self.new.slots.len();
        match (member as usize).checked_sub(gone) {
            None => self.new.slot_id(member),
            Some(slot) => self
                .old
                .slot_id(u32::try_from(slot).expect("a u32 less something")),
        }
    }

    /// Calls `visit` with an arc's `start` and `end` (equal for the whole
    /// circle) and both preference lists, in member numbers, of every arc
    /// where they differ between the old ring (with `before_copies` copies)
    /// and the new one (with `copies`), in ring order. Numbers, not names:
    /// a caller that compares the nodes of 100,000 lists (a change on 10
    /// nodes x 10,000 vnodes with 11 copies) does it without a string
    /// compare, and nothing is allocated per arc.
    ///
    /// Only the arcs whose lists can differ are read
    /// ([`Bounds::suspects`]): a join of a node of 80 vnodes to 100 nodes
    /// with one copy reads the lists of its 80 arcs, not of all 8,080.
    pub(crate) fn for_each_changed_list(
        &self,
        before_copies: usize,
        copies: usize,
        mut visit: impl FnMut(u64, u64, &[u32], &[u32]),
    ) {
        let (old, new, renumber) = (self.old, self.new, &self.renumber);
        let bounds = Bounds::of(self);
        let count = bounds.all.len();
        if count == 0 {
            return;
        }
        // With another number of copies any list may change.
        let suspects = if before_copies == copies {
            let needed = before_copies
                .min(old.node_count())
                .max(copies.min(new.node_count()));
            bounds.suspects(new, needed)
        } else {
            std::iter::once(0..count).collect()
        };
        let (mut old_slots, mut new_slots) = (Vec::new(), Vec::new());
        let (mut old_lists, mut new_lists) = (Preferences::new(old), Preferences::new(new));
        for index in suspects.into_iter().flatten() {
            let (start, end) = (bounds.all[(index + count - 1) % count], bounds.all[index]);
            old_lists.slots_from(end.old as usize, before_copies, &mut old_slots);
            new_lists.slots_from(end.new as usize, copies, &mut new_slots);
            for slot in &mut old_slots {
                *slot = renumber[*slot as usize];
            }
            // Element by element: lists are short, and a slice compare
            // calls memcmp (a fifth of a small change's plan).
            if !old_slots.iter().eq(&new_slots) {
                visit(start.position, end.position, &old_slots, &new_slots);
            }
        }
    }
}

/// A position where either ring has a point, with the index of each ring's
/// first point at or after it (the start of the list of the arc that ends
/// there; the ring's point count past its last point).
#[derive(Clone, Copy)]
struct Bound {
    position: u64,
    old: u32,
    new: u32,
}

/// Both rings' points merged: the bounds that cut the circle into arcs on
/// which each ring's preference list is constant, and which of them the
/// two rings disagree on.
struct Bounds {
    all: Vec<Bound>,
    /// The indexes, ascending, of the bounds where the rings' points
    /// differ: a point only one ring has, or a different node.
    changed: Vec<usize>,
}

impl Bounds {
    fn of(members: &Members<'_>) -> Bounds {
        let (old, new) = (members.old, members.new);
        let (old_at, new_at) = (old.positions(), new.positions());
        let mut all = Vec::with_capacity(old_at.len().max(new_at.len()) + 1);
        let mut changed = Vec::new();
        let (mut o, mut n) = (0, 0);
        loop {
            let position = match (old_at.get(o), new_at.get(n)) {
                (None, None) => break,
                (Some(&a), None) => a,
                (None, Some(&b)) => b,
                (Some(&a), Some(&b)) => a.min(b),
            };
            let bound = Bound {
                position,
                old: u32::try_from(o).expect("points are counted in u32"),
                new: u32::try_from(n).expect("points are counted in u32"),
            };
            // The points at this position, pair by pair; any left over on
            // one side, or a pair of different nodes, is a change.
            let mut differs = false;
            loop {
                let (in_old, in_new) = (
                    old_at.get(o) == Some(&position),
                    new_at.get(n) == Some(&position),
                );
                match (in_old, in_new) {
                    (false, false) => break,
                    (true, true) => {
                        differs |= members.renumber[old.owners[o] as usize] != new.owners[n];
                        o += 1;
                        n += 1;
                    }
                    (true, false) => {
                        differs = true;
                        o += 1;
                    }
                    (false, true) => {
                        differs = true;
                        n += 1;
                    }
                }
            }
            if differs {
                changed.push(all.len());
            }
            all.push(bound);
        }
        Bounds { all, changed }
    }

    /// The runs of bound indexes, ascending, whose arcs' lists may differ
    /// when a list holds `needed` distinct nodes at most.
    ///
    /// A list is read walking clockwise from its arc's end. Where both rings
    /// have the same points, the walks are the same: a list can differ only
    /// if its walk reaches a changed bound before it has met `needed`
    /// distinct nodes. So from each changed bound, walk back over the
    /// unchanged ones (the new ring's points there are the old ring's)
    /// until those passed hold `needed` distinct nodes, or another changed
    /// bound is met (whose own walk back goes on from there): the arcs
    /// passed, and the changed bound's own, are the suspects.
    fn suspects(&self, new: &Ring, needed: usize) -> Vec<std::ops::Range<usize>> {
        let count = self.all.len();
        let mut runs = Vec::with_capacity(self.changed.len() + 1);
        let mut met: Vec<u32> = Vec::with_capacity(needed);
        for (at, &changed) in self.changed.iter().enumerate() {
            // The changed bound before this one, round the circle.
            let previous = self.changed[(at + self.changed.len() - 1) % self.changed.len()];
            met.clear();
            let mut first = changed;
            loop {
                let index = (first + count - 1) % count;
                // Another changed bound, or all the way round.
                if index == previous {
                    break;
                }
                let next = self
                    .all
                    .get(index + 1)
                    .map_or(new.positions.len(), |b| b.new as usize);
                for &slot in &new.owners[self.all[index].new as usize..next] {
                    if !met.contains(&slot) {
                        met.push(slot);
                    }
                }
                if met.len() >= needed {
                    break;
                }
                first = index;
            }
            // `first..=changed`, cut in two where it wraps.
            if first <= changed {
                runs.push(first..changed + 1);
            } else {
                runs.push(0..changed + 1);
                runs.push(first..count);
            }
        }
        runs.sort_unstable_by_key(|run| run.start);
        runs
    }
}

/// The inclusive position ranges of the arc after `start` up to and
/// including `end`: one, or two when it wraps past `u64::MAX`; the whole
/// circle when `start == end`, the arc from a point all the way round to
/// itself.
///
/// ```
/// use elastic_vdb::ring::arc_ranges;
///
/// assert_eq!(arc_ranges(5, 9).collect::<Vec<_>>(), [(6, 9)]);
/// assert_eq!(arc_ranges(u64::MAX - 1, 3).collect::<Vec<_>>(), [(u64::MAX, u64::MAX), (0, 3)]);
/// assert_eq!(arc_ranges(u64::MAX, 3).collect::<Vec<_>>(), [(0, 3)]);
/// assert_eq!(arc_ranges(7, 7).collect::<Vec<_>>(), [(0, u64::MAX)]);
/// ```
pub fn arc_ranges(start: u64, end: u64) -> impl Iterator<Item = (u64, u64)> {
    let (first, second) = if start == end {
        ((0, u64::MAX), None)
    } else if start < end {
        ((start + 1, end), None)
    } else if start == u64::MAX {
        ((0, end), None)
    } else {
        ((start + 1, u64::MAX), Some((0, end)))
    };
    std::iter::once(first).chain(second)
}
