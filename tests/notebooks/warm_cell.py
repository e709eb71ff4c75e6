#!/usr/bin/env python3
"""Measure what a learner feels: the time of one edited cell in a running kernel.

Starts the real evcxr kernel, sets up the tutorial's store (6,000 vectors, four
nodes), then re-runs the rebuild cell with a different vnode count each time,
as a learner editing the number would, and reports the median and spread.
Not a test: timings depend on the machine. Run through `make measure-cells`.

    python tests/notebooks/warm_cell.py [--runs 21]
"""
import argparse
import pathlib
import statistics
import time

from jupyter_client.manager import start_new_kernel

ROOT = pathlib.Path(__file__).resolve().parents[2]

SETUP = [
    ':dep elastic_vdb = { path = ".." }',
    "use elastic_vdb::prelude::*;",
    """let mut db = VectorStore::default();
db.add_vectors(6000)?;
for node in ["nodeA", "nodeB", "nodeC", "nodeD"] { db.add_node(node)?; }""",
]


def run(client, code):
    """Executes one cell; returns (seconds, mime types shown, error text)."""
    shown, errors = set(), []

    def output(message):
        kind = message["msg_type"]
        if kind in ("execute_result", "display_data"):
            shown.update(message["content"]["data"])
        elif kind == "error":
            errors.append(message["content"]["evalue"])
        elif kind == "stream" and message["content"]["name"] == "stderr":
            errors.append(message["content"]["text"])

    started = time.perf_counter()
    reply = client.execute_interactive(code, timeout=900, output_hook=output)
    elapsed = time.perf_counter() - started
    if reply["content"]["status"] != "ok":
        errors.append(str(reply["content"]))
    return elapsed, shown, "".join(errors)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    manager, client = start_new_kernel(kernel_name="rust", cwd=str(ROOT / "notebooks"))
    try:
        for code in SETUP:
            elapsed, _, errors = run(client, code)
            print(f"setup {elapsed:6.2f} s  {code.splitlines()[0]}")
            if errors:
                raise SystemExit(f"setup failed: {errors}")
        # The first edited run pays one-off compilation; it is reported apart.
        times = []
        for index in range(args.runs + 1):
            vnodes = 80 + 20 * (index % 7)
            elapsed, shown, errors = run(client, f"{{ let vnodes = {vnodes}; db.rebuild(vnodes)? }}")
            if errors or "image/svg+xml" not in shown:
                raise SystemExit(f"cell failed: {errors or shown}")
            if index == 0:
                print(f"first edited cell {elapsed:.3f} s")
            else:
                times.append(elapsed)
        times.sort()
        print(f"edited rebuild+render cell over {len(times)} runs: median {statistics.median(times):.3f} s, "
              f"min {times[0]:.3f} s, p90 {times[int(len(times) * 0.9) - 1]:.3f} s")
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


if __name__ == "__main__":
    main()
