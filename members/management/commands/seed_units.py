from django.core.management.base import BaseCommand

from members.seeding import seed_units


class Command(BaseCommand):
    help = "Seed the member units of Art. 3 and the assistance actions (idempotent; no accounts)."

    def handle(self, *args, **options):
        created = seed_units()
        self.stdout.write(self.style.SUCCESS(f"Units seeded: {created}"))
