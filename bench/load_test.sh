#!/usr/bin/env bash
# Load test that measures the server (issue 13): gunicorn as deployed (deploy/gunicorn.conf.py, sessions
# in Redis) on PostgreSQL with the bench data set (bench/dataset.py builds it, or reuses it), driven by
# wrk on the same machine. In one run:
#   1. the health endpoint with CONN_MAX_AGE=0 (a new PostgreSQL connection per request),
#   2. the health endpoint with persistent connections (the default, CONN_MAX_AGE=60),
#   3. the day's mix (bench/daymix.lua: sign-in per wrk thread, then inbox, notice pages, case list,
#      case pages, searches, a few issues and answers), same server as 2;
# then prints throughput, p50/p95/p99 and errors of each (wrk, client side: queueing included), the
# server time per page from the access log (%(D)s), the ratios and the targets.
#   DATABASE_URL=postgres://linkage:linkage@127.0.0.1:5432/linkage_bench CACHE_URL=redis://127.0.0.1:6392/1 \
#     NOTICES=1000000 CONNECTIONS=32 DURATION=45s bash bench/load_test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL to the bench PostgreSQL database}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk"; exit 2; }
export DJANGO_DEBUG=false DJANGO_SECRET_KEY=load-test-only-secret-key-0123456789-abcdefghij \
       DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost DJANGO_SECURE_SSL_REDIRECT=false \
       DJANGO_SECURE_COOKIES=false LOG_LEVEL=WARNING EMAIL_URL=dummymail:// \
       CACHE_URL="${CACHE_URL:-redis://127.0.0.1:6392/1}" STATIC_ROOT="${STATIC_ROOT:-/tmp/linkage-load-static}"
# As deployed, background work (delivery, sealing the issued documents with WeasyPrint) goes to a broker
# and the Celery workers; without one it would run eagerly inside the web request. No worker is started:
# the figures are the web server's. The queue is emptied at the end.
export CELERY_BROKER_URL="${CELERY_BROKER_URL:-redis://127.0.0.1:6392/2}"
PORT=${PORT:-8799}
CONNECTIONS=${CONNECTIONS:-32}
DURATION=${DURATION:-45s}
HEALTH_DURATION=${HEALTH_DURATION:-20s}
OUT=${OUT:-/tmp/linkage-load}
mkdir -p "$OUT"
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/python bench/dataset.py --notices "${NOTICES:-1000000}"

server=
start() {  # $1: CONN_MAX_AGE, $2: label
  CONN_MAX_AGE=$1 GUNICORN_BIND=127.0.0.1:$PORT .venv/bin/gunicorn linkage.wsgi:application -c deploy/gunicorn.conf.py \
      ${WORKERS:+--workers $WORKERS} ${THREADS:+--threads $THREADS} \
      --access-logfile "$OUT/access-$2.log" --access-logformat '%(m)s %(U)s %(s)s %(D)s' \
      --error-logfile "$OUT/error-$2.log" &
  server=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/api/v1/health/" >/dev/null && break; sleep 0.2; done
  curl -sf "http://127.0.0.1:$PORT/api/v1/health/" >/dev/null || { echo "gunicorn did not start"; exit 1; }
}
stop() { [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true; server=; }
cleanup() { stop; redis-cli -u "$CELERY_BROKER_URL" flushdb >/dev/null 2>&1 || true; }
trap cleanup EXIT

run_wrk() {  # $1: label, $2: threads, $3: duration, $4: script, $5: path
  wrk -t"$2" -c"$CONNECTIONS" -d"$3" --timeout 10s -s "$4" "http://127.0.0.1:$PORT$5" >"$OUT/wrk-$1.out" 2>&1 || true
  grep '^RESULT ' "$OUT/wrk-$1.out" | sed 's/^RESULT //' >"$OUT/$1.json" || { cat "$OUT/wrk-$1.out"; exit 1; }
}

echo "== health, CONN_MAX_AGE=0 ($CONNECTIONS connections, $HEALTH_DURATION)"
start 0 health0
run_wrk health0 2 "$HEALTH_DURATION" bench/summary.lua /api/v1/health/
stop
echo "== health, persistent connections"
start "${CONN_MAX_AGE:-60}" mix
run_wrk health 2 "$HEALTH_DURATION" bench/summary.lua /api/v1/health/
: >"$OUT/access-mix.log"  # the page table below is of the mix alone
echo "== day mix ($CONNECTIONS connections, $DURATION)"
run_wrk mix 4 "$DURATION" bench/daymix.lua /
stop

OUT="$OUT" python3 - <<'PY'
import json, os, re, statistics
out = os.environ["OUT"]
r = {k: json.load(open(f"{out}/{k}.json")) for k in ("health0", "health", "mix")}
print(f"\n{'run':28} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'errors':>6}   (ms, wrk: client side)")
for k, label in (("health0", "health, CONN_MAX_AGE=0"), ("health", "health, persistent"), ("mix", "day mix")):
    x = r[k]
    print(f"{label:28} {x['rps']:7.1f} {x['p50_ms']:6.1f} {x['p95_ms']:6.1f} {x['p99_ms']:6.1f} {x['errors']:6}")
print("mix requests by kind (sent):", r["mix"].get("kinds"), "statuses:", r["mix"].get("statuses"))
groups = [("inbox", r"^/inbox/$"), ("notice page", r"^/notices/\d+/$"), ("case list / search", r"^/cases/$"),
          ("case page", r"^/cases/\d+/$"), ("home", r"^/$"), ("API writes", r"^/api/v1/notices/"),
          ("sign in", r"^/accounts/login/$")]
times = {g: [] for g, _ in groups}
for line in open(f"{out}/access-mix.log"):
    parts = line.split()
    if len(parts) < 4:
        continue
    for g, pattern in groups:
        if re.match(pattern, parts[1]):
            times[g].append(int(parts[3]) / 1000)
            break
print(f"\n{'page (server time, access log)':32} {'n':>6} {'p50':>7} {'p95':>7} {'p99':>7}")
for g, values in times.items():
    if values:
        values.sort()
        q = lambda p: values[min(len(values) - 1, int(len(values) * p))]
        print(f"{g:32} {len(values):6} {statistics.median(values):7.1f} {q(0.95):7.1f} {q(0.99):7.1f}")
mix_ratio = r["mix"]["rps"] / r["health"]["rps"]
conn_ratio = r["health"]["rps"] / r["health0"]["rps"]
checks = [(f"mix throughput / health = {mix_ratio:.2f} (target >= 0.3)", mix_ratio >= 0.3),
          (f"mix p95 = {r['mix']['p95_ms']:.0f} ms (target <= 200)", r["mix"]["p95_ms"] <= 200),
          (f"mix errors = {r['mix']['errors']} (target 0)", r["mix"]["errors"] == 0),
          (f"health persistent / CONN_MAX_AGE=0 = {conn_ratio:.2f} (target >= 4)", conn_ratio >= 4)]
print()
for text, ok in checks:
    print(("ok      " if ok else "BROKEN  ") + text)
PY
