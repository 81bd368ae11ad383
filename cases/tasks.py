"""Celery tasks: thin, take ids, re-check state under a lock (in ``delivery``), safe to run twice."""
from celery import shared_task
from django.db import transaction

from . import delivery


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=5, retry_backoff_max=300,
             max_retries=5)
def deliver_notice(notice_id: int) -> int:
    return delivery.deliver_pending(notice_id)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=5, retry_backoff_max=300,
             max_retries=5)
def deliver_notices(notice_ids: list[int]) -> int:
    """A batch woken by the sweep; a batch redelivered after a worker died sends nothing twice."""
    return sum(delivery.deliver_pending(notice_id) for notice_id in notice_ids)


@shared_task(acks_late=True)
def sweep_pending_deliveries() -> int:
    """Beat, every SWEEP_INTERVAL_SECONDS: re-wake deliveries that a lost task or a Redis outage left."""
    from django.conf import settings

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return delivery.sweep()
    return delivery.sweep_fan_out()


@shared_task(acks_late=True)
def send_overdue_reminders() -> int:
    with transaction.atomic():
        return delivery.queue_reminders()


@shared_task(acks_late=True)
def send_channel_digests() -> int:
    """Beat, each morning: one message per unit's chat group with what is due or overdue."""
    with transaction.atomic():
        return delivery.post_digests()
