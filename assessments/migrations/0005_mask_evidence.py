"""Evidence snapshots taken before free text was masked in them: an identifier typed into an action item's
text is masked in the frozen rows too (docs/security.md), the one change a finalised period allows."""
from django.db import migrations


def mask_snapshots(apps, schema_editor):
    from linkage.identity import mask_identifiers_in_text

    Evidence = apps.get_model("assessments", "AssessmentEvidence")
    for row in Evidence.objects.only("id", "label", "detail").iterator(chunk_size=2000):
        label, detail = mask_identifiers_in_text(row.label)[:200], mask_identifiers_in_text(row.detail)[:300]
        if (label, detail) != (row.label, row.detail):
            Evidence.objects.filter(pk=row.pk).update(label=label, detail=detail)


class Migration(migrations.Migration):

    dependencies = [
        ("assessments", "0004_court_sanctions"),
    ]

    operations = [
        migrations.RunPython(mask_snapshots, migrations.RunPython.noop),
    ]
