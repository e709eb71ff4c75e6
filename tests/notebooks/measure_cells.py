#!/usr/bin/env python3
"""Measure what a learner waits for, in one run, against the Python tutorial.

For each side, several fresh kernels, alternating Rust and Python so that the
machine's load falls on both alike:

- **fresh kernel to first ring**: from asking Jupyter for a new kernel to the
  reply of the first cell that draws a ring. Rust: notebook 01's own code
  cells up to its first picture (the `:dep` cell, the `use` cell, ...),
  through the `rust` kernelspec that `make kernel` installed (so through the
  kernel template, if it is current). Python: the tutorial's own code (its
  imports, classes and `draw_ring`, cut out of ../shared/seed/tutorial.txt)
  in a fresh ipykernel, then its ring with 6,000 vectors and one node drawn.
  Rust is measured twice: a kernel started on request (what a restart, or a
  front end other than `make notebook`'s JupyterLab, gets), and the warm
  spare a Jupyter server started with kernel/jupyter_server_config.py hands
  out (what opening a notebook in `make notebook`'s JupyterLab gets): asked
  for through the server's REST API once its spare is ready, as JupyterLab
  asks when a notebook opens.
- **warm ring cell**: in the last kernel of each side, a rebuild with another
  vnode count and its picture, re-run as a learner editing the number would.
- **plain-value cell**: a cell ending in the distribution (a map), which
  shows as text.

For comparison, a plain evcxr kernel (as `evcxr_jupyter --install` sets it
up: no template, no launcher) runs the same Rust cells once (`--plain`).

Prints medians and the ratios. Not a test: timings depend on the machine.
Run through `make measure-cells`, which also installs the Python side.

    python tests/notebooks/measure_cells.py --python .venv-bench/bin/python [--fresh 5] [--runs 21]
"""
import argparse
import json
import pathlib
import statistics
import sys
import tempfile
import time

from jupyter_client.kernelspec import KernelSpec

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "kernel"))
from session import JupyterServer, Kernel  # noqa: E402
NOTEBOOK = ROOT / "notebooks" / "01-elastic-ring-tutorial.ipynb"
TUTORIAL = ROOT.parent / "shared" / "seed" / "tutorial.txt"

RUST_SETUP = 'for node in ["nodeB", "nodeC", "nodeD"] { db.add_node(node)?; }'
RUST_RING = "{{ let vnodes = {vnodes}; db.rebuild(vnodes)? }}"
RUST_PLAIN = "db.distribution()"

PYTHON_FIRST_RING = """\
ring = ConsistentHashRing(vnodes_per_node=80)
sim = VectorDBSimulator(ring)
sim.add_vectors(6000)
ring.add_node(StorageNode("nodeA"))
draw_ring(ring, sim.distribution(), "Consistent Hash Ring")"""
PYTHON_SETUP = 'for node in ["nodeB", "nodeC", "nodeD"]: ring.add_node(StorageNode(node))'
# The tutorial's own rebuild (its on_regen, without the widget), then its picture.
PYTHON_RING = """\
new_ring = ConsistentHashRing(vnodes_per_node={vnodes})
for nid in list(ring.nodes.keys()):
    new_ring.add_node(StorageNode(nid))
sim.ring = ring = new_ring
draw_ring(ring, sim.distribution(), "Rebuilt ring with vnodes_per_node={vnodes}")"""
PYTHON_PLAIN = "sim.distribution()"


def notebook_cells_to_first_ring():
    """Notebook 01's code cells up to and including its first picture."""
    cells = []
    for cell in json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        cells.append("".join(cell["source"]))
        if "expect-image" in cell.get("metadata", {}).get("tags", []):
            return cells
    raise SystemExit(f"{NOTEBOOK.name} has no cell tagged expect-image")


def tutorial_code():
    """The tutorial's code from its imports to `draw_ring`, without its prose
    (the paragraphs between code blocks all start with "We ")."""
    text = TUTORIAL.read_text(encoding="utf-8")
    start = text.index("import hashlib")
    end = text.index("We visualize the consistent hashing ring")
    lines = [line for line in text[start:end].splitlines() if not line.startswith("We ")]
    return "\n".join(lines)


def run(kernel, code, picture=False):
    """Runs one cell; returns its seconds. Fails on an error, or on a missing
    picture where one is expected."""
    cell = kernel.run(code)
    if cell.errors:
        raise SystemExit(f"cell failed: {code.splitlines()[0]!r}: {cell.errors}")
    if picture and not cell.shown & {"image/svg+xml", "image/png"}:
        raise SystemExit(f"cell drew nothing: {code.splitlines()[0]!r} showed {sorted(cell.shown)}")
    return cell.seconds


def fresh_to_first_ring(spec, cwd, cells):
    """Seconds from asking for a kernel to the first ring's reply, and the
    running kernel (kept for the warm measurements)."""
    started = time.perf_counter()
    kernel = Kernel(spec, cwd)
    ready = time.perf_counter() - started
    for index, code in enumerate(cells):
        run(kernel, code, picture=index == len(cells) - 1)
    return time.perf_counter() - started, ready, kernel


def spare_to_first_ring(server, handed, cells):
    """The same from the server's warm spare, once `handed` spares have
    been handed out: waits until the next one is ready, asks for a kernel,
    runs the cells, then waits for the spare after it, so that its start-up
    does not fall on the other measurements."""
    wait_for_spares(server, handed + 1)
    started = time.perf_counter()
    kernel_id = server.start_kernel()
    kernel = server.kernel(kernel_id)
    for index, code in enumerate(cells):
        run(kernel, code, picture=index == len(cells) - 1)
    seconds = time.perf_counter() - started
    kernel.stop()
    server.request("DELETE", f"/api/kernels/{kernel_id}")
    wait_for_spares(server, handed + 2)
    return seconds


