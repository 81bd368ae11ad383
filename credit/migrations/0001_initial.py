"""The dishonest-debtor list, moved from ``cases`` (issue 15). State only: the tables ``cases_credit*``
exist with their rows and are kept (``db_table``); nothing is created or dropped. The content types are
renamed to ``credit`` so the permissions granted to the groups stay attached."""
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


MODELS = ["creditentry", "creditperson", "creditevent", "creditpush", "creditcheck"]


def _rename_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label="credit", model=model).exists():
            ContentType.objects.filter(app_label="cases", model=model).update(app_label="credit")


def _rename_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="credit", model__in=MODELS).update(app_label="cases")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('cases', '0014_credit_moved_to_its_app'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('members', '0006_token_lifetime'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='CreditEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=120, verbose_name='name')),
                        ('kind', models.CharField(default='person', max_length=12, verbose_name='kind')),
                        ('id_number', models.CharField(max_length=18, verbose_name='ID number / credit code')),
                        ('legal_representative', models.CharField(blank=True, max_length=60, verbose_name='legal representative')),
                        ('court', models.CharField(max_length=100, verbose_name='court')),
                        ('ground', models.CharField(choices=[('able_refuses', 'Able to perform but refuses'), ('obstructs', 'Obstructs or resists enforcement by false evidence, violence or threats'), ('evades', 'Evades enforcement by false litigation or arbitration, or by hiding or moving assets'), ('property_report', 'Violates the property reporting rules'), ('consumption', 'Violates the order restricting high consumption'), ('settlement', 'Refuses without good reason to perform an enforcement settlement')], max_length=20, verbose_name='legal ground')),
                        ('obligation', models.TextField(verbose_name='obligation not performed')),
                        ('decided_on', models.DateField(default=django.utils.timezone.localdate, verbose_name='decided on')),
                        ('status', models.CharField(choices=[('pending', 'Pending'), ('published', 'Published'), ('shielded', 'Shielded'), ('revoked', 'Revoked')], default='pending', max_length=10, verbose_name='status')),
                        ('status_reason', models.TextField(blank=True, verbose_name='reason for the current status')),
                        ('round', models.PositiveIntegerField(default=0, help_text='Incremented at each publication; the units get one push per round.', verbose_name='publication round')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('published_at', models.DateTimeField(blank=True, null=True, verbose_name='published')),
                        ('first_published_at', models.DateTimeField(blank=True, null=True, verbose_name='first published')),
                        ('shielded_at', models.DateTimeField(blank=True, null=True, verbose_name='shielded')),
                        ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked')),
                        ('revoke_ground', models.CharField(blank=True, choices=[('performed', 'Performed in full (履行完毕)'), ('settled', 'Settled and the settlement performed (和解且已履行)'), ('creditor_request', 'The creditor asks for deletion (申请执行人申请删除)'), ('terminated', 'Enforcement terminated (终结执行)'), ('basis_revoked', 'The basis was revoked or is not enforced (执行依据撤销或不予执行)'), ('expired', 'The listing period expired (纳入期限届满)'), ('wrongly_listed', 'Listed in error, corrected (错误纳入)')], max_length=20, verbose_name='ground of revocation')),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='credit_entries', to='cases.case')),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('party', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='credit_entries', to='cases.party')),
                    ],
                    options={
                        'verbose_name': 'dishonest-debtor entry',
                        'verbose_name_plural': 'dishonest-debtor entries',
                        'db_table': 'cases_creditentry',
                        'ordering': ['-id'],
                        'permissions': [('publish_creditentry', 'Can publish a dishonest-debtor entry'), ('shield_creditentry', 'Can shield a dishonest-debtor entry'), ('revoke_creditentry', 'Can revoke a dishonest-debtor entry')],
                    },
                ),
                migrations.CreateModel(
                    name='CreditEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('transition', models.CharField(max_length=20, verbose_name='transition')),
                        ('from_status', models.CharField(blank=True, max_length=12, verbose_name='from')),
                        ('to_status', models.CharField(max_length=12, verbose_name='to')),
                        ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='at')),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('entry', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='credit.creditentry')),
                    ],
                    options={
                        'verbose_name': 'dishonest-list event',
                        'verbose_name_plural': 'dishonest-list events',
                        'db_table': 'cases_creditevent',
                        'ordering': ['at', 'id'],
                        'abstract': False,
                    },
                ),
                migrations.CreateModel(
                    name='CreditPerson',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(choices=[('legal_rep', 'Legal representative'), ('responsible', 'Other responsible person')], max_length=12, verbose_name='role')),
                        ('name', models.CharField(max_length=60, verbose_name='name')),
                        ('id_number', models.CharField(blank=True, max_length=18, verbose_name='resident ID number')),
                        ('entry', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='persons', to='credit.creditentry')),
                    ],
                    options={
                        'verbose_name': 'responsible person',
                        'verbose_name_plural': 'responsible persons',
                        'db_table': 'cases_creditperson',
                        'ordering': ['entry', 'role', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='CreditPush',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('round', models.PositiveIntegerField(verbose_name='publication round')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('withdrawn_at', models.DateTimeField(blank=True, null=True, verbose_name='withdrawn')),
                        ('entry', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='pushes', to='credit.creditentry')),
                        ('push', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='credit_push', to='cases.notice')),
                        ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='credit_pushes', to='members.unit')),
                        ('withdrawal', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='credit_withdrawal', to='cases.notice')),
                    ],
                    options={
                        'verbose_name': 'joint-punishment push',
                        'verbose_name_plural': 'joint-punishment pushes',
                        'db_table': 'cases_creditpush',
                        'ordering': ['-id'],
                    },
                ),
                migrations.CreateModel(
                    name='CreditCheck',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='at')),
                        ('id_number', models.CharField(max_length=40, verbose_name='identifier checked')),
                        ('reason', models.CharField(max_length=200, verbose_name='reason')),
                        ('channel', models.CharField(choices=[('api', 'API'), ('browser', 'Browser'), ('bulk', 'Bulk file')], max_length=8, verbose_name='channel')),
                        ('listed', models.BooleanField(verbose_name='on the list')),
                        ('batch', models.CharField(blank=True, max_length=200, verbose_name='file')),
                        ('unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='members.unit')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'dishonest-list check',
                        'verbose_name_plural': 'dishonest-list checks',
                        'db_table': 'cases_creditcheck',
                        'ordering': ['-id'],
                        'indexes': [models.Index(fields=['user', '-at'], name='credit_check_user_at'), models.Index(fields=['unit', '-at'], name='credit_check_unit_at')],
                    },
                ),
                migrations.AddIndex(
                    model_name='creditentry',
                    index=models.Index(fields=['status', '-published_at'], name='credit_status_published'),
                ),
                migrations.AddIndex(
                    model_name='creditentry',
                    index=models.Index(fields=['id_number'], name='credit_id_number'),
                ),
                migrations.AddIndex(
                    model_name='creditentry',
                    index=models.Index(fields=['name'], name='credit_name'),
                ),
                migrations.AddConstraint(
                    model_name='creditentry',
                    constraint=models.UniqueConstraint(condition=models.Q(('status', 'revoked'), _negated=True), fields=('party',), name='credit_one_live_entry_per_party'),
                ),
                migrations.AddIndex(
                    model_name='creditevent',
                    index=models.Index(fields=['entry', 'at'], name='credit_event_entry_at'),
                ),
                migrations.AddIndex(
                    model_name='creditperson',
                    index=models.Index(fields=['id_number'], name='credit_person_id_number'),
                ),
                migrations.AddIndex(
                    model_name='creditpush',
                    index=models.Index(fields=['unit', '-id'], name='credit_push_unit_id'),
                ),
                migrations.AddConstraint(
                    model_name='creditpush',
                    constraint=models.UniqueConstraint(fields=('entry', 'unit', 'round'), name='credit_one_push_per_round'),
                ),
            ],
        ),
        migrations.RunPython(_rename_content_types, _rename_back),
    ]
