# Two commands do all the set-up on a fresh machine:
#   make run    installs everything, migrates, seeds demo data and serves http://127.0.0.1:8000
#   make test   installs everything and runs the test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
PYTEST_ARGS ?=
# make test runs the suite on one pytest-xdist worker per core, each with its own test database and
# Redis keys, handed tests one by one in pytest-django's order (--dist load; see "Tests and CI" in
# README.md). PYTEST_XDIST="-n 0" runs it serially.
PYTEST_XDIST ?= -n auto --dist load
SCALE  ?= 1.0
BENCH_ARGS ?=

.PHONY: install run test client-smoke lint check syslibs clean bench bench-measure djstripe-test-migration

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || \
	  { echo "Python 3.11 or newer is required as '$(PYTHON)' (set PYTHON=python3.x)."; exit 1; }
	@$(PYTHON) -m venv $(VENV) || \
	  { echo "Could not create $(VENV): install venv support, e.g. 'sudo apt-get install python3-venv'."; exit 1; }

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

install: $(VENV)/.installed syslibs node_modules/.installed

# axe-core, which the browser tests inject to check accessibility (package-lock.json pins it).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "Note: npm is missing, so the browser tests cannot check accessibility (sudo apt-get install npm)."; fi

# WeasyPrint (PDF statements) needs a few system libraries; say which ones when they are missing.
syslibs: $(VENV)/.installed
	@$(BIN)/python -c "import weasyprint" >/dev/null 2>&1 || { \
	  echo "WeasyPrint cannot load its system libraries. Install them with:"; \
	  echo "  sudo apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 fonts-dejavu-core"; \
	  exit 1; }
	@{ /sbin/ldconfig -p 2>/dev/null || ldconfig -p 2>/dev/null; } | grep -q libharfbuzz-subset || \
	  echo "Note: 'sudo apt-get install libharfbuzz-subset0' makes PDF rendering faster and quieter."

run: install
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py seed_demo
	DEBUG=true $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_XDIST) $(PYTEST_ARGS)

# Just the generated-client smoke (make test runs it too): openapi-python-client generates a client
# from the test server's live schema into a temporary folder and drives the API with it (ADR 0035).
client-smoke: install
	$(BIN)/python -m pytest $(PYTEST_ARGS) tests/api/test_generated_client.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

check: install lint
	@# No import cycle among our modules, imports inside functions included (grimp).
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_import_cycles.py
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run
	@# The test databases' one-migration dj-stripe (tests/djstripe_migrations) matches its models.
	DJANGO_SETTINGS_MODULE=axiomatic.test_settings $(BIN)/python manage.py makemigrations djstripe --check --dry-run
	DEBUG=true $(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null
	@# Production settings as a deployment would give them (a real key, an https site, PostgreSQL,
	@# Redis and SMTP: the check connects to none of them, so the hosts need not exist).
	DEBUG=false SITE_URL=https://practice.example.com \
	  DATABASE_URL=postgres://axiomatic@db.invalid:5432/axiomatic \
	  REDIS_URL=redis://cache.invalid:6379/0 EMAIL_URL=smtp://mail.invalid:25 \
	  SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

# Performance benchmark on PostgreSQL (not part of test or check): see "Performance" in README.md.
#   make bench              seed the full size (minutes), then measure over HTTP
#   make bench SCALE=0.1    a tenth of the size, for a quick run
#   make bench SCALE=10     the full firm, the 1M-line book and a second, 10M-line book
#   make bench-measure      measure again on what is already seeded
bench: install
	nice -n 10 $(BIN)/python -m bench seed --scale $(SCALE)
	$(BIN)/python -m bench measure $(BENCH_ARGS)

bench-measure: install
	$(BIN)/python -m bench measure $(BENCH_ARGS)

# After upgrading dj-stripe: remake the test databases' one-migration copy of its tables.
djstripe-test-migration: install
	rm -f tests/djstripe_migrations/0*.py
	DJANGO_SETTINGS_MODULE=axiomatic.test_settings $(BIN)/python manage.py makemigrations djstripe
	$(BIN)/ruff check --fix -q tests/djstripe_migrations; $(BIN)/ruff format tests/djstripe_migrations

clean:
	rm -rf $(VENV) node_modules db.sqlite3 db.sqlite3-* .pytest_cache staticfiles
