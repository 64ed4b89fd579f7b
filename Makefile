# The README's commands. `make run` from a fresh clone installs everything and starts the studio;
# `make test` runs the whole suite (SQLite + in-memory layer, then Postgres + Redis).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15

.PHONY: run install frontend schema lint test test-sqlite test-postgres services bench check-deploy clean

run: install frontend
	$(PY) manage.py runstudio --host $(HOST) --port $(PORT)

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	# torch first and pinned: the CPU wheel of this exact version is what the machine offers.
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

schema: install
	$(PY) manage.py spectacular --format openapi-json --file frontend/openapi.json

frontend: schema
	cd frontend && npm ci --no-audit --no-fund && npm run build

# The API schema is a contract (the browser's types, tests/test_contract.py): an invalid one, or
# one drf-spectacular had to guess at, fails the build.
test: install frontend services lint
	$(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null
	cd frontend && npm test
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

# Lint and formatting (ruff), and the import contracts in pyproject.toml: previs and the renderers import no Django,
# and no package has an import cycle between its modules. mypy checks the modules pyproject.toml
# lists (strict).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

# The chaos test (tests/test_chaos.py) needs PostgreSQL: it runs on the second pass.
test-sqlite:
	$(PY) -m pytest -q -m "not chaos"

# The same suite (less the browser tests, which already ran) on Postgres, with Redis as channel
# layer and Celery broker: the distributed wiring.
test-postgres:
	DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS_TEST_URL) $(PY) -m pytest -q -m "not browser"

services:
	bash docker/ensure-local-services.sh

bench: install services
	$(PY) bench/api.py
	$(PY) bench/render.py
	$(PY) bench/review.py
	$(PY) bench/realtime.py

check-deploy: install
	STUDIO_ENV=production STUDIO_SECRET_KEY=$$(head -c 48 /dev/urandom | base64) STUDIO_ALLOWED_HOSTS=studio.example.com \
		$(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf .data static/app frontend/node_modules frontend/openapi.json
