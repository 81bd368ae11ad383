"""Case numbers are stored with full-width brackets, as the 案号规定 writes them: （2026）鄂1022执123号.
Notice numbers follow their case's. Existing rulings are numbered in upload order (之一, 之二 ...)."""
from django.db import migrations


def forwards(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Notice = apps.get_model("cases", "Notice")
    Attachment = apps.get_model("cases", "Attachment")
    for model in (Case, Notice):
        changed = []
        for row in model.objects.filter(number__startswith="(").only("pk", "number").iterator():
            row.number = row.number.replace("(", "（", 1).replace(")", "）", 1)
            changed.append(row)
        model.objects.bulk_update(changed, ["number"], batch_size=1000)
    seqs = {}
    rulings = []
    for ruling in Attachment.objects.filter(purpose="ruling", ruling_seq__isnull=True).order_by("case_id", "id"):
        seqs[ruling.case_id] = seqs.get(ruling.case_id, 0) + 1
        ruling.ruling_seq = seqs[ruling.case_id]
        rulings.append(ruling)
    Attachment.objects.bulk_update(rulings, ["ruling_seq"], batch_size=1000)


def backwards(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Notice = apps.get_model("cases", "Notice")
    for model in (Case, Notice):
        changed = []
        for row in model.objects.filter(number__startswith="（").only("pk", "number").iterator():
            row.number = row.number.replace("（", "(", 1).replace("）", ")", 1)
            changed.append(row)
        model.objects.bulk_update(changed, ["number"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_legal_exactness")]
    operations = [migrations.RunPython(forwards, backwards)]
