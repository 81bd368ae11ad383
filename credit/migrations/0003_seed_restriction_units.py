"""The units that apply consumption restriction orders by default: natres, every insurer, finance."""
from django.db import migrations

DEFAULTS = {
    "natres": (["real_estate"], "不动产登记：限制购买不动产、新建扩建房屋（限高规定第三条第三项）"),
    "finance": (["other"], "政府采购：限制参加政府采购、财政性资金项目"),
}


def seed(apps, schema_editor):
    Unit = apps.get_model("members", "Unit")
    RestrictionUnit = apps.get_model("credit", "RestrictionUnit")
    for unit in Unit.objects.all():
        if unit.code in DEFAULTS:
            acts, covers = DEFAULTS[unit.code]
        elif unit.code.startswith("insurance"):
            acts, covers = ["insurance"], "限制支付高额保费购买保险理财产品（限高规定第三条第八项）"
        else:
            continue
        RestrictionUnit.objects.get_or_create(unit=unit, defaults={"acts": acts, "covers": covers})


class Migration(migrations.Migration):
    dependencies = [("credit", "0002_rules_and_restrictions")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
