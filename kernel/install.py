#!/usr/bin/env python3
"""Installs the `rust` kernelspec that starts kernels through launch.py, and
prepares the kernel template again when it would no longer be used as is
(the library's sources, the lock file, the toolchain or evcxr changed).

`make kernel` runs it (and so do `make notebook` and `make test`); when the
template is current it only checks and returns, in well under a second.

    python kernel/install.py [--kernelspec DIR] [--force]

The template is built by evcxr itself, exactly as a kernel would build it: a
kernel started with EVCXR_TMPDIR pointing at a new folder runs the notebooks'
first cells (`:dep elastic_vdb = { path = ".." }` from notebooks/, the
`use` line, and one cell that keeps a variable, uses `?` and draws a ring),
then shuts down; evcxr never deletes a folder it was given. The new folder
starts as a copy of the previous template, so that after an edit of the
library only the library is compiled again (12-13 s here, against 26 s for
everything), and replaces it in one rename when it is ready.
"""
import argparse
import json
import os
import pathlib
import shutil
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import template as tpl  # noqa: E402

WARM_CELLS = [
    ':dep elastic_vdb = { path = ".." }',
    "use elastic_vdb::prelude::*;",
    "let mut db = VectorStore::default();\ndb.add_vectors(600)?;\ndb.add_node(\"nodeA\")?",
    # What every kernel runs while it starts: if it stopped compiling, each
    # kernel would die at start, so `make kernel` fails on it first.
    tpl.PRELUDE,
]
# Serialises two `make kernel` runs; the swap itself takes tpl.SWAP_LOCK.
PREPARE_LOCK = tpl.CACHE / "kernel-template.prepare.lock"


def write_kernelspec(directory):
    """The kernelspec Jupyter finds in this virtualenv: evcxr's own files
    (logo, version) with a kernel.json that runs our launcher."""
    directory.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, str(tpl.KERNEL_DIR / "launch.py"), "{connection_file}"],
        "display_name": "Rust",
        "language": "rust",
        "interrupt_mode": "message",
    }
    path = directory / "kernel.json"
    text = json.dumps(spec, indent=2) + "\n"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
        print(f"kernelspec: wrote {path}")


def prepare(toolchain):
    """Builds a new template beside the current one and swaps it in."""
    building = tpl.CACHE / f"kernel-template.building-{os.getpid()}"
    # Holding the prepare lock, any other building or retired folder was
    # left by a run that was interrupted.
    for leftover in tpl.CACHE.glob("kernel-template.*-*"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
    try:
        building.mkdir()
        # Start from the previous template when there is one: after an edit
        # of the library cargo then compiles the library alone.
        tpl.copy_template(building)
        record = build(building, toolchain)
        tpl.prune_old_library_builds(building)
        if tpl.library_dep_info(building) is None:
            raise SystemExit(f"kernel template: no build of the library found in {building}")
        retired = tpl.CACHE / f"kernel-template.retired-{os.getpid()}"
        # Kernels copy under the shared lock: none sees a half-swapped template.
        with tpl.locked(tpl.SWAP_LOCK, exclusive=True):
            if tpl.TEMPLATE.exists():
                tpl.TEMPLATE.rename(retired)
            building.rename(tpl.TEMPLATE)
        shutil.rmtree(retired, ignore_errors=True)
        print(f"kernel template: prepared in {record['prepare_seconds']} s at {tpl.TEMPLATE}")
    finally:
        shutil.rmtree(building, ignore_errors=True)


def build(building, toolchain):
    """Runs evcxr on `building` through the warm-up cells; returns the record
    written into it."""
    from jupyter_client.kernelspec import KernelSpec
    from session import Kernel

    tpl.write_cell_profile(tpl.CACHE)
    env = tpl.kernel_environment()
    env["EVCXR_TMPDIR"] = str(building)
    spec = KernelSpec(argv=[str(tpl.EVCXR), "--control_file", "{connection_file}"],
                      display_name="Rust (template)", language="rust", interrupt_mode="message")
    started = time.monotonic()
    kernel = Kernel(spec, tpl.ROOT / "notebooks", env=env)
    try:
        timings = []
        for code in WARM_CELLS:
            cell = kernel.run(code, timeout=1800)
            if cell.errors or cell.stderr:
                raise SystemExit(f"kernel template: the cell {code.splitlines()[0]!r} failed: "
                                 f"{cell.errors or cell.stderr}")
            timings.append(cell.seconds)
            print(f"kernel template: {cell.seconds:6.1f} s  {code.splitlines()[0]}", flush=True)
    finally:
        kernel.stop()
    record = {
        "dep_line": tpl.DEP_LINE,
        "toolchain": toolchain,
        "cargo_lock": tpl.lock_digest(),
        "prepare_seconds": round(time.monotonic() - started, 1),
        "dep_cell_seconds": round(timings[0], 1),
        "prepared_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    (building / tpl.RECORD).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return record


def reason_to_prepare(toolchain):
    reason = tpl.staleness(toolchain)
    if reason is None and (tpl.read_record() or {}).get("cargo_lock") != tpl.lock_digest():
        reason = "Cargo.lock changed since the kernel template was prepared"
    return reason


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernelspec", type=pathlib.Path,
                        default=tpl.ROOT / ".venv" / "share" / "jupyter" / "kernels" / "rust")
    parser.add_argument("--force", action="store_true", help="prepare the template even if it is current")
    args = parser.parse_args()
    write_kernelspec(args.kernelspec)
    tpl.EVCXR_CONFIG_DIR.mkdir(parents=True, exist_ok=True)
    toolchain = tpl.toolchain_id()
    with tpl.locked(PREPARE_LOCK, exclusive=True):
        # Checked under the lock: another run may have just prepared it.
        reason = "--force" if args.force else reason_to_prepare(toolchain)
        if reason is None:
            print(f"kernel template: current ({tpl.TEMPLATE})")
            return
        print(f"kernel template: preparing, because {reason}", flush=True)
        prepare(toolchain)


if __name__ == "__main__":
    main()
