# PartyReports. The two commands: `make run` and `make test`.
# Both set the machine up themselves (Debian packages, .venv); see docs/setup.md.
# The shell logic lives in scripts/.

SHELL := /bin/bash

# Extra arguments for both pytest runs, e.g. make test PYTEST_ARGS="tests/test_worker.py -x"
PYTEST_ARGS ?=
export PYTEST_ARGS

.PHONY: help run test test-embedded test-real lint deps stack-down

help:
	@echo "make run            set up, load demo data, serve on http://127.0.0.1:8000"
	@echo "make test           all tests twice: SQLite + eager Celery, then PostgreSQL + Redis + worker"
	@echo "make test-embedded  only the SQLite run"
	@echo "make test-real      only the PostgreSQL + Redis + worker run"
	@echo "make lint           ruff check"
	@echo "make deps           install system packages and .venv, nothing else"
	@echo "make stack-down     stop a test stack left behind by an aborted run"

run:
	scripts/run.sh

test:
	scripts/test.sh embedded real

test-embedded:
	scripts/test.sh embedded

test-real:
	scripts/test.sh real

lint:
	scripts/ensure-venv.sh test
	.venv/bin/ruff check .

deps:
	scripts/install-system-deps.sh --test
	scripts/ensure-venv.sh test

stack-down:
	scripts/test-stack.sh down
