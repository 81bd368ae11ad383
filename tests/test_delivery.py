"""The delivery outbox: Delivery rows written with the notice, a task woken on commit, a sweep for what a lost
task left, reminders once a day, and one test against a real Celery worker and Redis."""
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from cases import delivery, services, tasks
from cases.models import Delivery, Notice, NoticeEvent
from members.models import ActionType, Capability, Unit, User
from tests.conftest import case_ruling

from .conftest import make_resident_id

SHANGHAI = ZoneInfo("Asia/Shanghai")
BASE_DIR = Path(__file__).resolve().parent.parent


def _raw_issue(users, case, unit_code="bank-icbc", action_code="freeze", subject="冻结存款"):
    """Issue without running on-commit callbacks (the wake-up task never fires)."""
    unit = unit_code if isinstance(unit_code, Unit) else Unit.objects.get(code=unit_code)
    ruling = case_ruling(case) if action_code in services.RULING_REQUIRED_ACTIONS else None
    return services.notice_issue(actor=users["clerk"], case=case, unit=unit,
                                 action=ActionType.objects.get(code=action_code), subject=subject, ruling=ruling)


def _rows(notice):
    return sorted(Delivery.objects.filter(notice=notice).values_list("channel", "purpose", "status"))


def _deliver_events(notice):
    return NoticeEvent.objects.filter(notice=notice, transition="deliver").count()


def _subject(msgid, notice):
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(msgid) % {"number": notice.number}


def _mails_for(notice, msgid="Assistance notice %(number)s"):
    subject = _subject(msgid, notice)
    # The subject goes on with the deadline (", answer by …"): match its start.
    return [m for m in mail.outbox if m.subject.startswith(subject)]


def _unit_with_freeze(code, **fields):
    unit = Unit.objects.create(code=code, name=f"测试单位{code}", **fields)
    Capability.objects.create(unit=unit, action=ActionType.objects.get(code="freeze"))
    return unit


# ------------------------------------------------------------------ the embedded default

def test_ordinary_tests_run_tasks_in_process(db):
    """conftest promises in-process (eager) tasks in every test but the worker one; every test below that
    expects a delivery relies on it, so say so first when it does not hold (e.g. with CELERY_BROKER_URL set)."""
    from linkage.celery import app

    assert app.conf.task_always_eager is True, (
        "tasks are not eager: Celery reads CELERY_TASK_ALWAYS_EAGER from the Django settings before "
        "app.conf.task_always_eager, so conftest's override has no effect when a broker is configured")
    assert type(tasks.deliver_notice.delay(0)).__name__ == "EagerResult"


# ------------------------------------------------------------------ outbox rows

def test_issuing_writes_inbox_and_email_rows(users, make_case):
    notice = _raw_issue(users, make_case())
    assert _rows(notice) == [("email", "issue", "pending"), ("inbox", "issue", "pending")]
    assert Notice.objects.get(pk=notice.pk).status == "issued"
    assert mail.outbox == []


def test_the_delivery_key_is_unique_and_queueing_again_adds_nothing(users, make_case):
    notice = _raw_issue(users, make_case())
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(notice=notice, channel="inbox", purpose="issue")
    delivery.queue([notice.pk], purpose="issue")
    delivery.queue([notice.pk, notice.pk], purpose="issue")
    assert Delivery.objects.filter(notice=notice).count() == 2


def test_a_unit_without_any_email_gets_the_inbox_only(users, make_case, issue):
    unit = _unit_with_freeze("test-no-email")
    assert not unit.members.exists()
    notice = issue(make_case(), unit.code, "freeze")
    assert _rows(notice) == [("inbox", "issue", "sent")]
    assert Notice.objects.get(pk=notice.pk).status == "delivered"
    assert mail.outbox == []


def test_a_liaison_without_an_email_address_gets_no_email_row(users, make_case, issue):
    unit = _unit_with_freeze("test-blank-liaison")
    liaison = User.objects.create_user("liaison-test-blank-liaison", email="", unit=unit)
    liaison.groups.add(*users["liaison-police"].groups.filter(name="liaison"))
    notice = issue(make_case(), unit.code, "freeze")
    assert _rows(notice) == [("inbox", "issue", "sent")]
    assert mail.outbox == []


