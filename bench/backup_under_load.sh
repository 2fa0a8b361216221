#!/usr/bin/env bash
# `juece backup` of a live SQLite database while CLIENTS clients post comments: COPIES backups
# are taken during the load; each is restored into an empty file and must pass
# `juece audit verify` (which runs PRAGMA integrity_check). Exit 0 only when all do.
# Usage: bench/backup_under_load.sh [clients=16] [copies=5]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
clients=${1:-16}
copies=${2:-5}
cargo build -q --bin juece
tmp=$(mktemp -d)
port=18194
port_free $port
url="sqlite://$tmp/live.sqlite"
"$bin" serve --demo --database-url "$url" --bind "127.0.0.1:$port" --comment-limit 1000000000 >"$tmp/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
wait_up $port
id=$(open_consultation $port)
echo "== $copies backups while $clients clients post comments"
python3 bench/comment_storm.py "http://127.0.0.1:$port" "$id" "$clients" "$((copies * 2 + 2))" "$tmp/acked" &
storm=$!
sleep 1
good=0
for n in $(seq 1 "$copies"); do
  start=$(date +%s.%N)
  "$bin" backup --database-url "$url" --out "$tmp/copy$n.sqlite" >/dev/null
  took=$(python3 -c "print(f'{$(date +%s.%N) - $start:.2f}')")
  "$bin" restore --database-url "sqlite://$tmp/restored$n.sqlite" --from "$tmp/copy$n.sqlite" >/dev/null
  if out=$("$bin" audit verify --database-url "sqlite://$tmp/restored$n.sqlite" | tail -1); then
    good=$((good + 1)); echo "backup $n (${took}s): restored, $out"
  else
    echo "backup $n: FAILED: $out"
  fi
  sleep 1
done
wait "$storm"
echo "$good of $copies backups taken under load restored and verified"
[ "$good" -eq "$copies" ]
