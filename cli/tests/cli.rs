//! The command-line contract: JSON equal to the tutorial's Python, readable
//! tables, exit code 2 for wrong arguments and 1 for rejected values.

use std::process::{Command, Output};

use serde_json::Value;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_elastic-vdb"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn json(args: &[&str]) -> Value {
    let output = run(args);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("one JSON value")
}

/// The CLI's list of flows as the tutorial's object keyed `"X->Y"`, for
/// ids without `->` (every id of the reference).
fn flows_by_label(flows: &Value) -> Value {
    let mut by_label = serde_json::Map::new();
    for flow in flows.as_array().expect("flows are a list") {
        let place = |value: &Value| value.as_str().unwrap_or("∅").to_owned();
        let label = format!("{}->{}", place(&flow["from"]), place(&flow["to"]));
        assert!(by_label.insert(label, flow["count"].clone()).is_none());
    }
    Value::Object(by_label)
}

fn reference() -> Value {
    serde_json::from_str(include_str!("../../tests/fixtures/reference.json")).unwrap()
}

#[test]
fn distribution_json_matches_the_tutorial_for_every_layout() {
    for case in reference()["layouts"].as_array().unwrap() {
        let nodes: Vec<&str> = case["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap())
            .collect();
        let nodes = nodes.join(",");
        let vnodes = case["vnodes"].to_string();
        let vectors = case["vectors"].to_string();
        let output = json(&[
            "distribution",
            "--nodes",
            &nodes,
            "--vnodes",
            &vnodes,
            "--vectors",
            &vectors,
            "--dimension",
            "2",
            "--json",
        ]);
        assert_eq!(output, case["distribution"], "{nodes}");
    }
}

#[test]
fn movement_json_matches_the_tutorial() {
    for case in reference()["movements"].as_array().unwrap() {
        let list = |key: &str| {
            case[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_str().unwrap())
                .collect::<Vec<_>>()
                .join(",")
        };
        let (from, to) = (list("from"), list("to"));
        let output = json(&[
            "movement",
            "--from",
            &from,
            "--to",
            &to,
            "--vnodes",
            &case["vnodes"].to_string(),
            "--to-vnodes",
            &case["to_vnodes"].to_string(),
            "--vectors",
            &case["vectors"].to_string(),
            "--json",
        ]);
        for key in ["moved", "total", "fraction"] {
            assert_eq!(output[key], case[key], "{from} -> {to}: {key}");
        }
        assert_eq!(
            flows_by_label(&output["flows"]),
            case["flows"],
            "{from} -> {to}"
        );
    }
}

#[test]
fn tutorial_replays_the_session() {
    let output = run(&["tutorial"]);
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    for line in [
        "Shard distribution: {'∅': 6000}",
        "Added node | moved=1.000 (~100.0%)",
        "Added node | moved=0.273 (~27.3%)",
        "Shard distribution: {'nodeA': 1497, 'nodeB': 1462, 'nodeC': 1402, 'nodeD': 1639}",
        "Removed node | moved=0.244 (~24.4%)",
        "Shard distribution: {'nodeA': 2298, 'nodeC': 1823, 'nodeD': 1879}",
        "Rebuilt ring with vnodes_per_node=160 | moved=0.322 (~32.2%)",
        "Shard distribution: {'nodeA': 1861, 'nodeC': 2099, 'nodeD': 2040}",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in\n{text}"
        );
    }
    let steps = json(&["tutorial", "--json"]);
    let expected = reference();
    for (step, reference) in steps
        .as_array()
        .unwrap()
        .iter()
        .zip(expected["tutorial_session"].as_array().unwrap())
    {
        assert_eq!(step["moved"], reference["moved"]);
        assert_eq!(flows_by_label(&step["flows"]), reference["flows"]);
    }
}

