# elastic-vdb: the two commands are `make notebook` and `make test`.
# Everything installs into this folder (.tools, .venv, .cache, tests/browser/node_modules),
# besides cargo's and pip's own download caches.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
ROOT := $(abspath .)
TOOLS := $(ROOT)/.tools
VENV := $(ROOT)/.venv
CACHE := $(ROOT)/.cache
EVCXR_VERSION := 0.22.0
EVCXR := $(TOOLS)/bin/evcxr_jupyter
KERNEL := $(VENV)/share/jupyter/kernels/rust/kernel.json
EVCXR_INIT := $(CACHE)/evcxr-config/init.evcxr
PYTHON := $(VENV)/bin/python
BENCH_VENV := $(ROOT)/.venv-bench
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

# Jupyter's and the tools' state stays inside the project. The kernel itself
# needs none of this: kernel/launch.py (what the kernelspec runs) finds cargo,
# evcxr, its settings and the prebuilt template from its own location, so it
# works however Jupyter is started. evcxr's `:cache` stays off: it never
# caches the library or the cells (incremental crates) and it slowed every
# cell; the kernel template is what makes a fresh kernel fast.
export PATH := $(TOOLS)/bin:$(HOME)/.cargo/bin:$(PATH)
export JUPYTER_PATH := $(VENV)/share/jupyter
export JUPYTER_CONFIG_DIR := $(CACHE)/jupyter/config
export JUPYTER_RUNTIME_DIR := $(CACHE)/jupyter/runtime
export EVCXR_CONFIG_DIR := $(CACHE)/evcxr-config
export XDG_CACHE_HOME := $(CACHE)
export XDG_CONFIG_HOME := $(CACHE)/config

.PHONY: notebook restore grade slides test check rust-test kernel-test notebook-test browser-test kernel bench fuzz mutants measure-cells notebooks-refresh clean-tools

## notebook: install what is missing, then start JupyterLab on your own copies of the notebooks in workbook/ (prints the URL; PROJECTOR=1 draws every picture in large print)
notebook: kernel
	$(PYTHON) kernel/workbook.py make
	@echo "Starting JupyterLab on workbook/ (your copies; notebooks/ stays as committed) -- open the http://127.0.0.1:8888/lab?token=... URL printed below."
	ELASTIC_VDB_PROJECTOR="$(PROJECTOR)" $(VENV)/bin/jupyter lab --no-browser $(ALLOW_ROOT) --ip 127.0.0.1 --notebook-dir "$(ROOT)/workbook" \
		--config "$(ROOT)/kernel/jupyter_server_config.py"

## restore: fresh copies of the notebooks in workbook/; yours move to workbook/saved-<time>/
restore: $(VENV)/.installed
	$(PYTHON) kernel/workbook.py restore

## grade: run students' copies of the notebooks (WORK=a folder or files) and print a score per exercise, e.g. make grade WORK=~/marking CSV=scores.csv
WORK ?=
CSV ?=
grade: kernel
	@test -n "$(WORK)" || { echo "say which copies: make grade WORK=folder-or-notebooks"; exit 2; }
	$(PYTHON) kernel/grade.py -v $(WORK) $(if $(CSV),--csv $(CSV),)

## test: Rust checks and tests, the kernel's template and launcher, every notebook through the real kernel, then JupyterLab in Chromium
test: check kernel-test notebook-test browser-test

check: rust-test

rust-test:
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo test

kernel-test: kernel
	$(PYTHON) tests/notebooks/kernel_test.py

notebook-test: kernel
	$(PYTHON) tests/notebooks/workbook_test.py
	$(PYTHON) tests/notebooks/run_notebooks.py
	$(PYTHON) tests/notebooks/grade_test.py

browser-test: kernel slides
	@command -v chromium >/dev/null || { echo "chromium is missing: apt-get install -y chromium (or see .ci/run)"; exit 1; }
	node tests/browser/lab.test.mjs

