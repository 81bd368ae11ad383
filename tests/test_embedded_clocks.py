"""Issue 31 section 3: the embedded default runs its clocks. With no broker, ``manage.py run_clocks``
(started by ``make demo``) runs Celery beat's schedule in-process (``portal/clocks.py``); the demo seed
leaves every document sealed. The clock is frozen and moved with time-machine; times are Asia/Shanghai."""
import io
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from django.utils.translation import gettext

from cases import services
from cases.models import Delivery, Measure, Notice
from documents.models import DocumentStatus, IssuedDocument
from portal.clocks import Clocks, run_due

SHANGHAI = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parent.parent
EVERY_MINUTE = {"sweep-undelivered-notices", "seal-pending-documents", "sweep-channel-messages"}
EVERY_TEN_MINUTES = {"sync-dishonest-list-pushes"}
DAILY = {"sweep-dishonest-list": (6, 0), "sweep-measures": (6, 30), "remind-overdue-action-items": (9, 30),
         "send-morning-digests": (8, 30)}
TWICE_DAILY = {"send-overdue-reminders": ((9, 0), (15, 0))}


@pytest.fixture
def at():
    """``at(9, 30)``: tomorrow (as Gong'an sees it when the test starts) at 09:30 Asia/Shanghai;
    ``days=1``: the day after. The day is fixed once, so a step computed while travelling means the same."""
    tomorrow = timezone.localtime(timezone.now(), SHANGHAI).date() + timedelta(days=1)

    def _at(hour: int, minute: int = 0, second: int = 0, days: int = 0) -> datetime:
        day = tomorrow + timedelta(days=days)
        return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SHANGHAI)

    return _at


@pytest.fixture
def state(tmp_path):
    return tmp_path / "clocks.json"


# ---------------------------------------------------------------- one source of truth

