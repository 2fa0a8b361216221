#!/usr/bin/env bash
# Load benchmark of the HTTP API on SQLite and PostgreSQL (loopback only, bounded in time).
# Usage: bench/load.sh [clients] [seconds]   (ONLY=sqlite|pg: one backend; JUECE_BIN: see below)
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${1:-32}
seconds=${2:-10}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release --bin juece --example load -q
release="${CARGO_TARGET_DIR:-target}/release"
# JUECE_BIN: another build of the server to compare with (e.g. the release before a change).
juece="${JUECE_BIN:-$release/juece}"
port=18181
run() {
  local name=$1 url=$2
  if curl -s -o /dev/null "http://127.0.0.1:$port/api/v1/clock"; then
    echo "port $port is taken (a server left running?); stop it first" >&2
    exit 1
  fi
  "$juece" serve --demo --database-url "$url" --bind "127.0.0.1:$port" --comment-limit 1000000000 >/tmp/juece-load.log 2>&1 &
  local pid=$!
  trap 'kill $pid 2>/dev/null || true' RETURN
  for _ in $(seq 1 50); do curl -s "http://127.0.0.1:$port/api/v1/clock" >/dev/null && break; sleep 0.2; done
  echo "== $name ($clients clients, ${seconds}s per phase)"
  "$release/examples/load" "http://127.0.0.1:$port" "$clients" "$seconds"
  # Reads again with wrk (C, event loop): the generator then takes far less of the 2 cores.
  local token id
  token=$(curl -s -X POST "http://127.0.0.1:$port/api/v1/session" -H 'content-type: application/json' \
    -d '{"username":"staff","password":"demo-staff"}' | python3 -c 'import sys,json;print(json.load(sys.stdin)["token"])')
  id=$(curl -s "http://127.0.0.1:$port/api/v1/decisions?limit=1" -H "authorization: Bearer $token" \
    | python3 -c 'import sys,json;print(json.load(sys.stdin)["items"][0]["id"])')
  echo "-- wrk: read decision, $clients connections"
  wrk -t2 -c"$clients" -d"${seconds}s" --latency -H "authorization: Bearer $token" \
    "http://127.0.0.1:$port/api/v1/decisions/$id" | grep -E 'Requests/sec|50%|90%|99%'
  kill $pid; wait $pid 2>/dev/null || true
}
tmp=$(mktemp -d)
[ "${ONLY:-}" = pg ] || run SQLite "sqlite://$tmp/load.sqlite"
[ "${ONLY:-}" = sqlite ] && exit 0
db="juece_load_$$"
psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $db" postgres
run PostgreSQL "postgres://postgres@127.0.0.1:5432/$db"
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE $db WITH (FORCE)" postgres
rm -rf "$tmp"
