#!/usr/bin/env bash
# Starts the local Gale system on the embedded SQLite default, with its state
# under ./data/. Ctrl-C (or SIGTERM) stops everything cleanly.
# Binds 127.0.0.1 on the default ports: gRPC 8080, REST 8090, metrics 8091.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=build/bin
DATA=${GALE_LOCAL_DATA:-./data}
mkdir -p "$DATA/coordinator"

pids=()
stopping=0
stop() {
  [ "$stopping" = 1 ] && return
  stopping=1
  echo "stopping Gale..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait
}
trap stop INT TERM

"$BIN/gale-coordinator" \
  --bind-address 127.0.0.1 \
  --data-dir "$DATA/coordinator" \
  --info-file "$DATA/coordinator/info.json" &
pids+=($!)

echo "Gale is starting: REST http://127.0.0.1:8090/api/v1, gRPC 127.0.0.1:8080," \
     "metrics http://127.0.0.1:8091/metrics. Ctrl-C stops it."
# Returns when a process exits or a signal arrives; then stop the rest.
wait -n || true
stop
