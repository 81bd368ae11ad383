from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from documents import seal
from linkage.court import court_name


class Command(BaseCommand):
    help = ("Create a demo CA and the court's demo signing certificate (PKCS#12) under "
            "PRIVATE_MEDIA_ROOT/seal/, used when SEAL_PKCS12 is not set and DEBUG or DJANGO_DEMO is on. Demo only: a real "
            "court seals with its own certificate (docs/deploy.md).")

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="replace an existing demo certificate")
        parser.add_argument("--dir", default="", help="write here instead of PRIVATE_MEDIA_ROOT/seal/")

    def handle(self, *args, **options):
        directory = Path(options["dir"]) if options["dir"] else seal.demo_dir()
        p12 = directory / "demo-court.p12"
        if p12.exists() and not options["force"]:
            self.stdout.write(f"Demo seal certificate already present: {p12}")
            return
        ca, p12 = seal.make_ca(directory, court_name=court_name(), passphrase=seal.DEMO_PASSPHRASE)
        self.stdout.write(f"Demo CA: {ca}\nCourt certificate (PKCS#12, passphrase {seal.DEMO_PASSPHRASE!r}): {p12}")
        if not (settings.DEBUG or getattr(settings, "DEMO", False)):
            self.stdout.write(self.style.WARNING(
                "DEBUG and DJANGO_DEMO are off: the demo certificate is not used; set SEAL_PKCS12 and SEAL_PASSPHRASE."))
