# motcua — the two commands: `make run` (demo on SQLite) and `make test` (all tests).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
STAMP  := $(VENV)/.installed

.PHONY: install run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Migrate, load the demo province and serve on http://127.0.0.1:$(PORT)
run: $(STAMP)
	$(BIN)/motcua demo --port $(PORT)

## Run the whole test suite (on SQLite unless DATABASE_URL says otherwise)
test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy motcua
	$(BIN)/motcua makemigrations --check --dry-run

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
