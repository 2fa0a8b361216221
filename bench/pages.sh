#!/usr/bin/env bash
# The pages' benchmark (issue 11 "Performance"): p99 of the portal home, a consultation page with
# 100,000 comments, the console's dashboard with 1,000 more decisions (signed in) and a console
# decision page, on SQLite, with wrk at 32 connections; each against the 20 ms target.
# Usage: bench/pages.sh [connections] [seconds] [decisions] [comments]
set -euo pipefail
cd "$(dirname "$0")/.."
conns=${1:-32}
seconds=${2:-10}
n_decisions=${3:-1000}
n_comments=${4:-100000}
target_ms=20
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release --bin juece --example page_data -q
out="${CARGO_TARGET_DIR:-target}/release"
port=18182
if curl -s -o /dev/null "http://127.0.0.1:$port/api/v1/clock"; then
  echo "port $port is taken (a server left running?); stop it first" >&2; exit 1
fi
tmp=$(mktemp -d)
url="sqlite://$tmp/pages.sqlite"
echo "== generating: demo data + $n_comments comments + $n_decisions decisions"
start=$(date +%s)
read -r consultation decision < <("$out/examples/page_data" "$url" "$n_decisions" "$n_comments")
echo "   done in $(( $(date +%s) - start )) s (consultation $consultation, decision $decision)"
"$out/juece" serve --database-url "$url" --bind "127.0.0.1:$port" >"$tmp/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/api/v1/clock" && break; sleep 0.2; done

# A console session: the sign-in form's CSRF cookie and token, then the session cookie.
jar="$tmp/cookies"
form=$(curl -s -c "$jar" "http://127.0.0.1:$port/console/sign-in")
csrf=$(printf '%s' "$form" | grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 | sed 's/.*value="//;s/"//')
curl -s -b "$jar" -c "$jar" -o /dev/null -X POST "http://127.0.0.1:$port/console/sign-in" \
  --data-urlencode "csrf=$csrf" --data-urlencode "username=staff" --data-urlencode "password=demo-staff"
session=$(awk '$6 == "juece_session" { print $7 }' "$jar")
[ -n "$session" ] || { echo "sign-in failed" >&2; exit 1; }
rows=$(curl -s -b "juece_session=$session" "http://127.0.0.1:$port/console/" | grep -c '/console/decisions/' || true)
count=$(curl -s "http://127.0.0.1:$port/api/v1/public/decisions/$consultation/consultation" \
  | python3 -c 'import sys,json;print(json.load(sys.stdin)["comments"]["received"])')
echo "   the consultation counts $count comments; the dashboard links $rows decisions"

measure() { # NAME PATH [COOKIE]
  local name=$1 path=$2 cookie=${3:-}
  local args=(-t2 -c"$conns" -d"${seconds}s" --latency)
  [ -n "$cookie" ] && args+=(-H "Cookie: $cookie")
  local status
  status=$(curl -s -o /dev/null -w '%{http_code}' ${cookie:+-H "Cookie: $cookie"} "http://127.0.0.1:$port$path")
  [ "$status" = 200 ] || { echo "$name: $path answers $status" >&2; exit 1; }
  local r p50 p99 rps verdict
  r=$(wrk "${args[@]}" "http://127.0.0.1:$port$path")
  p50=$(printf '%s\n' "$r" | awk '$1 == "50%" { print $2 }')
  p99=$(printf '%s\n' "$r" | awk '$1 == "99%" { print $2 }')
  rps=$(printf '%s\n' "$r" | awk '/Requests\/sec/ { print $2 }')
  verdict=$(python3 - "$p99" "$target_ms" <<'EOF'
import sys
v, target = sys.argv[1], float(sys.argv[2])
ms = float(v[:-2]) if v.endswith("ms") else float(v[:-2]) / 1000 if v.endswith("us") else float(v[:-1]) * 1000
print(f"{ms:.1f} ms {'met' if ms < target else 'NOT met'}")
EOF
)
  printf '%-34s %8s req/s  p50 %8s  p99 %-22s (target p99 < %s ms)\n' "$name" "$rps" "$p50" "$verdict" "$target_ms"
}

echo "== wrk, $conns connections, ${seconds}s per page, SQLite"
measure "portal home /" "/"
measure "consultation ($count comments)" "/consultations/$consultation"
measure "console dashboard" "/console/" "juece_session=$session"
measure "console decision page" "/console/decisions/$decision" "juece_session=$session"
