"""Issue 30: cases belong to one court; the rows already here to the install's first court (the one of
COURT_CODE, members.0012_first_court)."""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def to_first_court(apps, schema_editor):
    Court = apps.get_model("members", "Court")
    code = getattr(settings, "COURT_CODE", "") or "鄂1022"
    court, _created = Court.objects.get_or_create(
        code=code, defaults={"name": getattr(settings, "COURT_NAME", "") or "湖北省公安县人民法院"})
    for model in ['Case']:
        apps.get_model("cases", model).objects.filter(court__isnull=True).update(court=court)


class Migration(migrations.Migration):
    dependencies = [("cases", "0021_caseevent_on_behalf_of_noticeevent_on_behalf_of"), ("members", "0013_court_keys")]

    operations = [
        migrations.AddField(
            model_name="case", name="court",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="cases",
                                    to="members.court", verbose_name="court"),
        ),
        migrations.RunPython(to_first_court, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="case", name="court",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="cases",
                                    to="members.court", verbose_name="court"),
        ),
    ]
