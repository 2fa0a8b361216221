#!/usr/bin/env bash
# Schema-aware fuzzing of the API (schemathesis, from PyPI) against a fresh server on SQLite
# with the demo data, signed in as the demo staff: 0 server errors, and every response must
# conform to the served OpenAPI document (status and schema). Bounded: EXAMPLES per operation.
# Usage: bench/schemathesis.sh [EXAMPLES]   (needs `cargo build` done; installs schemathesis)
set -euo pipefail
cd "$(dirname "$0")/.."
examples="${1:-25}"
port=18181
if ! command -v st >/dev/null 2>&1; then
  pip3 install -q schemathesis
fi
if (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "port $port is taken; stop what listens there first" >&2
  exit 2
fi
dir=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$dir"' EXIT
./target/debug/juece serve --demo --database-url "sqlite://$dir/juece.sqlite" \
  --bind "127.0.0.1:$port" >"$dir/server.log" 2>&1 &
server=$!
for _ in $(seq 1 50); do
  curl -fs "http://127.0.0.1:$port/api/v1/clock" >/dev/null 2>&1 && break
  sleep 0.2
done
token=$(curl -fs -X POST "http://127.0.0.1:$port/api/v1/session" \
  -H 'content-type: application/json' -d '{"username":"staff","password":"demo-staff"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
# Sign-out would revoke the token for the rest of the run; sign-in is throttled by design.
st run "http://127.0.0.1:$port/api/openapi.json" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --max-examples "$examples" \
  --exclude-operation-id delete_api_v1_session \
  --exclude-operation-id post_api_v1_session \
  --header "Authorization: Bearer $token" \
  --generation-deterministic \
  --request-timeout 10
if grep -q "panicked" "$dir/server.log"; then
  echo "the server panicked:" >&2
  grep -A5 panicked "$dir/server.log" >&2
  exit 1
fi
