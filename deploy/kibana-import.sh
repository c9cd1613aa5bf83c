#!/usr/bin/env bash
# One-shot `kibana-import` service of docker-compose.yml, run once Kibana is healthy:
#   1. the read-only role of dashboard users (Kibana's role API: Elasticsearch privileges + Kibana features);
#   2. the saved objects of deploy/kibana/newsfacet.ndjson through the _import API (overwrite=true, so
#      re-running after an edit updates them in place; ids are stable);
#   3. the newsfacet data view as the default one.
# The data view reads NEWSFACET_INDEX (default articles) and the role grants NEWSFACET_INDEX*: the files say
# `articles`, the import says what this deployment uses.
#   bash deploy/kibana-import.sh --print-objects   # the saved objects as they would be imported (no Kibana needed)
# Exits non-zero, saying why, when Kibana never becomes available (KIBANA_WAIT_SECONDS, default 300), refuses
# the `elastic` password, or refuses an object.
set -euo pipefail

KIBANA_URL=${KIBANA_URL:-http://kibana:5601}
DEPLOY=${DEPLOY:-$(cd "$(dirname "$0")" && pwd)}
INDEX=${NEWSFACET_INDEX:-articles}
WAIT=${KIBANA_WAIT_SECONDS:-300}

case "$INDEX" in
  ""|[-_.+]*|*[!a-z0-9._-]*)
    echo "kibana-import: NEWSFACET_INDEX='$INDEX' is not an alias name (lower case letters, digits, '.', '_', '-')" >&2
    exit 1 ;;
esac

# The saved objects with the data view's title (the index pattern Kibana reads) set to NEWSFACET_INDEX.
render_objects() {
  sed -E "s/^(\\{\"id\":\"newsfacet-articles\",\"type\":\"index-pattern\",[^{]*\"attributes\":\\{\"title\":\")articles\"/\\1${INDEX}\"/" \
    "$DEPLOY/kibana/newsfacet.ndjson"
}
# A role file with its index pattern set to NEWSFACET_INDEX*.
render_role() {
  sed "s/\"articles\\*\"/\"${INDEX}*\"/g" "$1"
}

if [ "${1:-}" = "--print-objects" ]; then
  render_objects
  exit 0
fi
: "${ELASTIC_PASSWORD:?ELASTIC_PASSWORD is empty: run deploy/init-env.sh or set it in .env}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# $1 method, $2 path, then curl arguments: prints the HTTP status, body to $work/response.json.
kbn() {
  local method=$1 path=$2
  shift 2
  curl -s -o "$work/response.json" -w '%{http_code}' --max-time 30 -u "elastic:${ELASTIC_PASSWORD}" \
    -H 'kbn-xsrf: newsfacet' -X "$method" "${KIBANA_URL}${path}" "$@" || true  # -w prints 000 when nothing answers
}

echo "kibana-import: waiting for Kibana at $KIBANA_URL (up to ${WAIT}s)"
deadline=$(( $(date +%s) + WAIT ))
status=000
while :; do
  status=$(kbn GET /api/status)
  if [ "$status" = 200 ] && grep -q '"available"' "$work/response.json"; then
    break
  fi
  if [ "$status" = 401 ]; then
    echo "kibana-import: Kibana refuses the elastic user's password (HTTP 401). Elasticsearch takes ELASTIC_PASSWORD" \
         "only on its first start: see 'Changing passwords' in docs/docker-compose.md" >&2
    exit 1
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "kibana-import: Kibana at $KIBANA_URL did not become available within ${WAIT}s (last answer: HTTP $status" \
         "$(head -c 300 "$work/response.json" 2>/dev/null)); nothing was imported" >&2
    exit 1
  fi
  sleep 5
done

render_role "$DEPLOY/roles/newsfacet_reader.json" > "$work/reader.json"
status=$(kbn PUT /api/security/role/newsfacet_reader -H 'Content-Type: application/json' \
         --data-binary "@$work/reader.json")
case "$status" in
  2??) echo "kibana-import: role newsfacet_reader (${INDEX}*): ok" ;;
  *)
    echo "kibana-import: role newsfacet_reader refused (HTTP $status: $(cat "$work/response.json"));" \
         "using the read-only base privilege instead" >&2
    render_role "$DEPLOY/roles/newsfacet_reader_fallback.json" > "$work/reader.json"
    status=$(kbn PUT /api/security/role/newsfacet_reader -H 'Content-Type: application/json' \
             --data-binary "@$work/reader.json")
    case "$status" in 2??) ;; *) echo "kibana-import: HTTP $status: $(cat "$work/response.json")" >&2; exit 1 ;; esac
    ;;
esac

render_objects > "$work/newsfacet.ndjson"
status=$(kbn POST '/api/saved_objects/_import?overwrite=true' -F "file=@$work/newsfacet.ndjson")
if [ "${status:0:1}" != 2 ] || ! grep -q '"success":true' "$work/response.json"; then
  echo "kibana-import: import failed (HTTP $status): $(cat "$work/response.json")" >&2
  exit 1
fi
echo "kibana-import: saved objects imported (data view '$INDEX'): $(grep -o '"successCount":[0-9]*' "$work/response.json")"

status=$(kbn POST /api/data_views/default -H 'Content-Type: application/json' \
         --data-binary '{"data_view_id":"newsfacet-articles","force":true}')
case "$status" in
  2??) echo "kibana-import: default data view: newsfacet-articles" ;;
  *) echo "kibana-import: could not set the default data view (HTTP $status), continuing" >&2 ;;
esac
echo "kibana-import: done: ${KIBANA_URL%/}/app/dashboards#/view/newsfacet-dashboard"
