"""Celery tasks: take ids, re-check state in ``services``, safe to run twice."""
from celery import shared_task

from . import services


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=5, retry_backoff_max=300, max_retries=4)
def seal_documents(document_ids: list[int]) -> int:
    """Render, seal and store pending documents (a stored one is left alone)."""
    done = 0
    for pk in document_ids:
        done += services.seal_document(pk)
    return done


@shared_task(acks_late=True)
def seal_pending_documents() -> int:
    """Beat: seal what a lost task or a failed attempt left pending."""
    return services.seal_pending()
