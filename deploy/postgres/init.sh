#!/bin/sh
# One database and one login role per Sinergi service. The postgres image runs this once, on
# an empty data directory, as the superuser. A role owns its own database and nothing else;
# CONNECT is revoked from PUBLIC, so one service's role cannot open another service's database.
#
# Each role's password comes from SINERGI_<SERVICE>_DB_PASSWORD. SINERGI_DB_NAME_SUFFIX (empty
# by default) lets several installations share one server: sinergi_registry_staging, ...
set -eu

services="${SINERGI_DB_SERVICES:-registry events notify factcheck}"
suffix="${SINERGI_DB_NAME_SUFFIX:-}"

for service in $services; do
    password_var="SINERGI_$(echo "$service" | tr '[:lower:]' '[:upper:]')_DB_PASSWORD"
    password="$(printenv "$password_var" || true)"
    if [ -z "$password" ]; then
        echo "init.sh: $password_var is not set" >&2
        exit 1
    fi
    name="sinergi_${service}${suffix}"
    psql --no-psqlrc -v ON_ERROR_STOP=1 \
        --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
        -v name="$name" -v password="$password" <<'SQL'
CREATE ROLE :"name" LOGIN PASSWORD :'password' NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE DATABASE :"name" OWNER :"name";
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
SQL
    echo "init.sh: database and role $name"
done
