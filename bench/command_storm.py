#!/usr/bin/env python3
"""Staff commands from many clients at once: each client starts its own decision, then changes
its attributes again and again at the version it last got.

Usage: command_storm.py URL[,URL2...] CLIENTS SECONDS ACKED_FILE
  ACKED_FILE receives "DECISION_ID SEQ" per acknowledged command (2xx), written as they come, so
  that a server killed mid-run leaves the record of what it acknowledged.
  With several URLs (several processes on one database) every decision is driven by one client
  per URL at once: they race for each version, the loser is told it is stale (409, with the
  current version, from which it goes on), and no sequence number may be acknowledged twice.
  Both send the same command (same user, same attributes): where the loser's arrives at the
  version the winner's was written at, the server answers it as a retry of that command (200,
  header Idempotent-Replayed: true, nothing written). Those answers go to ACKED_FILE.replays
  ("DECISION_ID VERSION"), not to ACKED_FILE: they acknowledge no sequence number of their own.
Prints the count of each answer. Uses the demo's organs and user (staff/demo-staff).
"""
import datetime
import json
import sys
import threading
import time
import urllib.error
import urllib.request

bases, clients, seconds, acked_file = sys.argv[1].split(","), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
GOV, DEPT = "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000003"


def call(method, path, body=None, token=None, base=bases[0], replayed=None):
    """The status and JSON answer; `replayed` (a list) gets whether the answer was a replay."""
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            if replayed is not None:
                replayed.append(r.headers.get("Idempotent-Replayed") == "true")
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        try:
            return e.code, json.load(e)
        except Exception:
            return e.code, None
    except Exception as e:
        return type(e).__name__, None


_, session = call("POST", "/api/v1/session", {"username": "staff", "password": "demo-staff"})
token = session["token"]
initiation = {
    "title": "崩溃测试决策事项",
    "attributes": {"category": "public_policy", "public_interest": True},
    "proposer": {"kind": "leader", "name": "副市长", "studied_by": "市政府研究室"},
    "started_by": "市政府常务会议",
    "started_on": datetime.date.today().isoformat(),
    "lead_unit": "示范市城市管理局",
}
out = open(acked_file, "a", buffering=1)
replays = open(acked_file + ".replays", "a", buffering=1)
lock = threading.Lock()
statuses = {}
decisions = []
for _ in range(clients):
    s, d = call("POST", "/api/v1/decisions", {"organ_id": GOV, "lead_unit_id": DEPT, "initiation": initiation}, token)
    if s != 201 and s != 200:
        sys.exit(f"cannot start a decision: {s}")
    out.write(f"{d['id']} {d['version']}\n")
    decisions.append((d["id"], d["version"], d["attributes"]))
deadline = time.time() + seconds


def client(decision, base):
    did, version, attrs = decision
    while time.time() < deadline:
        replayed = []
        s, d = call("POST", f"/api/v1/decisions/{did}/commands", {"expected_version": version, "command": {
            "command": "change_attributes", "attributes": attrs, "reason": "崩溃测试"}}, token, base, replayed)
        with lock:
            statuses[s] = statuses.get(s, 0) + 1
            if isinstance(s, int) and 200 <= s < 300 and replayed == [True]:
                statuses["replayed"] = statuses.get("replayed", 0) + 1
                version = d["version"]
                replays.write(f"{did} {version}\n")
            elif isinstance(s, int) and 200 <= s < 300:
                version = d["version"]
                out.write(f"{did} {version}\n")
            elif s == 409 and d and "current_version" in d:
                version = d["current_version"]
        if not isinstance(s, int):
            time.sleep(0.05)


threads = [threading.Thread(target=client, args=(d, b)) for d in decisions for b in bases]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps({str(k): v for k, v in sorted(statuses.items(), key=lambda kv: str(kv[0]))}))