def test_a_unit_contact_address_gets_the_email(users, make_case, issue):
    unit = _unit_with_freeze("test-contact", contact_email="registry@unit.example.invalid")
    notice = issue(make_case(), unit.code, "freeze")
    assert _rows(notice) == [("email", "issue", "sent"), ("inbox", "issue", "sent")]
    assert [m.to for m in _mails_for(notice)] == [["registry@unit.example.invalid"]]


# ------------------------------------------------------------------ delivering once

def test_issue_delivers_once_and_delivering_again_sends_nothing(users, make_case, issue):
    notice = issue(make_case(), "bank-icbc", "freeze")
    assert Notice.objects.get(pk=notice.pk).status == "delivered"
    assert _rows(notice) == [("email", "issue", "sent"), ("inbox", "issue", "sent")]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["liaison-bank-icbc@example.invalid"]
    assert mail.outbox[0].subject.startswith(_subject("Assistance notice %(number)s", notice))
    assert timezone.localtime(notice.due_at).strftime("%Y-%m-%d %H:%M") in mail.outbox[0].subject
    assert f"{settings.SITE_URL}/notices/{notice.pk}/" in mail.outbox[0].body
    assert notice.number in mail.outbox[0].body

    assert delivery.deliver_pending(notice.pk) == 0
    tasks.deliver_notice.delay(notice.pk)
    tasks.deliver_notice(notice.pk)
    assert len(mail.outbox) == 1
    assert _deliver_events(notice) == 1
    assert set(Delivery.objects.filter(notice=notice).values_list("attempts", flat=True)) == {1}


def test_a_batch_sends_one_email_per_unit(users, make_case, django_capture_on_commit_callbacks):
    banks = list(Unit.objects.filter(code__in=["bank-icbc", "bank-abc", "bank-ccb"]).order_by("code"))
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case()
        notices = services.notice_issue_batch(actor=users["clerk"], case=case, units=banks,
                                              action=ActionType.objects.get(code="freeze"), subject="冻结存款",
                                              ruling=case_ruling(case))
    assert len(notices) == 3
    for notice in notices:
        assert Notice.objects.get(pk=notice.pk).status == "delivered"
        assert _deliver_events(notice) == 1
        mails = _mails_for(notice)
        assert len(mails) == 1
        assert mails[0].to == [f"liaison-{notice.unit.code}@example.invalid"]
    assert len(mail.outbox) == 3


def test_delivering_after_acknowledgement_does_not_move_the_notice_back(users, make_case):
    notice = _raw_issue(users, make_case())
    services.notice_acknowledge(actor=users["liaison-bank-icbc"], notice=notice)
    assert delivery.deliver_pending(notice.pk) == 2
    notice = Notice.objects.get(pk=notice.pk)
    assert notice.status == "acknowledged"
    assert _deliver_events(notice) == 0
    assert len(_mails_for(notice)) == 1


# ------------------------------------------------------------------ lost tasks and the sweep

def test_a_lost_task_is_made_good_by_the_sweep(users, make_case, django_capture_on_commit_callbacks):
    with mock.patch("cases.delivery._wake") as wake, django_capture_on_commit_callbacks(execute=True):
        notice = _raw_issue(users, make_case())
    assert wake.call_count == 1  # the on-commit wake-up was attempted, and lost
    notice = Notice.objects.get(pk=notice.pk)
    assert notice.status == "issued"
    assert _rows(notice) == [("email", "issue", "pending"), ("inbox", "issue", "pending")]
    assert mail.outbox == []

    # A fresh row is left to its on-commit task for the grace period; the periodic sweep skips it.
    assert tasks.sweep_pending_deliveries() == 0
    assert Notice.objects.get(pk=notice.pk).status == "issued"

    Delivery.objects.filter(notice=notice).update(created_at=timezone.now() - timedelta(minutes=5))
    assert tasks.sweep_pending_deliveries() == 2
    notice = Notice.objects.get(pk=notice.pk)
    assert notice.status == "delivered"
    assert notice.delivered_at is not None
    assert _deliver_events(notice) == 1
    assert len(_mails_for(notice)) == 1

    assert tasks.sweep_pending_deliveries() == 0
    assert delivery.sweep(older_than=timedelta(0)) == 0
    assert _deliver_events(notice) == 1
    assert len(mail.outbox) == 1


