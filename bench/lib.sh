# Shared by bench/two_processes.sh, bench/kill9.sh: start/stop servers, find an open consultation.
# JUECE_BIN: another build to compare with (e.g. the release before a fix).
bin="${JUECE_BIN:-${CARGO_TARGET_DIR:-target}/debug/juece}"

wait_up() { # PORT
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$1/api/v1/clock" && return 0; sleep 0.2; done
  echo "server on port $1 did not start" >&2; return 1
}

port_free() { # PORT
  if curl -s -o /dev/null "http://127.0.0.1:$1/api/v1/clock"; then
    echo "port $1 is taken (a server left running?); stop it first" >&2; exit 1
  fi
}

open_consultation() { # PORT -> the id of a demo decision whose comment period is open
  local token
  token=$(curl -s -X POST "http://127.0.0.1:$1/api/v1/session" -H 'content-type: application/json' \
    -d '{"username":"staff","password":"demo-staff"}' | python3 -c 'import sys,json;print(json.load(sys.stdin)["token"])')
  for id in $(curl -s "http://127.0.0.1:$1/api/v1/decisions?limit=100" -H "authorization: Bearer $token" \
      | python3 -c 'import sys,json;[print(d["id"]) for d in json.load(sys.stdin)["items"]]'); do
    if curl -s "http://127.0.0.1:$1/api/v1/public/decisions/$id/consultation" \
        | python3 -c 'import sys,json;p=json.load(sys.stdin).get("period") or {};sys.exit(0 if p.get("open") else 1)' 2>/dev/null; then
      echo "$id"; return 0
    fi
  done
  echo "no open consultation in the demo data" >&2; return 1
}

lost_ids() { # ACKED_FILE STORED_FILE -> acknowledged ids not stored
  sort -u "$1" >"$1.sorted"; sort -u "$2" >"$2.sorted"
  comm -23 "$1.sorted" "$2.sorted"
}
