"""Celery tasks of the channels' outbox: thin, take ids, safe to run twice (``members.channels``)."""
from celery import shared_task

from . import channels


@shared_task(acks_late=True)
def deliver_channel(channel_id: int) -> int:
    return channels.deliver_channel(channel_id)


@shared_task(acks_late=True)
def sweep_channel_messages() -> int:
    return channels.sweep()
