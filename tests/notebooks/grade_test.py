#!/usr/bin/env python3
"""The teacher's grading command (kernel/grade.py) on a made-up student's copy
of notebook 01: right answers score 1; a wrong prediction, an unwritten
function and a check cell the student rewrote to print a tick all score 0."""
import pathlib
import sys

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "kernel"))
import grade  # noqa: E402

NOTEBOOK = "01-elastic-ring-tutorial.ipynb"


def student_copy(folder):
    """Solutions everywhere except: a wrong guess for 01.leave, 01.lookup left
    as todo!(), and a wrong guess for 01.join whose check cell was replaced by
    a line that prints a tick."""
    notebook = nbformat.read(ROOT / "notebooks" / NOTEBOOK, as_version=4)
    for cell in notebook.cells:
        meta = cell.metadata.get("elastic_vdb", {})
        name = meta.get("exercise")
        if name in ("01.modulo", "01.rebuild"):
            cell.source = meta["solution"]
        elif name in ("01.leave", "01.join"):
            cell.source = meta["wrong"][0]
        if meta.get("check") == "01.join":
            cell.source = 'println!("\u2713 01.join: trust me")'
        cell.outputs = [] if cell.cell_type == "code" else None
        if cell.outputs is None:
            del cell["outputs"]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / NOTEBOOK
    nbformat.write(notebook, path)
    return path


def main():
    path = student_copy(ROOT / "target" / "grade-test" / "alice")
    results = grade.grade(path)
    scores = {name: score for name, (score, _) in results.items()}
    expected = {"01.modulo": 1, "01.join": 0, "01.leave": 0, "01.rebuild": 1, "01.lookup": 0}
    for name, (score, said) in results.items():
        print(f"  {name}: {score}  {said}")
    if scores != expected:
        print(f"grade: FAIL, scored {scores}, expected {expected}")
        return 1
    if "not written yet" not in results["01.lookup"][1]:
        print(f"grade: FAIL, the unwritten lookup was reported as {results['01.lookup'][1]!r}")
        return 1
    print("grade: 1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
