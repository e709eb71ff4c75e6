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
]


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


def run_cell(client, code):
    errors = []

    def output(message):
        kind = message["msg_type"]
        if kind == "error":
            errors.append(message["content"]["evalue"])
        elif kind == "stream" and message["content"]["name"] == "stderr":
            errors.append(message["content"]["text"])

    reply = client.execute_interactive(code, timeout=1800, output_hook=output)
    if reply["content"]["status"] != "ok" or errors:
        raise SystemExit(f"kernel template: the cell {code.splitlines()[0]!r} failed: {''.join(errors) or reply['content']}")


def prepare(toolchain):
    from jupyter_client import KernelManager
    from jupyter_client.kernelspec import KernelSpec

    building = tpl.CACHE / f"kernel-template.building-{__import__('os').getpid()}"
    shutil.rmtree(building, ignore_errors=True)
    # Start from the previous template when there is one: after an edit of
    # the library cargo then compiles the library alone, not every dependency.
    if not tpl.copy_template(building):
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir(parents=True)
    tpl.write_cell_profile(tpl.CACHE)
    env = tpl.kernel_environment()
    env["EVCXR_TMPDIR"] = str(building)
    manager = KernelManager()
    manager._kernel_spec = KernelSpec(argv=[str(tpl.EVCXR), "--control_file", "{connection_file}"],
                                      display_name="Rust (template)", language="rust",
                                      interrupt_mode="message")
    started = time.monotonic()
    manager.start_kernel(env=env, cwd=str(tpl.ROOT / "notebooks"))
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        timings = []
        for code in WARM_CELLS:
            cell_started = time.monotonic()
            run_cell(client, code)
            timings.append(time.monotonic() - cell_started)
            print(f"kernel template: {time.monotonic() - cell_started:6.1f} s  {code.splitlines()[0]}", flush=True)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=False)
    record = {
        "dep_line": tpl.DEP_LINE,
        "toolchain": toolchain,
        "cargo_lock": tpl.lock_digest(),
        "prepare_seconds": round(time.monotonic() - started, 1),
        "dep_cell_seconds": round(timings[0], 1),
        "prepared_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    (building / tpl.RECORD).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    tpl.prune_old_library_builds(building)
    if tpl.library_dep_info(building) is None:
        raise SystemExit(f"kernel template: no build of the library found in {building}")
    # Swap in the new template with renames; kernels starting meanwhile copy
    # either the old one or the new one, never a half-built folder.
    retired = tpl.CACHE / f"kernel-template.retired-{__import__('os').getpid()}"
    if tpl.TEMPLATE.exists():
        tpl.TEMPLATE.rename(retired)
    building.rename(tpl.TEMPLATE)
    shutil.rmtree(retired, ignore_errors=True)
    print(f"kernel template: prepared in {record['prepare_seconds']} s at {tpl.TEMPLATE}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernelspec", type=pathlib.Path,
                        default=tpl.ROOT / ".venv" / "share" / "jupyter" / "kernels" / "rust")
    parser.add_argument("--force", action="store_true", help="prepare the template even if it is current")
    args = parser.parse_args()
    write_kernelspec(args.kernelspec)
    tpl.EVCXR_CONFIG_DIR.mkdir(parents=True, exist_ok=True)
    toolchain = tpl.toolchain_id()
    reason = "--force" if args.force else tpl.staleness(toolchain)
    if reason is None and (tpl.read_record() or {}).get("cargo_lock") != tpl.lock_digest():
        reason = "Cargo.lock changed since the kernel template was prepared"
    if reason is None:
        print(f"kernel template: current ({tpl.TEMPLATE})")
        return
    print(f"kernel template: preparing, because {reason}", flush=True)
    prepare(toolchain)


if __name__ == "__main__":
    main()
