# Two commands on a fresh machine: `make run` and `make test`. Needs only Python 3.11 and make.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 5000
export FLASK_APP := wsgi

.PHONY: run test lint audit bench bench-large bench-registration bench-oai clean install catalogs translations

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)

# Reinstall when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(VENV)/bin/activate
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed catalogs

# Compiled message catalogs (.mo) from the committed .po files (tools/translations.py).
catalogs: $(VENV)/.installed
	$(PY) tools/translations.py compile

# For translators: extract every message and merge new ones into each part's fr, de and
# sl catalogs; translate them in the .po files, then `make catalogs`.
translations: $(VENV)/.installed
	$(PY) tools/translations.py update
	$(PY) tools/translations.py check

# The job worker (reminders, purges, mail retries) runs beside the server and stops with it.
run: install
	$(PY) -m flask db upgrade
	$(PY) -m flask seed-demo
	$(PY) -m flask jobs worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) -m flask run --host 127.0.0.1 --port $(PORT) --debug

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/bandit -q -r interacta -ll
	$(VENV)/bin/lint-imports --no-cache

# Known vulnerabilities in the pinned packages (pip-audit; see .ci/audit.py).
audit: install
	$(PY) .ci/audit.py

# SQLite always; the same suite on PostgreSQL when TEST_DATABASE_URL is set. Each pass runs
# on PYTEST_WORKERS processes (pytest-xdist; each has its own database); 0: in one process.
# `--dist loadgroup` keeps the tests of one xdist_group (tests/conftest.py) on one worker.
PYTEST_WORKERS ?= 2
PYTEST_XDIST := -n $(PYTEST_WORKERS) --dist loadgroup

test: install lint
	$(PY) -m pytest $(PYTEST_XDIST)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== the suite again on PostgreSQL =="; \
		INTERACTA_TEST_DB=postgres $(PY) -m pytest $(PYTEST_XDIST) -m "not browser"; \
	elif [ "$$REQUIRE_POSTGRES" = "1" ]; then \
		echo "REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set"; exit 1; \
	else \
		echo "(PostgreSQL tests not run: set TEST_DATABASE_URL=postgresql+psycopg://... to run them)"; \
	fi

# BENCH_MODE=hit|miss|both (default both): the cache-hit table, the cache-miss table, or both.
bench: install
	$(PY) bench/run.py

# The same at ten times the data (50,000 members, 20,000 events, 400,000 registrations,
# 100,000 publications); meant to finish within 30 minutes.
bench-large: install
	BENCH_SCALE=10 $(PY) bench/run.py

bench-registration: install
	$(PY) bench/registration.py

# A full OAI-PMH harvest of the bench dataset with a real harvester (count and time).
bench-oai: install
	$(PY) bench/oai_harvest.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
