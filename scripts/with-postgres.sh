#!/bin/sh
# Runs a command with a throw-away PostgreSQL 15 cluster (Debian's `postgresql` package):
# initdb and pg_ctl as user `postgres`, listening only on a unix socket in a temporary
# directory (no TCP port, so parallel runs never collide), stopped and deleted on exit even
# when the command fails. The command sees AGON_TEST_POSTGRES_URL (one database, `agon_test`;
# each store test makes its own schema in it).
#   usage: scripts/with-postgres.sh COMMAND [ARG...]
set -eu
BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  echo "with-postgres: no PostgreSQL server binaries (install Debian's postgresql); running without AGON_TEST_POSTGRES_URL" >&2
  exec "$@"
fi
DIR=$(mktemp -d /tmp/agon-pg.XXXXXX)
chmod 755 "$DIR"
# initdb refuses to run as root: the cluster belongs to `postgres` when we are root.
if [ "$(id -u)" = 0 ]; then
  chown postgres "$DIR"
  AS="runuser -u postgres --"
  DBUSER=postgres
else
  AS=""
  DBUSER=$(id -un)
fi
stop() {
  $AS "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap stop EXIT
trap 'exit 130' INT TERM
$AS "$BIN/initdb" -D "$DIR/data" -U "$DBUSER" -A trust -E UTF8 --no-locale >"$DIR/initdb.log" 2>&1 \
  || { cat "$DIR/initdb.log" >&2; exit 1; }
$AS "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
  -o "-c listen_addresses='' -c unix_socket_directories='$DIR' -c max_connections=200 -c fsync=off" start >/dev/null \
  || { cat "$DIR/server.log" >&2; exit 1; }
$AS "$BIN/createdb" -h "$DIR" -U "$DBUSER" agon_test
AGON_TEST_POSTGRES_URL="postgresql://$DBUSER@/agon_test?host=$DIR"
export AGON_TEST_POSTGRES_URL
echo "with-postgres: PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') at $AGON_TEST_POSTGRES_URL" >&2
set +e
"$@"
status=$?
exit $status
