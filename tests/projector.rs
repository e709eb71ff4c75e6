//! The projector preset, and a session's default options. One test in a
//! binary of its own: `use_by_default` sets what every picture of the
//! process is drawn with, and tests in one binary run side by side.

use elastic_vdb::render::{self, GroupedBarsView};
use elastic_vdb::{RenderOptions, VectorStore};

fn title_font_size(svg: &str) -> f64 {
    let text = svg.find("Consistent hash ring").expect("the title");
    let tag = &svg[svg[..text].rfind("<text").unwrap()..text];
    let size = tag.split("font-size=\"").nth(1).unwrap();
    size[..size.find('"').unwrap()].parse().unwrap()
}

#[test]
fn the_projector_preset_draws_larger_and_fewer_until_switched_back() {
    let mut db = VectorStore::default();
    db.add_vectors(6000).unwrap();
    db.add_node("nodeA").unwrap();
    let standard = db.ring_view().to_svg();
    assert!(standard.contains("dots: all 6,000 vectors"));

    render::use_by_default(RenderOptions::projector());
    // A change's own picture, the store's view and a chart all follow.
    let step = db.add_node("nodeB").unwrap();
    let large = step.view.to_svg();
    assert!(
        large.contains("dots: 1,500 of 6,000 vectors (every 4th)"),
        "fewer dots"
    );
    let ratio = title_font_size(&large) / title_font_size(&standard);
    assert!((ratio - 1.4).abs() < 0.01, "title {ratio}x");
    assert!(db.ring_view().options().large_print);
    assert!(
        db.distribution_view().to_svg() != {
            render::use_by_default(RenderOptions::default());
            let standard_bars = db.distribution_view().to_svg();
            render::use_by_default(RenderOptions::projector());
            standard_bars
        }
    );
    assert!(GroupedBarsView::default().large_print);
    // A cell's own options still win.
    let own = db
        .ring_view()
        .with_options(RenderOptions::default())
        .to_svg();
    assert_eq!(title_font_size(&own), title_font_size(&standard));

    render::use_by_default(RenderOptions::default());
    assert!(!db.ring_view().options().large_print);
    assert!(!GroupedBarsView::default().large_print);
}
