# Two commands do all the set-up: `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

# uv from PATH, or installed once into .tools/ with the machine's Python.
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
PY := $(UV) run --frozen python
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 1
# Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto uvicorn believes (comma-separated
# addresses, e.g. 127.0.0.1 for nginx on the same machine). Empty (the default, `make run` on a
# laptop): no proxy is trusted and the client address is the connection's peer, so a client
# can never choose the address that sign-in throttles count it under.
FORWARDED_ALLOW_IPS ?=
# Seconds uvicorn waits on SIGTERM for open requests and sockets before cancelling them. Without
# a bound, a websocket whose channel-layer read (a blocking Redis BZPOPMIN that redis-py shields
# from cancellation) is still in flight kept a worker alive after SIGTERM.
GRACEFUL_SHUTDOWN_SECONDS ?= 10
PROXY_FLAGS := $(if $(FORWARDED_ALLOW_IPS),--proxy-headers --forwarded-allow-ips $(FORWARDED_ALLOW_IPS),--no-proxy-headers)

.PHONY: help install run serve serve-with-worker worker migrate demo test lint typecheck lint-checks \
	type-checks schema \
	contract check-embedded check-scale-out db-stop clean

help:
	@echo "make run    install, migrate, load the Grenoble demo data, serve on http://$(HOST):$(PORT)"
	@echo "           with one background-job worker (Ctrl-C stops both)"
	@echo "make worker run one more background-job worker (db_worker)"
	@echo "make test   install, lint, type-check and run the whole test suite (TEST_WORKERS=auto)"
	@echo "make schema regenerate openapi/openapi.yaml"
	@echo "make contract prove the OpenAPI document with the tools clients use (needs DATABASE_URL,"
	@echo "           Node 20 and npm; see frontend-contract/openapi.md)"
	@echo "make check-embedded  the embedded path on a fresh data folder, as on a fresh clone:"
	@echo "           one real request, then the whole suite (CHECK_EMBEDDED_SUITE=0: request only)"
	@echo "make check-scale-out  the README's Scaling out, as written: two workers on Redis (needs"
	@echo "           DATABASE_URL and REDIS_URL)"
	@echo "make db-stop stop the embedded PostgreSQL (when DATABASE_URL is not set)"

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv

# Bytecode is compiled once at install (dependencies and the project's own modules): where
# PYTHONDONTWRITEBYTECODE is set, as on CI machines, every process otherwise compiled about
# 1,700 modules from source at each start (measured: 9.5 s to import backend.asgi, 3 s with
# the bytecode), and the tests start dozens of servers and workers.
install: $(if $(filter .tools/bin/uv,$(UV)),.tools/bin/uv)
	$(UV) sync --frozen --quiet --compile-bytecode
	@$(PY) -m compileall -q -j 0 backend tests bench scripts manage.py
	@mkdir -p var/static

run: export DEBUG ?= true
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(MAKE) --no-print-directory serve-with-worker

# uvicorn in the foreground and one db_worker in the background: when uvicorn stops (Ctrl-C,
# or it fails), the worker is asked to stop (SIGTERM: it finishes the job in hand) and waited
# for; a second Ctrl-C stops it at once.
serve-with-worker: export DEBUG ?= true
serve-with-worker: install
	@$(PY) manage.py db_worker --no-reload --queue-name '*' & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	$(UV) run --frozen uvicorn backend.asgi:application --host $(HOST) --port $(PORT) \
		--workers $(WORKERS) --timeout-graceful-shutdown $(GRACEFUL_SHUTDOWN_SECONDS) $(PROXY_FLAGS)

# Background jobs (suggested clusters); run as many as needed, on any machine that reaches
# the same PostgreSQL.
worker: install
	$(PY) manage.py db_worker --no-reload --queue-name '*'

serve: export DEBUG ?= true
serve:
	$(UV) run --frozen uvicorn backend.asgi:application --host $(HOST) --port $(PORT) \
		--workers $(WORKERS) --timeout-graceful-shutdown $(GRACEFUL_SHUTDOWN_SECONDS) $(PROXY_FLAGS)

migrate: install
	$(PY) manage.py migrate --noinput

demo: install
	$(PY) manage.py load_demo

# Tests never need a real secret; production refuses to start without one. One pytest-xdist
# worker per CPU (TEST_WORKERS=0 runs them in one process), each with its own test database;
# the tests that share a module's uvicorn servers stay on one worker (--dist loadgroup).
TEST_WORKERS ?= auto
# pytest keeps the test modules it rewrote (assertions) as .pyc files only where Python may
# write bytecode: on machines that set PYTHONDONTWRITEBYTECODE, every worker of every run would
# rewrite the 300 test and plugin modules again (about 4 s of each worker's start).
test: export PYTHONDONTWRITEBYTECODE =
test: export SECRET_KEY ?= test-only-secret-key-not-for-production-0123456789abcdef
test: export SECURE_SSL_REDIRECT ?= false
# Lint and type-check run beside pytest (mypy's cold run is 15 s of one core, while the suite
# spends part of its time waiting on servers); their output is printed after the suite's, and
# either failing fails `make test`. pytest's exit code 5 (no test collected) is a failure too.
test: install
	@static=$$(mktemp); \
	$(MAKE) --no-print-directory --keep-going lint-checks type-checks > $$static 2>&1 & checks=$$!; \
	$(UV) run --frozen pytest -n $(TEST_WORKERS) --dist loadgroup --durations=15 $(PYTEST_ARGS); \
	rc=$$?; \
	wait $$checks; checks_rc=$$?; \
	echo "--- lint and type-check"; cat $$static; rm -f $$static; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing on purpose"; exit 1; fi; \
	if [ $$checks_rc -ne 0 ]; then echo "lint or type-check failed (above)"; exit 1; fi; \
	exit $$rc

lint: install
	@$(MAKE) --no-print-directory lint-checks

typecheck: install
	@$(MAKE) --no-print-directory type-checks

lint-checks:
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen lint-imports --no-cache

type-checks: export SECRET_KEY ?= typecheck-only-secret-key-not-for-production
type-checks:
	$(UV) run --frozen mypy backend tests

schema: export SECRET_KEY ?= schema-only-secret-key-not-for-production-0123456789
schema: install
	$(PY) manage.py spectacular --lang en --file openapi/openapi.yaml --validate --fail-on-warn

# The contract, with the tools clients use: a strict validator, TypeScript types compiled
# against a typed round (npm tools from the lockfile), a generated Python client and
# schemathesis against a live server (scripts/contract/live.py). Each step prints its time.
contract: export SECRET_KEY ?= contract-only-secret-key-not-for-production-0123456789
contract: install
	@start=$$(date +%s); \
	$(UV) run --frozen openapi-spec-validator openapi/openapi.yaml \
	&& echo "<-- openapi-spec-validator: $$(( $$(date +%s) - start )) s"
	@start=$$(date +%s); \
	cd frontend-contract && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build \
	&& echo "<-- openapi-typescript + tsc (npm ci included): $$(( $$(date +%s) - start )) s"
	$(PY) scripts/contract/live.py $(CONTRACT_ARGS)

check-embedded: install
	bash scripts/check_embedded.sh

# The README's "Scaling out" section as written: two uvicorn workers on Redis behind proxy
# headers (needs DATABASE_URL and REDIS_URL; makes <name>_scaleout next to DATABASE_URL's).
check-scale-out: install
	$(PY) scripts/check_scale_out.py

db-stop:
	$(PY) -m backend.localdb stop

clean:
	rm -rf .venv .tools var
