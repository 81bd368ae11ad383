"""The install's first court: the one of COURT_CODE / COURT_NAME (issue 30). An install that serves one
court keeps working with no extra step; later courts are added as data."""
from django.conf import settings
from django.db import migrations


def first_court(apps, schema_editor):
    Court = apps.get_model("members", "Court")
    code = getattr(settings, "COURT_CODE", "") or "鄂1022"
    name = getattr(settings, "COURT_NAME", "") or "湖北省公安县人民法院"
    Court.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("members", "0011_court")]
    operations = [migrations.RunPython(first_court, migrations.RunPython.noop)]
