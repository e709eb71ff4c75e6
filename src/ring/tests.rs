//! The ring's own tests: exact positions through a transparent toy hash,
//! and comparisons of rings.

use super::*;
use crate::error::RingError;

/// A transparent hash: vnode `v` of a node sits at `base + v`, where the
/// base is the node id parsed as a number; a salt adds `1000 * salt`.
fn toy(id: &str, vnode: u32) -> u64 {
    id.parse::<u64>().unwrap() + u64::from(vnode)
}

fn toy_salted(id: &str, vnode: u32, salt: u64) -> u64 {
    toy(id, vnode) + 1000 * salt
}

#[test]
fn handovers_cover_exactly_the_positions_that_changed_owner() {
    let ring = |ids: &[&str], vnodes: u32| {
        let mut ring = Ring::with_vnodes(vnodes).unwrap();
        for id in ids {
            ring.add_node(id).unwrap();
        }
        ring
    };
    let rings = [
        Ring::new(),
        ring(&["a"], 1),
        ring(&["a"], 3),
        ring(&["a", "b"], 3),
        ring(&["a", "b", "c"], 3),
        ring(&["b", "c"], 3),
        ring(&["b", "c"], 1),
        ring(&["a", "b", "c", "d"], 20),
    ];
    let mut probes: Vec<u64> = (0..3000u64)
        .map(|index| crate::hash::position(&format!("probe{index}")))
        .chain([0, 1, u64::MAX])
        .collect();
    for ring in &rings {
        // Each point and its neighbours: the edges of every stretch.
        for &position in &ring.positions {
            probes.extend([position, position.wrapping_add(1), position.wrapping_sub(1)]);
        }
    }
    for before in &rings {
        for after in &rings {
            let handovers = after.handovers_since(before);
            // Neighbours with the same two owners are one handover, across
            // the top of the circle too.
            for index in 0..handovers.len() {
                let (a, b) = (&handovers[index], &handovers[(index + 1) % handovers.len()]);
                if handovers.len() > 1 && a.end == b.start {
                    assert!(
                        (&a.from, &a.to) != (&b.from, &b.to),
                        "not joined: {a:?} {b:?}"
                    );
                }
            }
            for &position in &probes {
                let (from, to) = (
                    before.owner_of_position(position),
                    after.owner_of_position(position),
                );
                let holding: Vec<&Handover> = handovers
                    .iter()
                    .filter(|h| {
                        OwnedArc {
                            start: h.start,
                            end: h.end,
                            node: "",
                        }
                        .contains(position)
                    })
                    .collect();
                if from == to {
                    assert!(holding.is_empty(), "{position} kept its owner: {holding:?}");
                } else {
                    assert_eq!(holding.len(), 1, "{position}: {from:?} -> {to:?}");
                    assert_eq!(
                        (holding[0].from.as_deref(), holding[0].to.as_deref()),
                        (from, to)
                    );
                }
            }
        }
    }
}

fn toy_ring(nodes: &[(&str, u32)]) -> Ring {
    let mut ring = Ring::new();
    for (order, &(id, vnodes)) in nodes.iter().enumerate() {
        assert!(!ring.by_id.contains_key(id), "toy ids are distinct");
        ring.insert_node(id, vnodes, 1.0, order as u64, toy, toy_salted);
    }
    ring
}

/// Join order survives a departure (whose slot the next node reuses) and
/// a rebuild: saved stores list their nodes in it.
#[test]
fn join_order_survives_departures_and_rebuilds() -> Result<(), Error> {
    let mut ring = Ring::with_vnodes(4)?;
    assert!(ring.is_empty());
    for id in ["a", "b", "c"] {
        ring.add_node(id)?;
    }
    assert!(!ring.is_empty());
    ring.remove_node("a")?;
    ring.add_node("d")?;
    ring.rebuild(6)?;
    ring.remove_node("b")?;
    ring.add_weighted_node("e", 2.0)?;
    let order: Vec<String> = ring
        .nodes_in_join_order()
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(order, ["c", "d", "e"]);
    assert_eq!(ring.weight_of("e"), Some(2.0));
    Ok(())
}

