//! `elastic-vdb`: the library's ring and store from the command line.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use elastic_vdb::analysis::{CompareConfig, Comparison};
use elastic_vdb::error::parse_node_list;
use elastic_vdb::store::UNASSIGNED;
use elastic_vdb::{Action, Error, Movement, StoreConfig, VectorStore};
use serde_json::{Value, json};

/// Consistent-hash placement of vectors on storage nodes, measured.
#[derive(Debug, Parser)]
#[command(name = "elastic-vdb", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// How many vectors each node holds.
    Distribution {
        /// Comma-separated node ids, e.g. A,B,C.
        #[arg(long)]
        nodes: String,
        #[command(flatten)]
        store: StoreArgs,
        /// Print one JSON object {"node": count, ...}.
        #[arg(long)]
        json: bool,
    },
    /// How many vectors move when the ring changes from one node set to another.
    Movement {
        /// Nodes before, comma-separated.
        #[arg(long)]
        from: String,
        /// Nodes after, comma-separated.
        #[arg(long)]
        to: String,
        #[command(flatten)]
        store: StoreArgs,
        /// Virtual nodes per node after the change (default: --vnodes).
        #[arg(long)]
        to_vnodes: Option<u32>,
        /// Print one JSON object with moved, total, fraction and flows (a list of {from, to, count}; null is the unassigned pool).
        #[arg(long)]
        json: bool,
    },
    /// The stored vectors most similar to one of them (exact cosine top-k,
    /// scatter-gathered over the shards).
    Search {
        /// Comma-separated node ids, e.g. A,B,C.
        #[arg(long)]
        nodes: String,
        #[command(flatten)]
        store: StoreArgs,
        /// The id of the stored vector to search with, e.g. vec_000042.
        #[arg(long)]
        query: String,
        /// How many results.
        #[arg(long, default_value_t = 10)]
        k: usize,
        /// Print {"results": [{"id": ..., "score": ...}, ...]}, best first.
        #[arg(long)]
        json: bool,
    },
    /// Every placement strategy on the same keys: balance, and the keys that
    /// move when node N+1 joins and when the middle node leaves.
    Compare {
        /// Nodes before the join.
        #[arg(long, default_value_t = 10)]
        nodes: usize,
        /// Keys placed (vec_000000, ...).
        #[arg(long, default_value_t = 100_000)]
        keys: usize,
        /// Virtual nodes per node for the ring and the bounded ring.
        #[arg(long, default_value_t = 80)]
        vnodes: u32,
        /// Print one JSON object keyed by strategy name, each with
        /// max_over_mean, cv and moved_on_add.
        #[arg(long)]
        json: bool,
    },
    /// Replays the tutorial's session: 6000 vectors; add nodeA, nodeB, nodeC,
    /// add nodeD, remove nodeB, rebuild with 160 vnodes.
    Tutorial {
        /// Also write each step's ring picture as an SVG file into this folder.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print the steps as a JSON array.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, clap::Args)]
struct StoreArgs {
    /// Virtual nodes per node.
    #[arg(long, default_value_t = 80)]
    vnodes: u32,
    /// How many vectors to place.
    #[arg(long, default_value_t = 6000)]
    vectors: usize,
    /// Vector length (placement depends on ids only).
    #[arg(long, default_value_t = 256)]
    dimension: usize,
    /// Seed of the vector generator.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Copies of each vector, on the first distinct nodes clockwise.
    #[arg(long, default_value_t = 1)]
    replicas: usize,
}

impl StoreArgs {
    fn store(&self, nodes: &[String]) -> Result<VectorStore, Error> {
        let mut store = VectorStore::new(StoreConfig {
            vnodes: self.vnodes,
            dimension: self.dimension,
            seed: self.seed,
            replication: self.replicas,
        })?;
        // One placement for the whole list, then the vectors: a node at a
        // time would merge every point of the ring once per node.
        store.apply(Action::Reshape {
            nodes: nodes.to_vec(),
            vnodes: self.vnodes,
        })?;
        store.add_vectors(self.vectors)?;
        Ok(store)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(output) => {
            print!("{output}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(1)
        }
    }
}

fn run(command: Command) -> Result<String, Box<dyn std::error::Error>> {
    match command {
        Command::Distribution { nodes, store, json } => {
            let store = store.store(&parse_node_list(&nodes)?)?;
            let mut counts: BTreeMap<String, usize> = store.distribution();
            if !store.unassigned().is_empty() {
                counts.insert(UNASSIGNED.to_owned(), store.unassigned().len());
            }
            if json {
                return Ok(format!("{}\n", json!(counts)));
            }
            let shares = store.ring().ownership();
            let vnodes = store.ring().vnode_counts();
            let rows = counts
                .iter()
                .map(|(node, &count)| {
                    vec![
                        node.clone(),
                        count.to_string(),
                        format!("{:.1}%", 100.0 * count as f64 / store.len().max(1) as f64),
                        vnodes.get(node).map_or("-".into(), ToString::to_string),
                        shares
                            .get(node)
                            .map_or("-".into(), |share| format!("{:.1}%", share * 100.0)),
                    ]
                })
                .collect();
            Ok(table(
                &["node", "vectors", "of all", "vnodes", "ring share"],
                rows,
            ))
        }
        Command::Movement {
            from,
            to,
            store,
            to_vnodes,
            json,
        } => {
            let (from, to) = (parse_node_list(&from)?, parse_node_list(&to)?);
            let mut db = store.store(&from)?;
            let step = db.reshape(&to, to_vnodes.unwrap_or(store.vnodes))?;
            let movement = step.movement;
            if json {
                return Ok(format!("{}\n", movement_json(&movement)));
            }
            let mut out = format!(
                "moved {} of {} vectors: {:.4} ({:.1}%)\n",
                movement.moved,
                movement.total,
                movement.fraction(),
                movement.fraction() * 100.0
            );
            if !movement.flows.is_empty() {
                out.push('\n');
                let rows = movement
                    .flows
                    .iter()
                    .map(|flow| {
                        vec![
                            flow.source().to_owned(),
                            flow.target().to_owned(),
                            flow.count.to_string(),
                        ]
                    })
                    .collect();
                out.push_str(&table(&["from", "to", "vectors"], rows));
            }
            Ok(out)
        }
        Command::Search {
            nodes,
            store,
            query,
            k,
            json,
        } => {
            let db = store.store(&parse_node_list(&nodes)?)?;
            let hits = db.search_by_id(&query, k)?;
            if json {
                let results: Vec<Value> = hits
                    .iter()
                    .map(|hit| json!({"id": hit.id, "score": hit.score}))
                    .collect();
                return Ok(format!("{}\n", json!({ "results": results })));
            }
            let rows = hits
                .iter()
                .enumerate()
                .map(|(rank, hit)| {
                    let owner = db
                        .ring()
                        .owner(&hit.id)
                        .map_or_else(|| UNASSIGNED.to_owned(), str::to_owned);
                    vec![
                        (rank + 1).to_string(),
                        hit.id.clone(),
                        format!("{:.6}", hit.score),
                        owner,
                    ]
                })
                .collect();
            Ok(table(&["rank", "id", "score", "node"], rows))
        }
        Command::Compare {
            nodes,
            keys,
            vnodes,
            json,
        } => {
            let comparison = Comparison::run(&CompareConfig {
                nodes,
                keys,
                vnodes,
            })?;
            if json {
                return Ok(format!("{}\n", comparison.to_json()));
            }
            Ok(format!("{}\n", comparison.to_text()))
        }
        Command::Tutorial { out, json } => tutorial(out, json),
    }
}

/// A movement as JSON. Flows are a list of `{"from", "to", "count"}` (`null`
/// for the unassigned pool), not an object keyed `"X->Y"`: ids may hold
/// `->`, and then two flows' keys can be the same and one count is lost.
fn movement_json(movement: &Movement) -> Value {
    let flows: Vec<Value> = movement
        .flows
        .iter()
        .map(|flow| json!({"from": flow.from, "to": flow.to, "count": flow.count}))
        .collect();
    json!({
        "moved": movement.moved,
        "total": movement.total,
        "fraction": movement.fraction(),
        "flows": flows,
    })
}

fn tutorial(out: Option<PathBuf>, as_json: bool) -> Result<String, Box<dyn std::error::Error>> {
    if let Some(folder) = &out {
        std::fs::create_dir_all(folder)
            .map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    }
    let mut db = VectorStore::default();
    db.add_vectors(6000)?;
    let mut text = String::new();
    let mut steps = Vec::new();
    let mut record = |name: &str, view: elastic_vdb::RingView, movement: Option<&Movement>| {
        if let Some(folder) = &out {
            let path = folder.join(format!("{name}.svg"));
            std::fs::write(&path, view.to_svg())
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        text.push_str(&view.summary());
        text.push_str("\n\n");
        if let Some(movement) = movement {
            let mut step = movement_json(movement);
            step["status"] = json!(movement.status_line());
            steps.push(step);
        }
        Ok::<(), String>(())
    };
    record("00-start", db.ring_view(), None)?;
    // The tutorial's steps; each picture's file is named after its action.
    let actions = [
        "add nodeA",
        "add nodeB",
        "add nodeC",
        "add nodeD",
        "remove nodeB",
        "rebuild 160",
    ];
    for (number, action) in (1..).zip(actions) {
        let action: Action = action.parse()?;
        let name = format!("{number:02}-{}", action.to_string().replace(' ', "-"));
        let step = db.step(action)?;
        record(&name, step.view, Some(&step.movement))?;
    }
    if as_json {
        return Ok(format!("{}\n", Value::Array(steps)));
    }
    Ok(text)
}

/// The library's aligned text table, ending in a new line.
fn table(header: &[&str], rows: Vec<Vec<String>>) -> String {
    format!(
        "{}\n",
        elastic_vdb::render::table::text_table(header, &rows)
    )
}
