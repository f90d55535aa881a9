# Two commands matter: `make run` and `make test`. Everything they need is installed here.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=

.PHONY: run test test-only test-quick chromium postgis bench clean translations untranslated compile-translations

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

# The catalogues: translations/{en,fr}/LC_MESSAGES/messages.po are kept in git (the French one is
# generated: its msgstr are the msgids, for French's plural rule), their compiled .mo files are built here (run and the tests depend on it; a test fails when it is missing or stale).
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po | $(VENV)/.app-installed
	$(BIN)/pybabel compile --statistics -d translations -D messages -l $*

compile-translations: $(CATALOGUES)

# After changing texts: extract them all again, merge them into each catalogue (new ones empty,
# near matches marked fuzzy), refill the French one from its msgids, then list what is left to translate.
translations: $(VENV)/.app-installed
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _l --sort-by-file --no-wrap \
	  --project "Open Gen" --copyright-holder "Grande École du Numérique" -o translations/messages.pot .
	test -f translations/fr/LC_MESSAGES/messages.po || \
	  $(BIN)/pybabel init -i translations/messages.pot -d translations -D messages -l fr --no-wrap
	$(BIN)/pybabel update -i translations/messages.pot -d translations -D messages --no-wrap --ignore-obsolete
	$(BIN)/python -m opengen.catalogue --mirror fr
	$(BIN)/python -m opengen.catalogue

# What the catalogues still lack: untranslated or fuzzy messages, placeholders that differ.
untranslated: $(VENV)/.app-installed
	$(BIN)/python -m opengen.catalogue

# Create the schema (migrations) and the demo week on first run, then serve with gunicorn.
run: $(VENV)/.app-installed $(CATALOGUES)
	$(BIN)/flask --app app init-db
	$(BIN)/flask --app app seed-demo --if-empty
	@echo "Open Gen: http://$(HOST):$(PORT)/"
	@if [ -z "$$MAIL_SERVER" ]; then echo "No MAIL_SERVER set: e-mails (edit links, reminders) are printed below, not sent."; fi
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
# PostgreSQL run takes the PostGIS path; tests create the extension in their database. Under
# CI=true a machine that cannot install it fails, rather than testing the plain path silently.
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
	elif [ "$(CI)" = true ]; then echo "postgis: cannot install here, and CI must run with it" >&2; exit 1; \
	else echo "postgis: cannot install here; PostgreSQL runs without it"; fi

test: $(VENV)/.test-installed chromium $(CATALOGUES)
	$(BIN)/pytest $(PYTEST_ARGS)

test-only: $(CATALOGUES)
	$(BIN)/pytest $(PYTEST_ARGS)

# The suite without the tests marked slow (the 50 concurrent submissions): for a quick local check.
test-quick: $(VENV)/.test-installed chromium $(CATALOGUES)
	$(BIN)/pytest -m "not slow" $(PYTEST_ARGS)

bench: $(VENV)/.test-installed chromium
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache
