"""Structured subject of a notice (asset kind, account, amount) and the units whose joint punishment
needs a listed person's full ID (personal data that stays where it belongs, PIPL Art. 28, 51).

The seed below is frozen here (a migration must not follow later edits of ``cases.disclosure``); it
gives a database that has the units already their rows. A fresh database gets them from
``seed_units`` (``cases.disclosure.IDENTIFIER_NEEDS``)."""

import django.db.models.deletion
from django.db import migrations, models


NEEDS = [
    ("police", "限制出境：须以公民身份号码将失信被执行人录入出入境边防管控系统（第十五条）。"),
    ("natres", "限制购买、取得房产和土地使用权：须以公民身份号码在不动产登记系统中设置限制（第二十一条）。"),
    ("market", "限制担任法定代表人、董事、监事、高级管理人员：须以公民身份号码在市场主体登记系统中设置限制（第二十条）。"),
    ("fund", "限制提取、转移住房公积金：须以公民身份号码锁定其公积金账户（第二十九条）。"),
    ("bank-", "限制贷款、限制办理信用卡：须以公民身份号码在信贷和发卡系统中设置限制标识（第二十六条）。"),
    ("insurance-", "限制支付高额保费购买具有现金价值的保险产品：须以公民身份号码在承保系统中设置限制（第三十一条）。"),
]


def seed_needs(apps, schema_editor):
    Unit = apps.get_model("members", "Unit")
    Need = apps.get_model("cases", "PunishmentIdentifierNeed")
    for unit in Unit.objects.all():
        for code, reason in NEEDS:
            if unit.code == code or (code.endswith("-") and unit.code.startswith(code)):
                Need.objects.get_or_create(unit_id=unit.pk, defaults={"reason": reason})
                break


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0011_fullwidth_case_numbers'),
        ('members', '0005_action_legal_basis'),
    ]

    operations = [
        migrations.AddField(
            model_name='notice',
            name='account',
            field=models.CharField(blank=True, max_length=100, verbose_name='account, plate or parcel number'),
        ),
        migrations.AddField(
            model_name='notice',
            name='amount',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=15, null=True, verbose_name='amount to freeze or deduct (yuan)'),
        ),
        migrations.AddField(
            model_name='notice',
            name='asset_kind',
            field=models.CharField(blank=True, choices=[('deposit', 'Bank deposit'), ('movable', 'Movable property (e.g. vehicle)'), ('real_estate', 'Real estate'), ('equity', 'Equity'), ('fund', 'Fund account (housing fund, social insurance)'), ('other', 'Other property right'), ('unknown', 'Not stated')], max_length=20, verbose_name='asset kind'),
        ),
        migrations.CreateModel(
            name='PunishmentIdentifierNeed',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.CharField(max_length=300, verbose_name='why its joint punishment needs the full ID')),
                ('unit', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='punishment_identifier_need', to='members.unit', verbose_name='unit')),
            ],
            options={
                'verbose_name': 'unit that needs the full ID for joint punishment',
                'verbose_name_plural': 'units that need the full ID for joint punishment',
                'ordering': ['unit__sort_order', 'unit__code'],
            },
        ),
        migrations.RunPython(seed_needs, migrations.RunPython.noop),
    ]
