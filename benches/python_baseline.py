#!/usr/bin/env python3
"""The tutorial's own shard map, timed: the baseline of benches/replacement.rs.

Cuts the tutorial's ring class out of ../shared/seed/tutorial.txt (the code
is not copied into this project), builds its ring with the given nodes and
vnodes, and times the shard map's loop (`ring.get_node(vid)` for every vector
id) over `vec_000000` .. the given count. Prints one JSON object: seconds,
ns per key, and the number of keys per node (so that the Rust side can check
it placed the same keys the same way).

    python3 benches/python_baseline.py TUTORIAL KEYS NODES VNODES
"""
import hashlib  # noqa: F401  (used by the tutorial's code)
import json
import sys
import time


def tutorial_ring(path):
    """The tutorial's ring code, executed: a namespace with its
    `ConsistentHashRing`, `StorageNode` and `_u64_hash`."""
    text = open(path, encoding="utf-8").read()
    start = text.index("def _u64_hash")
    end = text.index("\nWe implement the consistent hashing ring", start)
    source = "\n".join([
        "import hashlib, bisect, random",
        "from dataclasses import dataclass",
        "from typing import Dict, List, Optional",
        text[start:end],
    ])
    namespace = {}
    exec(compile(source, path, "exec"), namespace)
    return namespace


def main():
    path, keys, nodes, vnodes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    tutorial = tutorial_ring(path)
    ring_class, node_class = tutorial["ConsistentHashRing"], tutorial["StorageNode"]
    ring = ring_class(vnodes_per_node=vnodes)
    for index in range(nodes):
        ring.add_node(node_class(f"node{index:02d}"))
    ids = [f"vec_{serial:06d}" for serial in range(keys)]
    started = time.perf_counter()
    out = {}
    for vid in ids:
        nid = ring.get_node(vid)
        out[vid] = nid if nid is not None else "∅"
    seconds = time.perf_counter() - started
    counts = {}
    for nid in out.values():
        counts[nid] = counts.get(nid, 0) + 1
    print(json.dumps({
        "seconds": seconds,
        "ns_per_key": seconds / keys * 1e9,
        "counts": dict(sorted(counts.items())),
    }))


if __name__ == "__main__":
    main()
