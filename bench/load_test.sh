#!/usr/bin/env bash
# Load test (issue 8): gunicorn on PostgreSQL with the bench data set (bench/notices_bench.py seeds it),
# 50 concurrent users for 60 s with locust headless; prints throughput, p50/p95/p99 and errors per page
# and for the baseline DRF endpoint.
#   DATABASE_URL=postgres://linkage:linkage@127.0.0.1:5432/linkage_bench bash bench/load_test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL to the bench PostgreSQL database}"
export DJANGO_DEBUG=false DJANGO_SECRET_KEY=load-test-only-secret-key-0123456789-abcdefghij \
       DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost DJANGO_SECURE_SSL_REDIRECT=false \
       DJANGO_SECURE_COOKIES=false LOG_LEVEL=WARNING EMAIL_URL=dummymail://
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/python manage.py seed_demo >/dev/null
.venv/bin/gunicorn linkage.wsgi:application --workers "${WORKERS:-4}" --bind 127.0.0.1:8799 \
    --access-logfile /dev/null --error-logfile /tmp/load-gunicorn.log &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf http://127.0.0.1:8799/api/v1/health/ >/dev/null && break; sleep 0.2; done
.venv/bin/locust -f bench/locustfile.py --headless -u "${USERS:-50}" -r 10 -t "${DURATION:-60s}" \
    --host http://127.0.0.1:8799 --only-summary --csv /tmp/load 2>&1 | tail -40
python3 - <<'PY'
import csv
rows = list(csv.DictReader(open("/tmp/load_stats.csv")))
print(f"\n{'endpoint':40} {'reqs':>6} {'fails':>5} {'rps':>7} {'p50':>6} {'p95':>6} {'p99':>6}")
for r in rows:
    print(f"{r['Name'][:40]:40} {r['Request Count']:>6} {r['Failure Count']:>5} {float(r['Requests/s']):7.1f} "
          f"{r['50%']:>6} {r['95%']:>6} {r['99%']:>6}")
PY
