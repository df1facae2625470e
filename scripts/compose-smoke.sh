#!/usr/bin/env bash
# A smoke test of the docker compose cluster, for a machine with Docker
# (never run by make test, which has no Docker engine): builds the image,
# brings up PostgreSQL, the coordinator and three nodes, uploads a file at
# factor 2 and downloads it again, kills a node, and waits until every chunk
# is back at its factor on the other two; then reads the file once more and
# tears everything down.
#
#   scripts/compose-smoke.sh            (needs docker compose 2.24+ and curl)
#
# Uses docker/.env when present, else throwaway secrets.
set -euo pipefail
cd "$(dirname "$0")/.."

compose=(docker compose -f docker/docker-compose.yml -p gale-smoke)
export POSTGRES_PASSWORD=${POSTGRES_PASSWORD:-smoke-$RANDOM$RANDOM}
export GALE_JOIN_TOKEN=${GALE_JOIN_TOKEN:-smoke-$RANDOM$RANDOM}
export GALE_API_TOKENS=""
work=$(mktemp -d)
cleanup() {
  "${compose[@]}" down -v --remove-orphans >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# Runs the gale CLI inside the coordinator container.
gale() { "${compose[@]}" exec -T coordinator gale --coordinator 127.0.0.1:8080 "$@"; }

# Waits up to $1 seconds for the command after it to succeed.
wait_for() {
  local deadline=$(($(date +%s) + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "compose-smoke: timed out waiting for: $*" >&2
      return 1
    fi
    sleep 2
  done
}

active_nodes() {
  curl -fsS "http://127.0.0.1:8090/api/v1/nodes/active?limit=0" | grep -q "\"total_nodes\":$1"
}

node3_dead() {
  curl -fsS "http://127.0.0.1:8090/api/v1/nodes" | sed 's/"node_id"/\n&/g' |
    grep '"node3:9080"' | grep -q '"state":"dead"'
}

at_factor() {
  gale status --json | grep -Eq '"chunks_under_replicated": ?0[,}]?$|"chunks_under_replicated": ?0,'
}

echo "== building and starting"
"${compose[@]}" up --build -d
wait_for 180 active_nodes 3

echo "== upload and download"
head -c $((20 * 1024 * 1024)) /dev/urandom >"$work/file"
# Factor 2 on three nodes: a killed node's copies have somewhere to go.
curl -fsS -T "$work/file" "http://127.0.0.1:8090/api/v1/files/upload?name=smoke&replicas=2&mode=sync" >/dev/null
curl -fsS "http://127.0.0.1:8090/api/v1/files/smoke/content" -o "$work/back"
cmp "$work/file" "$work/back"

echo "== kill a node, wait for repair"
"${compose[@]}" kill -s KILL node3
# Dead after dead_after_ms (60 s by default), then re-replicated.
wait_for 180 node3_dead
wait_for 300 at_factor
curl -fsS "http://127.0.0.1:8090/api/v1/files/smoke/content" -o "$work/back"
cmp "$work/file" "$work/back"
echo "compose-smoke: OK (upload, download, repair after a node was killed)"