def test_every_beat_entry_is_run_by_the_clocks(at, db, state):
    """The clocks read CELERY_BEAT_SCHEDULE itself: every entry, every task known to Celery; and the
    schedule this file's timeline expects is the one in the settings."""
    clocks = Clocks(path=state)
    assert set(clocks.entries) == set(settings.CELERY_BEAT_SCHEDULE)
    assert {e["task"] for e in clocks.entries.values()} == {
        e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert set(schedule) == EVERY_MINUTE | EVERY_TEN_MINUTES | set(DAILY) | set(TWICE_DAILY)
    for name in EVERY_MINUTE:
        assert schedule[name]["schedule"] == timedelta(seconds=settings.SWEEP_INTERVAL_SECONDS) == timedelta(minutes=1)
    for name in EVERY_TEN_MINUTES:
        assert schedule[name]["schedule"] == timedelta(minutes=10)
    for name, (hour, minute) in DAILY.items():
        assert schedule[name]["schedule"] == crontab(minute=minute, hour=hour)
    assert schedule["send-overdue-reminders"]["schedule"] == crontab(minute=0, hour="9,15")
    with time_machine.travel(at(5, 55), tick=False):
        # Never run before: everything is due at once (a fresh install does not wait for 06:30).
        assert set(run_due(clocks=clocks)) == set(schedule)
        assert set(clocks.due()) == set()


def test_run_due_runs_what_came_due_and_only_that(at, db, state):
    """A day and a half on the clock, each beat entry covered; a restart reads the last runs back."""
    with time_machine.travel(at(5, 55), tick=False) as traveller:
        clocks = Clocks(path=state)
        assert set(clocks.run_due()) == set(settings.CELERY_BEAT_SCHEDULE)
        assert clocks.seconds_to_next() == 60
        # The same instant twice: nothing runs twice.
        assert clocks.run_due() == {}
        assert clocks.run_due(timezone.now()) == {}
        steps = [
            (timedelta(seconds=59), set()),
            (timedelta(seconds=1), EVERY_MINUTE),                                  # 05:56:00
            (timedelta(seconds=30), set()),
            (at(6, 0), EVERY_MINUTE | {"sweep-dishonest-list"}),
            (at(6, 0, 20), set()),
            (at(6, 5), EVERY_MINUTE | EVERY_TEN_MINUTES),               # ten minutes after 05:55
            (at(6, 29, 59), EVERY_MINUTE | EVERY_TEN_MINUTES),
            (at(6, 30), {"sweep-measures"}),                              # not yet a minute since 06:29:59
            (at(6, 30, 59), EVERY_MINUTE),
            (at(8, 30), EVERY_MINUTE | EVERY_TEN_MINUTES | {"send-morning-digests"}),
            (at(8, 59, 59), EVERY_MINUTE | EVERY_TEN_MINUTES),
            (at(9, 0), {"send-overdue-reminders"}),
            (at(9, 30), EVERY_MINUTE | EVERY_TEN_MINUTES | {"remind-overdue-action-items"}),
            (at(14, 59, 30), EVERY_MINUTE | EVERY_TEN_MINUTES),
            (at(15, 0), {"send-overdue-reminders"}),
            (at(15, 0), set()),
            # Overnight the machine is off: at 06:00 the next day only what came due since runs, once.
            (at(6, 0, days=1), EVERY_MINUTE | EVERY_TEN_MINUTES | {"sweep-dishonest-list"}),
        ]
        for step, expected in steps:
            if isinstance(step, timedelta):
                traveller.shift(step)
            else:
                traveller.move_to(step)
            assert set(clocks.run_due()) == expected, timezone.localtime(timezone.now(), SHANGHAI)
            assert clocks.run_due() == {}  # at once again: nothing

        # A restart at 10:00 reads the last runs back from its file: the 06:30 sweep, the 08:30 digest and
        # the 09:00 and 09:30 reminders missed while it was stopped run once; the 06:00 sweep does not run again.
        traveller.move_to(at(10, 0, days=1))
        restarted = Clocks(path=state)
        assert restarted.last_run == clocks.last_run
        assert set(restarted.run_due()) == EVERY_MINUTE | EVERY_TEN_MINUTES | {
            "sweep-measures", "send-morning-digests", "send-overdue-reminders", "remind-overdue-action-items"}
        assert Clocks(path=state).run_due() == {}


def test_last_runs_of_another_database_are_not_read(at, db, state):
    with time_machine.travel(at(10, 0), tick=False):
        Clocks(path=state).run_due()
        text = state.read_text()
        state.write_text(text.replace(settings.DATABASES["default"]["ENGINE"], "another.engine"))
        assert set(Clocks(path=state).due()) == set(settings.CELERY_BEAT_SCHEDULE)
        state.write_text("not json")
        assert set(Clocks(path=state).due()) == set(settings.CELERY_BEAT_SCHEDULE)


def test_a_failing_task_is_logged_and_the_others_still_run(at, db, state, monkeypatch, caplog):
    from linkage.celery import app

    def boom(*args, **kwargs):
        raise RuntimeError("database away")

    clocks = Clocks(path=state)  # imports every task module
    monkeypatch.setattr(app.tasks["credit.tasks.credit_daily_sweep_task"], "run", boom)
    with time_machine.travel(at(10, 0), tick=False):
        results = clocks.run_due()
    assert isinstance(results["sweep-dishonest-list"], RuntimeError)
    assert set(results) == set(settings.CELERY_BEAT_SCHEDULE)
    assert "sweep-dishonest-list" in caplog.text and "database away" in caplog.text


# ---------------------------------------------------------------- what the clocks do

REMIND = "Reminder: notice %(number)s is overdue"


def _reminder_mails(notice):
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext(REMIND) % {"number": notice.number}
    return [m for m in mail.outbox if m.subject.startswith(subject)]


def test_an_overdue_notice_is_reminded_when_the_clock_passes_nine(at, db, make_case, issue, state,
                                                                   django_capture_on_commit_callbacks):
    with time_machine.travel(at(8, 0), tick=False) as traveller:
        notice = issue(make_case(), "bank-icbc", "freeze")
        Notice.objects.filter(pk=notice.pk).update(ack_due_at=at(8, 30))
        clocks = Clocks(path=state)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            clocks.run_due()  # 08:00, the first start: the reminders ran, nothing was late
        assert _reminder_mails(notice) == []
        traveller.move_to(at(8, 45))
        assert Notice.objects.ack_overdue(timezone.now()).filter(pk=notice.pk).exists()
        with django_capture_on_commit_callbacks(execute=True):
            assert "send-overdue-reminders" not in clocks.run_due()  # late, but the reminders run at 9
        assert _reminder_mails(notice) == []
        traveller.move_to(at(9, 0, 5))
        with django_capture_on_commit_callbacks(execute=True):
            assert clocks.run_due()["send-overdue-reminders"] == 1
        stamp = at(9, 0).strftime("%Y%m%d")
        assert sorted(Delivery.objects.filter(notice=notice, purpose__startswith="remind")
                      .values_list("channel", "purpose", "status")) == [
            ("email", f"remind-ack-{stamp}", "sent"), ("inbox", f"remind-ack-{stamp}", "sent")]
        mails = _reminder_mails(notice)
        assert len(mails) == 1 and mails[0].to == ["liaison-bank-icbc@example.invalid"]
        # 15:00 the same day: due again, but one reminder a day.
        traveller.move_to(at(15, 0))
        with django_capture_on_commit_callbacks(execute=True):
            assert "send-overdue-reminders" in clocks.run_due()
        assert len(_reminder_mails(notice)) == 1


def test_an_expired_measure_lapses_at_half_past_six(at, db, users, make_case, issue, state):
    with time_machine.travel(at(6, 0), tick=False) as traveller:
        notice = issue(make_case(), "bank-icbc", "freeze")
        liaison = users["liaison-bank-icbc"]
        services.notice_acknowledge(actor=liaison, notice=notice)
        services.notice_answer(actor=liaison, notice=Notice.objects.get(pk=notice.pk), outcome="done", detail="",
                               result_amount="1000.00", measure={"asset": "工行账户6222020200001234567"})
        measure = Measure.objects.get(notice=notice)
        clocks = Clocks(path=state)
        clocks.run_due()  # the first start runs the sweep: the measure is still in term
        assert Measure.objects.get(pk=measure.pk).status == "active"
        yesterday = timezone.localdate() - timedelta(days=1)
        Measure.objects.filter(pk=measure.pk).update(expires_on=yesterday)
        traveller.move_to(at(6, 29))
        assert "sweep-measures" not in clocks.run_due()
        assert Measure.objects.get(pk=measure.pk).status == "active"
        traveller.move_to(at(6, 30))
        assert clocks.run_due()["sweep-measures"]["lapsed"] == 1
        assert Measure.objects.get(pk=measure.pk).status == "lapsed"


def test_a_document_left_unsealed_is_sealed_by_the_sweep(at, db, make_case, issue, state, settings,
                                                          tmp_path):
    from documents import seal

    ca, p12 = seal.make_ca(tmp_path / "seal", court_name="湖北省公安县人民法院", passphrase="clock-pass")
    settings.SEAL_PKCS12, settings.SEAL_PASSPHRASE, settings.SEAL_TRUST_ROOTS = str(p12), "clock-pass", [str(ca)]
    settings.SEAL_TSA_URL = ""
    settings.DOCUMENTS_SEAL_ON_ISSUE = False  # the sealing task was lost
    with time_machine.travel(at(10, 0), tick=False) as traveller:
        clocks = Clocks(path=state)
        clocks.run_due()
        notice = issue(make_case(), "bank-icbc", "freeze")
        document = IssuedDocument.objects.get(notice=notice)
        assert document.status == DocumentStatus.PENDING
        traveller.shift(timedelta(seconds=30))
        assert clocks.run_due() == {}
        traveller.shift(timedelta(seconds=30))
        assert clocks.run_due()["seal-pending-documents"] == 1
    document.refresh_from_db()
    assert document.status == DocumentStatus.STORED and document.sealed and document.sha256


# ---------------------------------------------------------------- the command and make demo

def test_run_clocks_once_runs_and_remembers(at, db, state, settings):
    settings.CELERY_BROKER_URL = None  # the embedded install (CI sets a broker for its worker tests)
    out = io.StringIO()
    with time_machine.travel(at(10, 0), tick=False):
        call_command("run_clocks", "--once", "--state", str(state), "-v", "2", stdout=out)
        assert set(Clocks(path=state).last_run) == set(settings.CELERY_BEAT_SCHEDULE)
        for name in settings.CELERY_BEAT_SCHEDULE:
            assert name in out.getvalue()
        out = io.StringIO()
        call_command("run_clocks", "--once", "--state", str(state), "-v", "2", stdout=out)
        assert out.getvalue() == ""


def test_run_clocks_refuses_beside_a_broker_or_a_second_clock(db, state, settings):
    import fcntl

    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    with pytest.raises(CommandError, match="celery -A linkage beat"):
        call_command("run_clocks", "--once", "--state", str(state))
    settings.CELERY_BROKER_URL = None
    with open(state.with_name(state.name + ".lock"), "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(CommandError, match="another run_clocks"):
            call_command("run_clocks", "--once", "--state", str(state))


def test_make_demo_starts_the_clocks_beside_the_server():
    recipe = (ROOT / "Makefile").read_text().split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    assert "manage.py run_clocks --stop-with-parent &" in recipe
    assert "trap 'kill" in recipe and recipe.index("run_clocks") < recipe.index("runserver")


# ---------------------------------------------------------------- the demo seed

def test_the_demo_seed_leaves_no_document_being_sealed(db, settings, monkeypatch,
                                                      django_capture_on_commit_callbacks):
    """Where documents are sealed on issue (the demo), the seed seals its own. Rendering each PDF is
    stubbed here for speed (the sealing itself is tests/test_documents_sealed.py's)."""
    from documents import services as documents
    from portal.sample import seed_sample

    rendered = []

    def render(document):
        rendered.append(document.pk)
        return b"%PDF-1.4\n%stub\n", {"sealed": False}

    monkeypatch.setattr(documents, "render_document", render)
    settings.DOCUMENTS_SEAL_ON_ISSUE = True
    with django_capture_on_commit_callbacks(execute=True):
        added = seed_sample()
    assert added["cases"] == 32
    # (The few documents registered by on-commit work, which the test runs only as the block ends, were
    # sealed on issue then; in the demo that work runs inside the seed and the seed seals them too.)
    total = IssuedDocument.objects.count()
    assert total > 100 and added["sealed"] > 100 and sorted(rendered) == sorted(
        IssuedDocument.objects.values_list("pk", flat=True))
    assert not IssuedDocument.objects.filter(status=DocumentStatus.PENDING).exists()
