"""``manage.py run_clocks``: Celery beat's schedule run in-process, for an install with no broker.

``make demo`` starts it in the background beside ``runserver`` and stops it with it; a single-machine
install runs it as a service beside gunicorn. Why a process of its own, and how "due" is decided:
``portal/clocks.py``.
"""
import fcntl
import logging
import os
import signal
import threading
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from portal.clocks import Clocks, broker_configured, state_file

MAX_WAIT = 30.0  # wake at least this often (a suspended machine, a clock set forward)
PARENT_POLL = 2.0  # with --stop-with-parent: how soon the clocks notice they were left alone


def _quiet(result) -> bool:
    """A sweep that found nothing to do (0, an empty or all-zero dict) is not worth a line."""
    if isinstance(result, dict):
        return not any(result.values())
    return not result


class Command(BaseCommand):
    help = ("Run the periodic tasks of CELERY_BEAT_SCHEDULE in this process, each when it is due "
            "(the embedded default, no broker: what `celery beat` does in production).")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run what is due now, then exit")
        parser.add_argument("--state", default="",
                            help="file of the last runs (default: CLOCKS_STATE_FILE, var/clocks.json)")
        parser.add_argument("--stop-with-parent", action="store_true",
                            help="exit when the process that started this one is gone (make demo)")

    def handle(self, *args, once=False, state="", stop_with_parent=False, verbosity=1, **options):
        self.verbosity = verbosity
        if broker_configured():
            raise CommandError("CELERY_BROKER_URL is set: run `celery -A linkage beat` and workers instead "
                               "(the embedded clocks are for an install without a broker).")
        if verbosity < 2:  # one line per in-process task otherwise
            logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
        path = Path(state) if state else state_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.with_name(path.name + ".lock"), "w") as lock:  # one clock per state file
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise CommandError(f"another run_clocks is running on {path}") from None
            clocks = Clocks(path=path)
            if once:
                self._report(clocks.run_due())
            else:
                self._loop(clocks, path, stop_with_parent)

    def _loop(self, clocks: Clocks, path: Path, stop_with_parent: bool) -> None:
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, lambda *_: stop.set())
        parent = os.getppid()
        self.stdout.write(f"Clocks running ({len(clocks.entries)} entries of CELERY_BEAT_SCHEDULE; "
                          f"last runs in {path}).")
        self.stdout.flush()
        while not stop.is_set():
            try:
                close_old_connections()  # a long-lived process, as Celery's worker does around each task
                self._report(clocks.run_due())
                close_old_connections()
                wait = min(clocks.seconds_to_next(), MAX_WAIT)
            except Exception:  # the database or the disk away for a moment: try again, never die
                logging.getLogger("linkage.clocks").exception("clocks: a round failed")
                wait = MAX_WAIT
            if stop_with_parent:
                wait = min(wait, PARENT_POLL)
            stop.wait(max(wait, 0.5))
            if stop_with_parent and os.getppid() != parent:
                break
        self.stdout.write("Clocks stopped.")

    def _report(self, results: dict) -> None:
        stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        for name, result in results.items():
            if isinstance(result, BaseException):
                self.stderr.write(f"{stamp} {name}: failed ({result!r})")
            elif self.verbosity >= 2 or not _quiet(result):
                self.stdout.write(f"{stamp} {name}: {result}")
        self.stdout.flush()
