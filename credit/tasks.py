"""Celery tasks of the list: thin, idempotent."""
from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=5, retry_backoff_max=300, max_retries=5)
def credit_sync_task(entry_id: int) -> dict:
    from .services import credit_sync

    return credit_sync(entry_id)


@shared_task(acks_late=True)
def credit_sync_pending_task() -> int:
    from .services import credit_sync_pending

    return credit_sync_pending()


@shared_task(acks_late=True)
def credit_daily_sweep_task() -> dict:
    """Expired listing periods, deletion clocks, lost conclusion hooks (失信规定 Art. 2, 10)."""
    from .services import credit_daily_sweep

    return credit_daily_sweep()
