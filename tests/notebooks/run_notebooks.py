#!/usr/bin/env python3
"""Execute every notebook in notebooks/ through the real evcxr kernel and check it.

A notebook fails when a cell
  - produces an `error` output (a compile error, or an error returned with `?`
    in a cell not tagged `expect-error`),
  - writes `panicked at` to stderr (evcxr reports panics as a stream, with the
    cell's status still ok) unless it is tagged `expect-panic` (a cell that
    shows what a panic looks like, which must then panic, in one line
    without a backtrace), or anything else to stderr unless the cell is
    tagged `expect-error` or `expect-panic`,
  - is tagged `expect-error` and shows no error (such cells demonstrate that
    a wrong call gives a readable message, not a panic),
  - is tagged `expect-image` and shows no picture (an `image/svg+xml` output
    and a `text/html` output holding a data-URI `<img>`),
  - produces text output that differs from the committed notebook's (outputs
    are committed so that notebooks read well before anyone runs them, and a
    re-run must reproduce them). Cells tagged `volatile` (timings) are exempt.

Exercises are checked with their answers too. A cell whose metadata holds
`elastic_vdb.exercise` (a prediction to fill in, or a function to write) has
its solution and wrong answers in that metadata; right after the cell whose
`elastic_vdb.check` names the same exercise has run, the exercise cell is run
again with the solution and then with each wrong answer, each followed by the
check: the solution must print `✓ <id>:`, every wrong answer `✗ <id>:` with a
hint, and neither may error, panic or write to stderr. The committed exercise
cell is then run once more, so the cells below see what a student sees.

Executed copies go to target/notebooks/ (with HTML renderings for people to
look at); with --write the committed notebooks are replaced by the executed
ones.

    python tests/notebooks/run_notebooks.py [--write] [NOTEBOOK ...]
"""
import argparse
import copy
import difflib
import pathlib
import re
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


def problems_in(cell, where, tags=frozenset()):
    """Errors, panics and stray stderr in one executed cell."""
    problems = []
    for output in cell.outputs:
        if output["output_type"] == "error" and "expect-error" not in tags:
            problems.append(f"{where}: error output: {output['ename']}: {output['evalue'][:2000]}")
        if output["output_type"] == "stream" and output["name"] == "stderr":
            if "panicked at" in output["text"]:
                if "expect-panic" not in tags:
                    problems.append(f"{where}: panicked:\n{output['text'][:2000]}")
            elif not tags & {"expect-error", "expect-panic"}:
                problems.append(f"{where}: unexpected stderr:\n{output['text'][:2000]}")
    return problems


def try_answers(client, index, exercise, check_cell, path):
    """Runs the exercise with its solution and each wrong answer, each followed
    by its check, then the committed exercise again; returns the problems."""
    meta = exercise.metadata["elastic_vdb"]
    name = meta["exercise"]
    answers = [("solution", meta["solution"], "\u2713")] + [("wrong answer", w, "\u2717") for w in meta["wrong"]]
    problems = []
    for kind, source, mark in answers:
        where = f"{path.name} exercise {name}, {kind} {source.splitlines()[-1].strip()[:50]!r}"
        answer = nbformat.v4.new_code_cell(source)
        verdict = nbformat.v4.new_code_cell(check_cell.source)
        client.execute_cell(answer, index)
        client.execute_cell(verdict, index)
        problems += problems_in(answer, where) + problems_in(verdict, where)
        shown = text_outputs(verdict)
        print(f"  {name} {kind}: {shown.strip()[:110]}")
        if f"{mark} {name}:" not in shown:
            problems.append(f"{where}: the check should say {mark} {name}: but said {shown!r}")
        elif mark == "\u2717" and "Hint:" not in shown:
            problems.append(f"{where}: a wrong answer got no hint: {shown!r}")
    client.execute_cell(nbformat.v4.new_code_cell(exercise.source), index)
    return problems


def check(path, executed, committed, timings):
    problems = []
    code_cells = [c for c in executed.cells if c.cell_type == "code"]
    committed_cells = [c for c in committed.cells if c.cell_type == "code"]
    for index, (cell, old) in enumerate(zip(code_cells, committed_cells), start=1):
        tags = set(cell.metadata.get("tags", []))
        where = f"{path.name} code cell {index} ({cell.source.splitlines()[0][:60]!r})"
        problems += problems_in(cell, where, tags)
        if "expect-panic" in tags:
            said = "".join(o["text"] for o in cell.outputs if o["output_type"] == "stream" and o["name"] == "stderr")
            # One line that quotes the line of the cell that panicked.
            quoted = re.match(r"panicked at `([^`]+)`: ", said)
            if (not quoted or quoted.group(1) not in cell.source
                    or "backtrace" in said or len(said.splitlines()) != 1):
                problems.append(f"{where}: tagged expect-panic but did not panic in one line quoting the cell: {said[:500]!r}")
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
        timings, answer_problems, exercises = [], [], {}
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
                meta = cell.metadata.get("elastic_vdb", {})
                if "exercise" in meta:
                    exercises[meta["exercise"]] = cell
                if "check" in meta:
                    if meta["check"] not in exercises:
                        answer_problems.append(f"{path.name}: check {meta['check']} comes before its exercise")
                    else:
                        answer_problems += try_answers(client, index, exercises[meta["check"]], cell, path)
                        # nbclient stores every cell it runs at the index given: put the check back.
                        notebook.cells[index] = cell
        total = time.monotonic() - started
        nbformat.write(notebook, OUT / path.name)
        html, _ = HTMLExporter().from_notebook_node(notebook)
        (OUT / path.with_suffix(".html").name).write_text(html, encoding="utf-8")
        problems = answer_problems + check(path, notebook, committed if not args.write else notebook, timings)
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
