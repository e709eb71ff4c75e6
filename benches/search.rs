//! P5 of the performance report: top-10 cosine search over 1M vectors of 256
//! dimensions on 10 nodes, against faiss's `IndexFlatIP` on the same vectors
//! and queries, in the same run.
//!
//! - one query on one thread, with the SIMD kernel and the portable one,
//!   beside a plain streaming read of every vector (what one core's memory
//!   bandwidth allows);
//! - one query with two threads, beside the same read shared by two threads;
//! - a batch of 100 queries on one thread and on two.
//!
//! When `BENCH_PYTHON` names a Python with numpy and faiss-cpu (`make bench`
//! sets it up), the store's vectors are written in serial order to
//! `target/bench-data/`, `benches/baselines.py search` loads them into
//! faiss, its top-10 lists are compared with the store's, and the store and
//! faiss are timed in alternating rounds, in one run, for the ratios.
//!
//! `cargo bench --bench search`

use std::hint::black_box;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use elastic_vdb::store::vector_id;
use elastic_vdb::{Kernel, SearchOptions, StoreConfig, VectorStore};

const VECTORS: usize = 1_000_000;
const DIMENSION: usize = 256;
const K: usize = 10;
/// The one query, and the batch: 100 stored vectors, every seventh.
const QUERY: u32 = 42;
const BATCH: usize = 100;

fn options(threads: usize, kernel: Kernel) -> SearchOptions {
    SearchOptions { threads, kernel }
}

fn search(c: &mut Criterion) {
    let mut store = VectorStore::new(StoreConfig {
        vnodes: 80,
        dimension: DIMENSION,
        seed: 42,
        replication: 1,
    })
    .expect("valid config");
    for index in 0..10 {
        store
            .add_node(&format!("node{index:02}"))
            .expect("distinct ids");
    }
    store.add_vectors(VECTORS).expect("fits in memory");
    let query = store.vector_by_id(&vector_id(QUERY)).expect("stored");
    let batch: Vec<Vec<f32>> = (0..BATCH as u32)
        .map(|index| store.vector_by_id(&vector_id(index * 7)).expect("stored"))
        .collect();

    let bytes = (VECTORS * DIMENSION * 4) as u64;
    let mut group = c.benchmark_group("p5_one_query_top10_1Mx256");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(8));
    group.throughput(Throughput::Bytes(bytes));
    // The bound: every vector read once and summed in 16 lanes, no scoring.
    let sum = |shards: &[&elastic_vdb::store::Shard]| {
        let mut lanes = [0f32; 16];
        for shard in shards {
            for block in shard.blocks() {
                let block = block.to_slice().expect("a block is contiguous");
                for chunk in block.chunks_exact(16) {
                    for lane in 0..16 {
                        lanes[lane] += chunk[lane];
                    }
                }
            }
        }
        lanes.iter().sum::<f32>()
    };
    let shards: Vec<&elastic_vdb::store::Shard> = store.shards().map(|(_, shard)| shard).collect();
    group.bench_function("streaming_scan_sum", |b| {
        b.iter(|| black_box(sum(&shards)));
    });
    // The same read shared by two threads, half the shards each: the bound
    // for one query on both cores.
    group.bench_function("streaming_scan_sum_2_threads", |b| {
        b.iter(|| {
            let (first, second) = shards.split_at(shards.len() / 2);
            let total = std::thread::scope(|scope| {
                let other = scope.spawn(|| sum(second));
                sum(first) + other.join().expect("the sum does not panic")
            });
            black_box(total)
        });
    });
    for (name, threads, kernel) in [
        ("portable_1_thread", 1, Kernel::Portable),
        ("simd_1_thread", 1, Kernel::Simd),
        ("simd_2_threads", 2, Kernel::Simd),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                store
                    .search_with(black_box(&query), K, options(threads, kernel))
                    .expect("valid query")
            });
        });
    }
    group.finish();

    let mut group = c.benchmark_group("p5_batch100_top10_1Mx256");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(12));
    group.throughput(Throughput::Bytes(bytes));
    for (name, threads) in [("simd_1_thread", 1), ("simd_2_threads", 2)] {
        group.bench_function(name, |b| {
            b.iter(|| {
                store
                    .search_batch_with(black_box(&batch), K, options(threads, Kernel::Simd))
                    .expect("valid queries")
            });
        });
    }
    group.finish();

    match std::env::var("BENCH_PYTHON") {
        Ok(python) => against_faiss(&store, &python, &query, &batch),
        Err(_) => eprintln!("faiss baselines skipped: set BENCH_PYTHON (make bench does)"),
    }
}

