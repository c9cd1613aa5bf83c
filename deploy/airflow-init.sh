#!/usr/bin/env bash
# One-shot `airflow-init` service of docker-compose.yml, run as root in the newsfacet Airflow image:
# migrate Airflow's metadata database, write the password file of the UI admin (SimpleAuthManager) from
# AIRFLOW_ADMIN_PASSWORD, and give the shared volumes to the user the other Airflow services run as.
set -euo pipefail

: "${AIRFLOW_UID:=50000}"
: "${AIRFLOW_ADMIN_USERNAME:=admin}"
: "${AIRFLOW_ADMIN_PASSWORD:?AIRFLOW_ADMIN_PASSWORD is empty: run deploy/init-env.sh or set it in .env}"
case "$AIRFLOW_ADMIN_PASSWORD$AIRFLOW_ADMIN_USERNAME" in
  *'"'*|*'\'*) echo "airflow-init: no quote or backslash in the admin user name or password" >&2; exit 1 ;;
esac

mkdir -p /opt/airflow/logs /opt/airflow/auth /opt/newsfacet/data
printf '{"%s": "%s"}\n' "$AIRFLOW_ADMIN_USERNAME" "$AIRFLOW_ADMIN_PASSWORD" > /opt/airflow/auth/passwords.json
chown -R "${AIRFLOW_UID}:0" /opt/airflow/logs /opt/airflow/auth /opt/newsfacet/data
chmod 0700 /opt/airflow/auth
chmod 0600 /opt/airflow/auth/passwords.json
chmod -R g+rwX /opt/airflow/logs /opt/newsfacet/data

# The image's entrypoint migrates the database when _AIRFLOW_DB_MIGRATE=true (set by docker-compose.yml).
/entrypoint airflow version
echo "airflow-init: inbox $(ls /opt/newsfacet/inbox 2>/dev/null | wc -l) file(s) at /opt/newsfacet/inbox"
