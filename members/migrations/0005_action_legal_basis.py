"""Fill ActionType.legal_basis for the seeded actions where the office has not written one yet.

Civil Procedure Law as amended in 2023 (in force 2024-01-01): Art. 253 deposits and other property
(query, freeze, transfer), 254 income, 255 seize / freeze and sell, 262 title certificates, 266 exit
restriction and publication. The values are copied here, not imported, so that this migration means the
same thing whatever members/seed_data.py says later.
"""
from django.db import migrations

_CPL = "《中华人民共和国民事诉讼法》"
_RULES = "《公安县执行工作联动协调机制工作办法》"
LEGAL_BASIS = {
    "query": f"{_CPL}第二百五十三条",
    "freeze": f"{_CPL}第二百五十三条、第二百五十五条",
    "deduct": f"{_CPL}第二百五十三条、第二百五十四条",
    "seize": f"{_CPL}第二百五十五条",
    "transfer": f"{_CPL}第二百六十二条",
    "restrict": f"{_CPL}第二百六十六条",
    "locate": f"{_RULES}第十五条",
    "dispatch": f"{_RULES}第十五条",
    "publicize": f"{_CPL}第二百六十六条",
    "relief": f"{_RULES}第二十二条、第三十一条",
    "coordinate": f"{_RULES}第十八条、第十九条",
    "mediate": f"{_RULES}第十六条",
    "refer_crime": f"《中华人民共和国刑法》第三百一十三条，{_RULES}第十四条",
}


def fill(apps, schema_editor):
    ActionType = apps.get_model("members", "ActionType")
    for code, basis in LEGAL_BASIS.items():
        ActionType.objects.filter(code=code, legal_basis="").update(legal_basis=basis)


def unfill(apps, schema_editor):
    ActionType = apps.get_model("members", "ActionType")
    for code, basis in LEGAL_BASIS.items():
        ActionType.objects.filter(code=code, legal_basis=basis).update(legal_basis="")


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0004_legal_exactness"),
    ]

    operations = [
        migrations.RunPython(fill, unfill),
    ]
