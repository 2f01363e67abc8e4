# Mentor Portal. `make demo` serves the demo program; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip -q --disable-pip-version-check
# Every package is installed from the lock files, each checked against its recorded hashes.
PIP_LOCKED := $(PIP) install --require-hashes
PORT ?= 8000
# The suite runs in this many processes (pytest-xdist); each has its own test database.
TEST_WORKERS ?= 2
# Quiet pip's notes about local package mirrors that do not exist on every machine.
PIP_FILTER := 2>&1 | grep -v "^WARNING: Location" || true

.PHONY: demo serve install install-dev test lint format bench clean audit loadtest lock translations messages

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP_LOCKED) -r requirements.txt $(PIP_FILTER)
	$(PY) -c "import django, gunicorn, whitenoise"
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PIP_LOCKED) -r requirements-dev.txt $(PIP_FILTER)
	$(PY) -c "import pytest, playwright, hypothesis"
	touch $@

install: $(VENV)/.runtime translations

install-dev: $(VENV)/.dev translations

# The Spanish pages: locale/*/LC_MESSAGES/django.po (committed) compiled to .mo (not
# committed), in Python, so no system package is needed (portal/lib/messages_mo.py).
translations: $(VENV)/.runtime
	$(PY) manage.py compile_translations

# After changing mentor-facing text: collect the new strings into locale/es (needs GNU
# gettext's xgettext), translate them in django.po, then `make translations`.
messages: install-dev
	$(PY) manage.py makemessages --locale es --no-obsolete --no-wrap --add-location file \
	  --ignore ".venv/*" --ignore "var/*" --ignore "staticfiles/*" --ignore "tests/*" --ignore "bench/*"

demo: install
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py createcachetable
	$(PY) manage.py load_demo
	$(PY) manage.py collectstatic --noinput -v 0
	@echo ""
	@echo "  Mentor Portal demo: http://127.0.0.1:$(PORT)"
	@echo "  Sign in with any of these (password: demo-pass-2026):"
	@echo "    mentor@example.org   a mentor with an active match"
	@echo "    mentor2@example.org  another mentor"
	@echo "    mentor.es@example.org  a mentor who reads the portal in Spanish"
	@echo "    staff@example.org    program staff"
	@echo "    site@example.org     the school site contact of Lincoln Elementary"
	@echo "    admin@example.org    administrator"
	@echo "  Emails the portal sends are written to var/mail/ (one file per email)."
	@echo "  One-time codes (only asked with REQUIRE_STAFF_TOTP=on, see README):"
	@echo "    $(PY) manage.py demo_totp staff@example.org"
	@echo "  Stop with Ctrl+C."
	@echo ""
	@# The worker (emails, scheduled jobs) runs beside the web server and stops with it.
	export SITE_URL=http://127.0.0.1:$(PORT) PORT=$(PORT); \
	$(PY) manage.py run_worker --interval 2 & WORKER=$$!; \
	trap 'kill $$WORKER 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn --config gunicorn.conf.py portal.wsgi

test: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@# A model change without its migration fails here, before any test runs.
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -n $(TEST_WORKERS)

# requirements*.in name what we depend on; this pins everything they pull in, with hashes.
# Run it after editing a .in file, then commit the .in and .txt files together.
LOCK_VENV := var/lock-venv
lock:
	test -x $(LOCK_VENV)/bin/pip-compile || ($(PYTHON) -m venv $(LOCK_VENV) && \
	  $(LOCK_VENV)/bin/pip -q install pip-tools==7.6.2 $(PIP_FILTER))
	$(LOCK_VENV)/bin/pip-compile -q --generate-hashes --strip-extras --no-emit-index-url \
	  --no-emit-find-links --output-file requirements.txt requirements.in
	$(LOCK_VENV)/bin/pip-compile -q --generate-hashes --strip-extras --no-emit-index-url \
	  --no-emit-find-links --allow-unsafe --output-file requirements-dev.txt requirements-dev.in

# Known vulnerabilities in the pinned dependencies (pip-audit; needs PyPI).
audit: install-dev
	$(PY) scripts/audit_dependencies.py

# Month-end load: 20 mentors for 45 s on loopback, in a throwaway PostgreSQL database.
LOAD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal_load
loadtest: install-dev
	$(PY) -m bench.loadtest --mentors 20 --seconds 45 --database-url $(LOAD_DATABASE_URL)

# Performance at real size: 20,000 mentors and 1,000,000 sessions on PostgreSQL, loaded
# with wrk on loopback; rewrites docs/BENCHMARKS.md. BENCH_ARGS="--help" lists the options.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal_bench
bench: install
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)
	DATABASE_URL=$(BENCH_DATABASE_URL) DJANGO_SETTINGS_MODULE=bench.settings \
	  $(PY) manage.py bench $(BENCH_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles var .pytest_cache .ruff_cache
