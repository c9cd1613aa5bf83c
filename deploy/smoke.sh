#!/usr/bin/env bash
# Smoke test of the Docker Compose stack, end to end, on a machine with Docker (`make smoke`):
#   1. .env (deploy/init-env.sh makes one if missing), then `docker compose up -d --build`;
#   2. Airflow: wait for the API, the scheduler and the DAG processor; log in as the admin; trigger
#      ingest_articles through the REST API and wait for the run to succeed (its note: the run's summary);
#   3. Kibana: import the saved objects again (the one-shot kibana-import service: idempotent), then ask
#      Kibana's API for the dashboard, the data view, the data view's document count and a KQL-style query on
#      actor_names (through Kibana's console proxy: the same cluster, as Kibana's own user sees it).
# Leaves the stack running (SMOKE_DOWN=1: `docker compose down -v` at the end, whatever happened).
# Needs docker with Compose v2, curl, sed. Exit 0 only if every step worked; the failing step says why.
set -euo pipefail
cd "$(dirname "$0")/.."

COMPOSE=${COMPOSE:-docker compose}
TIMEOUT=${SMOKE_TIMEOUT:-900}  # seconds for each wait
say() { echo "smoke: $*"; }
fail() { echo "smoke: FAILED: $*" >&2; exit 1; }

command -v docker >/dev/null || fail "docker is not installed"
command -v curl >/dev/null || fail "curl is not installed"
[ -f .env ] || bash deploy/init-env.sh
set -a
# shellcheck disable=SC1091
. ./.env
set +a
AIRFLOW="http://localhost:${AIRFLOW_PORT:-8080}"
KIBANA="http://localhost:${KIBANA_PORT:-5601}"
INDEX=${NEWSFACET_INDEX:-articles}
if [ "${SMOKE_DOWN:-0}" = 1 ]; then
  trap '$COMPOSE down -v >/dev/null 2>&1 || true' EXIT
fi

# $1 what, $2 a command that succeeds once it is there; polls every 5 s up to TIMEOUT.
wait_for() {
  local what=$1 deadline=$(( $(date +%s) + TIMEOUT ))
  shift
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "no $what after ${TIMEOUT}s ($COMPOSE ps -a and $COMPOSE logs say why)"
    sleep 5
  done
  say "$what: ok"
}
# The first value of a JSON string or number field named $1 in the JSON on stdin (no jq needed; a name inside
# an embedded JSON string is escaped, \"title\", and does not match).
field() { grep -o "\"$1\": *\"[^\"]*\"\|\"$1\": *[0-9][0-9]*" | head -1 | sed 's/^[^:]*: *"\{0,1\}//; s/"$//'; }

say "docker compose up (builds the Airflow image the first time: several minutes)"
$COMPOSE up -d --build

airflow_healthy() {
  local health
  health=$(curl -fsS "$AIRFLOW/api/v2/monitor/health" 2>/dev/null) || return 1
  [ "$(grep -o '"status":"healthy"' <<<"$health" | wc -l)" -ge 3 ]
}
wait_for "Airflow API, scheduler and DAG processor" airflow_healthy

TOKEN=$(curl -fsS -X POST "$AIRFLOW/auth/token" -H 'Content-Type: application/json' \
        -d "{\"username\":\"${AIRFLOW_ADMIN_USERNAME:-admin}\",\"password\":\"${AIRFLOW_ADMIN_PASSWORD}\"}" | field access_token)
[ -n "$TOKEN" ] || fail "Airflow refused the admin login (AIRFLOW_ADMIN_PASSWORD in .env)"
api() { curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }

dag_parsed() { api "$AIRFLOW/api/v2/dags/ingest_articles" >/dev/null 2>&1; }
wait_for "the DAG ingest_articles" dag_parsed
api -X PATCH "$AIRFLOW/api/v2/dags/ingest_articles" -d '{"is_paused":false}' >/dev/null

RUN_ID=$(api -X POST "$AIRFLOW/api/v2/dags/ingest_articles/dagRuns" \
         -d '{"logical_date":null,"conf":{},"note":"deploy/smoke.sh"}' | field dag_run_id)
[ -n "$RUN_ID" ] || fail "could not trigger ingest_articles"
say "triggered ingest_articles run $RUN_ID"
run_url="$AIRFLOW/api/v2/dags/ingest_articles/dagRuns/$(printf '%s' "$RUN_ID" | sed 's/:/%3A/g; s/+/%2B/g')"
run_finished() {
  local state
  state=$(api "$run_url" | field state)
  [ "$state" = failed ] && fail "run $RUN_ID failed: $AIRFLOW/dags/ingest_articles/runs/$RUN_ID"
  [ "$state" = success ]
}
wait_for "a successful ingest_articles run" run_finished
say "the run's note: $(api "$run_url" | sed -n 's/.*"note": *"\([^"]*\)".*/\1/p' | head -c 300)"

say "importing the Kibana objects (kibana-import)"
$COMPOSE run --rm --no-deps kibana-import || fail "kibana-import failed (its output above says why)"

kbn() { curl -fsS -u "elastic:${ELASTIC_PASSWORD}" -H 'kbn-xsrf: smoke' "$@"; }
dashboard=$(kbn "$KIBANA/api/saved_objects/dashboard/newsfacet-dashboard") || fail "Kibana has no dashboard newsfacet-dashboard"
say "dashboard: $(field title <<<"$dashboard")"
view=$(kbn "$KIBANA/api/data_views/data_view/newsfacet-articles") || fail "Kibana has no data view newsfacet-articles"
title=$(field title <<<"$view")
[ "$title" = "$INDEX" ] || fail "the data view reads '$title', NEWSFACET_INDEX is '$INDEX'"
grep -q '"timeFieldName": *"timestamp"' <<<"$view" || fail "the data view's time field is not timestamp"
count=$(kbn -X POST "$KIBANA/api/console/proxy?path=$INDEX/_count&method=GET" | field count)
[ "${count:-0}" -ge 1 ] || fail "the data view '$INDEX' holds no document (count: ${count:-none})"
say "data view '$title' (time field timestamp): $count document(s)"
hifter=$(kbn -X POST "$KIBANA/api/console/proxy?path=$INDEX/_count&method=POST" -H 'Content-Type: application/json' \
         -d '{"query":{"match":{"actor_names":"Hifter"}}}' | field count)
say "actor_names : Hifter -> ${hifter:-0} document(s)"
say "passed: $KIBANA/app/dashboards#/view/newsfacet-dashboard"
