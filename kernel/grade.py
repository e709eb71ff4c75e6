#!/usr/bin/env python3
"""Grade students' copies of the notebooks: run each through the rust kernel
and score every exercise its check marks right.

    make grade WORK=path/to/copies        (a folder: every *.ipynb under it)
    .venv/bin/python kernel/grade.py alice/01-elastic-ring-tutorial.ipynb bob/01-...ipynb

Each copy runs top to bottom in a fresh kernel with the student's own
predictions and functions, from the repository's notebooks/ folder (so the
library loads wherever the copies sit), and with errors allowed, so that a
broken cell costs only the exercises that need it. The check cells run as the
repository has them, whatever the student did to them: an exercise scores 1
when its check prints `✓ <id>:`, and 0 when it prints `✗`, fails, or is not in
the copy any more. The exercises of a notebook are the ones the repository's
copy of the same notebook holds. Prints one row per copy and one column per
exercise; --csv FILE writes the same table as CSV.
"""
import argparse
import csv
import pathlib
import re
import sys

import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
VERDICT = re.compile(r"^([\u2713\u2717]) (\d\d\.[\w-]+):", re.MULTILINE)


def exercises_of(original):
    """The exercise ids of a notebook, in order, and each check cell's source."""
    ids, checks = [], {}
    for cell in original.cells:
        meta = cell.metadata.get("elastic_vdb", {})
        if "exercise" in meta:
            ids.append(meta["exercise"])
        if "check" in meta:
            checks[meta["check"]] = cell.source
    return ids, checks


def cell_text(cell):
    parts = []
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            parts.append(output["text"])
        elif output["output_type"] in ("execute_result", "display_data"):
            parts.append(output["data"].get("text/plain", ""))
    return "".join(parts)


def grade(path, timeout=600):
    """Runs one student's copy; returns {exercise id: (score, what the check said)}
    for every exercise of the repository's notebook of the same name."""
    original_path = NOTEBOOKS / path.name
    if not original_path.exists():
        raise LookupError(f"{path}: skipped, no notebook of the course is named {path.name}")
    ids, checks = exercises_of(nbformat.read(original_path, as_version=4))
    copy = nbformat.read(path, as_version=4)
    for cell in copy.cells:
        name = cell.metadata.get("elastic_vdb", {}).get("check")
        if cell.cell_type == "code" and name in checks:
            cell.source = checks[name]
    client = NotebookClient(copy, timeout=timeout, kernel_name="rust", allow_errors=True,
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()
    results = {name: (0, "no check ran") for name in ids}
    for cell in copy.cells:
        name = cell.metadata.get("elastic_vdb", {}).get("check")
        if cell.cell_type != "code" or name not in results:
            continue
        text = cell_text(cell)
        found = [m for m in VERDICT.finditer(text) if m.group(2) == name]
        errors = [o for o in cell.get("outputs", []) if o["output_type"] == "error"]
        if found:
            line = text[found[-1].start():].splitlines()[0]
            results[name] = (1 if found[-1].group(1) == "\u2713" else 0, line)
        elif errors:
            results[name] = (0, f"error: {errors[0]['evalue'].strip().splitlines()[0][:120]}")
    return results


def copies(paths):
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*.ipynb")
                          if ".ipynb_checkpoints" not in p.parts and not any(part.startswith("saved-") for part in p.parts))
        else:
            yield path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=pathlib.Path, help="students' notebooks, or folders of them")
    parser.add_argument("--csv", type=pathlib.Path, help="also write the table to this CSV file")
    parser.add_argument("-v", "--verbose", action="store_true", help="print what each check said")
    args = parser.parse_args()
    rows = []
    for path in copies(args.paths):
        try:
            results = grade(path)
        except LookupError as skipped:
            print(skipped, flush=True)
            continue
        rows.append((path, results))
        marks = "  ".join(f"{name} {score}" for name, (score, _) in results.items())
        total = sum(score for score, _ in results.values())
        print(f"{path}: {total}/{len(results)}  {marks}", flush=True)
        if args.verbose:
            for name, (_, said) in results.items():
                print(f"    {name}: {said}")
    if args.csv:
        with args.csv.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            names = sorted({name for _, results in rows for name in results})
            writer.writerow(["notebook", *names, "total"])
            for path, results in rows:
                scores = [results[n][0] if n in results else "" for n in names]
                writer.writerow([str(path), *scores, sum(s for s, _ in results.values())])
    return 0 if rows else 1


if __name__ == "__main__":
    sys.exit(main())
