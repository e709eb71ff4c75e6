#!/usr/bin/env python3
"""Notebook 01 as a reveal.js slide deck, from its committed outputs: no
kernel needed, and nothing fetched from the network when it is shown.

    make slides      -> target/slides/01-elastic-ring-tutorial.slides.html (open it in a browser)

Which cell goes on which slide is the notebook's own slide metadata (each
section heading starts a slide, each ring picture gets a slide of its own
below it, the prediction cells are left out: a class answers them live in
the notebook). nbconvert's deck loads reveal.js, require.js and jQuery from
the web; here they come from tests/browser/node_modules (the versions pinned
in tests/browser/package.json), copied next to the deck. MathJax is replaced
by a stand-in that does nothing: notebook 01 has no formulas to typeset.
"""
import pathlib
import shutil
import sys

import nbformat
from nbconvert import SlidesExporter

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "01-elastic-ring-tutorial.ipynb"
OUT = ROOT / "target" / "slides"
MODULES = ROOT / "tests" / "browser" / "node_modules"
NO_MATHJAX = """// notebook 01 has no formulas: what nbconvert's deck asks of MathJax, doing nothing.
window.MathJax = { Hub: { Config() {}, Queue() {}, getAllJax() { return []; }, Rerender() {} } };
"""


def vendor(out):
    """Copies the deck's scripts and styles next to it; their URLs, relative."""
    vendor = out / "vendor"
    if vendor.exists():
        shutil.rmtree(vendor)
    for name in ("dist", "plugin"):
        shutil.copytree(MODULES / "reveal.js" / name, vendor / "reveal.js" / name)
    shutil.copy2(MODULES / "requirejs" / "require.js", vendor / "require.js")
    shutil.copy2(MODULES / "jquery" / "dist" / "jquery.min.js", vendor / "jquery.min.js")
    (vendor / "no-mathjax.js").write_text(NO_MATHJAX, encoding="utf-8")
    return {
        "reveal_url_prefix": "vendor/reveal.js",
        "require_js_url": "vendor/require.js",
        "jquery_url": "vendor/jquery.min.js",
        "mathjax_url": "vendor/no-mathjax.js",
    }


def main():
    if not (MODULES / "reveal.js").exists():
        print(f"slides: {MODULES} has no reveal.js; run `make slides`, which installs it", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    urls = vendor(OUT)
    exporter = SlidesExporter(reveal_theme="white", reveal_transition="none", reveal_scroll=True, **urls)
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    html, _ = exporter.from_notebook_node(notebook)
    target = OUT / NOTEBOOK.with_suffix(".slides.html").name
    target.write_text(html, encoding="utf-8")
    slides = sum(1 for cell in notebook.cells
                 if cell.metadata.get("slideshow", {}).get("slide_type") in ("slide", "subslide"))
    print(f"slides: {target.relative_to(ROOT)} ({slides} slides; open it in a browser, no kernel needed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
