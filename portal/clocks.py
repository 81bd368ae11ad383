"""The embedded clocks: Celery beat's schedule run in-process when no broker is configured.

The full deployment runs ``celery -A linkage beat``, which sends each periodic task of
``settings.CELERY_BEAT_SCHEDULE`` to Redis at its time. The embedded default (SQLite, no
``CELERY_BROKER_URL``, tasks run eagerly) has no beat, so without this module reminders, the overdue
sweep, measure terms, list periods, delivery re-sends and the sealing sweep never ran. ``manage.py
run_clocks`` runs the same schedule here: ``make demo`` starts it beside ``runserver``, a single-machine
install runs it as a service beside gunicorn (docs/deploy.md, "The embedded clocks").

Design, and why:

* **A process of its own** (``run_clocks``), not a thread in the web server. Production has beat as its
  own process too; a thread in ``AppConfig.ready`` would run once per gunicorn worker, restart with every
  autoreload of ``runserver`` (the ``RUN_MAIN`` dance), and a task that hangs would hold a web process.
  The command takes a file lock: a second ``run_clocks`` on the same state file refuses to start.
* **One source of truth for when**: the entries of ``CELERY_BEAT_SCHEDULE`` are read as they stand
  (their ``crontab`` objects and ``timedelta`` intervals, turned into Celery's ``schedule`` objects by
  ``celery.schedules.maybe_schedule``), and Celery's own ``is_due()`` decides, in ``CELERY_TIMEZONE``
  (Asia/Shanghai). Each schedule is a copy whose clock is the ``now`` handed to ``run_due``, so a test
  moves the clock instead of sleeping.
* **Run in-process**: ``task.apply()``, as the eager default runs every other task. A task that fails is
  logged and counted as run (as beat does: its next slot runs it again; every periodic task is an
  idempotent sweep).
* **Last runs persisted** in a small JSON file (``CLOCKS_STATE_FILE``, default ``var/clocks.json``),
  written after each run, tagged with the database it belongs to (another database starts afresh). A
  restart therefore neither re-runs what already ran nor skips what came due while it was stopped: a
  daily run missed overnight (the court's one machine switched off) runs once at start, as beat's
  catch-up does (one run, not one per missed slot). An entry never run before is due at once, so a
  freshly seeded demo lapses its measures and sends its reminders now rather than at tomorrow's 06:30.
"""
import copy
import importlib
import importlib.util
import json
import logging
import os
import tempfile
from datetime import datetime
from pathlib import Path

from celery.schedules import maybe_schedule
from django.apps import apps
from django.conf import settings
from django.utils import timezone

from linkage.celery import app

log = logging.getLogger("linkage.clocks")


def broker_configured() -> bool:
    """A broker means real workers and ``celery beat``: the embedded clocks must not run beside them."""
    return bool(getattr(settings, "CELERY_BROKER_URL", None))


def state_file() -> Path:
    return Path(getattr(settings, "CLOCKS_STATE_FILE", "") or Path(settings.BASE_DIR) / "var" / "clocks.json")


def _local(moment: datetime | None) -> datetime:
    """``moment`` (default: now) in CELERY_TIMEZONE: a crontab reads its hours in the time zone of the
    datetimes it is handed, so 09:00 means 09:00 in Gong'an only if they are Gong'an's."""
    return (moment or timezone.now()).astimezone(app.timezone)


def _import_task_modules() -> None:
    """Every app's ``tasks`` and ``CELERY_IMPORTS``, so that ``app.tasks`` knows each scheduled task (what
    ``app.loader.import_default_modules()`` does, without its second ``django.setup()`` and system checks)."""
    for name in [f"{config.name}.tasks" for config in apps.get_app_configs()] + list(app.conf.imports or ()):
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)


def _database_tag() -> str:
    db = settings.DATABASES["default"]
    return f"{db['ENGINE']}:{db.get('HOST') or ''}:{db.get('PORT') or ''}:{db['NAME']}"


class Clocks:
    """The beat schedule and the last run of each entry.

    ``run_due(now)`` runs what is due at ``now`` and returns ``{entry name: the task's result}``;
    ``seconds_to_next(now)`` says how long nothing is due. ``path=None`` keeps the last runs in memory.
    """

    def __init__(self, schedule: dict | None = None, *, path: Path | None = None):
        _import_task_modules()
        self.path = Path(path) if path else None
        self._now = None
        self.entries = {}
        for name, entry in (settings.CELERY_BEAT_SCHEDULE if schedule is None else schedule).items():
            when = copy.copy(maybe_schedule(entry["schedule"], entry.get("relative", False), app=app))
            when.app = app
            when.nowfun = self._clock  # Celery's is_due() asks the schedule for the time: ours
            self.entries[name] = {"task": entry["task"], "schedule": when, "args": entry.get("args", ()),
                                  "kwargs": entry.get("kwargs", {})}
        missing = sorted(e["task"] for e in self.entries.values() if e["task"] not in app.tasks)
        if missing:
            raise LookupError(f"CELERY_BEAT_SCHEDULE names tasks Celery does not know: {', '.join(missing)}")
        self.last_run: dict[str, datetime] = self._load()

    # -------------------------------------------------------------- the clock
    def _clock(self) -> datetime:
        return self._now or _local(None)

    def due(self, now: datetime | None = None) -> list[str]:
        """The entries due at ``now`` (nothing is run)."""
        self._now = _local(now)
        try:
            return [name for name, entry in self.entries.items()
                    if name not in self.last_run or entry["schedule"].is_due(self.last_run[name])[0]]
        finally:
            self._now = None

    def seconds_to_next(self, now: datetime | None = None) -> float:
        """Seconds from ``now`` until the next entry comes due (0 if one is due)."""
        self._now = _local(now)
        try:
            waits = []
            for name, entry in self.entries.items():
                if name not in self.last_run:
                    return 0.0
                due, next_in = entry["schedule"].is_due(self.last_run[name])
                waits.append(0.0 if due else float(next_in))
            return min(waits, default=60.0)
        finally:
            self._now = None

    # -------------------------------------------------------------- running
    def run_due(self, now: datetime | None = None) -> dict:
        """Run each entry due at ``now`` once, in-process, and record it as run at ``now``."""
        now = _local(now)
        results = {}
        for name in self.due(now):
            entry = self.entries[name]
            outcome = app.tasks[entry["task"]].apply(args=entry["args"], kwargs=entry["kwargs"])
            if outcome.failed():  # its next slot runs it again, as with beat
                log.error("clock %s (%s) failed:\n%s", name, entry["task"], outcome.traceback)
            results[name] = outcome.result  # the exception, if it failed
            self.last_run[name] = now
            self._save()
        return results

    # -------------------------------------------------------------- the state file
    def _load(self) -> dict:
        if self.path is None or not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("database") != _database_tag():
                return {}
            return {name: _local(datetime.fromisoformat(stamp)) for name, stamp in data.get("last_run", {}).items()
                    if name in self.entries}
        except (ValueError, TypeError, AttributeError):
            log.warning("clocks: %s unreadable, every entry counts as never run", self.path)
            return {}

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"database": _database_tag(),
                "last_run": {name: stamp.isoformat() for name, stamp in sorted(self.last_run.items())}}
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".clocks-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1)
        os.replace(tmp, self.path)


def run_due(now: datetime | None = None, *, clocks: Clocks | None = None) -> dict:
    """Run what is due at ``now`` on ``clocks`` (by default: the settings' schedule and state file)."""
    return (clocks or Clocks(path=state_file())).run_due(now)


__all__ = ["Clocks", "run_due", "broker_configured", "state_file"]
