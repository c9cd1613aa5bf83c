#!/usr/bin/env bash
# One-shot `setup` service of docker-compose.yml, run as root in the Elasticsearch image.
#   1. certificates: a CA and a certificate for the `elasticsearch` node (elasticsearch-certutil), kept in the
#      `certs` volume; made once, reused on every later `docker compose up`;
#   2. once the node answers: the kibana_system password, the pipeline's role and user, the viewer user.
# Every step is idempotent. Passwords come from the environment (.env), never from this repository.
set -euo pipefail

cd /usr/share/elasticsearch
CERTS=config/certs
ES_URL=${ES_URL:-https://elasticsearch:9200}
ROLES_DIR=${ROLES_DIR:-/deploy/roles}

for var in ELASTIC_PASSWORD KIBANA_SYSTEM_PASSWORD NEWSFACET_ES_USERNAME NEWSFACET_ES_PASSWORD \
           NEWSFACET_VIEWER_USERNAME NEWSFACET_VIEWER_PASSWORD; do
  if [ -z "${!var:-}" ]; then
    echo "setup: $var is empty: run deploy/init-env.sh or set it in .env" >&2
    exit 1
  fi
done

if [ ! -f "$CERTS/ca/ca.crt" ]; then
  echo "setup: creating the certificate authority"
  bin/elasticsearch-certutil ca --silent --pem --out "$CERTS/ca.zip"
  unzip -q -o "$CERTS/ca.zip" -d "$CERTS"
  rm -f "$CERTS/ca.zip"
fi
if [ ! -f "$CERTS/elasticsearch/elasticsearch.crt" ]; then
  echo "setup: creating the node certificate (DNS elasticsearch, localhost; IP 127.0.0.1)"
  cat > "$CERTS/instances.yml" <<'YAML'
instances:
  - name: elasticsearch
    dns: [elasticsearch, localhost]
    ip: [127.0.0.1]
YAML
  bin/elasticsearch-certutil cert --silent --pem --in "$CERTS/instances.yml" --out "$CERTS/certs.zip" \
    --ca-cert "$CERTS/ca/ca.crt" --ca-key "$CERTS/ca/ca.key"
  unzip -q -o "$CERTS/certs.zip" -d "$CERTS"
  rm -f "$CERTS/certs.zip"
fi
# Readable by group 0, which the Elasticsearch, Kibana and Airflow containers run in; not by others.
chown -R root:root "$CERTS"
find "$CERTS" -type d -exec chmod 750 {} +
find "$CERTS" -type f -exec chmod 640 {} +

# $1 method, $2 path, $3 JSON body (optional): prints the HTTP status, body to /tmp/es-response.json.
es() {
  local args=(-s -o /tmp/es-response.json -w '%{http_code}' --cacert "$CERTS/ca/ca.crt"
              -u "elastic:${ELASTIC_PASSWORD}" -X "$1" "${ES_URL}$2" -H 'Content-Type: application/json')
  if [ $# -ge 3 ]; then args+=(--data-binary "$3"); fi
  curl "${args[@]}" || true  # -w prints 000 when nothing answers
}

require_2xx() {  # $1 what, $2 status
  case "$2" in
    2??) echo "setup: $1: ok" ;;
    *) echo "setup: $1 failed with HTTP $2: $(cat /tmp/es-response.json 2>/dev/null)" >&2; exit 1 ;;
  esac
}

echo "setup: waiting for Elasticsearch at $ES_URL"
for _ in $(seq 1 120); do
  status=$(es GET '/_cluster/health?wait_for_status=yellow&timeout=5s')
  [ "$status" = 200 ] && break
  if [ "$status" = 401 ]; then  # no wait helps: the password in .env is not the one the cluster keeps
    echo "setup: Elasticsearch refuses ELASTIC_PASSWORD (HTTP 401). It takes ELASTIC_PASSWORD only on its first" \
         "start (an empty esdata volume); after that, change the elastic password in the cluster first, then in" \
         ".env: see 'Changing passwords' in docs/docker-compose.md" >&2
    exit 1
  fi
  sleep 5
done
[ "$(es GET /_cluster/health)" = 200 ] || { echo "setup: Elasticsearch never became ready" >&2; exit 1; }

require_2xx "kibana_system password" \
  "$(es POST /_security/user/kibana_system/_password "{\"password\":\"${KIBANA_SYSTEM_PASSWORD}\"}")"

# The pipeline's role: write and manage only articles* (see the file); the viewer's Elasticsearch role is
# created with its Kibana privileges by kibana-import.sh (Kibana's role API), a user may name it beforehand.
# Its index pattern follows NEWSFACET_INDEX (the file says articles*).
INDEX=${NEWSFACET_INDEX:-articles}
require_2xx "role newsfacet_writer (${INDEX}*)" \
  "$(es PUT /_security/role/newsfacet_writer "$(sed "s/\"articles\\*\"/\"${INDEX}*\"/g" "$ROLES_DIR/newsfacet_writer.json")")"

require_2xx "user ${NEWSFACET_ES_USERNAME}" \
  "$(es POST "/_security/user/${NEWSFACET_ES_USERNAME}" \
     "{\"password\":\"${NEWSFACET_ES_PASSWORD}\",\"roles\":[\"newsfacet_writer\"],\"full_name\":\"newsfacet pipeline (Airflow)\"}")"

require_2xx "user ${NEWSFACET_VIEWER_USERNAME}" \
  "$(es POST "/_security/user/${NEWSFACET_VIEWER_USERNAME}" \
     "{\"password\":\"${NEWSFACET_VIEWER_PASSWORD}\",\"roles\":[\"newsfacet_reader\"],\"full_name\":\"newsfacet dashboard viewer\"}")"

echo "setup: done"
