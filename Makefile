# Two commands do everything on a fresh clone with Python 3.11+:
#   make run    set up, migrate the SQLite database, load the demo, serve http://127.0.0.1:8000
#   make test   set up and run the whole test suite (SQLite, or DATABASE_URL when set)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_ENV := DEBUG=true
# The development server's port: `make run PORT=8001` when 8000 is taken. Links in mails
# and calendar feeds then point at that port too, unless SITE_URL is set (in the
# environment or .env): settings.SITE_URL falls back to DEFAULT_SITE_URL.
PORT ?= 8000
# The web server and the worker (which sends the mails) both link to that port.
SERVE_ENV = $(RUN_ENV) DEFAULT_SITE_URL=http://127.0.0.1:$(PORT)

.PHONY: run test install install-test lint messages clean bench screenshots

$(VENV)/.installed-run: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements.txt requirements-test.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	touch $@ $(VENV)/.installed-run

# The benchmark tools (locust, matplotlib) live in their own virtualenv (inside .venv, so
# that every tool skipping .venv skips it too), so that
# `make test` stays lean and pytest never loads locust's plugin.
BENCH_VENV := $(VENV)/bench
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/actiedagen_bench

$(BENCH_VENV)/.installed: requirements.txt requirements-bench.txt
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -r requirements-bench.txt
	touch $@

install: $(VENV)/.installed-run
install-test: $(VENV)/.installed-test

# The worker (background tasks: mail, reminders, digests; README "Background work") runs
# beside the web server, its lines in the same console (with DEBUG, mails are printed
# there too). One Ctrl+C stops both (the worker finishes the task it is running); when
# the server ends otherwise, the EXIT trap stops the worker. The worker does not reload
# on code changes: restart `make run` after changing a task.
run: install
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py seed_demo
	@$(SERVE_ENV) $(BIN)/python manage.py run_worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT; \
	trap 'trap - EXIT; wait $$worker; exit 0' INT; \
	$(SERVE_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Photographs the main pages (phone and desktop, Dutch; Arabic for the public pages) on a
# fresh demo database into var/screenshots/set/ (open its index.html). Needs Chromium.
screenshots: install-test
	$(BIN)/python scripts/screenshots.py $(SCREENSHOTS_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(RUN_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

# Collect new strings (needs GNU gettext), then fill and compile with scripts/po_fill.py.
# Translations are remembered first, so a string that moved to another app keeps its own.
# LANGS are the languages with catalogues (English is the source and has none).
LANGS ?= nl ar fa ti
MESSAGES_ARGS = $(foreach lang,$(LANGS),-l $(lang)) --no-obsolete --no-location \
	--ignore="tests/*" --ignore="benchmarks/*" --ignore="scripts/*" --ignore="var/*" \
	--ignore=".venv/*" --ignore="staticfiles/*" --ignore="static/vendor/*" --ignore="node_modules/*"
messages: install-test
	$(BIN)/python scripts/po_fill.py --remember var/translations.json
	$(RUN_ENV) $(BIN)/python manage.py makemessages $(MESSAGES_ARGS)
	$(RUN_ENV) $(BIN)/python manage.py makemessages -d djangojs $(MESSAGES_ARGS)
	$(BIN)/python scripts/po_fill.py --recall var/translations.json

# Seeds a large PostgreSQL dataset (once), runs the app under gunicorn and measures it
# against baselines; see benchmarks/run_all.py. BENCH_ARGS=--quick for a shorter run.
bench: $(BENCH_VENV)/.installed
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BENCH_VENV)/bin/python benchmarks/run_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3* var/*.sqlite3* var/cache .pytest_cache .ruff_cache
