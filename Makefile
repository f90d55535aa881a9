# Two commands matter: `make run` and `make test`. Everything they need is installed here.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=

.PHONY: run test test-only test-quick chromium postgis bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.app-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.test-installed: requirements-test.txt requirements.txt $(VENV)/.app-installed
	$(BIN)/pip install -q -r requirements-test.txt
	touch $@

WORKERS ?= 2

# Create the schema (migrations) and the demo week on first run, then serve with gunicorn.
run: $(VENV)/.app-installed
	$(BIN)/flask --app app init-db
	$(BIN)/flask --app app seed-demo --if-empty
	@echo "Open Gen: http://$(HOST):$(PORT)/"
	$(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - app:app

# Debian's Chromium where apt is available; Playwright's own download as the fallback elsewhere.
chromium: $(VENV)/.test-installed
	@if [ -x /usr/bin/chromium ]; then echo "chromium: /usr/bin/chromium"; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; \
	  test -x /usr/bin/chromium; \
	elif command -v sudo >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then \
	  (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; \
	  test -x /usr/bin/chromium; \
	else $(BIN)/playwright install chromium; fi

# PostGIS for the local PostgreSQL (Debian's package for its major version), so that the
# PostgreSQL run takes the PostGIS path; tests create the extension in their database.
PG_MAJOR ?= $(shell (pg_config --version || psql --version) 2>/dev/null | head -1 | sed -E 's/[^0-9]*([0-9]+).*/\1/')
postgis:
	@if [ -z "$(PG_MAJOR)" ]; then echo "postgis: no local PostgreSQL, skipped"; \
	elif [ -f /usr/share/postgresql/$(PG_MAJOR)/extension/postgis.control ]; then echo "postgis: installed"; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-$(PG_MAJOR)-postgis-3) >/dev/null; \
	  test -f /usr/share/postgresql/$(PG_MAJOR)/extension/postgis.control; \
	elif command -v sudo >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then \
	  (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-$(PG_MAJOR)-postgis-3) >/dev/null; \
	  test -f /usr/share/postgresql/$(PG_MAJOR)/extension/postgis.control; \
	else echo "postgis: cannot install here; PostgreSQL runs without it"; fi

test: $(VENV)/.test-installed chromium
	$(BIN)/pytest $(PYTEST_ARGS)

test-only:
	$(BIN)/pytest $(PYTEST_ARGS)

# The suite without the tests marked slow (the 50 concurrent submissions): for a quick local check.
test-quick: $(VENV)/.test-installed chromium
	$(BIN)/pytest -m "not slow" $(PYTEST_ARGS)

bench: $(VENV)/.test-installed chromium
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache
