# newsfacet's Airflow image: the official Airflow 3 image plus this project, installed with the exact versions
# the tests ran with (requirements.lock). Built by docker-compose.yml (context: the repository root).
#
# The project is installed as a plain package (mappings and knowledge are package data), with its Airflow extras;
# the DAG files are read from /opt/newsfacet/app/dags.
ARG AIRFLOW_VERSION=3.3.2
ARG PYTHON_VERSION=3.11
FROM apache/airflow:${AIRFLOW_VERSION}-python${PYTHON_VERSION}

USER root
RUN mkdir -p /opt/newsfacet/app /opt/newsfacet/inbox /opt/newsfacet/data /opt/newsfacet/certs /opt/airflow/auth \
    && chown -R airflow:0 /opt/newsfacet /opt/airflow/auth \
    && chmod -R g+rwX /opt/newsfacet

USER airflow
WORKDIR /opt/newsfacet/app
# Dependencies first (cached while only the code changes), then the code. The stub package lets pip resolve
# and install every pinned dependency before the sources are copied.
COPY --chown=airflow:0 pyproject.toml requirements.lock README.md ./
RUN mkdir -p etl/knowledge etl/run etl/store mappings dags devtools \
    && touch etl/__init__.py etl/knowledge/__init__.py etl/run/__init__.py etl/store/__init__.py \
             dags/__init__.py devtools/__init__.py \
    && pip install --no-cache-dir -c requirements.lock ".[airflow,celery]" \
    && pip uninstall -y newsfacet && rm -rf etl dags devtools mappings build
COPY --chown=airflow:0 . .
RUN pip install --no-cache-dir --no-deps -c requirements.lock . \
    && cd / && python -c "import spacy; from etl.store.indices import mapping_version; print('newsfacet', mapping_version())"

ENV AIRFLOW__CORE__DAGS_FOLDER=/opt/newsfacet/app/dags \
    AIRFLOW__CORE__LOAD_EXAMPLES=false \
    NEWSFACET_INBOX=/opt/newsfacet/inbox \
    NEWSFACET_DATA_DIR=/opt/newsfacet/data
