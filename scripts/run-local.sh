#!/usr/bin/env bash
# Starts the local Gale system on the embedded SQLite default: a coordinator
# and three nodes, each with its own data directory under ./data/.
# Ctrl-C (or SIGTERM) stops everything cleanly. The nodes and the
# coordinator share a join token, generated on the first run and kept in
# data/join-token (passed in the environment, not on command lines). API
# tokens are not set: local clients need none.
#
#   coordinator  gRPC 127.0.0.1:8080, REST :8090, metrics :8091   data/coordinator
#   node 1..3    data API :9080..9082, metrics :9091..9093        data/node1..3
#   gale-s3      S3 API :9000, metrics :9001 (access key gale-local; its
#                secret generated into data/s3-secret)
#
# With --postgres (make run-pg): the docker compose topology instead, with the
# metadata on a PostgreSQL server started as the tests start theirs
# (scripts/test-postgres.sh) and the state under ./data-pg/. That server is
# thrown away when Gale stops, so each run starts from an empty cluster.
set -euo pipefail
# Children get their own process groups, so a terminal's Ctrl-C reaches only
# this script, which stops the nodes first (their final heartbeats still reach
# the coordinator) and the coordinator last.
set -m
cd "$(dirname "$0")/.."

BIN=build/bin
POSTGRES=0
if [ "${1:-}" = "--postgres" ]; then POSTGRES=1; fi
if [ "$POSTGRES" = 1 ]; then
  DATA=${GALE_LOCAL_DATA:-./data-pg}
else
  DATA=${GALE_LOCAL_DATA:-./data}
fi
NODES=${GALE_LOCAL_NODES:-3}

coordinator=""
gateway=""
nodes=()
stopping=0
stop() {
  [ "$stopping" = 1 ] && return
  stopping=1
  echo "stopping Gale..."
  if [ -n "$gateway" ]; then kill -TERM "$gateway" 2>/dev/null || true; fi
  if [ -n "$gateway" ]; then wait "$gateway" 2>/dev/null || true; fi
  for pid in "${nodes[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${nodes[@]}"; do wait "$pid" 2>/dev/null || true; done
  kill -TERM "$coordinator" 2>/dev/null || true
  wait "$coordinator" 2>/dev/null || true
  if [ "$POSTGRES" = 1 ]; then scripts/test-postgres.sh stop "$DATA/postgres" || true; fi
}
trap stop INT TERM

if [ "$POSTGRES" = 1 ]; then
  # A fresh database each run: the nodes' old chunks would belong to another
  # cluster.
  rm -rf "$DATA"
  mkdir -p "$DATA"
  scripts/test-postgres.sh start "$DATA/postgres"
  if [ ! -s "$DATA/postgres/url" ]; then
    echo "run-local: no PostgreSQL server binaries (scripts/install-deps.sh installs postgresql)" >&2
    exit 1
  fi
  DATABASE_URL=$(cat "$DATA/postgres/url")
  export DATABASE_URL
fi
mkdir -p "$DATA/coordinator"
if [ ! -s "$DATA/join-token" ]; then
  (umask 077 && od -An -tx1 -N24 /dev/urandom | tr -d ' \n' >"$DATA/join-token")
fi
GALE_JOIN_TOKEN=$(cat "$DATA/join-token")
export GALE_JOIN_TOKEN
"$BIN/gale-coordinator" \
  --bind-address 127.0.0.1 \
  --data-dir "$DATA/coordinator" \
  --info-file "$DATA/coordinator/info.json" &
coordinator=$!

# Nodes register at once, so give the coordinator a moment to listen.
for _ in $(seq 1 100); do
  if (exec 3<>/dev/tcp/127.0.0.1/8080) 2>/dev/null; then break; fi
  sleep 0.1
done

for i in $(seq 1 "$NODES"); do
  mkdir -p "$DATA/node$i"
  "$BIN/gale-node" \
    --coordinator 127.0.0.1:8080 \
    --bind-address 127.0.0.1 \
    --port $((9079 + i)) \
    --metrics-port $((9090 + i)) \
    --data-dir "$DATA/node$i" \
    --zone "local-$i" \
    --info-file "$DATA/node$i/info.json" &
  nodes+=($!)
done

if [ ! -s "$DATA/s3-secret" ]; then
  (umask 077 && od -An -tx1 -N20 /dev/urandom | tr -d ' \n' >"$DATA/s3-secret")
fi
GALE_S3_SECRET_KEY=$(cat "$DATA/s3-secret")
export GALE_S3_SECRET_KEY
"$BIN/gale-s3" \
  --coordinator 127.0.0.1:8080 \
  --bind-address 127.0.0.1 \
  --access-key gale-local \
  --info-file "$DATA/s3-info.json" &
gateway=$!

echo "Gale is starting: REST http://127.0.0.1:8090/api/v1 (try /api/v1/nodes/active)," \
     "gRPC 127.0.0.1:8080, $NODES nodes on :9080.., S3 http://127.0.0.1:9000" \
     "(access key gale-local, secret in $DATA/s3-secret). Ctrl-C stops it."
# Returns when a process exits or a signal arrives; then stop the rest.
wait -n || true
stop
