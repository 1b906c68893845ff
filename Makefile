# Journal Club: the two commands of the quick start are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint fmt migrations-check screenshot bench loadtest postgres check-python clean

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null || { \
		echo "Journal Club needs Python 3.12 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1)."; \
		echo "Install a newer Python, or point at one: make PYTHON=python3.13 ..."; exit 1; }

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@ $(VENV)/.installed

run: check-python $(VENV)/.installed
	DEBUG=true $(BIN)/python manage.py migrate --no-input
	DEBUG=true $(BIN)/python manage.py load_demo
	DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: check-python $(VENV)/.installed-dev
	@bash scripts/ensure_chromium.sh
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: $(VENV)/.installed
	$(BIN)/python manage.py makemigrations --check --dry-run

$(VENV)/.installed-load: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev,load]"
	@touch $@ $(VENV)/.installed-dev $(VENV)/.installed

# Page timings at N = 100, 1,000 and 10,000 comments (SQLite, or DATABASE_URL's PostgreSQL).
bench: check-python $(VENV)/.installed-dev
	$(BIN)/python bench/bench.py

# gunicorn against PostgreSQL for 60 s, driven by wrk and locust; results go to docs/benchmarks.md.
loadtest: check-python $(VENV)/.installed-load postgres
	@bash scripts/ensure_wrk.sh
	$(BIN)/python bench/loadtest.py

postgres:
	@bash scripts/ensure_postgres.sh

screenshot: $(VENV)/.installed-dev
	@bash scripts/ensure_chromium.sh
	$(BIN)/python scripts/screenshot.py docs/review-page.png

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