#[test]
fn tutorial_writes_one_svg_per_step() {
    let folder = std::env::temp_dir().join(format!("elastic-vdb-cli-{}", std::process::id()));
    let output = run(&["tutorial", "--out", folder.to_str().unwrap()]);
    assert!(output.status.success());
    let mut names: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names.len(), 7, "{names:?}");
    assert_eq!(names[4], "04-add-nodeD.svg");
    let svg = std::fs::read_to_string(folder.join(&names[4])).unwrap();
    assert!(svg.contains("Added node | moved=0.273 (~27.3%)"));
    std::fs::remove_dir_all(folder).unwrap();
}

#[test]
fn tables_are_aligned() {
    let output = run(&["distribution", "--nodes", "A,B,C"]);
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "node  vectors  of all  vnodes  ring share");
    assert_eq!(lines[1], "A        1687   28.1%      80       28.7%");
    let output = run(&["movement", "--from", "A,B,C", "--to", "A,B,C,D"]);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.starts_with("moved 1545 of 6000 vectors: 0.2575 (25.8%)\n"),
        "{text}"
    );
    assert!(text.contains("B     D       594"), "{text}");
}

#[test]
fn bad_arguments_exit_2_and_bad_values_exit_1_with_the_value_named() {
    let output = run(&["distribution"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--nodes"));
    let output = run(&["distribution", "--nodes", "A", "--vnodes", "many"]);
    assert_eq!(output.status.code(), Some(2));

    for (args, message) in [
        (
            &["distribution", "--nodes", "A,,B"][..],
            r#"error: node list "A,,B" has an empty entry"#,
        ),
        (
            &["distribution", "--nodes", "A,B,A"][..],
            r#"error: node list names "A" more than once"#,
        ),
        (
            &["distribution", "--nodes", "A", "--vnodes", "0"][..],
            "error: vnodes per node must be between 1 and 10000, got 0",
        ),
        (
            &[
                "movement",
                "--from",
                "A",
                "--to",
                "B",
                "--to-vnodes",
                "20000",
            ][..],
            "error: vnodes per node must be between 1 and 10000, got 20000",
        ),
        (
            &["distribution", "--nodes", "A", "--dimension", "0"][..],
            "error: vector dimension must be between 1 and 65536, got 0",
        ),
    ] {
        let output = run(args);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&output.stderr).trim_end(), message);
        assert!(output.stdout.is_empty());
    }
}

