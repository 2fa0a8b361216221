#!/usr/bin/env bash
# kill -9 during public comment intake and staff commands, on SQLite and on PostgreSQL: CLIENTS
# clients post comments and CLIENTS/2 clients apply commands; the server is killed with SIGKILL
# after KILL_AFTER seconds. Then every comment and every command it acknowledged must be stored,
# `juece audit verify` clean, and a restarted server takes comments again. Exit 0 only then.
# ONLY=sqlite or ONLY=pg runs one backend.
# Usage: bench/kill9.sh [clients=16] [kill_after=3]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
clients=${1:-16}
kill_after=${2:-3}
command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3 >/dev/null; }
cargo build -q --bin juece
tmp=$(mktemp -d)
failed=0
run() {
  local name=$1 url=$2 port=18193
  port_free $port
  : >"$tmp/acked"; : >"$tmp/acked_commands"
  "$bin" serve --demo --database-url "$url" --bind "127.0.0.1:$port" --comment-limit 1000000000 >"$tmp/serve.log" 2>&1 &
  local pid=$!
  wait_up $port
  local id
  id=$(open_consultation $port)
  echo "== $name: $clients clients, kill -9 after ${kill_after}s"
  python3 bench/comment_storm.py "http://127.0.0.1:$port" "$id" "$clients" "$((kill_after + 2))" "$tmp/acked" &
  local storm=$!
  python3 bench/command_storm.py "http://127.0.0.1:$port" "$((clients / 2))" "$((kill_after + 2))" "$tmp/acked_commands" &
  local commands=$!
  sleep "$kill_after"
  kill -9 "$pid"
  wait "$storm" || true
  wait "$commands" || true
  wait "$pid" 2>/dev/null || true
  local events="SELECT decision_id || ' ' || seq FROM events"
  case "$url" in
    postgres*)
      psql -qtA -h 127.0.0.1 -U postgres -c "SELECT id FROM comments" "${url##*/}" >"$tmp/stored"
      psql -qtA -h 127.0.0.1 -U postgres -c "$events" "${url##*/}" >"$tmp/stored_events" ;;
    *)
      sqlite3 "${url#sqlite://}" "SELECT id FROM comments" >"$tmp/stored"
      sqlite3 "${url#sqlite://}" "$events" >"$tmp/stored_events" ;;
  esac
  local acked lost acked_c lost_c
  acked=$(sort -u "$tmp/acked" | wc -l)
  lost=$(lost_ids "$tmp/acked" "$tmp/stored" | wc -l)
  acked_c=$(sort -u "$tmp/acked_commands" | wc -l)
  lost_c=$(lost_ids "$tmp/acked_commands" "$tmp/stored_events" | wc -l)
  echo "acknowledged before the kill: $acked comments (lost $lost), $acked_c commands (lost $lost_c)"
  "$bin" audit verify --database-url "$url" | tail -1 || failed=1
  [ "$lost" -eq 0 ] && [ "$lost_c" -eq 0 ] || failed=1
  # A restarted server takes comments again.
  "$bin" serve --database-url "$url" --bind "127.0.0.1:$port" >"$tmp/serve2.log" 2>&1 &
  pid=$!
  wait_up $port
  local s
  s=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$port/api/v1/public/decisions/$id/comments" \
    -H 'content-type: application/json' -d '{"body":"重启后的意见"}')
  echo "after restart: a comment gets $s"
  [ "$s" = 201 ] || failed=1
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
[ "${ONLY:-}" = pg ] || run SQLite "sqlite://$tmp/kill9.sqlite"
if [ "${ONLY:-}" != sqlite ]; then
  db="juece_kill9_$$"
  psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $db" postgres
  run PostgreSQL "postgres://postgres@127.0.0.1:5432/$db"
  psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE $db WITH (FORCE)" postgres
fi
rm -rf "$tmp"
exit $failed
