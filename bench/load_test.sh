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
.venv/bin/gunicorn linkage.wsgi:application --workers "${WORKERS:-4}" --threads 4 --keep-alive 30 --bind 127.0.0.1:8799 \
    --access-logfile /dev/null --error-logfile /tmp/load-gunicorn.log &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf http://127.0.0.1:8799/api/v1/health/ >/dev/null && break; sleep 0.2; done
# Users sign in while they arrive (2 a second, as a morning would have it: PBKDF2 is slow on purpose);
# statistics restart once all are in, so the figures are the working day, not the sign-in rush.
run() {  # $1: label, rest: user classes
  label=$1; shift
  .venv/bin/locust -f bench/locustfile.py --headless -u "${USERS:-50}" -r 2 -t "${DURATION:-90s}" --reset-stats \
      --host http://127.0.0.1:8799 --only-summary --csv "/tmp/load-$label" "$@" >/tmp/load-$label.out 2>&1 || true
}
run mix Liaison Clerk
run baseline Baseline
python3 - <<'PY'
import csv
def table(label):
    rows = list(csv.DictReader(open(f"/tmp/load-{label}_stats.csv")))
    print(f"\n{label}: {'endpoint':38} {'reqs':>6} {'fails':>5} {'rps':>6} {'p50':>5} {'p95':>5} {'p99':>5}")
    for r in rows:
        print(f"{'':{len(label) + 2}}{r['Name'][:38]:38} {r['Request Count']:>6} {r['Failure Count']:>5} "
              f"{float(r['Requests/s']):6.1f} {r['50%']:>5} {r['95%']:>5} {r['99%']:>5}")
    return next(r for r in rows if r["Name"] == "Aggregated")
mix, base = table("mix"), table("baseline")
print(f"\nthroughput: mix {float(mix['Requests/s']):.1f} req/s, baseline {float(base['Requests/s']):.1f} req/s, "
      f"ratio {float(base['Requests/s']) / max(float(mix['Requests/s']), 0.01):.2f}x; "
      f"mix p95 {mix['95%']} ms, errors {mix['Failure Count']}")
PY
