# Assistance e-CPS. `make run` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/test

PORT ?= 8000

.PHONY: run test test-pg test-browser bench loadtest content check lint clean production \
	check-production css lighthouse

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

# Reinstall only when the dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

# The site's CSS: Bootstrap's compiled CSS less the rules no page uses (purgecss.config.cjs),
# into static/build/ (not committed), rebuilt whenever a template, a module or a script
# changes. PurgeCSS comes from the npm registry, pinned by package-lock.json (Node.js and npm
# are on the machine).
CSS_SOURCES := $(shell find templates kb triage teams static/js -name '*.html' -o -name '*.py' \
	-o -name '*.js' 2>/dev/null)
BUILT_CSS := static/build/bootstrap.min.css

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

$(BUILT_CSS): static/vendor/bootstrap/bootstrap.min.css purgecss.config.cjs $(CSS_SOURCES) \
		node_modules/.installed $(VENV)/.installed
	node_modules/.bin/purgecss --config purgecss.config.cjs

css: $(BUILT_CSS)

# The site, and the task queue's worker beside it (link checks, scheduled publications);
# Ctrl-C stops both.
run: content
	$(BIN)/python manage.py db_worker --interval 5 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# Publishes the reference content as version 1 into an empty database only: editors' work
# is never overwritten (`manage.py load_content --remplacer` reloads it on purpose).
content: $(VENV)/.installed $(BUILT_CSS)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py load_content
	$(BIN)/python manage.py load_reply_templates
	$(BIN)/python manage.py load_teams

# Production: DJANGO_DEBUG=0, DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS come from the
# environment (see README). Static files hashed and compressed, then gunicorn, 2 workers.
production: $(VENV)/.installed $(BUILT_CSS)
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py load_content
	$(BIN)/python manage.py load_reply_templates
	$(BIN)/python manage.py load_teams
	exec $(BIN)/gunicorn helpdesk.wsgi --workers 2 --bind 127.0.0.1:$(PORT) \
		--forwarded-allow-ips 127.0.0.1
# No gunicorn access log: the application writes one JSON line per request, without query
# strings, addresses, nor the keys of private links (kb/middleware.py).

# Boots `make production` exactly as documented and fetches every page type (CI runs it).
check-production: $(VENV)/.installed $(BUILT_CSS)
	$(BIN)/python .ci/check_production.py

test: $(VENV)/.installed $(BUILT_CSS)
	$(BIN)/pytest

test-pg: $(VENV)/.installed $(BUILT_CSS)
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -m "not browser"

test-browser: $(VENV)/.installed $(BUILT_CSS)
	$(BIN)/pytest -m browser

# Needs a load generator: wrk, from Debian's packages.
bench: $(VENV)/.installed $(BUILT_CSS)
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)
	$(BIN)/python bench/run.py

# Lighthouse's mobile performance score of every page type, production configuration
# (bench/lighthouse.py; Lighthouse pinned by bench/lighthouse/package-lock.json).
lighthouse: $(VENV)/.installed $(BUILT_CSS)
	npm ci --prefix bench/lighthouse --no-audit --no-fund --silent
	$(BIN)/python bench/lighthouse.py

# 60 s of realistic traffic under gunicorn, on SQLite then PostgreSQL (see bench/loadtest.py).
loadtest: $(VENV)/.installed $(BUILT_CSS)
	$(BIN)/python bench/loadtest.py

lint: $(VENV)/.installed
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache node_modules static/build
