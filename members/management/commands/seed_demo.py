from django.core.management.base import BaseCommand

from members.seeding import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Seed the units and the demo accounts of API.md (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEMO_PASSWORD, help="password of every demo account")

    def handle(self, *args, password, **options):
        users = seed_demo(password)
        self.stdout.write(self.style.SUCCESS(f"{len(users)} demo accounts ready, password: {password}"))
        self.stdout.write("  clerk, office, convener, assessor, admin, leader-police, liaison-<unit code>")
