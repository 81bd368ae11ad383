#!/usr/bin/env bash
# The whole test suite. With no CELERY_BROKER_URL, a private Redis is started for the tests that need a
# real Celery worker (every other test runs tasks in-process). DATABASE_URL unset means SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
redis_pid=""
cleanup() { [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null || true; }
trap cleanup EXIT
if [ -z "${CELERY_BROKER_URL:-}" ]; then
  port=${TEST_REDIS_PORT:-6391}
  redis-server --port "$port" --save '' --appendonly no --daemonize no >/tmp/linkage-test-redis.log 2>&1 &
  redis_pid=$!
  for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  export CELERY_BROKER_URL="redis://127.0.0.1:$port/0"
fi
"$py" manage.py makemigrations --check --dry-run >/dev/null || { echo "Models and migrations differ: run makemigrations"; exit 1; }
exec "$py" -m pytest "$@"
