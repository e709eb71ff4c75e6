#!/usr/bin/env python3
"""Execute every notebook in notebooks/ through the real evcxr kernel and check it.

A notebook fails when a cell
  - produces an `error` output (a compile error, or an error returned with `?`
    in a cell not tagged `expect-error`),
  - writes `panicked at` to stderr (evcxr reports panics as a stream, with the
    cell's status still ok), or anything else to stderr unless the cell is
    tagged `expect-error`,
  - is tagged `expect-error` and shows no error (such cells demonstrate that
    a wrong call gives a readable message, not a panic),
  - is tagged `expect-image` and shows no picture (an `image/svg+xml` output
    and a `text/html` output holding a data-URI `<img>`),
  - produces text output that differs from the committed notebook's (outputs
    are committed so that notebooks read well before anyone runs them, and a
    re-run must reproduce them). Cells tagged `volatile` (timings) are exempt.

Executed copies go to target/notebooks/ (with HTML renderings for people to
look at); with --write the committed notebooks are replaced by the executed
ones.

    python tests/notebooks/run_notebooks.py [--write] [NOTEBOOK ...]
"""
import argparse
import copy
import difflib
import pathlib
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
OUT = ROOT / "target" / "notebooks"


def text_outputs(cell):
    """The text a cell shows: streams and text/plain results, in order."""
    parts = []
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            parts.append(f"[{output['name']}] {output['text']}")
        elif output["output_type"] in ("execute_result", "display_data"):
            parts.append(output["data"].get("text/plain", ""))
        elif output["output_type"] == "error":
            parts.append(f"[error] {output['ename']}: {output['evalue']}")
    return "".join(parts)


def check(path, executed, committed, timings):
    problems = []
    code_cells = [c for c in executed.cells if c.cell_type == "code"]
    committed_cells = [c for c in committed.cells if c.cell_type == "code"]
    for index, (cell, old) in enumerate(zip(code_cells, committed_cells), start=1):
        tags = set(cell.metadata.get("tags", []))
        where = f"{path.name} code cell {index} ({cell.source.splitlines()[0][:60]!r})"
        for output in cell.outputs:
            if output["output_type"] == "error" and "expect-error" not in tags:
                problems.append(f"{where}: error output: {output['ename']}: {output['evalue'][:2000]}")
            if output["output_type"] == "stream" and output["name"] == "stderr":
                if "panicked at" in output["text"]:
                    problems.append(f"{where}: panicked:\n{output['text'][:2000]}")
                elif "expect-error" not in tags:
                    problems.append(f"{where}: unexpected stderr:\n{output['text'][:2000]}")
        if "expect-error" in tags:
            shown = [o for o in cell.outputs if o["output_type"] == "error"
                     or (o["output_type"] == "stream" and o["name"] == "stderr")]
            if not shown:
                problems.append(f"{where}: tagged expect-error but showed no error")
        if "expect-image" in tags:
            data = [o.get("data", {}) for o in cell.outputs if o["output_type"] in ("execute_result", "display_data")]
            svg = any(d.get("image/svg+xml", "").lstrip().startswith("<svg") for d in data)
            img = any('src="data:image/svg+xml;base64,' in d.get("text/html", "") for d in data)
            if not (svg and img):
                problems.append(f"{where}: expected a picture (svg: {svg}, data-URI img: {img})")
        if "volatile" not in tags and old.get("outputs") and text_outputs(old) != text_outputs(cell):
            diff = "\n".join(difflib.unified_diff(
                text_outputs(old).splitlines(), text_outputs(cell).splitlines(),
                "committed", "re-executed", lineterm=""))
            problems.append(f"{where}: text output differs from the committed notebook:\n{diff}")
    if len(code_cells) != len(committed_cells):
        problems.append(f"{path.name}: cell count changed")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="save executed outputs into notebooks/")
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path)
    args = parser.parse_args()
    paths = [p.resolve() for p in args.notebooks] or sorted(NOTEBOOKS.glob("[0-9]*.ipynb"))
    if not paths:
        print("no notebooks found", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    failures, passed = [], 0
    for path in paths:
        committed = nbformat.read(path, as_version=4)
        notebook = copy.deepcopy(committed)
        timings = []
        client = NotebookClient(
            notebook, timeout=1200, kernel_name="rust", allow_errors=True,
            resources={"metadata": {"path": str(path.parent)}},
        )
        started = time.monotonic()
        with client.setup_kernel():
            for index, cell in enumerate(notebook.cells):
                if cell.cell_type != "code":
                    continue
                cell_started = time.monotonic()
                client.execute_cell(cell, index)
                timings.append(time.monotonic() - cell_started)
        total = time.monotonic() - started
        nbformat.write(notebook, OUT / path.name)
        html, _ = HTMLExporter().from_notebook_node(notebook)
        (OUT / path.with_suffix(".html").name).write_text(html, encoding="utf-8")
        problems = check(path, notebook, committed if not args.write else notebook, timings)
        cells = ", ".join(f"{t:.1f}" for t in timings)
        print(f"{path.name}: {len(timings)} code cells in {total:.1f} s (per cell: {cells})")
        if problems:
            failures.append(path.name)
            for problem in problems:
                print(f"  FAIL {problem}")
        else:
            passed += 1
            if args.write:
                nbformat.write(notebook, path)
                print(f"  wrote executed outputs into {path.relative_to(ROOT)}")
    print(f"notebooks: {passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
