//! What the pictures contain, read from the SVG text.

use elastic_vdb::{RenderOptions, StoreConfig, VectorStore};

fn tutorial_after_node_d() -> VectorStore {
    let mut db = VectorStore::default();
    db.add_vectors(6000).unwrap();
    for node in ["nodeA", "nodeB", "nodeC", "nodeD"] {
        db.add_node(node).unwrap();
    }
    db
}

/// The number of segments in the tick path.
fn ticks(svg: &str) -> usize {
    svg.split(r#"stroke-opacity="0.3" stroke-width="1" d=""#)
        .nth(1)
        .map_or(0, |rest| {
            rest.split('"').next().unwrap().matches('L').count()
        })
}

#[test]
fn the_ring_shows_title_status_legend_arcs_ticks_dots_and_moves() {
    let db = tutorial_after_node_d();
    let svg = db.ring_view().to_svg();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains("Consistent hash ring | nodes=4 | vectors=6000"));
    assert!(svg.contains("Added node | moved=0.273 (~27.3%)"));
    assert!(
        svg.contains("nodeD: 1,639, 80, "),
        "legend: keys, vnodes, share"
    );
    assert!(svg.contains("moved in the last change: 1,639"));
    assert!(svg.contains("nodeB → nodeD: 716"));
    assert!(svg.contains("dots: all 6,000 vectors"));
    // One tick per vnode, each an `M x y L x y` segment of one path.
    assert_eq!(ticks(&svg), 320);
    // Dots: one zero-length segment per vector, plus one per moved vector.
    let segments = svg.matches("h0").count();
    assert_eq!(segments, 6000 + 1639);
    assert!(svg.len() < 300_000, "{} bytes", svg.len());
    // The band over what nodeD took: one stroke per stretch, each in the
    // colour of the node that held it before, never nodeD's.
    assert!(svg.contains("thin band: the owner before the change"));
    let colors = elastic_vdb::render::node_colors(["nodeA", "nodeB", "nodeC", "nodeD"]);
    let band = |node: &str| {
        let color = elastic_vdb::render::rgb_hex(colors[node]).to_uppercase();
        svg.matches(&format!(r#"stroke="{color}" stroke-width="5""#))
            .count()
    };
    let stretches = db.ring().handovers_since(&{
        let mut before = elastic_vdb::Ring::new();
        for node in ["nodeA", "nodeB", "nodeC"] {
            before.add_node(node).unwrap();
        }
        before
    });
    assert!(stretches.len() > 40, "{} stretches", stretches.len());
    assert_eq!(
        band("nodeA") + band("nodeB") + band("nodeC"),
        stretches.len()
    );
    assert_eq!(band("nodeD"), 0);
}

#[test]
fn a_departed_node_keeps_its_colour_in_the_band_and_the_flows() {
    let mut db = tutorial_after_node_d();
    db.remove_node("nodeB").unwrap();
    let svg = db.ring_view().to_svg();
    let colors = elastic_vdb::render::node_colors(["nodeA", "nodeB", "nodeC", "nodeD"]);
    let color = elastic_vdb::render::rgb_hex(colors["nodeB"]).to_uppercase();
    assert!(
        svg.contains(&format!(r#"stroke="{color}" stroke-width="5""#)),
        "nodeB's band"
    );
    assert!(svg.contains("nodeB → nodeC"));
    // The next picture, with no change since, draws no band.
    let later = db.ring_view().without_moves().to_svg();
    assert!(!later.contains(r#"stroke-width="5""#));
    assert!(!later.contains("thin band"));
}

#[test]
fn options_turn_layers_off_and_sample_dots() {
    let db = tutorial_after_node_d();
    let plain = db
        .ring_view()
        .with_options(RenderOptions {
            show_ticks: false,
            show_moved: false,
            max_dots: 1000,
            ..RenderOptions::default()
        })
        .to_svg();
    assert_eq!(ticks(&plain), 0);
    assert_eq!(plain.matches("h0").count(), 1000);
    assert!(plain.contains("dots: 1,000 of 6,000 vectors (every 6th)"));
    assert!(!plain.contains("moved in the last change"));
}

#[test]
fn a_large_store_is_drawn_from_a_stated_sample() {
    let mut db = VectorStore::new(StoreConfig {
        dimension: 1,
        ..StoreConfig::default()
    })
    .unwrap();
    db.add_node("a").unwrap();
    db.add_vectors(100_000).unwrap();
    let svg = db.ring_view().to_svg();
    assert!(
        svg.contains("dots: 5,000 of 100,000 vectors (every 20th)"),
        "{}",
        &svg[..400]
    );
    assert!(svg.len() < 300_000);
}

#[test]
fn an_empty_ring_says_so() {
    let mut db = VectorStore::default();
    assert!(
        db.ring_view()
            .to_svg()
            .contains("Ring is empty: add a node")
    );
    db.add_vectors(10).unwrap();
    let svg = db.ring_view().to_svg();
    assert!(svg.contains("10 vectors wait unassigned"));
    db.add_node("a").unwrap();
    let svg = db.remove_node("a").unwrap().view.to_svg();
    assert!(svg.contains("Ring is empty") && svg.contains("Removed node | moved=1.000"));
}

#[test]
fn node_ids_are_escaped() {
    let mut db = VectorStore::default();
    db.add_node("<b>&co").unwrap();
    let svg = db.ring_view().to_svg();
    assert!(!svg.contains("<b>"), "raw markup from an id");
    assert!(svg.contains("&lt;b&gt;&amp;co"));
}

#[test]
fn the_distribution_chart_shows_bars_counts_and_the_mean() {
    let db = tutorial_after_node_d();
    let view = db.distribution_view();
    let svg = view.to_svg();
    for text in [
        "nodeA",
        "nodeD",
        "1,639",
        "1,402",
        "mean 1,500",
        "Vectors per node | nodes=4 | vectors=6000",
    ] {
        assert!(svg.contains(text), "missing {text}");
    }
    assert_eq!(
        view.summary(),
        "Vectors per node | nodes=4 | vectors=6000 | mean=1500.0\nnodeA  1497  1.00x\nnodeB  1462  0.97x\nnodeC  1402  0.93x\nnodeD  1639  1.09x"
    );
}

#[test]
fn summaries_read_like_the_tutorial() {
    let db = tutorial_after_node_d();
    assert_eq!(
        db.ring_view().summary(),
        "Consistent hash ring | nodes=4 | vectors=6000\nAdded node | moved=0.273 (~27.3%)\nShard distribution: {'nodeA': 1497, 'nodeB': 1462, 'nodeC': 1402, 'nodeD': 1639}"
    );
}

#[test]
fn the_history_table_lists_every_change_with_its_ideal() {
    let mut db = tutorial_after_node_d();
    db.remove_node("nodeB").unwrap();
    db.rebuild(160).unwrap();
    let view = db.history_view();
    assert_eq!(view.len(), 6);
    let text = view.to_text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "change              nodes  moved  of all   ideal  flows"
    );
    assert_eq!(
        lines[1],
        "add nodeA             0→1   6000  100.0%  100.0%  ∅→nodeA 6000"
    );
    assert_eq!(
        lines[4],
        "add nodeD             3→4   1639   27.3%   25.0%  nodeA→nodeD 283, nodeB→nodeD 716, nodeC→nodeD 640"
    );
    assert_eq!(
        lines[5],
        "remove nodeB          4→3   1462   24.4%   25.0%  nodeB→nodeA 801, nodeB→nodeC 421, nodeB→nodeD 240"
    );
    assert!(lines[6].starts_with("rebuild 160 vnodes    3→3   1934   32.2%       -  "));
    let html = view.to_html();
    assert_eq!(html.matches("<tr>").count(), 7);
    assert!(html.contains("text-align:right\">27.3%</td>"));
    assert!(
        html.contains("text-align:right\">3→3</td>"),
        "as in the text"
    );
}

#[test]
fn a_timeline_animates_every_step_and_lays_them_out() {
    use elastic_vdb::Timeline;
    let mut db = VectorStore::default();
    db.add_vectors(2000).unwrap();
    let mut timeline = Timeline::new();
    timeline.push(db.ring_view());
    for node in ["nodeA", "nodeB", "nodeC"] {
        timeline.push(db.add_node(node).unwrap().view);
    }
    let svg = timeline.to_animated_svg();
    // One group per step, each visible during its own quarter of an 8 s loop.
    assert_eq!(svg.matches("<animate ").count(), 4);
    assert!(svg.contains(r#"values="0;0;1;0" keyTimes="0.0000;0.2500;0.5000;0.7500" dur="8s""#));
    assert!(svg.contains("step 4 of 4"));
    assert_eq!(svg.matches("Added node | moved=").count(), 3);
    assert!(svg.len() < 400_000, "{} bytes", svg.len());

    let strip = timeline.filmstrip();
    let grid = strip.to_svg();
    assert!(
        grid.contains(r#"width="760" height="998""#),
        "four steps: 2 columns x 2 rows of 380 x 436 rings, each with a caption of 63"
    );
    // The rings only (their legends would be unreadable), and a colour key
    // in the caption instead.
    assert!(grid.contains(r#"viewBox="0 0 470 540""#));
    assert_eq!(
        grid.matches(">nodeA</text>").count(),
        3,
        "a key entry for nodeA in the last three steps"
    );
    for caption in [
        "1. start",
        "2. Added node</tspan>",
        ">moved=1.000 (~100.0%)</tspan>",
        "4. Added node</tspan>",
    ] {
        assert!(grid.contains(caption), "missing {caption}");
    }
    assert!(!grid.contains("<animate"));
    // The status is the caption only: in the frame it ran past the crop.
    assert_eq!(grid.matches("Added node | moved=").count(), 0);

    // A node that left stays in the key, marked, since its band is drawn.
    let mut after = Timeline::new();
    after.push(db.remove_node("nodeB").unwrap().view);
    let grid = after.filmstrip().to_svg();
    assert!(
        grid.contains(">nodeB (gone)</text>"),
        "the departed node in the key"
    );
}

/// Found by adversarial testing: `GroupedBarsView` with a value of
/// `f64::MAX` (or 1e308 on a log axis) and a `CurveView` with points at
/// ±1e308 never finished (plotters laying out the axis), and a `RingView`
/// of `u32::MAX` pixels would have written about 45 GB. Every view now
/// finishes with a bounded picture, says in its title when a value was drawn
/// at the edge, and keeps the values it was given in its summary.
#[test]
fn absurd_values_and_sizes_draw_promptly_within_bounds() {
    use elastic_vdb::render::{CurveView, GroupedBarsView, MAX_SIDE, Series, SeriesStyle};

    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut svgs: Vec<(String, String)> = Vec::new();
        let extremes = [
            f64::MAX,
            -f64::MAX,
            1e308,
            1e-308,
            f64::MIN_POSITIVE,
            5e-324,
            0.0,
            f64::NAN,
            f64::INFINITY,
        ];
        for log_y in [false, true] {
            for &value in &extremes {
                for &other in &[1.0, value, -3.0] {
                    let view = GroupedBarsView {
                        title: "t".into(),
                        groups: vec!["g".into(), "h".into()],
                        series: vec![("s".into(), vec![value, other])],
                        references: vec![("r".into(), value)],
                        log_y,
                        width: u32::MAX,
                        height: u32::MAX,
                        ..Default::default()
                    };
                    svgs.push((
                        format!("bars {value:e} {other:e} log {log_y}"),
                        view.to_svg(),
                    ));
                    assert!(view.summary().contains('s'));
                }
            }
        }
        for (log_x, log_y) in [(false, false), (true, true), (false, true)] {
            for &value in &extremes {
                let view = CurveView {
                    title: "c".into(),
                    series: vec![Series {
                        label: "s".into(),
                        points: vec![(value, -value), (1.0, 1.0), (-value, value), (2.0, value)],
                        style: SeriesStyle::LineWithMarkers,
                    }],
                    log_x,
                    log_y,
                    width: u32::MAX,
                    height: 0,
                    ..Default::default()
                };
                svgs.push((
                    format!("curve {value:e} log {log_x} {log_y}"),
                    view.to_svg(),
                ));
            }
        }
        let mut db = VectorStore::default();
        db.add_vectors(100).unwrap();
        db.add_node("a").unwrap();
        let options = RenderOptions {
            width: u32::MAX,
            height: u32::MAX,
            max_dots: usize::MAX,
            ..Default::default()
        };
        svgs.push((
            "ring".into(),
            db.ring_view().with_options(options.clone()).to_svg(),
        ));
        svgs.push((
            "distribution".into(),
            db.distribution_view().with_options(options).to_svg(),
        ));
        done.send(svgs).unwrap();
    });
    // A bound on a hang, not a measure of speed: each picture takes
    // milliseconds, and before the fix the first one never finished.
    let svgs = finished
        .recv_timeout(std::time::Duration::from_secs(300))
        .expect("every view finishes");
    for (name, svg) in &svgs {
        assert!(
            svg.starts_with("<svg"),
            "{name}: {}",
            &svg[..svg.len().min(200)]
        );
        assert!(!svg.contains("could not draw"), "{name}: {svg}");
        assert!(svg.len() < 4 << 20, "{name}: {} bytes", svg.len());
        let width: u32 = svg
            .split("width=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .and_then(|number| number.parse().ok())
            .unwrap();
        assert!(width <= MAX_SIDE, "{name}: width {width}");
    }
    let clamped = svgs
        .iter()
        .find(|(name, _)| name == "bars 1.7976931348623157e308 1e0 log false")
        .unwrap();
    assert!(
        clamped
            .1
            .contains("t (values beyond 1e12 drawn at the edge)")
    );
    let plain = svgs
        .iter()
        .find(|(name, _)| name == "bars 0e0 1e0 log false")
        .unwrap();
    assert!(!plain.1.contains("drawn at the edge"));
}

/// Found by a teacher's read: at 640 virtual nodes (what notebook 01 invites
/// students to try) one tick per point made the ring nearly black. Ticks are
/// drawn in full up to 500 points, short and faint up to 1,500, and not at
/// all above, each time said in the legend.
#[test]
fn ticks_thin_out_as_points_grow_and_the_legend_says_so() {
    let ticks = |vnodes: u32| {
        let mut db = VectorStore::new(StoreConfig {
            vnodes,
            ..StoreConfig::default()
        })
        .unwrap();
        db.add_vectors(300).unwrap();
        for node in ["nodeA", "nodeC", "nodeD"] {
            db.add_node(node).unwrap();
        }
        db.ring_view().to_svg()
    };
    let full = ticks(160);
    assert!(full.contains(r#"stroke-opacity="0.3" stroke-width="1""#));
    assert!(!full.contains("ticks shortened") && !full.contains("ticks hidden"));
    let short = ticks(300);
    assert!(short.contains(r#"stroke-opacity="0.25" stroke-width="0.6""#));
    assert!(short.contains("ticks shortened: 900 points"));
    let none = ticks(640);
    assert!(
        !none.contains("stroke-width=\"0.6\"")
            && !none.contains(r#"stroke-opacity="0.3" stroke-width="1""#)
    );
    assert!(none.contains("ticks hidden: 1,920 points"));
}

#[test]
fn a_count_just_under_the_mean_is_written_above_the_dashed_line() {
    // 01's four nodes: nodeC's 1,861 sits a few pixels under the mean of
    // 2,000, where its label would be crossed by the line.
    let counts = [("a", 1861), ("b", 2200), ("c", 1939)]
        .into_iter()
        .map(|(id, count)| (id.to_owned(), count))
        .collect();
    let svg = elastic_vdb::DistributionView::new(counts, "Keys").to_svg();
    let label_y = |text: &str| -> i64 {
        let end = svg.find(&format!("\n{text}\n</text>")).expect(text);
        let start = svg[..end].rfind("<text").unwrap();
        let tag = &svg[start..end];
        let y = tag.split(" y=\"").nth(1).unwrap();
        y[..y.find('"').unwrap()].parse().unwrap()
    };
    // The dashed mean line: plotters draws each dash as a two-point polyline
    // at the line's height.
    let marker = "stroke-width=\"2\" points=\"";
    let dash = svg.find(marker).expect("dashed line");
    let points = &svg[dash + marker.len()..];
    let first = &points[..points.find('"').unwrap()];
    let line_y: i64 = first.split([' ', ',']).nth(1).unwrap().parse().unwrap();
    for label in ["1,861", "1,939"] {
        let y = label_y(label);
        // Text is anchored at its bottom: it must end above the line.
        assert!(y <= line_y - 3, "{label} at y={y}, line at {line_y}\n");
    }
}
