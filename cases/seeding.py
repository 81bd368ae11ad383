"""The data cases seeds for the member units (connected to ``members.seeding.units_seeded``)."""


def on_units_seeded(sender, *, units, **kwargs):
    from .disclosure import seed_identifier_needs  # a new unit's need of full IDs (PIPL Art. 28)

    if units:
        seed_identifier_needs(units)
    seed_measure_limits()


def seed_measure_limits() -> None:
    from .models import MeasureLimit
    from .terms import DEFAULT_LIMIT_MONTHS

    basis = "最高人民法院关于适用《中华人民共和国民事诉讼法》的解释（2022年修正）第485条"
    for asset_kind, months in DEFAULT_LIMIT_MONTHS.items():
        MeasureLimit.objects.get_or_create(asset_kind=asset_kind, defaults={"months": months, "basis": basis})
