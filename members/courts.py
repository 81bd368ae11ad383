"""Which courts a user works for (issue 30): the second key of every scope after the unit.

Every case, meeting, agenda item, assessment period and unit belongs to one court; notices, measures,
pushes, invitations, action items and scores belong to it through their unit. A court's roles see their
own court's rows; a supervising court's roles (the intermediate court's 执行指挥中心) also the courts
below it; a superuser every court. Unit roles need nothing more: a unit belongs to one court.
"""
from .court_keys import home_court_id  # noqa: F401  (one import for the apps)


def court_ids(user) -> frozenset[int] | None:
    """The courts whose rows ``user``'s court roles see; ``None`` means every court (a superuser).

    Cached on the user for the request. A plain court user costs no query (their own court is on the
    user row); a supervising court's user one, for the courts below."""
    if not user.is_authenticated:
        return frozenset()
    if user.is_superuser:
        return None
    cached = user.__dict__.get("_court_ids")
    if cached is None:
        cached = frozenset({user.court_id})
        from .roles import Role, has_role

        if has_role(user, Role.SUPERVISOR):
            cached = cached | below(user.court_id)
        user.__dict__["_court_ids"] = cached
    return cached


def below(court_id: int) -> frozenset[int]:
    """Every court under ``court_id`` (its children and theirs: a high court above intermediate ones)."""
    from .models import Court

    found: set[int] = set()
    level = {court_id}
    while level:
        level = set(Court.objects.filter(parent_id__in=level).values_list("pk", flat=True)) - found
        found |= level
    return frozenset(found)


def filter_by_court(qs, user, path: str = "court"):
    """``qs`` limited to the rows whose ``path`` (a court key, e.g. ``unit__court``) is one of the user's
    courts: the court half of the one scoping rule (``members.scoping``)."""
    ids = court_ids(user)
    if ids is None:
        return qs
    if len(ids) == 1:
        (only,) = ids
        return qs.filter(**{f"{path}_id": only})
    return qs.filter(**{f"{path}_id__in": ids})


def same_court(user, court_id: int) -> bool:
    ids = court_ids(user)
    return ids is None or court_id in ids


_CODES: dict[int, tuple[str, str, int | None]] = {}


def _court_row(court_id):
    """(code, name, parent id) of a court, from a per-process table (courts are a handful of rows that
    hardly change; read once, not once per row of an API list). Cleared when a court is saved or deleted."""
    if court_id not in _CODES:
        from .models import Court

        _CODES.clear()
        _CODES.update((pk, (code, name, parent)) for pk, code, name, parent
                      in Court.objects.values_list("pk", "code", "name", "parent_id"))
    return _CODES.get(court_id, ("", "", None))


def court_code(court_id: int | None) -> str:
    return "" if court_id is None else _court_row(court_id)[0]


def court_label(court_id: int | None) -> str:
    """The court's name as pages print it."""
    return "" if court_id is None else _court_row(court_id)[1]


def forget_court_codes(**_kwargs) -> None:
    _CODES.clear()


def base_code(unit_code: str) -> str:
    """A unit's code without a later county's prefix (``2-natres`` → ``natres``): what kind of member it
    is, for the rules that name units by code."""
    head, sep, rest = unit_code.partition("-")
    return rest if sep and head.isdigit() else unit_code