## slides: notebook 01 as a reveal.js slide deck from its committed outputs, in target/slides/ (no kernel, no network needed to show it)
slides: $(VENV)/.installed tests/browser/node_modules/.installed
	$(PYTHON) kernel/slides.py

## notebooks-refresh: re-execute the notebooks and save their outputs (after changing the library or a notebook)
notebooks-refresh: kernel
	$(PYTHON) tests/notebooks/run_notebooks.py --write

## bench: criterion benchmarks and their Python baselines (not part of make test); the numbers go into BENCHMARKS.md
bench: $(BENCH_VENV)/.installed
	BENCH_PYTHON="$(BENCH_VENV)/bin/python" cargo bench
	$(BENCH_VENV)/bin/python benches/baselines.py render

$(BENCH_VENV)/.installed: benches/requirements.txt
	python3 -m venv "$(BENCH_VENV)"
	$(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check -r benches/requirements.txt
	touch $@

## mutants: cargo mutants on the ring and the store (src/ring.rs, src/store/, set in .cargo/mutants.toml): how many injected bugs the tests catch; the report goes to target/mutants-report/mutants.out (not part of make test: about 700 mutants, 1 h 40 min or more on 2 cores). MUTANTS_ARGS passes more options, e.g. MUTANTS_ARGS="--iterate" to re-test only what the last run missed
CARGO_MUTANTS_VERSION := 27.1.0
MUTANTS_ARGS ?=
mutants:
	@cargo mutants --version 2>/dev/null | grep -q "$(CARGO_MUTANTS_VERSION)" || cargo install --locked cargo-mutants --version $(CARGO_MUTANTS_VERSION) --root "$(TOOLS)"
	cargo mutants --output target/mutants-report $(MUTANTS_ARGS)

## fuzz: run each cargo-fuzz target for FUZZ_SECONDS (default 600) and grow fuzz/corpus (nightly; not part of make test, which replays the corpus)
FUZZ_SECONDS ?= 600
fuzz:
	rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
	command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz --version 0.13.2
	cd fuzz && cargo +nightly fuzz run -O operations corpus/operations -- -max_total_time=$(FUZZ_SECONDS) -max_len=512
	cd fuzz && cargo +nightly fuzz run -O snapshot corpus/snapshot -- -max_total_time=$(FUZZ_SECONDS) -max_len=4096

## measure-cells: fresh kernel to notebook 01's first ring, a warm ring cell and a plain-value cell, against the tutorial's Python in a fresh ipykernel, in one run (not part of make test)
measure-cells: kernel $(BENCH_VENV)/.installed
	$(PYTHON) tests/notebooks/measure_cells.py --python "$(BENCH_VENV)/bin/python"
	$(BENCH_VENV)/bin/python benches/baselines.py render

## kernel: evcxr, the virtualenv, the `rust` kernelspec (which starts kernels through kernel/launch.py) and the prebuilt kernel template, prepared again when the library, the lock file, the toolchain or evcxr changed
kernel: $(KERNEL) $(EVCXR_INIT)
	$(PYTHON) kernel/install.py

$(EVCXR):
	cargo install --locked evcxr_jupyter --version $(EVCXR_VERSION) --root "$(TOOLS)"

$(VENV)/.installed: notebooks/requirements.txt
	python3 -m venv "$(VENV)"
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r notebooks/requirements.txt
	touch $@

$(KERNEL): $(EVCXR) $(VENV)/.installed
	$(EVCXR) --install
	touch $@

$(EVCXR_INIT):
	mkdir -p "$(dir $@)"
	: > $@

tests/browser/node_modules/.installed: tests/browser/package.json tests/browser/package-lock.json
	cd tests/browser && npm ci --no-audit --no-fund
	touch $@

clean-tools:
	rm -rf "$(TOOLS)" "$(VENV)" "$(CACHE)" tests/browser/node_modules
