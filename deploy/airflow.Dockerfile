# newsfacet's Airflow image: the official Airflow 3 image plus this project, installed with the exact versions
# the tests ran with (requirements.lock). Built by docker-compose.yml (context: the repository root).
#
# The project is installed editable from /opt/newsfacet/app: etl/ finds mappings/ through PROJECT_ROOT (the
# folder above etl/), which a plain wheel install would not carry.
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
RUN mkdir -p etl dags && touch etl/__init__.py dags/__init__.py \
    && pip install --no-cache-dir -c requirements.lock -e . \
    && rm -rf etl dags newsfacet.egg-info
COPY --chown=airflow:0 . .
RUN pip install --no-cache-dir --no-deps -c requirements.lock -e . \
    && python -c "import etl.store.indices, spacy; etl.store.indices.load_mapping(); print('newsfacet', etl.store.indices.mapping_version())"

ENV AIRFLOW__CORE__DAGS_FOLDER=/opt/newsfacet/app/dags \
    AIRFLOW__CORE__LOAD_EXAMPLES=false \
    NEWSFACET_INBOX=/opt/newsfacet/inbox \
    NEWSFACET_DATA_DIR=/opt/newsfacet/data
