#!/usr/bin/env python3
"""Python baselines for the performance report, timed on this machine.

    python benches/baselines.py search   # P5: numpy and faiss, top-10 over 1M x 256
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


def search():
    import numpy as np
    import faiss

    faiss.omp_set_num_threads(1)
    rng = np.random.default_rng(42)
    data = rng.standard_normal((1_000_000, 256), dtype=np.float32)
    data /= np.linalg.norm(data, axis=1, keepdims=True) + 1e-12
    query = data[42].copy()

    def with_numpy():
        scores = data @ query
        top = np.argpartition(scores, -10)[-10:]
        return top[np.argsort(scores[top])[::-1]]

    index = faiss.IndexFlatIP(256)
    index.add(data)

    def with_faiss():
        return index.search(query.reshape(1, -1), 10)

    assert set(with_numpy().tolist()) == set(with_faiss()[1][0].tolist())
    print(f"p5 baseline: numpy matrix-vector product + argpartition: {timed(with_numpy, 20) * 1e3:.1f} ms per query (median of 20)")
    print(f"p5 baseline: faiss IndexFlatIP, one thread: {timed(with_faiss, 20) * 1e3:.1f} ms per query (median of 20)")


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
    {"search": search, "render": render}[sys.argv[1]]()