/// A weight that reaches the vnode cap exactly is accepted; one vnode
/// more is refused.
#[test]
fn weights_reach_the_vnode_cap_exactly() -> Result<(), Error> {
    let mut ring = Ring::with_vnodes(40)?;
    ring.add_weighted_node("edge", 250.0)?;
    assert_eq!(ring.vnodes_of("edge"), Some(crate::error::MAX_VNODES));
    ring.add_weighted_node("rounded", 250.01)?;
    assert_eq!(ring.vnodes_of("rounded"), Some(crate::error::MAX_VNODES));
    assert!(matches!(
        ring.add_weighted_node("over", 250.02),
        Err(Error::Ring(RingError::WeightTooLarge { .. }))
    ));
    Ok(())
}

#[test]
fn keys_go_to_the_first_point_at_or_after_them() {
    let ring = toy_ring(&[("10", 1), ("20", 1)]);
    assert_eq!(ring.owner_of_position(10), Some("10"));
    assert_eq!(ring.owner_of_position(11), Some("20"));
    assert_eq!(ring.owner_of_position(20), Some("20"));
    assert_eq!(
        ring.owner_of_position(21),
        Some("10"),
        "wraps to the first point"
    );
    assert_eq!(ring.owner_of_position(0), Some("10"));
}

#[test]
fn a_collision_is_salted_counting_up_from_one() {
    // Node 10's points sit at 10 and 11; node 11's first point wants 11,
    // which is taken, so it moves to 11 + 1000; its second point, 12, is free.
    let ring = toy_ring(&[("10", 2), ("11", 2)]);
    let points: Vec<(u64, &str)> = ring.points().map(|p| (p.position, p.node)).collect();
    assert_eq!(points, [(10, "10"), (11, "10"), (12, "11"), (1011, "11")]);
}

#[test]
fn a_salted_position_that_is_also_taken_salts_again() {
    // Node 1010 holds 1010 and 1011; node 10 wants 10 (free) and then 11
    // (free); node 11 wants 11 (taken) -> 1011 (taken) -> 2011.
    let ring = toy_ring(&[("1010", 2), ("10", 2), ("11", 1)]);
    assert_eq!(ring.owner_of_position(2011), Some("11"));
    assert_eq!(ring.point_count(), 5);
}

#[test]
fn arcs_end_at_their_point_and_the_first_wraps() {
    let ring = toy_ring(&[("10", 1), ("20", 1)]);
    let arcs = ring.arcs();
    assert_eq!(
        arcs,
        [
            OwnedArc {
                start: 20,
                end: 10,
                node: "10"
            },
            OwnedArc {
                start: 10,
                end: 20,
                node: "20"
            }
        ]
    );
    assert_eq!(arcs[1].length(), 10);
    assert_eq!(arcs[0].length(), (1u128 << 64) - 10);
    assert!(arcs[0].contains(5) && arcs[0].contains(u64::MAX) && !arcs[0].contains(15));
}

#[test]
fn removing_frees_the_slot_for_reuse() {
    let mut ring = toy_ring(&[("10", 1), ("20", 1)]);
    ring.remove_node("10").unwrap();
    assert_eq!(ring.owner_of_position(0), Some("20"));
    ring.add_node("fresh").unwrap();
    assert_eq!(ring.slots.len(), 2, "the removed node's slot was reused");
    assert_eq!(ring.vnode_counts()["fresh"], 80);
}

#[test]
fn the_successor_search_agrees_with_a_scan_from_any_start() {
    use super::lookup::first_at_or_after;
    let points: Vec<u64> = (0..200u64).map(|index| index * 10 + 5).collect();
    for from in [0, 1, 2, 7, 50, 199, 200] {
        for position in (0..2_100u64).step_by(3) {
            let scan = (from..points.len())
                .find(|&index| points[index] >= position)
                .unwrap_or(points.len());
            // Only meaningful when no point before `from` is at or after it.
            if from > 0 && points[from - 1] >= position {
                continue;
            }
            assert_eq!(
                first_at_or_after(&points, from, position),
                scan,
                "from {from}, at {position}"
            );
        }
    }
    assert_eq!(first_at_or_after(&[], 0, 7), 0);
}

