#!/bin/sh
# Entry point of the stand-in postgres image (stand-in-bases.ts), made from Debian's PostgreSQL
# where no registry answers. It keeps the official image's contract: POSTGRES_USER (default
# postgres), POSTGRES_PASSWORD (required), POSTGRES_DB (default the user), PGDATA; the cluster is
# made on the first start only; uid 999. Started as root, it hands over to uid 999 first.
set -eu

if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA"
  chown -R postgres:postgres "$PGDATA"
  exec setpriv --reuid=999 --regid=999 --init-groups "$0" "$@"
fi

if [ "${1:-postgres}" != postgres ]; then exec "$@"; fi

: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
if [ -z "${POSTGRES_PASSWORD:-}" ]; then
  echo 'stand-in postgres: POSTGRES_PASSWORD must be set, as with the official image' >&2
  exit 1
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  mkdir -p "$PGDATA"
  chmod 700 "$PGDATA"
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
  initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --auth-local=trust \
    --auth-host=scram-sha-256 --encoding=UTF8 -D "$PGDATA"
  rm -f "$pwfile"
  printf 'host all all all scram-sha-256\n' >> "$PGDATA/pg_hba.conf"
  # A server on the socket alone, to create the database; then the real start below.
  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start
  if [ "$POSTGRES_DB" != postgres ]; then
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
      -c "CREATE DATABASE \"$POSTGRES_DB\""
  fi
  pg_ctl -D "$PGDATA" -m fast -w stop
fi

if [ $# -gt 0 ]; then shift; fi
exec postgres -D "$PGDATA" -c listen_addresses='*' "$@"
