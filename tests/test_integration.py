"""Point-to-point integration: signed webhooks out, a unit-scoped token in (issue 8)."""
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from cases import delivery
from cases.models import Delivery
from members.integration import REPLAY_WINDOW_SECONDS, sign, token_create, verify
from members.models import Unit, UnitApiToken
from tests.conftest import case_ruling


class Receiver:
    """A unit's system on loopback: records what it is sent; answers ``status``."""

    def __init__(self):
        self.requests = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/linkage"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(db):
    r = Receiver()
    unit = Unit.objects.get(code="bank-icbc")
    unit.webhook_url = r.url
    unit.webhook_secret = "s3cret-for-tests"
    unit.save()
    yield r
    r.close()


def test_signature_and_replay_window():
    body = b'{"a": 1}'
    now = int(time.time())
    signature = sign("k", now, body)
    assert verify("k", str(now), body, signature)
    assert not verify("other", str(now), body, signature)
    assert not verify("k", str(now), body + b" ", signature)
    old = now - REPLAY_WINDOW_SECONDS - 1
    assert not verify("k", str(old), body, sign("k", old, body))
    assert not verify("k", "not-a-number", body, signature)


def test_notice_is_posted_signed_to_the_units_system(receiver, make_case, issue):
    notice = issue(make_case(), "bank-icbc", "freeze")
    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    assert verify("s3cret-for-tests", headers["X-Linkage-Timestamp"], body, headers["X-Linkage-Signature"],
                  delivery=headers["X-Linkage-Delivery"])
    payload = json.loads(body)
    assert payload["event"] == "issue" and payload["notice"]["number"] == notice.number
    assert payload["notice"]["action"] == "freeze" and payload["notice"]["unit"] == "bank-icbc"
    row = Delivery.objects.get(notice=notice, channel="webhook")
    assert row.status == "sent" and headers["X-Linkage-Delivery"] == str(row.pk)
    notice.refresh_from_db()
    assert notice.status == "delivered"


def test_failed_webhook_is_retried_with_backoff_then_dead(receiver, make_case, issue):
    receiver.status = 500
    notice = issue(make_case(), "bank-icbc", "freeze")
    row = Delivery.objects.get(notice=notice, channel="webhook")
    assert row.status == "pending" and row.attempts == 1 and row.next_attempt_at > timezone.now()
    # The inbox did not wait for the unit's system.
    notice.refresh_from_db()
    assert notice.status == "delivered"
    # Not retried before its time, even by the sweep.
    delivery.sweep(older_than=timedelta(0))
    assert len(receiver.requests) == 1
    receiver.status = 200
    Delivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    delivery.sweep(older_than=timedelta(0))
    row.refresh_from_db()
    assert row.status == "sent" and row.attempts == 2 and len(receiver.requests) == 2
    # A receiver that never recovers: the row goes dead after MAX_ATTEMPTS.
    receiver.status = 503
    other = issue(make_case(), "bank-icbc", "freeze")
    dead = Delivery.objects.get(notice=other, channel="webhook")
    for _ in range(delivery.MAX_ATTEMPTS):
        Delivery.objects.filter(pk=dead.pk).update(next_attempt_at=None)
        delivery.deliver_pending(other.pk)
    dead.refresh_from_db()
    assert dead.status == "dead" and dead.attempts == delivery.MAX_ATTEMPTS


def test_backoff_grows_and_is_capped():
    assert [delivery.backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert delivery.backoff(30) == timedelta(hours=1)


@pytest.fixture
def unit_client(db):
    key = token_create(unit=Unit.objects.get(code="bank-icbc"), name="核心系统")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"UnitToken {key}")
    return client, key


def test_unit_token_is_stored_hashed(unit_client):
    _client, key = unit_client
    token = UnitApiToken.objects.get(unit__code="bank-icbc")
    assert key not in token.key_hash and token.prefix == key[:8]


