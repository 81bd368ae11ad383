"""The daily sweep of the measures register, a Celery task of its own module: it reads the measures and the
suspensions, which queue deliveries, so it stays out of ``cases.tasks`` (what the delivery outbox wakes).
Imported by the worker through ``CELERY_IMPORTS``; beat names it ``cases.tasks.sweep_measures`` as before."""
from celery import shared_task

from .lifecycle_services import deferrals_sweep
from .measures import measures_sweep


@shared_task(name="cases.tasks.sweep_measures", acks_late=True)
def sweep_measures() -> dict:
    """Daily: lapse expired measures and remind clerks before expiry (idempotent per day and threshold)."""
    done = measures_sweep()
    # 暂缓执行 ends with its term: a deferral whose last day has passed proceeds by itself.
    done["deferrals_ended"] = deferrals_sweep()
    return done
