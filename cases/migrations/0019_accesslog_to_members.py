"""The access log moves to ``members`` (members.0008): the table and its rows stay where they are."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0018_proof_of_service'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='AccessLog')],
            database_operations=[],
        ),
    ]
