#!/usr/bin/env bash
# Two `juece serve` processes on one PostgreSQL database, CLIENTS clients posting public comments
# to both at once for SECONDS, and meanwhile staff commands racing for the same decisions through
# both (one client per process on each of CLIENTS/8 decisions, issue 14's group commit); then:
# every acknowledged comment stored once, every acknowledged command's event stored and no
# sequence number acknowledged twice (an answer to the same command sent again at the version it
# was written at — header Idempotent-Replayed — acknowledges no sequence number of its own: it is
# counted apart, its version checked stored), and `juece audit verify` clean (issue 13, defect 1).
# Exit 0 only then.
# Usage: bench/two_processes.sh [clients=64] [seconds=20]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
clients=${1:-64}
seconds=${2:-20}
cargo build -q --bin juece
tmp=$(mktemp -d)
db="juece_two_$$"
url="postgres://postgres@127.0.0.1:5432/$db"
psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $db" postgres
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" postgres || true
  rm -rf "$tmp"
}
trap cleanup EXIT
port_free 18191; port_free 18192
"$bin" serve --demo --database-url "$url" --bind 127.0.0.1:18191 --comment-limit 1000000000 >"$tmp/a.log" 2>&1 &
pids+=($!)
wait_up 18191
"$bin" serve --database-url "$url" --bind 127.0.0.1:18192 --comment-limit 1000000000 >"$tmp/b.log" 2>&1 &
pids+=($!)
wait_up 18192
id=$(open_consultation 18191)
echo "== two processes, one PostgreSQL database: $clients clients for ${seconds}s on decision $id"
python3 bench/command_storm.py "http://127.0.0.1:18191,http://127.0.0.1:18192" "$((clients / 8 > 0 ? clients / 8 : 1))" "$seconds" "$tmp/acked_commands" &
storm=$!
python3 bench/comment_storm.py "http://127.0.0.1:18191,http://127.0.0.1:18192" "$id" "$clients" "$seconds" "$tmp/acked"
wait "$storm"
for p in "${pids[@]}"; do kill "$p"; done
wait 2>/dev/null || true
pids=()
psql -qtA -h 127.0.0.1 -U postgres -c "SELECT id FROM comments" "$db" >"$tmp/stored"
acked=$(sort -u "$tmp/acked" | wc -l)
stored=$(wc -l <"$tmp/stored")
dups=$(psql -qtA -h 127.0.0.1 -U postgres -c "SELECT COUNT(*) FROM (SELECT idempotency_key FROM comments WHERE idempotency_key IS NOT NULL GROUP BY idempotency_key HAVING COUNT(*) > 1) d" "$db")
lost=$(lost_ids "$tmp/acked" "$tmp/stored" | wc -l)
echo "acknowledged $acked, stored $stored, lost $lost, keys stored twice $dups"
psql -qtA -h 127.0.0.1 -U postgres -c "SELECT decision_id || ' ' || seq FROM events" "$db" >"$tmp/events"
commands=$(wc -l <"$tmp/acked_commands")
twice=$(sort "$tmp/acked_commands" | uniq -d | wc -l)
touch "$tmp/acked_commands.replays"
replays=$(wc -l <"$tmp/acked_commands.replays")
# A replay answers a command already written: the version it names is stored too.
cat "$tmp/acked_commands" "$tmp/acked_commands.replays" >"$tmp/acked_all"
unstored=$(lost_ids "$tmp/acked_all" "$tmp/events" | wc -l)
echo "commands: acknowledged $commands (with each decision's start) and $replays as replays of the same command (nothing written), events not stored $unstored, sequence numbers acknowledged twice $twice"
if "$bin" audit verify --database-url "$url" | tail -1; then verified=yes; else verified=no; fi
[ "$lost" -eq 0 ] && [ "$dups" -eq 0 ] && [ "$unstored" -eq 0 ] && [ "$twice" -eq 0 ] && [ "$verified" = yes ]
