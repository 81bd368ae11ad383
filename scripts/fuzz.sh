#!/usr/bin/env bash
# Schemathesis against the served OpenAPI schema: no 500s, responses match the schema.
# Uses its own database (DATABASE_URL, default a throwaway SQLite file) and port.
set -euo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL="${FUZZ_DATABASE_URL:-sqlite:////tmp/linkage-fuzz.sqlite3}"
export LOG_LEVEL=ERROR
port=${FUZZ_PORT:-8765}
[[ "$DATABASE_URL" == sqlite* ]] && rm -f "${DATABASE_URL#sqlite:///}"
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py flush --noinput -v0
.venv/bin/python manage.py seed_demo >/dev/null
.venv/bin/python manage.py runserver "127.0.0.1:$port" --noreload >/tmp/linkage-fuzz-server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/api/v1/health/" >/dev/null && break; sleep 0.2; done
status=0
for user in clerk liaison-bank-icbc; do
  token=$(curl -sf -X POST -H 'Content-Type: application/json' \
    -d "{\"username\":\"$user\",\"password\":\"linkage-demo\"}" "http://127.0.0.1:$port/api/v1/auth/token/" \
    | python3 -c 'import sys, json; print(json.load(sys.stdin)["token"])')
  echo "== schemathesis as $user"
  .venv/bin/schemathesis run "http://127.0.0.1:$port/api/schema/" -H "Authorization: Token $token" \
    --checks not_a_server_error,response_schema_conformance --max-examples "${FUZZ_EXAMPLES:-15}" \
    --phases examples,fuzzing --workers 2 --seed "${FUZZ_SEED:-20261126}" || status=$?
done
exit $status
