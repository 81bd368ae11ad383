"""The dishonest-debtor list moved to the ``credit`` app (issue 15): the models leave the state of
``cases`` only; their tables and rows stay (``credit.0001`` takes them over with ``db_table``)."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0013_open_work_indexes'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='creditentry',
                    name='case',
                ),
                migrations.RemoveField(
                    model_name='creditentry',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='creditentry',
                    name='party',
                ),
                migrations.RemoveField(
                    model_name='creditevent',
                    name='entry',
                ),
                migrations.RemoveField(
                    model_name='creditpush',
                    name='entry',
                ),
                migrations.RemoveField(
                    model_name='creditperson',
                    name='entry',
                ),
                migrations.RemoveField(
                    model_name='creditevent',
                    name='actor',
                ),
                migrations.RemoveField(
                    model_name='creditpush',
                    name='push',
                ),
                migrations.RemoveField(
                    model_name='creditpush',
                    name='unit',
                ),
                migrations.RemoveField(
                    model_name='creditpush',
                    name='withdrawal',
                ),
                migrations.DeleteModel(
                    name='CreditCheck',
                ),
                migrations.DeleteModel(
                    name='CreditEntry',
                ),
                migrations.DeleteModel(
                    name='CreditPerson',
                ),
                migrations.DeleteModel(
                    name='CreditEvent',
                ),
                migrations.DeleteModel(
                    name='CreditPush',
                ),
            ],
        ),
    ]
