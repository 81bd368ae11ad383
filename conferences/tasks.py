"""Celery tasks: thin, take ids, re-check under a lock (in ``notify``), safe to run twice."""
from celery import shared_task

from . import notify


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=5, retry_backoff_max=300, max_retries=5)
def notify_meeting(meeting_id: int) -> int:
    return notify.send_invitations(meeting_id)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=5, retry_backoff_max=300, max_retries=5)
def notify_action_items(item_ids: list[int]) -> int:
    return notify.send_action_items(item_ids)


@shared_task(acks_late=True)
def remind_overdue_action_items() -> int:
    return notify.send_reminders()
