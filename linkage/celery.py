"""Celery application.

With no CELERY_BROKER_URL the settings make every task run eagerly in the calling process (the embedded
default); with a broker, real workers run them. Either way tasks are enqueued from
``transaction.on_commit`` and the database (the delivery outbox) is the source of truth, so a lost
message is re-sent by the periodic sweep.
"""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linkage.settings")

app = Celery("linkage")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
