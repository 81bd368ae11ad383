from django.core.management.base import BaseCommand

from members.seeding import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = ("Seed the units and the demo accounts of API.md (idempotent); with --sample, also a realistic "
            "month of work (cases, notices, a meeting, an assessment period...), added once.")

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEMO_PASSWORD, help="password of every demo account")
        parser.add_argument("--sample", action="store_true",
                            help="also add a month of sample work (once: a second run adds nothing)")

    def handle(self, *args, password, sample=False, **options):
        users = seed_demo(password)
        self.stdout.write(self.style.SUCCESS(f"{len(users)} demo accounts ready, password: {password}"))
        self.stdout.write("  clerk, office, convener, assessor, admin, leader-police, liaison-<unit code>; a second "
                          "county: clerk-2, office-2, convener-2, president-2, liaison-2-<unit code>; supervisor")
        if sample:
            from portal.sample import seed_sample

            added = seed_sample()
            if added:
                self.stdout.write(self.style.SUCCESS(
                    f"sample month added: {added['cases']} cases, {added['notices']} notices"
                    + (f", {added['sealed']} documents sealed" if "sealed" in added else "")))
            else:
                self.stdout.write("sample month already present: nothing added")
