"""Idempotent loaders behind ``seed_units`` and ``seed_demo``: running them twice changes nothing."""
from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.dispatch import Signal

from .court_keys import home_court_id
from .models import ActionType, Capability, Court, Unit, User
from .roles import ROLE_PERMISSIONS, Role
from .seed_data import ACTIONS, LEGAL_BASIS, UNITS, capabilities_for

DEMO_PASSWORD = "linkage-demo"


def ensure_role_groups() -> None:
    """One group per role, carrying the model permissions of ``ROLE_PERMISSIONS``."""
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        wanted = []
        for dotted in ROLE_PERMISSIONS[role]:
            app_label, codename = dotted.split(".")
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:
                wanted.append(perm)
        if set(group.permissions.all()) != set(wanted):
            group.permissions.set(wanted)


# Sent at the end of ``seed_units`` with ``units`` = the units it created (possibly none): the apps
# above members connect to it in their ``ready`` so that members imports none of them.
units_seeded = Signal()


@transaction.atomic
def seed_units(court=None, prefix: str = "", county: str = "") -> dict:
    """Create the actions and units that are missing; never overwrite an existing row. ``court``,
    ``prefix`` and ``county``: a later county's conference (its units' codes carry ``prefix``, their
    names the county's name where the first county's stands)."""
    ensure_role_groups()
    created = {"actions": 0, "units": 0, "capabilities": 0}
    actions, new_units = {}, []
    for order, (code, name, name_en, holds, release, ack, answer, urgent) in enumerate(ACTIONS):
        action, was_created = ActionType.objects.get_or_create(
            code=code,
            defaults=dict(
                name=name, name_en=name_en, holds_measure=holds, release_name=release,
                ack_working_days=ack, answer_working_days=answer, urgent_hours=urgent, sort_order=order,
                legal_basis=LEGAL_BASIS.get(code, ""),
            ),
        )
        actions[code] = action
        created["actions"] += was_created
    for order, entry in enumerate(UNITS):
        code, name, name_en, kind, articles, duties, _caps = entry
        if county:
            # 县公安局 → 江陵县公安局; 中国工商银行公安支行 → 中国工商银行江陵支行 (公安 is also the first county).
            name = (f"{county}{name}" if name.startswith("县")
                    else name.replace("公安支", f"{county}支").replace("人行公安", f"人行{county}"))
        unit, was_created = Unit.objects.get_or_create(
            code=f"{prefix}{code}",
            defaults=dict(
                name=name, name_en=name_en, kind=kind, articles=articles, duties=duties,
                sort_order=order * 10, court=court or Court.objects.get(pk=home_court_id()),
            ),
        )
        created["units"] += was_created
        if not was_created:
            continue
        new_units.append(unit)
        for action_code, covers in capabilities_for(entry).items():
            _cap, cap_created = Capability.objects.get_or_create(
                unit=unit, action=actions[action_code], defaults={"covers": covers}
            )
            created["capabilities"] += cap_created
    # Each app above members seeds its own data for the units (cases: the full-ID needs of PIPL Art. 28
    # and the measure limits; credit: the units that apply consumption restriction orders).
    units_seeded.send(sender=Unit, units=new_units)
    return created


def _ensure_user(username, *, password, role=None, unit=None, superuser=False, first_name="",
                 staff=False, last_name="", court=None) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults=dict(unit=unit, **({"court": court} if court is not None else {}), is_staff=superuser or staff, is_superuser=superuser, first_name=first_name,
                      last_name=last_name, email=f"{username}@example.invalid"),
    )
    if created or not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    if role and not user.groups.filter(name=role).exists():
        user.groups.add(Group.objects.get(name=role))
    return user


