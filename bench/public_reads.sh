#!/usr/bin/env bash
# Public reads with volume (issue 13, defect 8), on SQLite: a consultation with COMMENTS comments
# (default 143,009, the probe's figure). Prints what its counts cost counted and kept, the public
# consultation (API and page) latency, the record's first page against the whole record, and
# staff `GET /api/v1/me` alone and while ANON anonymous clients read the portal.
# Usage: bench/public_reads.sh [comments=143009] [anon=16] [seconds=10]
# Uses the release build of bench/pages.sh (JUECE_PROFILE=debug for a debug build).
set -euo pipefail
cd "$(dirname "$0")/.."
n_comments=${1:-143009}
anon=${2:-16}
seconds=${3:-10}
profile=${JUECE_PROFILE:-release}
if [ "$profile" = release ]; then
  cargo build --release --bin juece --example page_data -q
else
  cargo build --bin juece --example page_data -q
fi
out="${CARGO_TARGET_DIR:-target}/$profile"
port=18183
if curl -s -o /dev/null "http://127.0.0.1:$port/api/v1/clock"; then
  echo "port $port is taken (a server left running?); stop it first" >&2; exit 1
fi
tmp=$(mktemp -d)
url="sqlite://$tmp/reads.sqlite"
read -r consultation _ < <("$out/examples/page_data" "$url" 0 "$n_comments")
"$out/juece" serve --database-url "$url" --bind "127.0.0.1:$port" >"$tmp/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/api/v1/clock" && break; sleep 0.2; done
python3 - "$port" "$consultation" "$anon" "$seconds" <<'PY'
import json, sys, threading, time, urllib.request
port, decision, anon, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
base = f"http://127.0.0.1:{port}"
def call(path, headers=None, body=None):
    req = urllib.request.Request(base + path, headers=headers or {},
                                 data=json.dumps(body).encode() if body else None,
                                 method="POST" if body else "GET")
    if body: req.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
def timed(path, n, headers=None):
    lat = []
    for _ in range(n):
        t = time.time(); call(path, headers); lat.append((time.time() - t) * 1000)
    lat.sort()
    return lat[len(lat) // 2]
token = json.loads(call("/api/v1/session", body={"username": "staff", "password": "demo-staff"})[1])["token"]
auth = {"authorization": f"Bearer {token}"}
_, c = call(f"/api/v1/public/decisions/{decision}/consultation")
print(f"consultation counts {json.loads(c)['comments']['received']} comments")
print(f"GET consultation (API), p50 of 50:  {timed(f'/api/v1/public/decisions/{decision}/consultation', 50):.1f} ms")
print(f"GET /consultations/{{id}} (page), p50 of 50: {timed(f'/consultations/{decision}', 50):.1f} ms")
_, first = call(f"/api/v1/decisions/{decision}/events", auth)
page = json.loads(first)
print(f"GET …/events: first page {len(page['items'])} events, {len(first)} bytes; next = {page['next']}")
total, after, pages = 0, None, 0
while True:
    _, b = call(f"/api/v1/decisions/{decision}/events?limit=1000" + (f"&after_seq={after}" if after else ""), auth)
    p = json.loads(b); total += len(b); pages += 1; after = p["next"]
    if not after: break
print(f"   the whole record: {pages} pages of at most 1000, {total} bytes")
def me_p50(until):
    lat = []
    while time.time() < until:
        t = time.time(); call("/api/v1/me", auth); lat.append((time.time() - t) * 1000)
    lat.sort()
    return f"p50 {lat[len(lat)//2]:.1f} ms, p99 {lat[min(len(lat)-1, int(len(lat)*0.99))]:.1f} ms ({len(lat)} requests)"
print(f"staff GET /me alone:                 {me_p50(time.time() + seconds / 2)}")
stop = time.time() + seconds
codes = {}
def reader():
    while time.time() < stop:
        s, _ = call(f"/consultations/{decision}")
        codes[s] = codes.get(s, 0) + 1
threads = [threading.Thread(target=reader) for _ in range(anon)]
for t in threads: t.start()
time.sleep(1)
print(f"staff GET /me, {anon} anonymous readers: {me_p50(stop - 1)}")
for t in threads: t.join()
print(f"   the anonymous readers got {dict(sorted(codes.items()))}")
PY
