# newsfacet: `make demo` then `make test` on a fresh machine. `make help` lists the rest.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
# The interpreter .venv is made with: empty = the first suitable python3 on PATH (devtools/find-python.sh says which).
PYTHON ?=
# V=1: every command and Airflow's / Elasticsearch's own logs (make demo V=1, make airflow V=1).
V ?= 0
Q := $(if $(filter 1,$(V)),,@)
export AIRFLOW_HOME ?= $(CURDIR)/var/airflow
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export NEWSFACET_INBOX ?= $(CURDIR)/seeds
export ELASTICSEARCH_URL ?= http://localhost:9200
# Local Airflow runs the ingest DAG when you trigger it; docker-compose.yml sets a schedule (@hourly).
export NEWSFACET_SCHEDULE ?= none

.PHONY: help setup lock lock-check sysdeps-test es-up es-stop airflow-db demo test test-unit lint airflow smoke bench clean-var

help: ## this list
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

setup: $(VENV)/.installed ## virtualenv with the pinned dependencies (requirements.lock)

$(VENV)/.installed: pyproject.toml requirements.lock
	$(Q)test -x $(PY) || { py=$$(PYTHON="$(PYTHON)" devtools/find-python.sh) && "$$py" -m venv $(VENV); }
	@echo "make: installing the pinned dependencies into $(VENV) with $$($(PY) -V) (a few minutes the first time)"
	$(Q)$(PY) -m pip install -q --upgrade "pip==26.3"
	$(Q)$(PY) -m pip install -q -c requirements.lock -e '.[airflow,celery,dev]' $(if $(filter 1,$(V)),,> $(VENV)/pip.log 2>&1 \
	  || { tail -40 $(VENV)/pip.log; echo "make: pip failed: $(VENV)/pip.log"; exit 1; })
	@touch $@

lock: ## regenerate requirements.lock from .venv (then `make lock-check`)
	$(PY) -m pip freeze --exclude-editable | grep -v '^newsfacet' > requirements.lock
	@echo "make: check the lock on the oldest Python the project declares: make lock-check PYTHON=/usr/bin/python3"

lock-check: ## resolve requirements.lock with PYTHON (another interpreter) without installing
	$(Q)py=$$(PYTHON="$(PYTHON)" devtools/find-python.sh) && tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT \
	  && "$$py" -m venv "$$tmp/venv" && "$$tmp/venv/bin/python" -m pip install -q "pip==26.3" \
	  && "$$tmp/venv/bin/python" -m pip install -q --dry-run -c requirements.lock -e '.[airflow,celery,dev]' \
	  && echo "make: requirements.lock resolves on $$("$$py" -V)"

sysdeps-test: setup ## the system packages the tests need (Chromium, redis-server, PostgreSQL, Maven, git, curl)
	$(Q)$(PY) devtools/sysdeps.py test

es-up: setup ## start a local Elasticsearch unless ELASTICSEARCH_URL names another cluster
	$(Q)case "$$ELASTICSEARCH_URL" in \
	  http://localhost:$${NEWSFACET_ES_PORT:-9200}|http://127.0.0.1:$${NEWSFACET_ES_PORT:-9200}) \
	    $(PY) devtools/sysdeps.py es && $(BIN)/newsfacet es start ;; \
	  *) echo "using the configured cluster $$ELASTICSEARCH_URL" ;; \
	esac

es-stop: ## stop the local Elasticsearch node
	$(BIN)/newsfacet es stop

airflow-db: setup ## create / migrate Airflow's database (SQLite under var/airflow)
	@mkdir -p $(AIRFLOW_HOME)
	$(Q)$(BIN)/airflow db migrate > $(AIRFLOW_HOME)/db-migrate.log 2>&1 || (tail -30 $(AIRFLOW_HOME)/db-migrate.log; exit 1)

demo: setup es-up airflow-db ## run the ingest DAG over seeds/ and print a faceted search (V=1: with the logs)
	$(Q)$(PY) scripts/demo.py $(if $(filter 1,$(V)),--verbose)

test: setup sysdeps-test es-up airflow-db ## every test, against the real node and a real Airflow
	$(Q)$(PY) -m pytest

test-unit: setup ## tests that need no service
	$(PY) -m pytest tests/unit

lint: setup ## ruff (lint and the formatter's check) and mypy --strict
	$(BIN)/ruff check etl dags devtools tests bench scripts
	$(BIN)/ruff format --check etl dags devtools tests bench scripts
	$(BIN)/mypy

# `airflow` and the components it starts must be on PATH: the venv's bin goes first.
airflow: setup es-up airflow-db ## the Airflow UI with the DAGs on http://localhost:8080 (Ctrl+C stops it; V=1: logs)
	$(Q)PATH="$(CURDIR)/$(BIN):$$PATH" $(PY) -m devtools.airflow_stack $(if $(filter 1,$(V)),--verbose)

smoke: ## the Docker Compose stack end to end (needs Docker): up, a DAG run, the Kibana objects and counts
	bash deploy/smoke.sh

bench: setup es-up ## every benchmark, each figure beside its goal (make bench QUICK=1: small sizes)
	$(PY) -m bench.run_all $(if $(QUICK),--quick)

clean-var: ## forget runs, quarantine and archive (not the index)
	rm -rf var/runs var/quarantine var/archive