@transaction.atomic
def seed_demo(password: str = DEMO_PASSWORD) -> list[User]:
    """The demo accounts of API.md, on top of ``seed_units``."""
    from .services import liaison_assign

    seed_units()
    court = Unit.objects.get(code="court")
    plc = Unit.objects.get(code="plc")
    # The number printed beside 经办人 on every notice (D17): the clerk's own, else the court's.
    if not court.contact_phone:
        Unit.objects.filter(pk=court.pk).update(contact_phone="0716-5221369")
    clerk = _ensure_user("clerk", password=password, role=Role.CLERK, unit=court, first_name="执行书记员")
    if not clerk.phone:
        User.objects.filter(pk=clerk.pk).update(phone="0716-5226102")
        clerk.phone = "0716-5226102"
    users = [
        clerk,
        # Signs consumption restriction orders (限高规定 Art. 5).
        # A person's name: it signs the 决定书 and the 限制消费令 ("院长　周国强"), never "院长：院长".
        _ensure_user("president", password=password, role=Role.PRESIDENT, unit=court, last_name="周",
                     first_name="国强"),
        # The office keeps the holiday table (调休) in the admin, so it may sign in there.
        _ensure_user("office", password=password, role=Role.OFFICE, unit=court, first_name="联席办", staff=True),
        _ensure_user("convener", password=password, role=Role.CONVENER, unit=plc, first_name="召集人"),
        _ensure_user("assessor", password=password, role=Role.ASSESSOR, first_name="综治委考评"),
        _ensure_user("admin", password=password, superuser=True, first_name="系统管理员"),
    ]
    police = Unit.objects.get(code="police")
    users.append(_ensure_user("leader-police", password=password, role=Role.UNIT_LEADER, unit=police,
                              first_name="公安局领导"))
    for unit in Unit.objects.filter(court_id=home_court_id()):
        liaison = _ensure_user(f"liaison-{unit.code}", password=password, role=Role.LIAISON, unit=unit,
                               first_name=f"{unit.name}联络员")
        liaison_assign(actor=None, unit=unit, user=liaison)
        users.append(liaison)
    users += seed_second_court(password)
    return users


# The demo city (issue 30): 荆州 (鄂10) supervises its basic courts; the first court is 公安县 (鄂1022, the
# install's COURT_CODE), the second 江陵县 (鄂1024). The codes of 法〔2015〕137号 follow the division codes.
INTERMEDIATE = ("鄂10", "湖北省荆州市中级人民法院")
SECOND = ("鄂1024", "湖北省江陵县人民法院", "江陵", "2-")


def seed_second_court(password: str) -> list[User]:
    """A second county court of the same city with its own conference (units ``2-<code>``, accounts
    ``clerk-2``, ``office-2``, ``convener-2``, ``president-2``, ``liaison-2-<code>``) and the supervising
    intermediate court's account ``supervisor``."""
    from .services import liaison_assign

    city, _created = Court.objects.get_or_create(code=INTERMEDIATE[0], defaults={"name": INTERMEDIATE[1]})
    Court.objects.filter(pk=home_court_id(), parent__isnull=True).exclude(pk=city.pk).update(parent=city)
    code, name, county, prefix = SECOND
    second, _created = Court.objects.get_or_create(code=code, defaults={"name": name, "parent": city})
    seed_units(court=second, prefix=prefix, county=county)
    court_unit = Unit.objects.get(code=f"{prefix}court")
    users = [
        _ensure_user("clerk-2", password=password, role=Role.CLERK, unit=court_unit, first_name="江陵执行书记员"),
        _ensure_user("office-2", password=password, role=Role.OFFICE, unit=court_unit, first_name="江陵联席办"),
        _ensure_user("president-2", password=password, role=Role.PRESIDENT, unit=court_unit, last_name="吴",
                     first_name="建华"),
        _ensure_user("convener-2", password=password, role=Role.CONVENER, unit=Unit.objects.get(code=f"{prefix}plc"),
                     first_name="江陵召集人"),
        _ensure_user("supervisor", password=password, role=Role.SUPERVISOR, court=city, first_name="荆州中院执行指挥中心"),
    ]
    for unit in Unit.objects.filter(court=second):
        liaison = _ensure_user(f"liaison-{unit.code}", password=password, role=Role.LIAISON, unit=unit,
                               first_name=f"{unit.name}联络员")
        liaison_assign(actor=None, unit=unit, user=liaison)
        users.append(liaison)
    return users
