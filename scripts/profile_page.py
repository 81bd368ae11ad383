"""Profile one page in-process (issue 13): cProfile over ``--runs`` requests through the test client with
the bench settings (production, sessions in Redis), then the functions by own time and by cumulative time.

    DATABASE_URL=postgres://linkage:linkage@127.0.0.1:5432/linkage_bench \
        .venv/bin/python scripts/profile_page.py clerk /cases/123/ [--runs 50] [--top 30]
"""
import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linkage.settings")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-bench-only-secret-key-0123456789")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6392/1")
os.environ.setdefault("STATIC_ROOT", "/tmp/linkage-bench-static")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

from members.models import User  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("user")
parser.add_argument("path")
parser.add_argument("--runs", type=int, default=50)
parser.add_argument("--top", type=int, default=30)
args = parser.parse_args()
client = Client()
if args.user != "anonymous":
    client.force_login(User.objects.get(username=args.user))
assert client.get(args.path).status_code == 200
t0 = time.perf_counter()
for _ in range(args.runs):
    client.get(args.path)
plain = (time.perf_counter() - t0) * 1000 / args.runs
profile = cProfile.Profile()
profile.enable()
for _ in range(args.runs):
    client.get(args.path)
profile.disable()
print(f"{args.path} as {args.user}: {plain:.1f} ms a request without the profiler")
stats = pstats.Stats(profile).strip_dirs()
stats.sort_stats("tottime").print_stats(args.top)
stats.sort_stats("cumulative").print_stats(args.top)
