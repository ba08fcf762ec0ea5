# Two commands matter: `make demo` and `make test`. Both create the virtualenv they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
PORT   ?= 8000

.PHONY: demo test test-sqlite test-postgres lint bench serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed-app: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev,embeddings]'
	touch $@ $(VENV)/.installed-app

## demo: install, load the sample organization into ./cxkeeper-data and serve on http://127.0.0.1:8000
demo: $(VENV)/.installed-app
	$(BIN)/cxkeeper demo --port $(PORT)

## test: install test extras, lint, run the whole suite on SQLite and on PostgreSQL
## The two suites run side by side, one core each (each prints its report whole when it ends);
## TEST_JOBS=1 runs them one after the other with live output.
TEST_JOBS ?= 2

test: $(VENV)/.installed-dev lint
	$(MAKE) --no-print-directory -j$(TEST_JOBS) --output-sync=target test-sqlite test-postgres

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests $(wildcard bench)

test-sqlite: $(VENV)/.installed-dev
	$(BIN)/pytest

# The same suite against the real PostgreSQL (fails, not skips, when it is unreachable).
# Browser tests ran above; they exercise the UI, not the database engine.
test-postgres: $(VENV)/.installed-dev
	DATABASE_URL=$(PG_URL) CXKEEPER_EXPECT_DB=postgresql $(BIN)/pytest -m "not browser and not spark" \
	  --ignore=tests/insights/analytics --ignore=tests/insights/text --ignore=tests/insights/ingest

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/run.py

serve: $(VENV)/.installed-app
	$(BIN)/cxkeeper serve --port $(PORT)

clean:
	rm -rf $(VENV) cxkeeper-data test-artifacts .pytest_cache
