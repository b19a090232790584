#!/bin/sh
# Run by the postgres image on first start: the role the app connects as.
# It owns nothing; `manage.py grant_app_role platform_app` (the migrate service)
# gives it what it needs after each migration.
set -eu
psql -v ON_ERROR_STOP=1 -v pw="$APP_DB_PASSWORD" --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE ROLE platform_app LOGIN PASSWORD :'pw' NOSUPERUSER NOCREATEDB NOCREATEROLE;
SQL
