from datetime import timedelta

from django.core.management.base import BaseCommand

from cases import delivery


class Command(BaseCommand):
    help = "Deliver every notice message still pending in the outbox (what the beat sweep does)."

    def handle(self, *args, **options):
        sent = delivery.sweep(older_than=timedelta(0))
        self.stdout.write(f"{sent} message(s) sent")