def test_sweep_with_no_grace_delivers_every_lost_notice_once(users, make_case, django_capture_on_commit_callbacks):
    case = make_case()
    with mock.patch("cases.delivery._wake"), django_capture_on_commit_callbacks(execute=True):
        lost = [_raw_issue(users, case, code, action) for code, action in
                (("bank-icbc", "freeze"), ("bank-boc", "freeze"), ("police", "query"))]
    assert delivery.sweep(older_than=timedelta(0)) >= 6
    assert delivery.sweep(older_than=timedelta(0)) == 0
    for notice in lost:
        assert Notice.objects.get(pk=notice.pk).status == "delivered"
        assert _deliver_events(notice) == 1
        assert len(_mails_for(notice)) == 1
        assert not Delivery.objects.filter(notice=notice, status="pending").exists()


def test_broker_down_at_enqueue_is_made_good_by_the_sweep(users, make_case, django_capture_on_commit_callbacks):
    with mock.patch.object(tasks.deliver_notice, "delay", side_effect=ConnectionError("redis down")) as delay, \
            django_capture_on_commit_callbacks(execute=True):
        notice = _raw_issue(users, make_case())
    assert delay.call_count == 1
    assert Notice.objects.get(pk=notice.pk).status == "issued"
    assert delivery.sweep(older_than=timedelta(0)) == 2
    assert Notice.objects.get(pk=notice.pk).status == "delivered"
    assert len(_mails_for(notice)) == 1


def test_a_rolled_back_issue_leaves_nothing_and_sends_nothing(users, make_case, django_capture_on_commit_callbacks):
    case = make_case()
    before = (Notice.objects.count(), Delivery.objects.count(), NoticeEvent.objects.count())
    with mock.patch.object(tasks.deliver_notice, "delay") as delay, \
            django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notice = _raw_issue(users, case)
            assert Delivery.objects.filter(notice=notice).count() == 2  # enqueued inside the transaction
            raise RuntimeError("something failed after the notice was issued")
    assert callbacks == []
    assert delay.call_count == 0
    assert not Notice.objects.filter(case=case).exists()
    assert (Notice.objects.count(), Delivery.objects.count(), NoticeEvent.objects.count()) == before
    assert mail.outbox == []
    assert delivery.sweep(older_than=timedelta(0)) == 0
    assert mail.outbox == []


# ------------------------------------------------------------------ reminders (催办)

REMIND = "Reminder: notice %(number)s is overdue"


