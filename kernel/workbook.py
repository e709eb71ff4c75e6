#!/usr/bin/env python3
"""The student's own copies of the notebooks, in workbook/.

`make notebook` serves workbook/, not notebooks/: JupyterLab saves (and
autosaves) a student's predictions and experiments into these copies, and the
committed notebooks, which `make test` compares outputs with, never change.

    python kernel/workbook.py make      copies every notebook missing from workbook/
    python kernel/workbook.py restore   fresh copies of all; the student's go to workbook/saved-<time>/

Copies are made without outputs: a prediction means something only before the
answer is on screen, and every cell runs in a second or less. The contents
page (notebooks/README.md) is copied too, so that the notebooks' links work
inside JupyterLab. workbook/ sits directly in the project, so a notebook's
`:dep elastic_vdb = { path = ".." }` names this library, as it does in
notebooks/.
"""
import argparse
import datetime
import pathlib
import shutil
import sys

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
WORKBOOK = ROOT / "workbook"


def originals():
    return sorted(NOTEBOOKS.glob("[0-9]*.ipynb")) + [NOTEBOOKS / "README.md"]


def copy(source, target):
    if source.suffix != ".ipynb":
        shutil.copyfile(source, target)
        return
    notebook = nbformat.read(source, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
    nbformat.write(notebook, target)


def make(workbook):
    """Copies what is missing; never touches a copy that exists."""
    workbook.mkdir(exist_ok=True)
    made = []
    for source in originals():
        target = workbook / source.name
        if not target.exists():
            copy(source, target)
            made.append(source.name)
    if made:
        print(f"workbook: made {', '.join(made)} in {workbook.relative_to(ROOT)}/")
    return made


def restore(workbook):
    """Moves the student's copies aside, then makes fresh ones."""
    if workbook.exists():
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        saved, n = workbook / f"saved-{stamp}", 1
        while saved.exists():
            n += 1
            saved = workbook / f"saved-{stamp}-{n}"
        saved.mkdir()
        for source in originals():
            if (workbook / source.name).exists():
                (workbook / source.name).rename(saved / source.name)
        print(f"workbook: your copies are in {saved.relative_to(ROOT)}/")
    return make(workbook)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["make", "restore"])
    parser.add_argument("--dir", type=pathlib.Path, default=WORKBOOK, help="the workbook folder (default: workbook/)")
    args = parser.parse_args()
    workbook = args.dir.resolve()
    if workbook.parent != ROOT:
        print(f"workbook: {workbook} must sit directly in {ROOT}, so that the notebooks' `:dep` path finds the library",
              file=sys.stderr)
        return 2
    (make if args.action == "make" else restore)(workbook)
    return 0


if __name__ == "__main__":
    sys.exit(main())