def wait_for_spares(server, count):
    deadline = time.monotonic() + 300
    while len(server.ready_spares()) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"no spare kernel became ready:\n{server.log()[-3000:]}")
        time.sleep(0.2)


def warm(kernel, ring_cell, plain_cell, runs):
    """Medians of the edited ring cell and the plain-value cell; the first
    run of each pays one-off costs and is left out."""
    rings, plains = [], []
    for index in range(runs + 1):
        ring = run(kernel, ring_cell.format(vnodes=80 + 20 * (index % 7 + 1)), picture=True)
        plain = run(kernel, plain_cell)
        if index:
            rings.append(ring)
            plains.append(plain)
    return statistics.median(rings), statistics.median(plains)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", required=True, help="a Python with ipykernel, numpy, matplotlib, networkx, ipywidgets")
    parser.add_argument("--fresh", type=int, default=5, help="fresh kernels per side")
    parser.add_argument("--runs", type=int, default=21, help="warm runs of each cell")
    parser.add_argument("--plain", type=int, default=1,
                        help="fresh kernels of plain evcxr (no template, no launcher), for comparison")
    args = parser.parse_args()

    from jupyter_client.kernelspec import KernelSpecManager
    rust_spec = KernelSpecManager().get_kernel_spec("rust")
    python_spec = KernelSpec(argv=[args.python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                             display_name="Python (tutorial)", language="python")
    rust_cells = notebook_cells_to_first_ring()
    python_cells = [tutorial_code(), PYTHON_FIRST_RING]
    print(f"rust kernel: {' '.join(rust_spec.argv)}")
    print(f"rust: notebook 01's first {len(rust_cells)} code cells; python: the tutorial's code, then its first ring")

    results = {"rust": [], "python": [], "spare": []}
    kernels = {}
    plain_times = []
    with tempfile.TemporaryDirectory() as empty_config:
        # evcxr as installed by `evcxr_jupyter --install`: its own temporary
        # working directory, deleted on exit, and no settings of ours.
        plain_spec = KernelSpec(argv=[str(ROOT / ".tools" / "bin" / "evcxr_jupyter"), "--control_file", "{connection_file}"],
                                display_name="Rust (plain evcxr)", language="rust", interrupt_mode="message",
                                env={"EVCXR_CONFIG_DIR": empty_config})
        for _ in range(args.plain):
            total, ready, kernel = fresh_to_first_ring(plain_spec, NOTEBOOK.parent, rust_cells)
            kernel.stop()
            plain_times.append(total)
            print(f"plain evcxr: first ring {total:6.2f} s (kernel ready after {ready:.2f} s)", flush=True)
    runtime = tempfile.TemporaryDirectory()
    server = JupyterServer(NOTEBOOK.parent, runtime.name)
    try:
        for round_index in range(args.fresh):
            total = spare_to_first_ring(server, round_index, rust_cells)
            results["spare"].append(total)
            print(f"round {round_index + 1} spare : first ring {total:6.2f} s (JupyterLab's warm spare)", flush=True)
            for side, spec, cwd, cells in (("rust", rust_spec, NOTEBOOK.parent, rust_cells),
                                           ("python", python_spec, ROOT, python_cells)):
                total, ready, kernel = fresh_to_first_ring(spec, cwd, cells)
                results[side].append(total)
                print(f"round {round_index + 1} {side:6}: first ring {total:6.2f} s (kernel ready after {ready:.2f} s)", flush=True)
                if round_index == args.fresh - 1:
                    kernels[side] = kernel
                else:
                    kernel.stop()
    finally:
        server.stop()
        runtime.cleanup()

    run(kernels["rust"], RUST_SETUP)
    run(kernels["python"], PYTHON_SETUP)
    rust_ring, rust_plain = warm(kernels["rust"], RUST_RING, RUST_PLAIN, args.runs)
    python_ring, python_plain = warm(kernels["python"], PYTHON_RING, PYTHON_PLAIN, args.runs)
    for kernel in kernels.values():
        kernel.stop()

    rust_first, python_first = statistics.median(results["rust"]), statistics.median(results["python"])
    spare_first = statistics.median(results["spare"])
    print()
    print(f"first ring from JupyterLab's warm spare, median of {args.fresh}: rust {spare_first:.2f} s, "
          f"python {python_first:.2f} s: {spare_first / python_first:.1f}x (min {min(results['spare']):.2f} s)")
    print(f"kernel started on request to first ring, median of {args.fresh}: rust {rust_first:.2f} s, python {python_first:.2f} s: "
          f"{rust_first / python_first:.1f}x (min {min(results['rust']):.2f} / {min(results['python']):.2f} s)")
    if plain_times:
        print(f"plain evcxr kernel (no template), median of {len(plain_times)}: {statistics.median(plain_times):.2f} s: "
              f"{statistics.median(plain_times) / python_first:.1f}x python, {statistics.median(plain_times) / rust_first:.1f}x ours")
    print(f"warm ring cell, median of {args.runs}: rust {rust_ring:.3f} s, python {python_ring:.3f} s: {rust_ring / python_ring:.2f}x")
    print(f"plain-value cell, median of {args.runs}: rust {rust_plain:.3f} s, python {python_plain:.3f} s: {rust_plain / python_plain:.2f}x")


if __name__ == "__main__":
    main()
