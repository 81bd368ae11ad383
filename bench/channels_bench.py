"""Benchmark of the reminder channels' outbox (issue 31 §1): what a robot channel costs the request that
issues a notice, and how fast the sweep drains a backlog within the robots' rate.

A fake WeCom robot listens on 127.0.0.1 (it answers at once: the figures are the portal's, not the
network's). On a scratch PostgreSQL database (flushed and seeded with the units):
  * issue: one notice to a unit with a robot, with the embedded default (the robot is posted before the
    call returns) against the same without a channel: added milliseconds and queries;
  * backlog: 2,000 messages on 100 robot channels (20 each: one minute's rate), drained by one sweep;
    messages a second and queries per message.

    createdb linkage_channels
    DATABASE_URL=postgres://linkage:linkage@127.0.0.1:5432/linkage_channels .venv/bin/python bench/channels_bench.py
"""
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linkage.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")  # loopback robots are accepted with DEBUG on (API.md)
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-bench-only-secret-key-0123456789")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from linkage.celery import app as celery_app  # noqa: E402


def main():
    from decimal import Decimal

    from cases import services
    from members import channels
    from members.models import ActionType, Channel, ChannelMessage, Unit, User
    from members.seeding import seed_demo
    from tests.test_channels import FakeRobot

    assert connection.vendor == "postgresql", "run it on PostgreSQL (DATABASE_URL)"
    celery_app.conf.task_always_eager = True
    call_command("migrate", verbosity=0)
    call_command("flush", "--noinput", verbosity=0)
    seed_demo("bench-demo")
    clerk, office = User.objects.get(username="clerk"), User.objects.get(username="office")
    robot = FakeRobot()
    query = ActionType.objects.get(code="query")
    units = {code: Unit.objects.get(code=code) for code in ("bank-icbc", "bank-abc")}
    channels.channel_add(actor=office, unit=units["bank-icbc"], kind="wecom", target=robot.url)
    case = services.case_create(actor=clerk, number="(2026)鄂1022执9001号", title="基准", amount=Decimal("1000"),
                                parties=[{"role": "debtor", "name": "甲", "id_number": "421022199001011237"}])

    def issue(unit):
        with transaction.atomic():
            return services.notice_issue(actor=clerk, case=case, unit=unit, action=query, subject="查询存款")

    timings = {"with a robot": [], "without": []}
    queries = {}
    for n in range(60):
        for label, unit in (("with a robot", units["bank-icbc"]), ("without", units["bank-abc"])):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                issue(unit)
                timings[label].append((time.perf_counter() - start) * 1000)
            if n == 59:
                queries[label] = len(captured)
    posted = len(robot.received)
    print(f"issue one notice: with a robot {statistics.median(timings['with a robot'][10:]):.1f} ms "
          f"({queries['with a robot']} queries), without {statistics.median(timings['without'][10:]):.1f} ms "
          f"({queries['without']} queries); robot posts {posted} of 60")

    # The backlog: 100 robots, 20 messages each (a minute's rate), drained by one sweep.
    made = [Channel(unit=units["bank-abc"], kind="wecom", target=robot.url) for _ in range(100)]
    Channel.objects.bulk_create(made)
    ChannelMessage.objects.bulk_create([
        ChannelMessage(channel=c, key=f"bench-{c.pk}-{i}", purpose="notice", title=f"通知{i}", body="正文")
        for c in Channel.objects.filter(pk__in=[c.pk for c in made]) for i in range(20)])
    robot.received.clear()
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        sent = channels.sweep()
        elapsed = time.perf_counter() - start
    print(f"backlog: {sent} messages on 100 robots in {elapsed:.2f} s ({sent / elapsed:.0f} a second), "
          f"{len(captured) / max(sent, 1):.2f} queries a message; robot got {len(robot.received)}")
    robot.close()



if __name__ == "__main__":
    main()
