//! The projector preset, and the environment variable that makes it a
//! session's default. One test in a binary of its own: the variable is
//! read by every picture of the process, and tests in one binary run side
//! by side.

use elastic_vdb::render::{self, GroupedBarsView, PROJECTOR_VARIABLE};
use elastic_vdb::{RenderOptions, VectorStore};

fn title_font_size(svg: &str) -> f64 {
    let text = svg.find("Consistent hash ring").expect("the title");
    let tag = &svg[svg[..text].rfind("<text").unwrap()..text];
    let size = tag.split("font-size=\"").nth(1).unwrap();
    size[..size.find('"').unwrap()].parse().unwrap()
}

fn set_projector(value: Option<&str>) {
    // SAFETY: this binary's only test, so no other thread reads the
    // environment meanwhile.
    unsafe {
        match value {
            Some(value) => std::env::set_var(PROJECTOR_VARIABLE, value),
            None => std::env::remove_var(PROJECTOR_VARIABLE),
        }
    }
}

#[test]
fn the_projector_preset_draws_larger_and_fewer_when_the_session_asks() {
    set_projector(None);
    let mut db = VectorStore::default();
    db.add_vectors(6000).unwrap();
    db.add_node("nodeA").unwrap();
    let standard = db.ring_view().to_svg();
    assert!(standard.contains("dots: all 6,000 vectors"));
    let standard_bars = db.distribution_view().to_svg();

    for off in ["", "0"] {
        set_projector(Some(off));
        assert!(!render::default_options().large_print, "{off:?} is off");
    }
    set_projector(Some("1"));
    // A change's own picture, the store's views and a chart all follow.
    let step = db.add_node("nodeB").unwrap();
    let large = step.view.to_svg();
    assert!(
        large.contains("dots: 1,500 of 6,000 vectors (every 4th)"),
        "fewer dots"
    );
    let ratio = title_font_size(&large) / title_font_size(&standard);
    assert!((ratio - 1.4).abs() < 0.01, "title {ratio}x");
    assert!(db.ring_view().options().large_print);
    assert_ne!(db.distribution_view().to_svg(), standard_bars);
    assert!(GroupedBarsView::default().large_print);
    // A cell's own options still win.
    let own = db
        .ring_view()
        .with_options(RenderOptions::default())
        .to_svg();
    assert_eq!(title_font_size(&own), title_font_size(&standard));

    set_projector(None);
    assert!(!db.ring_view().options().large_print);
    assert!(!GroupedBarsView::default().large_print);
}
