#!/usr/bin/env bash
# Issue 14's measurements in one run, on this machine's cores (docs/PERFORMANCE.md):
#  - ceilings: examples/ceiling (actix, juece's settings): a constant ~2 KB JSON handler and a
#    handler + web::block + one diesel insert on one writer (SQLite) / a pool of 16 (PostgreSQL),
#    each measured before juece's paths and again after them (shares use the mean of the two);
#  - juece (release) on demo data + examples/bench_data: each path with wrk at $CONNS
#    connections (p50, p99, req/s), as a share of the ceiling of its kind; commands at 32 clients
#    and 1 client (examples/load);
#  - scale: every read on the base data (demo + 100 decisions) and on the scaled data, ratio of
#    req/s, flat when within 20 %;
#  - memory: juece's peak RSS (VmHWM) of a fresh process under 256 concurrent connections;
#  - start-up: exec to first answer with migrations on an empty database (median of runs).
# Usage: bench/perf.sh [--quick] [--backend sqlite|pg|both] [--scale small|large]
#   scales: small = 10,000 decisions + 1,000,000 comments (default), large = 100,000 + 10,000,000,
#   tiny = 1,000 + 100,000 (the default of --quick). --quick: 2 s a path, SQLite only unless
#   --backend says otherwise, 3 start-ups. Every reading is printed with the load average.
# Env: CONNS (32), SECONDS_PER (5; --quick 2), PGURL (postgres://postgres@127.0.0.1:5432),
#      PERF_OUT (the results as TSV; default /tmp/juece-perf-DATE.tsv).
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0 backend="" scale=""
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --backend) backend=$2; shift ;;
    --scale) scale=$2; shift ;;
    *) echo "unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$backend" ] || backend=$([ $quick = 1 ] && echo sqlite || echo both)
if [ -z "$scale" ]; then
  if [ $quick = 1 ]; then scale=tiny; else scale=small; fi
fi
case $scale in
  tiny) n_dec=1000 n_com=100000 ;;
  small) n_dec=10000 n_com=1000000 ;;
  large) n_dec=100000 n_com=10000000 ;;
  *) echo "--scale: tiny, small or large" >&2; exit 2 ;;