#[test]
fn search_json_is_the_brute_force_answer_with_any_replication() {
    use elastic_vdb::{StoreConfig, VectorStore};
    let mut db = VectorStore::new(StoreConfig {
        dimension: 32,
        ..StoreConfig::default()
    })
    .unwrap();
    db.add_vectors(3000).unwrap();
    let query = db.vector_by_id("vec_000042").unwrap();
    let expected = db.brute_force_search(&query, 7).unwrap();
    for replicas in ["1", "2", "3"] {
        let output = json(&[
            "search",
            "--nodes",
            "A,B,C",
            "--vectors",
            "3000",
            "--dimension",
            "32",
            "--replicas",
            replicas,
            "--query",
            "vec_000042",
            "--k",
            "7",
            "--json",
        ]);
        let results = output["results"].as_array().unwrap();
        assert_eq!(results.len(), 7);
        for (got, want) in results.iter().zip(&expected) {
            assert_eq!(got["id"], want.id.as_str(), "replicas {replicas}");
            assert!((got["score"].as_f64().unwrap() - f64::from(want.score)).abs() < 1e-6);
        }
    }
    let output = run(&["search", "--nodes", "A", "--query", "vec_999999"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim_end(),
        r#"error: vector "vec_999999" is not in the store"#
    );
    let output = run(&[
        "search",
        "--nodes",
        "A",
        "--query",
        "vec_000001",
        "--k",
        "0",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim_end(),
        "error: k must be at least 1, got 0"
    );
}

#[test]
fn one_replica_changes_nothing_in_movement_and_distribution() {
    for args in [
        vec!["movement", "--from", "A,B,C", "--to", "A,B,C,D", "--json"],
        vec!["distribution", "--nodes", "A,B,C", "--json"],
    ] {
        let plain = json(&args);
        let mut with_replicas = args.clone();
        with_replicas.extend(["--replicas", "1"]);
        assert_eq!(json(&with_replicas), plain);
    }
    let two = json(&[
        "movement",
        "--from",
        "A,B,C",
        "--to",
        "A,B,C,D",
        "--replicas",
        "2",
        "--json",
    ]);
    assert!(
        two["moved"].as_u64().unwrap() > 1545,
        "two copies per vector send more"
    );
}

#[test]
fn compare_json_has_every_strategy_with_its_balance_and_movement() {
    let output = json(&["compare", "--nodes", "8", "--keys", "20000", "--json"]);
    let object = output.as_object().unwrap();
    let names: Vec<&str> = object.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "bounded",
            "jump",
            "maglev",
            "modulo",
            "multiprobe",
            "rendezvous",
            "ring"
        ]
    );
    for (name, row) in object {
        let max_over_mean = row["max_over_mean"].as_f64().unwrap();
        let cv = row["cv"].as_f64().unwrap();
        let moved = row["moved_on_add"].as_f64().unwrap();
        assert!(max_over_mean >= 1.0 && cv >= 0.0, "{name}: {row}");
        assert!((0.0..=1.0).contains(&moved), "{name}: {row}");
    }
    // The baseline moves about N/(N+1); rendezvous and jump about 1/(N+1).
    assert!((object["modulo"]["moved_on_add"].as_f64().unwrap() - 8.0 / 9.0).abs() < 0.02);
    for minimal in ["rendezvous", "jump"] {
        assert!((object[minimal]["moved_on_add"].as_f64().unwrap() - 1.0 / 9.0).abs() < 0.01);
    }
    // Same keys, same answer: the ring strategy agrees with `movement`.
    let ring_moved = object["ring"]["moved_on_add"].as_f64().unwrap();
    let nodes: Vec<String> = (0..9).map(|i| format!("node{i:02}")).collect();
    let movement = json(&[
        "movement",
        "--from",
        &nodes[..8].join(","),
        "--to",
        &nodes.join(","),
        "--vectors",
        "20000",
        "--dimension",
        "2",
        "--json",
    ]);
    assert_eq!(movement["fraction"].as_f64().unwrap(), ring_moved);
}

#[test]
fn compare_refuses_zero_nodes_and_prints_a_table() {
    let output = run(&["compare", "--nodes", "0"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: nodes must be between 1 and 1000, got 0\n"
    );
    let output = run(&[
        "compare", "--nodes", "4", "--keys", "2000", "--vnodes", "20",
    ]);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.starts_with("2,000 keys on 4 nodes; a join moves ideally 20.00%"));
    assert!(text.contains("ring (20 vnodes)"));
}

/// Found by adversarial testing: with flows keyed `"X->Y"`, ids holding `->`
/// made two flows' keys collide (`"A->B->B->C"`), and the flows summed to
/// 2,155 while 2,903 vectors moved. As a list they always add up.
#[test]
fn movement_flows_add_up_whatever_the_ids() {
    let output = json(&[
        "movement",
        "--from",
        "A,A->B",
        "--to",
        "A,A->B,B->C,C",
        "--json",
    ]);
    let flows = output["flows"].as_array().unwrap();
    let sum: u64 = flows
        .iter()
        .map(|flow| flow["count"].as_u64().unwrap())
        .sum();
    assert_eq!(sum, output["moved"].as_u64().unwrap());
    assert!(
        flows
            .iter()
            .any(|flow| flow["from"] == "A->B" && flow["to"] == "B->C")
    );
    assert!(
        flows
            .iter()
            .any(|flow| flow["from"] == "A" && flow["to"] == "B->C")
    );
}