/// The walk every preference list used to take: clockwise from `start`
/// over the whole ring if need be.
fn walked_list(ring: &Ring, start: usize, replicas: usize) -> Vec<u32> {
    let wanted = replicas.min(ring.node_count());
    let mut list = Vec::new();
    for step in 0..ring.owners.len() {
        if list.len() == wanted {
            break;
        }
        let slot = ring.owners[(start + step) % ring.owners.len()];
        if !list.contains(&slot) {
            list.push(slot);
        }
    }
    list
}

/// The bounded walk and the per-node search give the full walk's list at
/// every point, for every replication factor up to past the node count,
/// on rings where some nodes have a single point among thousands.
#[test]
fn preference_lists_match_the_full_walk_with_rare_nodes() -> Result<(), Error> {
    let mut rings = Vec::new();
    let mut rare = Ring::with_vnodes(400)?;
    for id in ["a", "b", "c", "d"] {
        rare.add_node(id)?;
    }
    rare.add_weighted_node("tiny", 1e-9)?;
    rare.add_weighted_node("small", 0.004)?;
    rings.push(rare);
    let mut single = Ring::with_vnodes(1)?;
    for id in ["x", "y", "z"] {
        single.add_node(id)?;
    }
    rings.push(single);
    let mut mixed = Ring::with_vnodes(200)?;
    for (index, weight) in [1.0, 0.005, 2.0, 0.01, 1.0, 0.005, 0.5]
        .into_iter()
        .enumerate()
    {
        mixed.add_weighted_node(&format!("n{index}"), weight)?;
    }
    rings.push(mixed);
    let mut checked = 0;
    for ring in &rings {
        let nodes = ring.node_count();
        let mut lists = Preferences::new(ring);
        let (mut out, mut nearest) = (Vec::new(), Vec::new());
        for start in 0..ring.positions.len() {
            for replicas in 1..=nodes + 1 {
                let walked = walked_list(ring, start, replicas);
                lists.slots_from(start, replicas, &mut out);
                assert_eq!(out, walked, "start {start}, {replicas} copies");
                lists.nearest_nodes(start, replicas.min(nodes), &mut nearest);
                assert_eq!(nearest, walked, "by node: start {start}, {replicas} copies");
                checked += 1;
            }
        }
        // Runs of single steps broken by jumps back and forth, as a sweep
        // over two rings' merged bounds and a cold lookup mix them: the
        // order carried from point to point must match one made afresh.
        let count = ring.positions.len();
        let mut start = 0;
        for step in 0..3 * count {
            start = if step % 7 == 0 {
                (step * 7919 + 13) % count
            } else {
                (start + 1) % count
            };
            lists.nearest_nodes(start, nodes, &mut nearest);
            assert_eq!(
                nearest,
                walked_list(ring, start, nodes),
                "step {step}, start {start}"
            );
            let mut afresh = Vec::new();
            Preferences::new(ring).nearest_nodes(start, nodes, &mut afresh);
            assert_eq!(nearest, afresh);
        }
    }
    assert!(checked > 10_000, "{checked}");
    Ok(())
}

/// A batch places its nodes where one-by-one joins would: collisions with
/// the ring's points, with earlier nodes of the batch, and with a node's
/// own earlier points are all salted the same way, and a freed slot is
/// reused first.
#[test]
fn a_batch_lands_where_joins_one_by_one_would() {
    let nodes: [(&str, u32); 5] = [("1010", 2), ("10", 2), ("11", 3), ("12", 1), ("1011", 2)];
    let one_by_one = toy_ring(&nodes);
    let mut batch = toy_ring(&nodes[..1]);
    let records = nodes[1..]
        .iter()
        .enumerate()
        .map(|(order, &(id, vnodes))| NodeRecord {
            id: id.to_owned(),
            vnodes,
            weight: 1.0,
            order: order as u64 + 1,
        })
        .collect();
    batch.insert_nodes(records, toy, toy_salted);
    let points = |ring: &Ring| -> Vec<(u64, String)> {
        ring.points()
            .map(|p| (p.position, p.node.to_owned()))
            .collect()
    };
    assert_eq!(points(&batch), points(&one_by_one));
    assert!(
        points(&batch).iter().any(|(position, _)| *position > 2000),
        "salted twice"
    );
    // A slot freed by a departure is the first a batch fills.
    let mut freed = toy_ring(&nodes);
    freed.remove_node("10").unwrap();
    let records = vec![NodeRecord {
        id: "500".to_owned(),
        vnodes: 1,
        weight: 1.0,
        order: 9,
    }];
    freed.insert_nodes(records, toy, toy_salted);
    assert_eq!(freed.by_id["500"], one_by_one.by_id["10"]);
}

