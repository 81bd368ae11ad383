from django.core.management.base import BaseCommand

from documents import services


class Command(BaseCommand):
    help = "Render, e-seal and store the issued documents still pending (what the beat sweep does)."

    def handle(self, *args, **options):
        done = services.seal_pending(limit=100000)
        self.stdout.write(f"{done} document(s) sealed and stored.")
