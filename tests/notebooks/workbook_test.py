#!/usr/bin/env python3
"""The student's workbook (kernel/workbook.py): copies without outputs, a
saved copy is never overwritten, `restore` keeps the student's work aside,
the committed notebooks never change, and git ignores what JupyterLab and the
workbook write."""
import hashlib
import pathlib
import shutil
import subprocess
import sys
import tempfile

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "kernel"))
import workbook  # noqa: E402

passed, failed = 0, 0


def check(ok, what):
    global passed, failed
    passed, failed = passed + bool(ok), failed + (not ok)
    print(f"  {'ok  ' if ok else 'FAIL'} {what}")


def digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def main():
    committed = digest(ROOT / "notebooks")
    folder = pathlib.Path(tempfile.mkdtemp(prefix=".workbook-test-", dir=ROOT))
    try:
        made = workbook.make(folder)
        names = [p.name for p in workbook.originals()]
        check(made == names and all((folder / n).exists() for n in names), f"make copies {len(names)} files")
        first = nbformat.read(folder / names[0], as_version=4)
        code = [c for c in first.cells if c.cell_type == "code"]
        check(code and all(not c.outputs and c.execution_count is None for c in code), "copies carry no outputs")
        check(first.cells[0].source == nbformat.read(ROOT / "notebooks" / names[0], as_version=4).cells[0].source,
              "copies keep the cells")

        first.cells[0].source += "\nmy notes"
        nbformat.write(first, folder / names[0])
        check(workbook.make(folder) == [], "make again copies nothing")
        check("my notes" in (folder / names[0]).read_text(), "make never overwrites a student's copy")
        (folder / names[1]).unlink()
        check(workbook.make(folder) == [names[1]], "make copies a notebook that went missing")

        workbook.restore(folder)
        saved = [p for p in folder.iterdir() if p.name.startswith("saved-")]
        check(len(saved) == 1 and "my notes" in (saved[0] / names[0]).read_text(), "restore keeps the student's copy")
        check("my notes" not in (folder / names[0]).read_text(), "restore makes a fresh copy")

        scratch = ROOT / "workbook" / ".ipynb_checkpoints" / "x-checkpoint.ipynb"
        for path in (scratch, ROOT / "notebooks" / ".ipynb_checkpoints" / "x-checkpoint.ipynb"):
            ignored = subprocess.run(["git", "check-ignore", "-q", str(path)], cwd=ROOT).returncode == 0
            check(ignored, f"git ignores {path.relative_to(ROOT)}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    check(digest(ROOT / "notebooks") == committed, "the committed notebooks did not change")
    print(f"workbook: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
