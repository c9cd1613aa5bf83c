#!/usr/bin/env bash
# One-shot `kibana-import` service of docker-compose.yml, run once Kibana is healthy:
#   1. the read-only role of dashboard users (Kibana's role API: Elasticsearch privileges + Kibana features);
#   2. the saved objects of deploy/kibana/newsfacet.ndjson through the _import API (overwrite=true, so
#      re-running after an edit updates them in place; ids are stable);
#   3. the newsfacet data view as the default one.
set -euo pipefail

KIBANA_URL=${KIBANA_URL:-http://kibana:5601}
DEPLOY=${DEPLOY:-/deploy}
: "${ELASTIC_PASSWORD:?ELASTIC_PASSWORD is empty: run deploy/init-env.sh or set it in .env}"

# $1 method, $2 path, then curl arguments: prints the HTTP status, body to /tmp/kibana-response.json.
kbn() {
  local method=$1 path=$2
  shift 2
  curl -s -o /tmp/kibana-response.json -w '%{http_code}' -u "elastic:${ELASTIC_PASSWORD}" \
    -H 'kbn-xsrf: newsfacet' -X "$method" "${KIBANA_URL}${path}" "$@" || echo 000
}

echo "kibana-import: waiting for Kibana at $KIBANA_URL"
for _ in $(seq 1 60); do
  [ "$(kbn GET /api/status)" = 200 ] && grep -q '"available"' /tmp/kibana-response.json && break
  sleep 5
done

status=$(kbn PUT /api/security/role/newsfacet_reader -H 'Content-Type: application/json' \
         --data-binary "@${DEPLOY}/roles/newsfacet_reader.json")
case "$status" in
  2??) echo "kibana-import: role newsfacet_reader: ok" ;;
  *)
    echo "kibana-import: role newsfacet_reader refused (HTTP $status: $(cat /tmp/kibana-response.json));" \
         "using the read-only base privilege instead" >&2
    status=$(kbn PUT /api/security/role/newsfacet_reader -H 'Content-Type: application/json' \
             --data-binary "@${DEPLOY}/roles/newsfacet_reader_fallback.json")
    case "$status" in 2??) ;; *) echo "kibana-import: HTTP $status: $(cat /tmp/kibana-response.json)" >&2; exit 1 ;; esac
    ;;
esac

status=$(kbn POST '/api/saved_objects/_import?overwrite=true' -F "file=@${DEPLOY}/kibana/newsfacet.ndjson")
if [ "${status:0:1}" != 2 ] || ! grep -q '"success":true' /tmp/kibana-response.json; then
  echo "kibana-import: import failed (HTTP $status): $(cat /tmp/kibana-response.json)" >&2
  exit 1
fi
echo "kibana-import: saved objects imported: $(grep -o '"successCount":[0-9]*' /tmp/kibana-response.json)"

status=$(kbn POST /api/data_views/default -H 'Content-Type: application/json' \
         --data-binary '{"data_view_id":"newsfacet-articles","force":true}')
case "$status" in
  2??) echo "kibana-import: default data view: newsfacet-articles" ;;
  *) echo "kibana-import: could not set the default data view (HTTP $status), continuing" >&2 ;;
esac
echo "kibana-import: done: ${KIBANA_URL%/}/app/dashboards#/view/newsfacet-dashboard"
