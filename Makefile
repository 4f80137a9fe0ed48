# Cercle — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
FLASK := $(BIN)/flask --app wsgi
PORT ?= 5000
PO_FILES := $(wildcard app/translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run test test-sqlite test-postgres bench lint format install translations extract-messages clean

# Reinstall only when pyproject.toml changes: a second `make run` starts at once.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# -qq: setuptools' notes on editable installs are not for a newcomer; errors still show.
	$(BIN)/python -m pip install -qq -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

%.mo: %.po $(STAMP)
	@$(BIN)/pybabel --quiet compile --use-fuzzy -i $< -o $@

translations: $(MO_FILES)

run: install translations
	$(FLASK) db upgrade
	$(FLASK) seed demo --if-empty
	@echo " * Cercle: http://127.0.0.1:$(PORT)/  (Ctrl+C to stop)"
	SCHEDULER_ENABLED=1 PORT=$(PORT) $(BIN)/gunicorn --config gunicorn.conf.py wsgi:app

# The whole suite on SQLite, then again on PostgreSQL when TEST_DATABASE_URL is set; in
# TEST_WORKERS processes (pytest-xdist; on PostgreSQL each gets a database of its own).
TEST_WORKERS ?= 2
test: install translations
	$(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== again on PostgreSQL ($$(echo $$TEST_DATABASE_URL | sed 's#//[^@]*@#//***@#'))"; \
	  CERCLE_TEST_BACKEND=postgres $(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) -m "not browser"; \
	fi

bench: install translations
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

extract-messages: install
	$(BIN)/pybabel extract -F babel.cfg -o app/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/artifacts