@pytest.mark.dates
def test_reminders_once_a_day_for_overdue_notices_only(users, make_case, issue,
                                                        django_capture_on_commit_callbacks):
    today = timezone.localtime(timezone.now(), SHANGHAI).date()
    morning = datetime(today.year, today.month, today.day, 9, 0, tzinfo=SHANGHAI)
    afternoon = morning + timedelta(hours=6)
    next_morning = morning + timedelta(days=1)
    case = make_case()
    clerk = users["clerk"]

    def make(unit_code, *, ack_due, due, state="delivered"):
        notice = issue(case, unit_code, "freeze" if unit_code.startswith("bank") else "query", subject=state)
        liaison = users[f"liaison-{unit_code}"]
        if state in ("acknowledged", "answered"):
            services.notice_acknowledge(actor=liaison, notice=notice)
        if state == "answered":
            services.notice_answer(actor=liaison, notice=notice, outcome="done")
        if state == "cancelled":
            services.notice_cancel(actor=clerk, notice=notice)
        Notice.objects.filter(pk=notice.pk).update(ack_due_at=ack_due, due_at=due)
        return Notice.objects.get(pk=notice.pk)

    past, future = morning - timedelta(hours=2), morning + timedelta(days=3)
    ack_late = make("bank-icbc", ack_due=past, due=future)
    answer_late = make("bank-abc", ack_due=past, due=past, state="acknowledged")
    both_late = make("bank-ccb", ack_due=past, due=past)
    on_time = make("bank-boc", ack_due=morning + timedelta(days=2), due=future)
    acked_on_time = make("police", ack_due=past, due=future, state="acknowledged")
    answered = make("tax", ack_due=past, due=past, state="answered")
    cancelled = make("hrss", ack_due=past, due=past, state="cancelled")
    mail.outbox.clear()

    def run(at):
        with django_capture_on_commit_callbacks(execute=True):
            return delivery.queue_reminders(at)

    assert run(morning) == 3
    stamp = morning.strftime("%Y%m%d")
    assert sorted(Delivery.objects.filter(notice=ack_late, purpose__startswith="remind")
                  .values_list("channel", "purpose", "status")) == [
        ("email", f"remind-ack-{stamp}", "sent"), ("inbox", f"remind-ack-{stamp}", "sent")]
    assert set(Delivery.objects.filter(notice=answer_late, purpose__startswith="remind")
               .values_list("purpose", flat=True)) == {f"remind-answer-{stamp}"}
    # Late on both clocks: one reminder (to acknowledge), not two.
    assert set(Delivery.objects.filter(notice=both_late, purpose__startswith="remind")
               .values_list("purpose", flat=True)) == {f"remind-ack-{stamp}"}
    for notice in (ack_late, answer_late, both_late):
        mails = _mails_for(notice, REMIND)
        assert len(mails) == 1, notice.subject
        assert mails[0].to == [f"liaison-{notice.unit.code}@example.invalid"]
    for notice in (on_time, acked_on_time, answered, cancelled):
        assert _mails_for(notice, REMIND) == [], notice.subject
        assert not Delivery.objects.filter(notice=notice, purpose__startswith="remind").exists(), notice.subject
    assert len(mail.outbox) == 3

    # Again the same day (the beat runs at 9 and 15): nothing new is sent.
    run(afternoon)
    assert len(mail.outbox) == 3
    for notice in (ack_late, answer_late, both_late):
        assert len(_mails_for(notice, REMIND)) == 1
        assert Delivery.objects.filter(notice=notice, purpose__startswith="remind").count() == 2

    # The next day: one more each.
    assert run(next_morning) == 3
    assert len(mail.outbox) == 6
    for notice in (ack_late, answer_late, both_late):
        assert len(_mails_for(notice, REMIND)) == 2
    for notice in (on_time, acked_on_time, answered, cancelled):
        assert _mails_for(notice, REMIND) == []
    assert Notice.objects.get(pk=ack_late.pk).status == "delivered"
    assert _deliver_events(ack_late) == 1


