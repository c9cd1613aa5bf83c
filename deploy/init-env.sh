#!/usr/bin/env bash
# Make .env from .env.example with a fresh random value for every empty secret (hex: safe in JSON and URLs).
# An existing .env is kept: delete it first to start over (and `docker compose down -v`, since the
# passwords are set in Elasticsearch and Postgres on the first start).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -f .env ]; then
  echo ".env exists: left as it is"
  exit 0
fi
rand_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }
fernet_key() { head -c 32 /dev/urandom | base64 | tr '+/' '-_'; }

umask 077
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in
    AIRFLOW_FERNET_KEY=) echo "AIRFLOW_FERNET_KEY=$(fernet_key)" ;;
    *_PASSWORD=|*_SECRET=|*_SECRET_KEY=|*_ENCRYPTION_KEY=) echo "${line}$(rand_hex 24)" ;;
    *) echo "$line" ;;
  esac
done < .env.example > .env
echo "wrote .env (secrets generated, mode 600); the passwords you log in with:"
grep -E '^(ELASTIC_PASSWORD|NEWSFACET_VIEWER_PASSWORD|AIRFLOW_ADMIN_PASSWORD)=' .env
