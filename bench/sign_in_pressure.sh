#!/usr/bin/env bash
# Does guessing at sign-in slow down writes? (issue 13, defect 3) On SQLite: the latency of
# public comments (one client, one at a time) alone, then while SIGNERS clients sign in with
# made-up usernames and wrong passwords, each from addresses of its own (the server trusts one
# proxy, so X-Forwarded-For names the address). Prints p50/p90/p99 of each phase.
# Usage: bench/sign_in_pressure.sh [signers=16] [seconds=10]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
signers=${1:-16}
seconds=${2:-10}
cargo build -q --bin juece
tmp=$(mktemp -d)
port=18195
port_free $port
"$bin" serve --demo --trust-proxy --database-url "sqlite://$tmp/p.sqlite" --bind "127.0.0.1:$port" --comment-limit 1000000000 >"$tmp/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
wait_up $port
id=$(open_consultation $port)
python3 - "$port" "$id" "$signers" "$seconds" <<'PY'
import json, random, sys, threading, time, urllib.error, urllib.request
port, decision, signers, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
base = f"http://127.0.0.1:{port}"
def post(path, body, headers=None):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"content-type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
def comments(until):
    lat = []
    while time.time() < until:
        t = time.time()
        post(f"/api/v1/public/decisions/{decision}/comments", {"body": "测量写入延迟"},
             {"x-forwarded-for": "198.51.100.1"})
        lat.append((time.time() - t) * 1000)
    lat.sort()
    q = lambda p: lat[min(len(lat) - 1, int(len(lat) * p))]
    return f"{len(lat)} comments, p50 {q(0.5):.1f} ms, p90 {q(0.9):.1f} ms, p99 {q(0.99):.1f} ms"
print("comments alone:            ", comments(time.time() + seconds))
codes = {}
stop = time.time() + seconds
def signer(n):
    while time.time() < stop:
        s = post("/api/v1/session", {"username": f"nobody{random.random()}", "password": "wrong-guess"},
                 {"x-forwarded-for": f"10.{n}.{random.randint(0,255)}.{random.randint(1,254)}"})
        codes[s] = codes.get(s, 0) + 1
threads = [threading.Thread(target=signer, args=(n,)) for n in range(signers)]
for t in threads: t.start()
print(f"with {signers} guessing sign-ins:", comments(stop - 3))
lat = []
for _ in range(5):  # a real user signing in meanwhile, from an address of their own
    t = time.time()
    s = post("/api/v1/session", {"username": "staff", "password": "demo-staff"},
             {"x-forwarded-for": "198.51.100.77"})
    lat.append(((time.time() - t) * 1000, s))
print("a real sign-in meanwhile:", ", ".join(f"{ms:.0f} ms ({s})" for ms, s in lat))
for t in threads: t.join()
print("sign-in answers:", codes)
PY
