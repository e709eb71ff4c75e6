#!/usr/bin/env python3
"""Python baselines for the performance report, timed on this machine.

    python benches/baselines.py search DATA ANSWERS QUERY BATCH K
                                         # P5: faiss and numpy on the store's vectors, timed
                                         # on request (benches/search.rs runs it)
    python benches/baselines.py render   # P6: the tutorial's rebuild + a matplotlib ring, warm

Needs numpy, faiss-cpu and matplotlib (benches/requirements.txt; `make bench`
installs them into .venv-bench). Each prints one line per measurement, in the
words of BENCHMARKS.md.
"""
import io
import math
import os
import statistics
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")


def timed(function, repeats):
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def search(data_path, answers_path, query_serial, batch, k):
    """faiss's IndexFlatIP and numpy on the store's own vectors (written by
    benches/search.rs in serial order), with the same queries and k.

    Writes faiss's top-k serials (the one query first, then the batch) for
    the bench to compare, prints "ready", then times what the bench asks for
    on standard input, one request per line, so that the bench can
    alternate its own measurements with these in one run:

        one THREADS     one query          -> seconds
        batch THREADS   the whole batch    -> seconds
        numpy           numpy's one query  -> seconds
    """
    import json

    import numpy as np
    import faiss

    data = np.fromfile(data_path, dtype="<f4").reshape(-1, 256)
    query = data[query_serial:query_serial + 1].copy()
    queries = data[0:7 * batch:7].copy()

    def with_numpy():
        scores = data @ query[0]
        top = np.argpartition(scores, -k)[-k:]
        return top[np.argsort(scores[top])[::-1]]

    index = faiss.IndexFlatIP(256)
    index.add(data)
    _, one = index.search(query, k)
    _, many = index.search(queries, k)
    assert set(with_numpy().tolist()) == set(one[0].tolist())
    with open(answers_path, "w") as answers:
        json.dump([one[0].tolist()] + many.tolist(), answers)
    print("ready", flush=True)
    for line in sys.stdin:
        what, *threads = line.split()
        if threads:
            faiss.omp_set_num_threads(int(threads[0]))
        work = {
            "one": lambda: index.search(query, k),
            "batch": lambda: index.search(queries, k),
            "numpy": with_numpy,
        }[what]
        print(timed(work, 1), flush=True)


def render():
    import matplotlib
    matplotlib.use("svg")
    import matplotlib.pyplot as plt

    from python_baseline import tutorial_ring

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "seed", "tutorial.txt")
    tutorial = tutorial_ring(path)
    ring_class, node_class = tutorial["ConsistentHashRing"], tutorial["StorageNode"]
    u64_hash = tutorial["_u64_hash"]
    ids = [f"vec_{serial:06d}" for serial in range(6000)]
    nodes = ["nodeA", "nodeB", "nodeC", "nodeD"]
    colors = dict(zip(nodes, ["tab:blue", "tab:orange", "tab:green", "tab:red"]))

    def rebuild_and_draw():
        ring = ring_class(vnodes_per_node=160)
        for node in nodes:
            ring.add_node(node_class(node))
        owners = [ring.get_node(vid) for vid in ids]
        angles = [u64_hash(f"key:{vid}") / 2**64 * 2 * math.pi for vid in ids]
        figure, axes = plt.subplots(figsize=(8, 5.4))
        axes.set_aspect("equal")
        axes.axis("off")
        xs = [math.cos(angle) for angle in angles]
        ys = [math.sin(angle) for angle in angles]
        axes.scatter(xs, ys, s=3, c=[colors[owner] for owner in owners])
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg")
        plt.close(figure)
        return len(buffer.getvalue())

    rebuild_and_draw()  # warm up imports and caches, as a warm notebook cell would be
    median = timed(rebuild_and_draw, 21)
    print(f"p6 baseline: tutorial rebuild (4 nodes x 160 vnodes, 6000 keys) + matplotlib ring to SVG: {median * 1e3:.0f} ms (median of 21, warm)")


if __name__ == "__main__":
    if sys.argv[1] == "search":
        search(sys.argv[2], sys.argv[3], *(int(value) for value in sys.argv[4:7]))
    else:
        {"render": render}[sys.argv[1]]()
