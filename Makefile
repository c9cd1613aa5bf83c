# newsfacet: `make demo` then `make test` on a fresh machine. `make help` lists the rest.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
PYTHON ?= python3
export AIRFLOW_HOME ?= $(CURDIR)/var/airflow
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export NEWSFACET_INBOX ?= $(CURDIR)/seeds
export ELASTICSEARCH_URL ?= http://localhost:9200

.PHONY: help setup lock es-up es-stop airflow-db demo test test-unit lint airflow bench clean-var

help: ## this list
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup: $(VENV)/.installed ## virtualenv with the pinned dependencies (requirements.lock)

$(VENV)/.installed: pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade "pip==26.3"
	$(PY) -m pip install -q -c requirements.lock -e '.[airflow,celery,dev]'
	@touch $@

lock: ## regenerate requirements.lock from the current environment
	$(PY) -m pip freeze --exclude-editable | grep -v '^newsfacet' > requirements.lock

es-up: setup ## start a local Elasticsearch unless ELASTICSEARCH_URL names another cluster
	@case "$$ELASTICSEARCH_URL" in \
	  http://localhost:$${NEWSFACET_ES_PORT:-9200}|http://127.0.0.1:$${NEWSFACET_ES_PORT:-9200}) $(BIN)/newsfacet es start ;; \
	  *) echo "using the configured cluster $$ELASTICSEARCH_URL" ;; \
	esac

es-stop: ## stop the local Elasticsearch node
	$(BIN)/newsfacet es stop

airflow-db: setup ## create / migrate Airflow's database (SQLite under var/airflow)
	@mkdir -p $(AIRFLOW_HOME)
	$(BIN)/airflow db migrate > $(AIRFLOW_HOME)/db-migrate.log 2>&1 || (tail -30 $(AIRFLOW_HOME)/db-migrate.log; exit 1)

demo: setup es-up airflow-db ## run the ingest DAG over seeds/ and print a faceted search
	$(PY) scripts/demo.py

test: setup es-up airflow-db ## every test, against the real node and a real Airflow
	$(PY) -m pytest

test-unit: setup ## tests that need no service
	$(PY) -m pytest tests/unit

lint: setup ## ruff and mypy --strict
	$(BIN)/ruff check etl dags devtools tests bench scripts
	$(BIN)/mypy

airflow: setup es-up airflow-db ## Airflow UI with the DAGs (airflow standalone, http://localhost:8080)
	$(BIN)/airflow standalone

bench: setup es-up ## every benchmark, each figure beside its goal (make bench QUICK=1: small sizes)
	$(PY) -m bench.run_all $(if $(QUICK),--quick)

clean-var: ## forget runs, quarantine and archive (not the index)
	rm -rf var/runs var/quarantine var/archive