/// Every arc between two rings' merged points, its lists read afresh at
/// its end: what [`Ring::changed_arcs_since`] must find, by definition.
fn compared_arc_by_arc<'a>(
    before: &'a Ring,
    after: &'a Ring,
    before_copies: usize,
    copies: usize,
) -> Vec<ChangedArc<'a>> {
    let mut bounds: Vec<u64> = before
        .positions
        .iter()
        .chain(&after.positions)
        .copied()
        .collect();
    bounds.sort_unstable();
    bounds.dedup();
    let count = bounds.len();
    (0..count)
        .filter_map(|index| {
            let (start, end) = (bounds[(index + count - 1) % count], bounds[index]);
            let (old, new) = (
                before.preference_list(end, before_copies),
                after.preference_list(end, copies),
            );
            (old != new).then_some(ChangedArc {
                start,
                end,
                before: old,
                after: new,
            })
        })
        .collect()
}

/// The sweep that reads only the arcs near a changed point finds the same
/// changed arcs, in the same order, as comparing every arc: joins,
/// departures, a freed slot taken by another node, nodes of one point,
/// two nodes at one position, and every number of copies up to past the
/// node count, the same before and after or not.
#[test]
fn changed_arcs_are_those_found_by_comparing_every_arc() -> Result<(), Error> {
    let ring = |nodes: &[(&str, f64)], vnodes: u32| -> Result<Ring, Error> {
        let mut ring = Ring::with_vnodes(vnodes)?;
        for &(id, weight) in nodes {
            ring.add_weighted_node(id, weight)?;
        }
        Ok(ring)
    };
    let mut reused = ring(&[("a", 1.0), ("b", 1.0), ("c", 1.0)], 30)?;
    reused.remove_node("b")?;
    reused.add_node("e")?;
    let rings = [
        Ring::new(),
        ring(&[("a", 1.0)], 1)?,
        ring(&[("a", 1.0)], 3)?,
        ring(&[("a", 1.0), ("b", 1.0), ("c", 1.0)], 30)?,
        ring(&[("b", 1.0), ("c", 1.0)], 30)?,
        reused,
        ring(&[("a", 1.0), ("b", 1.0), ("c", 1.0), ("tiny", 1e-9)], 30)?,
        ring(
            &[("a", 1.0), ("b", 0.1), ("c", 1.0), ("d", 2.0), ("e", 1.0)],
            20,
        )?,
        ring(&[("a", 1.0), ("b", 0.1), ("c", 1.0), ("d", 2.0)], 20)?,
    ];
    // Toy rings whose points share positions: 10 is node 10's in one and
    // node 8's in the other.
    let toys = [
        toy_ring(&[("10", 3), ("20", 2)]),
        toy_ring(&[("8", 3), ("20", 2)]),
        toy_ring(&[("8", 3), ("10", 3), ("20", 2)]),
    ];
    let mut changed = 0;
    for family in [&rings[..], &toys[..]] {
        for before in family {
            for after in family {
                for (before_copies, copies) in (1..=6)
                    .map(|copies| (copies, copies))
                    .chain([(1, 2), (3, 1)])
                {
                    let expected = compared_arc_by_arc(before, after, before_copies, copies);
                    let found = after.changed_arcs_since(before, before_copies, copies);
                    assert_eq!(
                        found,
                        expected,
                        "{:?} -> {:?}, {before_copies} -> {copies} copies",
                        before.nodes().collect::<Vec<_>>(),
                        after.nodes().collect::<Vec<_>>()
                    );
                    changed += found.len();
                }
            }
        }
    }
    assert!(changed > 10_000, "{changed}");
    Ok(())
}
