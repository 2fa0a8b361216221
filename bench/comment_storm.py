#!/usr/bin/env python3
"""Public comments from many clients at once, against one or more juece servers (round robin).

Usage: comment_storm.py URLS DECISION_ID CLIENTS SECONDS ACKED_FILE
  URLS        comma-separated base URLs (http://127.0.0.1:18191,http://127.0.0.1:18192)
  ACKED_FILE  receives one acknowledged comment id per line (201/200), written as they come, so
              that a server killed mid-run leaves the record of what it acknowledged.
Prints the count of each answer. Exits 0 whatever the servers answer (the caller judges).
"""
import json
import sys
import threading
import time
import urllib.error
import urllib.request

urls = sys.argv[1].split(",")
decision, clients, seconds, acked_file = sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
statuses = {}
lock = threading.Lock()
out = open(acked_file, "a", buffering=1)
deadline = time.time() + seconds


def client(n):
    i = 0
    while time.time() < deadline:
        url = f"{urls[(n + i) % len(urls)]}/api/v1/public/decisions/{decision}/comments"
        body = json.dumps({"body": f"压力测试意见 客户{n} 第{i}条"}).encode()
        req = urllib.request.Request(url, data=body, method="POST", headers={
            "content-type": "application/json", "idempotency-key": f"storm-{n}-{i}"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, answer = r.status, json.load(r)
        except urllib.error.HTTPError as e:
            status, answer = e.code, None
        except Exception as e:  # connection refused / reset: the server is gone
            status, answer = type(e).__name__, None
        with lock:
            statuses[status] = statuses.get(status, 0) + 1
            if status in (200, 201):
                out.write(answer["id"] + "\n")
        if not isinstance(status, int):
            time.sleep(0.05)
        i += 1


threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps({str(k): v for k, v in sorted(statuses.items(), key=lambda kv: str(kv[0]))}))