esac
case $backend in sqlite|pg|both) ;; *) echo "--backend: sqlite, pg or both" >&2; exit 2 ;; esac
conns=${CONNS:-32}
dur=${SECONDS_PER:-$([ $quick = 1 ] && echo 2 || echo 5)}
starts=$([ $quick = 1 ] && echo 3 || echo 7)
pgurl=${PGURL:-postgres://postgres@127.0.0.1:5432}
out=${PERF_OUT:-/tmp/juece-perf-$(date +%Y%m%d-%H%M%S).tsv}
cport=18190 jport=18191

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
echo "== building (release): juece, examples ceiling, bench_data, load"
cargo build --release -q --bin juece --example ceiling --example bench_data --example load
bin="${CARGO_TARGET_DIR:-target}/release"
tmp=$(mktemp -d)
pids=()
pg_dbs=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for d in "${pg_dbs[@]}"; do psql -q -d "$pgurl/postgres" -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1 || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
load() { cut -d' ' -f1-3 /proc/loadavg; }
for p in $cport $jport; do
  if curl -s -o /dev/null "http://127.0.0.1:$p/"; then echo "port $p is taken; stop what runs there" >&2; exit 1; fi
done
printf 'backend\tdata\tpath\treq_s\tp50_ms\tp99_ms\terrors\tceiling\tload\n' >"$out"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(load)"
echo "wrk: $conns connections, ${dur}s a path; scale $scale ($n_dec decisions, $n_com comments)"

cat >"$tmp/comment.lua" <<'EOF'
-- A new comment each request (its own idempotency key), as the public sends them.
-- Each thread numbered in setup (globals: thread:set cannot reach a local), so keys never repeat.
local threads, n, run = 0, 0, os.time()
function setup(thread) threads = threads + 1; thread:set("id", threads) end
function request()
  n = n + 1
  local body = string.format(
    '{"body":"压测意见 %d-%d：建议增加公共停车位，延长夜间开放时间。","name":"市民","idempotency_key":"wrk-%d-%d-%d"}',
    id, n, run, id, n)
  return wrk.format("POST", nil, { ["content-type"] = "application/json" }, body)
end
EOF

start_server() { # NAME LOG CMD... -> sets $spid
  "${@:3}" >"$2" 2>&1 &
  spid=$!
  pids+=("$spid")
}
wait_for() { # URL
  for _ in $(seq 1 600); do curl -s -o /dev/null "$1" && return 0; sleep 0.2; done
  echo "nothing answers at $1" >&2; return 1
}
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# measure BACKEND DATA NAME CEILING URL [wrk args...]: one wrk run, a TSV row and a line.
measure() {
  local be=$1 data=$2 name=$3 ceiling=$4 url=$5
  shift 5
  local r
  # MCONNS, MDUR: another number of connections or duration for this path alone.
  r=$(wrk -t2 -c"${MCONNS:-$conns}" -d"${MDUR:-$dur}s" --timeout 10s --latency "$@" "$url" 2>&1)
  WRK_OUT="$r" python3 - "$be" "$data" "$name" "$ceiling" "$(load)" "$out" <<'EOF'
import os, re, sys
r = os.environ["WRK_OUT"]
be, data, name, ceiling, load, out = sys.argv[1:]
def ms(v):
    m = re.match(r"([\d.]+)(us|ms|s|m)", v)
    f = float(m.group(1)); u = m.group(2)
    return f / 1000 if u == "us" else f if u == "ms" else f * 1000 if u == "s" else f * 60000
rps = re.search(r"Requests/sec:\s+([\d.]+)", r)
p50 = re.search(r"\s50%\s+(\S+)", r)
p99 = re.search(r"\s99%\s+(\S+)", r)
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", r)
sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", r)
errors = (int(bad.group(1)) if bad else 0) + (sum(map(int, sock.groups())) if sock else 0)
if not (rps and p50 and p99):
    print(f"{name}: wrk said\n{r}", file=sys.stderr); sys.exit(1)
row = [be, data, name, rps.group(1), f"{ms(p50.group(1)):.2f}", f"{ms(p99.group(1)):.2f}", str(errors), ceiling, load]
open(out, "a").write("\t".join(row) + "\n")
print(f"  {name:<34} {float(rps.group(1)):>9.0f} req/s  p50 {ms(p50.group(1)):>8.2f} ms  p99 {ms(p99.group(1)):>8.2f} ms  errors {errors}  (load {load})")
EOF
}

ok() { # URL [curl args...]: the path answers 200 (also warms it)
  local s
  s=$(curl -s -o /dev/null -w '%{http_code}' "${@:2}" "$1")
  [ "$s" = 200 ] || { echo "$1 answers $s" >&2; return 1; }
}

ceilings() { # BACKEND DBURL
  local be=$1 url=$2
  start_server ceiling "$tmp/ceiling-$be.log" "$bin/examples/ceiling" "127.0.0.1:$cport" "$url"
  local cpid=$spid
  wait_for "http://127.0.0.1:$cport/const"
  echo "-- ceilings ($be): $(head -1 "$tmp/ceiling-$be.log")"
  measure "$be" - "ceiling: constant JSON" - "http://127.0.0.1:$cport/const"
  measure "$be" - "ceiling: handler + 1 insert" - "http://127.0.0.1:$cport/insert" -s "$tmp/comment.lua"
  stop "$cpid"
}

# juece BACKEND DATA DBURL: generate the data, serve it, measure every path on it.
juece_run() {
  local be=$1 data=$2 url=$3 nd nc
  if [ "$data" = base ]; then nd=100 nc=0; else nd=$n_dec nc=$n_com; fi
  echo "-- generating $data data on $be: demo + $nd decisions + 10,000 + $nc comments (load $(load))"
  local t0 ids
  t0=$(date +%s.%N)
  ids=$("$bin/examples/bench_data" "$url" "$nd" "$nc" --seal-key "$tmp/seal.key" 2>"$tmp/gen-$be-$data.log")
  sed 's/^/   /' "$tmp/gen-$be-$data.log" | grep -v '^    ' | tail -6
  local size=""
  [ "$be" = sqlite ] && size=", file $(du -sh "${url#sqlite://}" | cut -f1)"
  echo "   generated in $(python3 -c "import time;print(f'{time.time()-$t0:.1f}')") s$size"
  read -r consultation decision catalog <<<"$ids"
  start_server juece "$tmp/juece-$be-$data.log" "$bin/juece" serve --database-url "$url" \
    --bind "127.0.0.1:$jport" --comment-limit 1000000000 --seal-key "$tmp/seal.key"
  local jpid=$spid base="http://127.0.0.1:$jport"
  wait_for "$base/api/v1/clock"
  local token jar csrf session
  token=$(curl -s -X POST "$base/api/v1/session" -H 'content-type: application/json' \
    -d '{"username":"staff","password":"demo-staff"}' | jq -r .token)
  jar="$tmp/cookies-$be-$data"
  csrf=$(curl -s -c "$jar" "$base/console/sign-in" | grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 | sed 's/.*value="//;s/"//')
  curl -s -b "$jar" -c "$jar" -o /dev/null -X POST "$base/console/sign-in" \
    --data-urlencode "csrf=$csrf" --data-urlencode "username=staff" --data-urlencode "password=demo-staff"
  session=$(awk '$6 == "juece_session" { print $7 }' "$jar")
  [ -n "$session" ] || { echo "console sign-in failed" >&2; exit 1; }
  local auth="authorization: Bearer $token" cookie="Cookie: juece_session=$session"
  # The tenth page of the decision list (keyset cursor).
  local cursor="" i
  for i in $(seq 1 9); do
    cursor=$(curl -s "$base/api/v1/decisions?limit=50${cursor:+&before=$cursor}" -H "$auth" | jq -r '.next // empty | @uri')
    [ -n "$cursor" ] || break
  done
  local year gov=00000000-0000-4000-8000-000000000001
  year=$(TZ=Asia/Shanghai date +%Y)
  local -a paths=(
    "read decision (staff API)|const|/api/v1/decisions/$decision|$auth"
    "consultation page (portal)|const|/consultations/$consultation|"
    "consultation (public API)|const|/api/v1/public/decisions/$consultation/consultation|"
    "portal home|const|/|"
    "decision list, first page|const|/api/v1/decisions?limit=50|$auth"
    "decision list, tenth page|const|/api/v1/decisions?limit=50${cursor:+&before=$cursor}|$auth"
    "comments, staff page of 100|const|/api/v1/decisions/$consultation/comments?limit=100|$auth"
    "comments, public page of 100|const|/api/v1/public/decisions/$consultation/comments?limit=100|"
    "console dashboard|const|/console/|$cookie"
    "catalog export CSV (105 items)|const|/api/v1/public/catalogs/$catalog/export?format=csv|"
    "report figures (JSON)|const|/api/v1/reports?organ_id=$gov&year=$year|$auth"
  )
  echo "-- juece on $be, $data data"
  local p name kind path header
  for p in "${paths[@]}"; do
    IFS='|' read -r name kind path header <<<"$p"
    ok "$base$path" ${header:+-H "$header"}
    measure "$be" "$data" "$name" "$kind" "$base$path" ${header:+-H "$header"}
  done
  # The whole export of a consultation (10,000 comments, ~1.9 MB) takes ~0.15 s alone: at 32
  # connections each would wait seconds; 4 connections, at least 5 s.
  ok "$base/api/v1/decisions/$consultation/comments?format=csv" -H "$auth"
  MCONNS=4 MDUR=$((dur > 5 ? dur : 5)) measure "$be" "$data" "comments CSV export (10,000), 4 conns" const \
    "$base/api/v1/decisions/$consultation/comments?format=csv" -H "$auth"
  measure "$be" "$data" "comment intake (public POST)" insert \
    "$base/api/v1/public/decisions/$consultation/comments" -s "$tmp/comment.lua"
  if [ "$data" != base ]; then
    local c line
    for c in 32 1; do
      "$bin/examples/load" "$base" "$c" "$dur" >"$tmp/load-$be-$c.txt" 2>&1 || true
      line=$(grep '^command round trip' "$tmp/load-$be-$c.txt" || echo "")
      [ -n "$line" ] || { echo "examples/load failed:" >&2; cat "$tmp/load-$be-$c.txt" >&2; continue; }
      python3 - "$be" "$data" "$c" "$(load)" "$out" "$line" <<'EOF'
import re, sys
be, data, c, load, out, line = sys.argv[1:]
m = re.search(r"([\d.]+) req/s\s+p50\s+([\d.]+) ms\s+p90\s+[\d.]+ ms\s+p99\s+([\d.]+) ms\s+errors (\d+)", line)
name = f"commands, {c} client{'s' if c != '1' else ''} (load)"
open(out, "a").write("\t".join([be, data, name, m.group(1), m.group(2), m.group(3), m.group(4), "insert", load]) + "\n")
print(f"  {name:<34} {float(m.group(1)):>9.0f} req/s  p50 {float(m.group(2)):>8.2f} ms  p99 {float(m.group(3)):>8.2f} ms  errors {m.group(4)}  (load {load})")
EOF
    done
  fi
  stop "$jpid"
  # Memory: a fresh process on the same data under 256 connections (reads of three kinds).
  if [ "$data" != base ]; then
    start_server juece "$tmp/juece-mem-$be.log" "$bin/juece" serve --database-url "$url" \
      --bind "127.0.0.1:$jport" --comment-limit 1000000000 --seal-key "$tmp/seal.key"
    jpid=$spid
    wait_for "$base/api/v1/clock"
    wrk -t1 -c128 -d"$((dur * 2))s" -H "$auth" "$base/api/v1/decisions/$decision" >/dev/null 2>&1 &
    local w1=$!
    wrk -t1 -c64 -d"$((dur * 2))s" "$base/consultations/$consultation" >/dev/null 2>&1 &
    local w2=$!
    wrk -t1 -c64 -d"$((dur * 2))s" -H "$cookie" "$base/console/" >/dev/null 2>&1 &
    local w3=$!
    wait $w1 $w2 $w3
    local hwm
    hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$jpid/status")
    printf '%s\t%s\tpeak RSS, 256 connections (MB)\t%s\t\t\t\t-\t%s\n' "$be" "$data" "$(python3 -c "print(f'{$hwm/1024:.1f}')")" "$(load)" >>"$out"
    echo "  peak RSS (VmHWM) under 256 connections: $(python3 -c "print(f'{$hwm/1024:.1f}')") MB (target < 200 MB; load $(load))"
    stop "$jpid"
  fi
}

startup() { # BACKEND: exec to first answer on an empty database, median of $starts runs
  local be=$1
  python3 - "$be" "$bin/juece" "$jport" "$starts" "$tmp" "$pgurl" "$(load)" "$out" <<'EOF'
import socket, statistics, subprocess, sys, time
be, juece, port, runs, tmp, pgurl, load, out = sys.argv[1:]
times = []
for i in range(int(runs)):
    if be == "sqlite":
        url = f"sqlite://{tmp}/empty-{i}.sqlite"
    else:
        db = f"juece_perf_start_{i}"
        subprocess.run(["psql", "-q", "-d", f"{pgurl}/postgres", "-c", f"DROP DATABASE IF EXISTS {db}"],
                       check=True, stderr=subprocess.DEVNULL)
        subprocess.run(["psql", "-q", "-d", f"{pgurl}/postgres", "-c", f"CREATE DATABASE {db}"], check=True)
        url = f"{pgurl}/{db}"
    t0 = time.perf_counter()
    p = subprocess.Popen([juece, "serve", "--database-url", url, "--bind", f"127.0.0.1:{port}",
                          "--seal-key", f"{tmp}/seal.key"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        try:
            s = socket.create_connection(("127.0.0.1", int(port)), timeout=1)
            s.sendall(b"GET /api/v1/clock HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            if s.recv(12).startswith(b"HTTP/1.1 200"):
                times.append((time.perf_counter() - t0) * 1000)
                s.close(); break
            s.close()
        except OSError:
            pass
        if time.perf_counter() - t0 > 30:
            print("no answer in 30 s", file=sys.stderr); break
        time.sleep(0.002)
    p.terminate(); p.wait()
    if be != "sqlite":
        subprocess.run(["psql", "-q", "-d", f"{pgurl}/postgres", "-c", f"DROP DATABASE {db} WITH (FORCE)"], check=True)
m = statistics.median(times)
open(out, "a").write(f"{be}\tempty\tstart-up with migrations (ms, median of {runs})\t{m:.1f}\t\t\t\t-\t{load}\n")
print(f"  start-up with migrations on an empty database: median {m:.1f} ms of {runs} "
      f"(min {min(times):.1f}, max {max(times):.1f}; target < 1000 ms; load {load})")
EOF
}

backend_run() { # BACKEND
  local be=$1 ceil_url base_url scale_url
  if [ "$be" = sqlite ]; then
    ceil_url="sqlite://$tmp/ceiling.sqlite" base_url="sqlite://$tmp/base.sqlite" scale_url="sqlite://$tmp/$scale.sqlite"
  else
    local d
    for d in ceiling base "$scale"; do
      psql -q -d "$pgurl/postgres" -c "CREATE DATABASE juece_perf_${d}_$$"
      pg_dbs+=("juece_perf_${d}_$$")
    done
    ceil_url="$pgurl/juece_perf_ceiling_$$" base_url="$pgurl/juece_perf_base_$$" scale_url="$pgurl/juece_perf_${scale}_$$"
  fi
  echo "== $be"
  ceilings "$be" "$ceil_url"
  juece_run "$be" base "$base_url"
  juece_run "$be" "$scale" "$scale_url"
  # The ceilings again: the machine's speed moves between minutes; the tables use the mean.
  ceilings "$be" "$ceil_url"
  startup "$be"
  [ "$be" = sqlite ] && rm -f "$tmp"/*.sqlite "$tmp"/*.sqlite-*
  return 0
}

[ "$backend" = pg ] || backend_run sqlite
[ "$backend" = sqlite ] || backend_run pg

echo
python3 bench/perf_table.py "$out" "$scale"
echo "(results: $out)"
