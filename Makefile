# Assistance e-CPS. `make run` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: run test test-pg test-browser bench content check lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

# Reinstall only when the dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

run: content
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# Publishes the reference content as version 1 into an empty database only: editors' work
# is never overwritten (`manage.py load_content --remplacer` reloads it on purpose).
content: $(VENV)/.installed
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_content
	$(BIN)/python manage.py load_reply_templates

test: $(VENV)/.installed
	$(BIN)/pytest

test-pg: $(VENV)/.installed
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -m "not browser"

test-browser: $(VENV)/.installed
	$(BIN)/pytest -m browser

bench: $(VENV)/.installed
	$(BIN)/python bench/run.py

lint: $(VENV)/.installed
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
