#!/usr/bin/env bash
# The throwaway PostgreSQL server of the test suite (CTest fixture "postgres").
#
#   test-postgres.sh start DIR   initdb a fresh cluster in a temp dir, start it
#                                on a free loopback port, and write its URL to
#                                DIR/url (postgresql://postgres@127.0.0.1:PORT/postgres)
#   test-postgres.sh stop DIR    stop it and remove its data
#
# Without PostgreSQL server binaries, start writes no URL and exits 0: the
# tests that need the server then skip (or fail, under CI=true). Binaries are
# looked for in $GALE_PG_BINDIR if set, else in the newest /usr/lib/postgresql/*/bin.
# As root, the server runs as the "postgres" user (initdb refuses root).
set -euo pipefail

usage() {
  echo "usage: $0 start|stop DIR" >&2
  exit 2
}

[ $# -eq 2 ] || usage
action=$1
dir=$2

find_bindir() {
  local candidate
  if [ -n "${GALE_PG_BINDIR:-}" ]; then
    if [ -x "$GALE_PG_BINDIR/initdb" ] && [ -x "$GALE_PG_BINDIR/pg_ctl" ]; then
      echo "$GALE_PG_BINDIR"
    fi
    return 0
  fi
  for candidate in /usr/lib/postgresql/*/bin; do
    if [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then
      echo "$candidate"
    fi
  done | sort -V | tail -n 1
}

# Runs a command as the server's owner.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

stop_server() {
  [ -f "$dir/root" ] || return 0
  local root
  root=$(cat "$dir/root")
  rm -f "$dir/url"
  if [ -d "$root/data" ]; then
    local bindir
    bindir=$(find_bindir)
    if [ -n "$bindir" ]; then
      (cd "$root" && as_owner "$bindir/pg_ctl" stop -D "$root/data" -m fast -w >/dev/null 2>&1) ||
        true
    fi
  fi
  case "$root" in
    /tmp/gale-test-pg.*) rm -rf "$root" ;;
    *) echo "test-postgres: not removing unexpected data dir $root" >&2 ;;
  esac
  rm -f "$dir/root"
}

start_server() {
  mkdir -p "$dir"
  stop_server  # a server left behind by an interrupted run
  local bindir
  bindir=$(find_bindir)
  if [ -z "$bindir" ]; then
    echo "test-postgres: ****************************************************************" >&2
    echo "test-postgres: no PostgreSQL server binaries (install the postgresql package);" >&2
    echo "test-postgres: the PostgreSQL tests will be SKIPPED (and fail under CI=true)." >&2
    echo "test-postgres: ****************************************************************" >&2
    return 0
  fi
  if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    echo "test-postgres: running as root, but there is no 'postgres' user to run the server" >&2
    return 1
  fi

  # Under /tmp, so that every parent is traversable by the postgres user,
  # and short, for the socket path.
  local root
  root=$(mktemp -d /tmp/gale-test-pg.XXXXXX)
  chmod 755 "$root"
  echo "$root" >"$dir/root"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$root"
  fi
  (cd "$root" && as_owner "$bindir/initdb" -D "$root/data" --auth=trust -U postgres \
    --encoding=UTF8 --locale=C.UTF-8 >"$root/initdb.log" 2>&1) || {
    cat "$root/initdb.log" >&2
    return 1
  }

  # Tests throw their data away: no flushes. GALE_PG_DURABLE=1 (benchmarks)
  # keeps PostgreSQL's durable defaults (fsync, synchronous_commit,
  # full_page_writes on).
  local durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  if [ "${GALE_PG_DURABLE:-0}" = 1 ]; then
    durability=""
  fi
  local attempt port
  for attempt in 1 2 3 4 5 6 7 8; do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    if port_in_use "$port"; then
      continue
    fi
    # autovacuum_naptime=1s: tables that grow from empty within a test or a
    # benchmark get planner statistics within a second, as a long-lived
    # production database has them (see bench/README.md).
    if (cd "$root" && as_owner "$bindir/pg_ctl" start -w -t 60 -D "$root/data" \
      -l "$root/server.log" \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $root $durability -c max_connections=300 -c autovacuum_naptime=1s" \
      >/dev/null); then
      echo "postgresql://postgres@127.0.0.1:$port/postgres" >"$dir/url.tmp"
      mv "$dir/url.tmp" "$dir/url"
      echo "test-postgres: PostgreSQL ($bindir) on 127.0.0.1:$port, data in $root"
      return 0
    fi
    echo "test-postgres: start on port $port failed (attempt $attempt)" >&2
  done
  tail -n 30 "$root/server.log" >&2 || true
  return 1
}

case "$action" in
  start) start_server ;;
  stop) stop_server ;;
  *) usage ;;
esac
