from django.core.management.base import BaseCommand, CommandError

from members.integration import ensure_webhook_secret, token_create
from members.models import Unit


class Command(BaseCommand):
    help = "Make an API token for a unit's own system (shown once) and print the unit's webhook secret."

    def add_arguments(self, parser):
        parser.add_argument("unit", help="unit code, e.g. bank-icbc")
        parser.add_argument("--name", default="", help="what the token is for")

    def handle(self, *args, unit, name, **options):
        try:
            target = Unit.objects.get(code=unit)
        except Unit.DoesNotExist:
            raise CommandError(f"no unit with code {unit}") from None
        key = token_create(unit=target, name=name)
        self.stdout.write(f"token:          {key}")
        self.stdout.write(f"webhook secret: {ensure_webhook_secret(target)}")
        self.stdout.write("Send it as: Authorization: UnitToken <token>")
