"""The access log, moved from ``cases`` (cases.0019): the same table ``cases_accesslog``, no SQL."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import linkage.choices


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0007_field_verbose_names'),
        ('cases', '0019_accesslog_to_members'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(database_operations=[], state_operations=[migrations.CreateModel(
            name='AccessLog',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='at')),
                ('what', models.CharField(max_length=40, verbose_name='what was accessed')),
                ('object_repr', models.CharField(max_length=120, verbose_name='object representation')),
                ('reason', models.CharField(blank=True, max_length=200, verbose_name='reason')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='user')),
            ],
            options={
                'verbose_name': 'access log entry',
                'verbose_name_plural': 'access log',
                'db_table': 'cases_accesslog',
                'ordering': ['-at'],
                'indexes': [models.Index(fields=['user', 'at'], name='accesslog_user_at')],
            },
            bases=(linkage.choices.ChoiceLabels, models.Model),
        )]),
    ]
