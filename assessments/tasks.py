"""Celery tasks: thin, take ids, safe to run twice (recomputing replaces an open period's scores and
leaves a finalised one alone)."""
from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=5, retry_backoff_max=300, max_retries=3)
def compute_period(period_id: int) -> int:
    from .services import scores_refresh

    return scores_refresh(period_id=period_id)
