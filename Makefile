# confdata: `make` alone lists the targets. Every target installs what it needs first.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON_BOOT ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
STAMP := $(VENV)/.installed
RAW ?= raw
OUT ?= out
# The ephemeral Prefect server phones home for analytics; this machine has no internet.
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 120
# Let Prefect show the library's own log lines (files read, rows written) in the run logs.
export PREFECT_LOGGING_EXTRA_LOGGERS ?= confdata
# ...and not warn when the library logs outside a flow run (tests, run_pipeline).
export PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW ?= ignore

.PHONY: help setup run serve test validate eval docs lint format update-golden lock server clean bench

help: ## Show the targets, one line each
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-15s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	@command -v $(PYTHON_BOOT) >/dev/null || { echo "error: $(PYTHON_BOOT) not found (set PYTHON_BOOT=...)"; exit 1; }
	test -x $(PY) || $(PYTHON_BOOT) -m venv $(VENV)
	$(PY) -m pip install --quiet "uv==0.13.8"
	$(UV) pip install --quiet --python $(PY) -r requirements.lock
	$(UV) pip install --quiet --python $(PY) --no-deps -e .
	touch $(STAMP)

setup: $(STAMP) ## Create .venv with the pinned dependencies (requirements.lock)

# make run TASK_RUNNER=dask [DASK_ADDRESS=tcp://host:8786]: parse on Dask (README: Scale-out).
run: $(STAMP) ## Run the Prefect flow: raw/ -> out/ (RAW=dir OUT=dir; SKIP_BAD_FILES=1 publishes the rest; TASK_RUNNER=local|dask DASK_ADDRESS=tcp://...)
	$(PY) -m flows.build --raw "$(RAW)" --out "$(OUT)" $(if $(SKIP_BAD_FILES),--skip-bad-files) \
		$(if $(TASK_RUNNER),--task-runner "$(TASK_RUNNER)") $(if $(DASK_ADDRESS),--dask-address "$(DASK_ADDRESS)")

# make serve: the Prefect server the deployment registers with (started when none answers there).
serve: export PREFECT_API_URL ?= http://127.0.0.1:4200/api
serve: $(STAMP) ## Serve the daily deployment of the flow (RAW, OUT, CRON=...) with a local Prefect server and its UI
	$(PY) -m flows.serve --raw "$(RAW)" --out "$(OUT)" $(if $(CRON),--cron "$(CRON)") --start-server

test: $(STAMP) ## Run lint and the whole test suite (unit, property, golden, flow smoke)
	$(VENV)/bin/ruff check confdata schemas flows tools tests
	$(VENV)/bin/ruff format --check confdata schemas flows tools tests
	$(PY) -m pytest

validate: $(STAMP) ## Check a published release (OUT=dir) as a downstream CI job would
	$(PY) -m confdata.publish.check --out "$(OUT)"

eval: $(STAMP) ## Score people and organization resolution on the labelled sets in tools/eval/labels/
	$(PY) -m tools.eval.run

# make bench: the flow on synthetic corpora of SIZES times the NSDI '26 page ("nsdi" = the real
# page alone), each in a fresh process; corpora, logs and results go to BENCH_DIR.
BENCH_DIR ?= .bench
SIZES ?= nsdi 10 100 1000
bench: $(STAMP) ## Benchmark the flow (SIZES="nsdi 10 100 1000" BENCH_DIR=.bench TASK_RUNNER=local|dask): time, RSS, stages
	$(PY) -m tools.bench.run --sizes $(SIZES) --bench-dir "$(BENCH_DIR)" $(if $(TASK_RUNNER),--task-runner "$(TASK_RUNNER)")

docs: $(STAMP) ## Regenerate docs/DATA_DICTIONARY.md from the pandera models
	$(PY) -c "from confdata.publish.dictionary import render_data_dictionary; from schemas import MODELS; open('docs/DATA_DICTIONARY.md', 'w', encoding='utf-8').write(render_data_dictionary(MODELS))"

lint: $(STAMP) ## Lint with ruff
	$(VENV)/bin/ruff check confdata schemas flows tools tests

format: $(STAMP) ## Format the code with ruff
	$(VENV)/bin/ruff format confdata schemas flows tools tests
	$(VENV)/bin/ruff check --fix confdata schemas flows tools tests

update-golden: $(STAMP) ## Rewrite tests/golden/ from the parser's current output (review the diff!)
	$(PY) -m tests.golden.update

lock: $(STAMP) ## Re-resolve requirements.lock from pyproject.toml
	$(UV) pip compile pyproject.toml --extra dev -o requirements.lock --python-version 3.11

server: $(STAMP) ## Start a Prefect server with its UI on http://127.0.0.1:4200
	$(VENV)/bin/prefect server start

clean: ## Remove the virtual environment and caches (keeps out/)
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
