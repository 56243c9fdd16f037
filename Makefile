# Two commands for a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_TOOLS := $(VENV)/node/package-lock.json

.PHONY: serve test lint gates format clean nbgrader-contract

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

serve: $(STAMP)  ## start the sample course's server
	$(BIN)/course serve

lint: $(STAMP)
	$(BIN)/ruff check course tests benchmarks
	$(BIN)/ruff format --check course tests benchmarks

# The architecture (import-linter contracts) and the types (mypy), both set in pyproject.toml.
gates: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/mypy

# JupyterHub's proxy and axe-core for the tests, from the npm registry (course.testing.node).
$(NODE_TOOLS): $(STAMP) course/testing/node/package-lock.json
	$(BIN)/python -m course.testing.node

test: $(STAMP) $(NODE_TOOLS) lint gates  ## the whole suite: lint, contracts, types, unit, integration, browser, notebooks
	# Every test file under tests/ must be collected (pytest skips folders such as build/).
	$(BIN)/python -m tests.check_collection
	$(BIN)/pytest -n 2 --dist loadscope --ignore=tests/present
	# Voila apps on their own: each test starts Voila servers and kernel pools.
	$(BIN)/pytest tests/present
	$(MAKE) nbgrader-contract
	COURSE_LEARNER_DATA=$$(mktemp -d) $(BIN)/pytest --nbval-lax -n 2 --dist loadscope -p no:cacheprovider notebooks

# nbgrader's own autograde tests (in the installed nbgrader), with `nbgrader autograde`
# grading through the kit's engine; deliberate differences are listed in the plugin.
nbgrader-contract: $(STAMP)
	$(BIN)/pytest -n 2 -p no:cacheprovider -p course.testing.nbgrader_autograde \
		--pyargs nbgrader.tests.apps.test_nbgrader_autograde

format: $(STAMP)
	$(BIN)/ruff format course tests benchmarks
	$(BIN)/ruff check --fix course tests benchmarks

clean:
	rm -rf var .pytest_cache .ruff_cache