@pytest.mark.dates
def test_the_reminder_task_queues_and_sends(users, make_case, issue, django_capture_on_commit_callbacks):
    notice = issue(make_case(), "bank-icbc", "freeze")
    Notice.objects.filter(pk=notice.pk).update(ack_due_at=timezone.now() - timedelta(hours=1))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_overdue_reminders() >= 1
    assert len(_mails_for(notice, REMIND)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_overdue_reminders()
    assert len(_mails_for(notice, REMIND)) == 1


# ------------------------------------------------------------------ a real worker

def _database_url_for_worker() -> str:
    db = connection.settings_dict
    engine = db["ENGINE"]
    if engine.endswith("sqlite3"):
        name = str(db["NAME"])
        assert name and ":memory:" not in name and "mode=memory" not in name, (
            f"the test database {name!r} is in memory; a worker process cannot see it")
        return f"sqlite:///{Path(name).resolve()}"
    if "postgresql" in engine:
        from urllib.parse import quote

        user = quote(db.get("USER") or "", safe="")
        password = quote(db.get("PASSWORD") or "", safe="")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = db.get("HOST") or "localhost"
        port = f":{db['PORT']}" if db.get("PORT") else ""
        return f"postgres://{auth}{host}{port}/{db['NAME']}"
    raise AssertionError(f"no worker database URL for engine {engine}")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_each_notice_exactly_once(tmp_path, settings):
    broker = os.environ.get("CELERY_BROKER_URL")
    if not broker:
        pytest.fail("CELERY_BROKER_URL is not set: this test needs Redis (scripts/test.sh starts one).")
    from linkage.celery import app
    from members.seeding import seed_demo

    seed_demo("linkage-demo")  # a transactional test starts from whatever the last flush left
    clerk = User.objects.get(username="clerk")
    assert app.conf.broker_url == broker

    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log_path = tmp_path / "worker.log"
    env = {**os.environ, "DATABASE_URL": _database_url_for_worker(), "CELERY_BROKER_URL": broker,
           "EMAIL_URL": f"filemail:///{mail_dir}", "DJANGO_SETTINGS_MODULE": "linkage.settings",
           "PYTHONUNBUFFERED": "1"}
    celery_bin = Path(sys.executable).with_name("celery")
    if not celery_bin.exists():
        celery_bin = BASE_DIR / ".venv" / "bin" / "celery"
    app.control.purge()  # messages left over from an earlier run must not muddle the count
    # Celery reads CELERY_TASK_ALWAYS_EAGER from the Django settings before its own key, so set both.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    assert app.conf.task_always_eager is False
    with open(log_path, "wb") as log:
        worker = subprocess.Popen(
            [str(celery_bin), "-A", "linkage", "worker", "--pool=solo", "-l", "info", "--without-heartbeat",
             "--without-gossip", "--without-mingle"],
            cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        case = services.case_create(
            actor=clerk, number="(2026)鄂1022执99001号", title="真实队列测试", amount="5000.00",
            parties=[{"role": "applicant", "name": "申请人", "id_number": make_resident_id(901)},
                     {"role": "debtor", "name": "被执行人", "id_number": make_resident_id(902)}])
        banks = list(Unit.objects.filter(code__in=["bank-icbc", "bank-abc", "bank-ccb", "bank-boc"]))
        notices = services.notice_issue_batch(actor=clerk, case=case, units=banks,
                                              action=ActionType.objects.get(code="freeze"), subject="冻结存款",
                                              ruling=case_ruling(case))
        notices.append(services.notice_issue(actor=clerk, case=case, unit=Unit.objects.get(code="police"),
                                             action=ActionType.objects.get(code="locate"), subject="查找下落"))
        ids = [n.pk for n in notices]
        assert len(ids) == 5

        deadline = time.monotonic() + 60
        statuses = {}
        while time.monotonic() < deadline:
            statuses = dict(Notice.objects.filter(pk__in=ids).values_list("id", "status"))
            pending = Delivery.objects.filter(notice_id__in=ids, status="pending").count()
            if set(statuses.values()) == {"delivered"} and pending == 0:
                break
            assert worker.poll() is None, f"the worker exited:\n{log_path.read_text(errors='replace')[-3000:]}"
            time.sleep(0.5)
        assert set(statuses.values()) == {"delivered"}, (
            f"not delivered within 60 s: {statuses}\n{log_path.read_text(errors='replace')[-3000:]}")
        time.sleep(2)  # anything delivered twice would show up now
        for notice_id in ids:
            assert NoticeEvent.objects.filter(notice_id=notice_id, transition="deliver").count() == 1
            rows = list(Delivery.objects.filter(notice_id=notice_id).values_list("channel", "status", "attempts"))
            assert sorted(rows) == [("email", "sent", 1), ("inbox", "sent", 1)]
        sent = "".join(p.read_text(errors="replace") for p in mail_dir.iterdir())
        assert sent.count("Message-ID:") == 5
        for unit in [*banks, Unit.objects.get(code="police")]:
            assert sent.count(f"To: liaison-{unit.code}@example.invalid") == 1
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)
    assert "deliver_notice" in log_path.read_text(errors="replace")


def test_a_fresh_process_passes_the_system_checks_the_way_celery_beat_runs_them():
    """Celery's Django fixup runs the system checks before beat has imported any view; a circular import
    (linkage.api ⇄ rest_framework.views) once crashed beat there, so the sweep never ran and no lost
    notice was re-sent (found by bench/fault_test.py). The check runs in a new interpreter, as beat does."""
    script = (
        "import django; django.setup()\n"
        "from rest_framework.settings import api_settings\n"
        "api_settings.DEFAULT_PAGINATION_CLASS; api_settings.DEFAULT_PARSER_CLASSES\n"
        "from django.core.checks import run_checks\n"
        "serious = [str(e) for e in run_checks() if e.is_serious()]\n"
        "assert not serious, serious\n"
        "print('checks passed')\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "linkage.settings"}
    result = subprocess.run([sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "checks passed" in result.stdout