/// Writes the vectors for `baselines.py search`, starts it, checks its
/// top-10 lists against the store's, then times the store and faiss in
/// alternating rounds (the machine is shared: minutes apart, the same code
/// can differ by a fifth) and prints the medians and their ratios.
fn against_faiss(store: &VectorStore, python: &str, query: &[f32], batch: &[Vec<f32>]) {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let data = folder.join("p5-1Mx256.f32");
    let answers = folder.join("p5-faiss-top10.json");
    if let Err(error) = write_vectors(store, &folder, &data) {
        eprintln!("cannot write {}: {error}", data.display());
        return;
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/baselines.py");
    let child = Command::new(python)
        .args([script, "search"])
        .arg(&data)
        .arg(&answers)
        .args([QUERY.to_string(), BATCH.to_string(), K.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(error) => {
            eprintln!("cannot run {python}: {error}");
            return;
        }
    };
    let (Some(mut to_python), Some(from_python)) = (child.stdin.take(), child.stdout.take()) else {
        eprintln!("no pipes to {python}");
        return;
    };
    let mut from_python = BufReader::new(from_python).lines();
    let ready = from_python.next().and_then(Result::ok);
    let mut faiss = |request: &str| -> Option<f64> {
        writeln!(to_python, "{request}").ok()?;
        from_python.next()?.ok()?.trim().parse().ok()
    };
    if ready.as_deref() != Some("ready") || faiss("numpy").is_none() {
        eprintln!("python baselines failed to start (see its error above)");
        return;
    }
    compare_answers(store, &answers, query, batch);

    let ours = |threads: usize, many: bool| -> f64 {
        let options = options(threads, Kernel::Simd);
        let started = Instant::now();
        if many {
            black_box(store.search_batch_with(batch, K, options).expect("valid"));
        } else {
            black_box(store.search_with(query, K, options).expect("valid"));
        }
        started.elapsed().as_secs_f64()
    };
    let median = |mut times: Vec<f64>| {
        times.sort_by(f64::total_cmp);
        times[times.len() / 2]
    };
    // One query: ours on 1 and 2 threads, faiss on 1 and 2, numpy.
    let rounds = 15;
    let mut one: [Vec<f64>; 5] = Default::default();
    for round in 0..rounds {
        let mut measure = |slot: usize| {
            let time = match slot {
                0 => ours(1, false),
                1 => ours(2, false),
                2 => faiss("one 1").unwrap_or(f64::NAN),
                3 => faiss("one 2").unwrap_or(f64::NAN),
                _ => faiss("numpy").unwrap_or(f64::NAN),
            };
            one[slot].push(time);
        };
        // Half the rounds in reverse order, so that neither side always
        // follows the other.
        for slot in 0..5 {
            measure(if round % 2 == 0 { slot } else { 4 - slot });
        }
    }
    let [store_1, store_2, faiss_1, faiss_2, numpy] = one.map(median);
    let ms = |seconds: f64| seconds * 1e3;
    println!(
        "p5 side by side, one top-{K} query over 1M x 256, medians of {rounds} alternating rounds: \
         store 1 thread {:.1} ms, store 2 threads {:.1} ms, faiss 1 thread {:.1} ms, faiss 2 threads {:.1} ms, numpy {:.1} ms",
        ms(store_1),
        ms(store_2),
        ms(faiss_1),
        ms(faiss_2),
        ms(numpy)
    );
    println!(
        "p5 ratios, one query: store 1 thread / faiss 1 thread = {:.2}x (target <= 1.0); store 2 threads / faiss 1 thread = {:.2}x (target <= 0.6)",
        store_1 / faiss_1,
        store_2 / faiss_1
    );
    let rounds = 5;
    let mut many: [Vec<f64>; 4] = Default::default();
    for round in 0..rounds {
        for slot in 0..4 {
            let slot = if round % 2 == 0 { slot } else { 3 - slot };
            many[slot].push(match slot {
                0 => ours(1, true),
                1 => ours(2, true),
                2 => faiss("batch 1").unwrap_or(f64::NAN),
                _ => faiss("batch 2").unwrap_or(f64::NAN),
            });
        }
    }
    let [store_1, store_2, faiss_1, faiss_2] = many.map(median);
    println!(
        "p5 side by side, a batch of {BATCH} queries, medians of {rounds} alternating rounds: \
         store 1 thread {:.0} ms, store 2 threads {:.0} ms, faiss 1 thread {:.0} ms, faiss 2 threads {:.0} ms",
        ms(store_1),
        ms(store_2),
        ms(faiss_1),
        ms(faiss_2)
    );
    println!(
        "p5 ratios, batch: store / faiss on 1 thread = {:.2}x, on 2 threads = {:.2}x (target <= 1.0 each)",
        store_1 / faiss_1,
        store_2 / faiss_2
    );
    drop(to_python);
    let _ = child.wait();
}

/// Prints how many of faiss's top-10 lists equal the store's, in order.
fn compare_answers(store: &VectorStore, answers: &PathBuf, query: &[f32], batch: &[Vec<f32>]) {
    let faiss: Vec<Vec<u32>> = std::fs::read_to_string(answers)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    let ours: Vec<Vec<u32>> = std::iter::once(query)
        .chain(batch.iter().map(Vec::as_slice))
        .map(|query| {
            let hits = store.search(query, K).expect("valid query");
            hits.iter().map(|hit| hit.serial).collect()
        })
        .collect();
    let agreeing = ours.iter().zip(&faiss).filter(|(a, b)| a == b).count();
    println!(
        "p5 check: faiss's top-{K} equals the store's, in the same order, for {agreeing} of {} queries",
        ours.len()
    );
}

/// The store's vectors, row `serial` at offset `serial * DIMENSION`, as raw
/// little-endian `f32`.
fn write_vectors(store: &VectorStore, folder: &PathBuf, path: &PathBuf) -> std::io::Result<()> {
    let mut rows = vec![0f32; VECTORS * DIMENSION];
    for (_, shard) in store.shards() {
        for (row, &serial) in shard.serials().iter().enumerate() {
            let vector = shard.vector(row).expect("a held row");
            let start = serial as usize * DIMENSION;
            rows[start..start + DIMENSION]
                .iter_mut()
                .zip(vector.iter())
                .for_each(|(to, from)| *to = *from);
        }
    }
    std::fs::create_dir_all(folder)?;
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    for value in rows {
        file.write_all(&value.to_le_bytes())?;
    }
    file.flush()
}

criterion_group!(benches, search);
criterion_main!(benches);
