"""Indexes for the case search, a unit's case list and a period's notices (issue 13).

``notice_unit_case``: the cases a unit's members may see; ``notice_issued_at``: a period's notices;
``notice_status_id``: the notices in a state, newest first. The trigram indexes (PostgreSQL only, the
``pg_trgm`` extension, trusted since PostgreSQL 13 so the database's owner may create it) serve
``icontains`` (``UPPER(col::text) LIKE UPPER('%…%')``, hence on ``UPPER``) on the case number, the title,
the parties' names and the notice number, the fields of the case search and the inbox search
(``cases.selectors.case_ids_matching``, ``notices_matching``); SQLite has no such index and scans.
"""
from django.db import migrations, models

TRIGRAM_INDEXES = (
    ("case_number_trgm", "cases_case", "number"),
    ("case_title_trgm", "cases_case", "title"),
    ("party_name_trgm", "cases_party", "name"),
    ("notice_number_trgm", "cases_notice", "number"),
)


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in TRIGRAM_INDEXES:
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER("{column}"::text) gin_trgm_ops)')


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0015_field_verbose_names'),
        ('members', '0007_field_verbose_names'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='notice',
            index=models.Index(condition=models.Q(('kind__in', ['push', 'withdraw']), _negated=True),
                               fields=['unit', 'case'], name='notice_unit_case'),
        ),
        migrations.AddIndex(
            model_name='notice',
            index=models.Index(fields=['issued_at'], name='notice_issued_at'),
        ),
        migrations.AddIndex(
            model_name='notice',
            index=models.Index(fields=['status', '-id'], name='notice_status_id'),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes, elidable=False),
    ]