def test_unit_token_acknowledges_and_answers_its_units_notices(unit_client, make_case, issue):
    client, _key = unit_client
    case = make_case()
    mine = issue(case, "bank-icbc", "freeze")
    theirs = issue(case, "bank-abc", "freeze")
    listed = client.get("/api/v1/notices/")
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [mine.pk]
    assert client.get(f"/api/v1/notices/{theirs.pk}/").status_code == 404
    assert client.post(f"/api/v1/notices/{theirs.pk}/acknowledge/").status_code == 404
    assert client.post(f"/api/v1/notices/{mine.pk}/acknowledge/").json()["status"] == "acknowledged"
    answer = client.post(f"/api/v1/notices/{mine.pk}/answer/",
                         {"outcome": "done", "detail": "已冻结", "result_amount": "1000.00"}, format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "answered"
    assert mine.events.filter(transition="answer", actor__username="system-bank-icbc").exists()


@pytest.mark.parametrize("method, url", [
    ("get", "/api/v1/cases/"), ("get", "/api/v1/units/"), ("get", "/api/v1/measures/"),
    ("post", "/api/v1/notices/"), ("post", "/api/v1/cases/"),
])
def test_unit_token_can_do_nothing_else(unit_client, method, url):
    client, _key = unit_client
    response = getattr(client, method)(url, {}, format="json")
    assert response.status_code == 403


def test_revoked_or_wrong_unit_token_is_refused(unit_client):
    client, _key = unit_client
    UnitApiToken.objects.update(revoked=True)
    assert client.get("/api/v1/notices/").status_code == 401
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="UnitToken not-a-token")
    assert bad.get("/api/v1/notices/").status_code == 401


def test_unit_token_command_prints_a_working_token(db):
    out = StringIO()
    call_command("unit_token", "tax", "--name", "征管系统", stdout=out)
    key = out.getvalue().split("token:")[1].split()[0]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"UnitToken {key}")
    assert client.get("/api/v1/notices/").status_code == 200
    assert Unit.objects.get(code="tax").webhook_secret


@pytest.mark.django_db(transaction=True)
def test_example_unit_system_acknowledges_over_the_wire(live_server, settings):
    """The runnable example client in docs/examples receives the signed webhook and acknowledges through
    the API with its unit token, end to end over HTTP."""
    import importlib.util
    from pathlib import Path

    from members.seeding import seed_demo

    seed_demo("linkage-demo")
    spec = importlib.util.spec_from_file_location(
        "unit_system", Path(__file__).resolve().parent.parent / "docs" / "examples" / "unit_system.py")
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)

    unit = Unit.objects.get(code="bank-icbc")
    key = token_create(unit=unit, name="example")
    server = example.make_server(0, "example-secret", live_server.url + "/api/v1", key)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    unit.webhook_url = f"http://127.0.0.1:{server.server_port}/linkage"
    unit.webhook_secret = "example-secret"
    unit.save()
    try:
        from cases import services
        from cases.models import Notice
        from members.models import ActionType, User

        from .conftest import make_resident_id

        clerk = User.objects.get(username="clerk")
        case = services.case_create(actor=clerk, number="(2026)鄂1022执7701号", title="示例", amount="1",
                                    parties=[{"role": "debtor", "name": "甲", "id_number": make_resident_id(7701)}])
        notice = services.notice_issue(actor=clerk, case=case, unit=unit,
                                       action=ActionType.objects.get(code="freeze"), subject="冻结",
                                       ruling=case_ruling(case))
        deadline = time.time() + 20
        while time.time() < deadline:
            notice = Notice.objects.get(pk=notice.pk)
            if notice.status == "acknowledged":
                break
            time.sleep(0.2)
        assert notice.status == "acknowledged"
        assert notice.events.get(transition="acknowledge").actor.username == "system-bank-icbc"
    finally:
        server.shutdown()
        server.server_close()
