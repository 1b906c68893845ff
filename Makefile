# Journal Club: the two commands of the quick start are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint fmt migrations-check messages messages-check compile-messages screenshot bench loadtest faults postgres check-python clean

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

# The web server and the task worker that sends emails; Ctrl-C stops both.
run: check-python $(VENV)/.installed compile-messages
	PORT=$(PORT) bash scripts/run.sh

test: check-python $(VENV)/.installed-dev compile-messages
	@bash scripts/ensure_chromium.sh
	@bash scripts/ensure_redis.sh
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: $(VENV)/.installed
	$(BIN)/python manage.py makemigrations --check --dry-run

# The translations' .mo files are built, never committed (a stale one would go unnoticed).
# compilemessages finds the folders named locale; locale_overrides/ (allauth's strings in the
# site's register) gets the same msgfmt command it runs.
compile-messages: $(VENV)/.installed
	$(BIN)/django-admin compilemessages --ignore=.venv --ignore=node_modules --ignore=staticfiles
	for po in locale_overrides/*/LC_MESSAGES/*.po; do \
		msgfmt --check-format -o "$${po%.po}.mo" "$$po" || exit 1; done

# The French catalogue, locale/fr/LC_MESSAGES/django.po, extracted from the project's code;
# messages-check (run by CI) fails when it is out of date, or has untranslated or fuzzy entries.
messages: $(VENV)/.installed
	$(BIN)/python scripts/messages.py

messages-check: $(VENV)/.installed
	$(BIN)/python scripts/messages.py --check

$(VENV)/.installed-load: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev,load]"
	@touch $@ $(VENV)/.installed-dev $(VENV)/.installed

# Page timings at N = 100, 1,000 and 10,000 comments (SQLite, or DATABASE_URL's PostgreSQL),
# then both Markdown renderers on the pathological corpus; each writes its section of
# docs/benchmarks.md.
bench: check-python $(VENV)/.installed-dev
	$(BIN)/python bench/bench.py
	$(BIN)/python bench/markdown_bench.py

# gunicorn against PostgreSQL for 60 s, driven by wrk and locust; results go to docs/benchmarks.md.
loadtest: check-python $(VENV)/.installed-load postgres
	@bash scripts/ensure_wrk.sh
	$(BIN)/python bench/loadtest.py

# The production stack (gunicorn, task worker, private Redis, an SMTP sink, PostgreSQL behind
# a proxy) under a bounded load while each service fails in turn; results go to
# docs/reliability.md. About seven minutes.
faults: check-python $(VENV)/.installed-dev postgres
	@bash scripts/ensure_redis.sh
	$(BIN)/python bench/faults.py $(FAULTS_ARGS)

postgres:
	@bash scripts/ensure_postgres.sh

# The README's pictures: the demo review page, and every page of the three first-hour journeys
# (a broker, an editor, a moderator) on a desktop and a phone, in docs/screenshots/.
JOURNEYS := tests/e2e/test_first_contact_broker.py tests/e2e/test_editor_journey.py \
	tests/e2e/test_moderator_journey.py

screenshot: $(VENV)/.installed-dev
	@bash scripts/ensure_chromium.sh
	$(BIN)/python scripts/screenshot.py docs/review-page.png
	rm -f docs/screenshots/broker-*.png docs/screenshots/editor-*.png docs/screenshots/moderator-*.png
	SCREENSHOT_DIR=docs/screenshots $(BIN)/python -m pytest -q -p no:warnings $(JOURNEYS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
