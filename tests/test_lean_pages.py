"""Issue 13 §3, lean pages: the faster ways of printing a row give exactly what the slow ways gave.

- ``{{ pk|path:"name" }}`` is ``{% url "name" pk %}`` (script prefix included, odd values the slow way);
- ``|minute`` and ``|iso`` are ``|date:"Y-m-d H:i"`` and ``|date:"c"`` in Asia/Shanghai, also when the
  UTC date is yesterday's;
- the unit scope read straight from django-guardian's tables is what ``get_objects_for_user`` answers,
  for a user's own object permissions, a group's, both, none, and a revoked one;
- the inbox reads its tab counts once (the menu shows the same figures);
- event labels built once per language still follow the language.
"""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils import translation
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm

from cases.templatetags.notice_tags import event_label
from members.backends import load_roles
from members.models import Unit, User
from members.scoping import HANDLE, VIEW, _granted_unit_ids, forget_cached_scope, unit_ids
from members.templatetags.rows import iso, minute, path

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("name", ["cases:detail", "cases:notice-detail", "cases:notice-pdf", "cases:attachment"])
@pytest.mark.parametrize("pk", [1, 7, 12345, 2**31 - 1])
def test_path_is_reverse(name, pk):
    assert path(pk, name) == reverse(name, args=[pk])


def test_path_follows_the_script_prefix():
    try:
        set_script_prefix("/portal/")
        assert path(42, "cases:detail") == "/portal/cases/42/" == reverse("cases:detail", args=[42])
    finally:
        set_script_prefix("/")
    assert path(42, "cases:detail") == "/cases/42/"


@pytest.mark.parametrize("name", ["documents:download", "documents:verify-code"])
@pytest.mark.parametrize("code", ["K7Q2M9X4B8C1", "abc", "0042", 42, "AB-12", "含中文", "a b"])
def test_path_of_a_document_code_is_reverse(name, code):
    assert path(code, name) == reverse(name, args=[code])


def test_a_code_on_a_route_of_ids_fails_as_reverse_does():
    with pytest.raises(NoReverseMatch):
        path("K7Q2M9X4B8C1", "cases:detail")
    with pytest.raises(NoReverseMatch):
        reverse("cases:detail", args=["K7Q2M9X4B8C1"])


def test_path_takes_the_slow_way_for_what_is_not_a_plain_id():
    assert path("42", "cases:detail") == reverse("cases:detail", args=["42"])
    with pytest.raises(NoReverseMatch):  # what {% url %} does with a missing id: no link to "None"
        path(None, "cases:detail")


def _django(value, fmt):
    return Template("{{ v|date:f }}").render(Context({"v": value, "f": fmt}))


@pytest.mark.parametrize("value", [
    dt.datetime(2026, 12, 1, 16, 30, tzinfo=dt.UTC),  # 00:30 on 2 December in Shanghai
    dt.datetime(2026, 12, 31, 15, 59, 59, 999999, tzinfo=dt.UTC),
    dt.datetime(2027, 2, 5, 8, 0, tzinfo=SHANGHAI),
    dt.datetime(2026, 6, 1, 23, 59, 30, tzinfo=dt.UTC),
])
def test_minute_and_iso_print_what_the_date_filter_prints(value, settings):
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert minute(value) == _django(value, "Y-m-d H:i")
    assert iso(value) == _django(value, "c")
    assert minute(dt.datetime(2026, 12, 1, 16, 30, tzinfo=dt.UTC)) == "2026-12-02 00:30"


@pytest.mark.parametrize("value", [None, ""])
def test_minute_of_no_datetime_is_empty_as_with_the_date_filter(value):
    assert minute(value) == _django(value, "Y-m-d H:i") == ""
    assert minute(dt.date(2026, 12, 2)) == ""  # |date raises for a time format on a date; a row prints nothing


def _guardian(user, perm):
    return frozenset(get_objects_for_user(user, perm, klass=Unit, accept_global_perms=False,
                                          with_superuser=False).values_list("id", flat=True))


@pytest.mark.django_db
def test_unit_scope_is_what_guardian_answers():
    police, bank, fund = (Unit.objects.get(code=c) for c in ("police", "bank-icbc", "fund"))
    own = User.objects.create_user("scope-own")
    assign_perm(VIEW, own, police)
    assign_perm(HANDLE, own, police)
    assign_perm(VIEW, own, bank)
    grouped = User.objects.create_user("scope-group")
    group = Group.objects.create(name="scope-test-group")
    grouped.groups.add(group)
    assign_perm(VIEW, group, fund)
    assign_perm(VIEW, grouped, bank)  # the same unit through both ways counts once
    assign_perm(VIEW, group, bank)
    User.objects.create_user("scope-none")
    revoked = User.objects.create_user("scope-revoked")
    assign_perm(VIEW, revoked, police)
    remove_perm(VIEW, revoked, police)
    expected = {("scope-own", VIEW): {police.id, bank.id}, ("scope-own", HANDLE): {police.id},
                ("scope-group", VIEW): {fund.id, bank.id}, ("scope-group", HANDLE): set(),
                ("scope-none", VIEW): set(), ("scope-revoked", VIEW): set()}
    for (username, perm), ids in expected.items():
        user = User.objects.get(username=username)
        assert _granted_unit_ids(user, perm) == _guardian(user, perm) == ids, (username, perm)
        forget_cached_scope(user)
        assert unit_ids(user, perm) == ids


@pytest.mark.django_db
def test_every_demo_account_has_the_scope_guardian_gives_it():
    checked = 0
    for user in User.objects.filter(username__startswith=("liaison-")) | User.objects.filter(
            username__startswith="leader-"):
        for perm in (VIEW, HANDLE):
            assert _granted_unit_ids(user, perm) == _guardian(user, perm)
        checked += 1
    assert checked >= 20


@pytest.mark.django_db
def test_the_inbox_counts_its_tabs_once(browser_client, make_case, issue):
    case = make_case()
    for _ in range(3):
        issue(case, "bank-icbc", "query")
    client = browser_client("liaison-bank-icbc")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/inbox/?tab=new")
    assert response.status_code == 200
    page = response.content.decode()
    tab_counts = [q["sql"] for q in ctx.captured_queries if 'AS "to_release"' in q["sql"] and "FILTER" in q["sql"]]
    assert len(tab_counts) == 1, tab_counts
    # The tab and the menu show the same figure from that one query.
    assert '待签收 <span class="count">3</span>' in page
    assert 'aria-label="待签收 3 件"' in page


@pytest.mark.django_db
def test_event_labels_follow_the_language(make_case, issue):
    notice = issue(make_case(), "bank-icbc", "query")
    first = notice.events.order_by("at", "id").first()
    with translation.override("zh-hans"):
        chinese = event_label(first)
    with translation.override("en"):
        english = event_label(first)
    with translation.override("zh-hans"):
        again = event_label(first)
    assert chinese == again != english
    assert chinese.startswith("发出") and english.startswith("issued"), (chinese, english)


def _roles_by_orm(user):
    """The role query as the ORM wrote it before ``members.who``: the reference answer."""
    from django.contrib.auth.models import Permission
    from django.db.models import CharField, Value

    text = CharField()
    from_groups = Group.objects.filter(user=user).annotate(source=Value("group", output_field=text)).values_list(
        "source", "name", "permissions__content_type__app_label", "permissions__codename").order_by()
    from_user = Permission.objects.filter(user=user).annotate(
        source=Value("user", output_field=text), role_name=Value("", output_field=text)).values_list(
        "source", "role_name", "content_type__app_label", "codename").order_by()
    names, role_perms, own = set(), set(), set()
    for source, name, app_label, codename in from_groups.union(from_user, all=True):
        if source == "group":
            names.add(name)
            if codename:
                role_perms.add(f"{app_label}.{codename}")
        else:
            own.add(f"{app_label}.{codename}")
    return frozenset(names), frozenset(role_perms), frozenset(own)


@pytest.mark.django_db
def test_roles_read_in_plain_sql_are_what_the_orm_reads():
    from django.contrib.auth.models import Permission

    empty_role = Group.objects.create(name="role-without-permissions")
    mixed = User.objects.create_user("roles-mixed")
    mixed.groups.add(Group.objects.get(name="clerk"), empty_role)
    mixed.user_permissions.add(Permission.objects.get(codename="view_unit"))
    lone = User.objects.create_user("roles-none")
    checked = 0
    for user in [mixed, lone, *User.objects.exclude(pk__in=[mixed.pk, lone.pk])]:
        user.__dict__.pop("_roles_and_perms", None)
        assert load_roles(user) == _roles_by_orm(user), user.username
        checked += 1
    assert checked > 20
    names, role_perms, own = load_roles(mixed)
    assert {"clerk", "role-without-permissions"} <= names and "cases.add_notice" in role_perms
    assert own == {"members.view_unit"}
    assert load_roles(lone) == (frozenset(), frozenset(), frozenset())


def _straight_counts():
    """The figures counted one by one, as before they shared a round trip."""
    from cases import terms
    from cases.models import Case, Measure, Notice
    from cases.selectors import pending_requests
    from cases.workflow import NoticeStatus

    return {"open_cases": Case.objects.filter(status="open").count(),
            "listed": Case.objects.filter(status="open", listed_supervision=True).count(),
            "measures_lapsed": Measure.objects.filter(status="lapsed", case__status="open").count(),
            "answered": Notice.objects.filter(status=NoticeStatus.ANSWERED).count(),
            "requests": pending_requests().count(),
            "measures_due": Measure.objects.filter(terms.renewal_due_q()).count()}


@pytest.mark.django_db
def test_counts_in_one_round_trip_match_the_counts_one_by_one(make_case, issue, users):
    from cases import services
    from cases.selectors import clerk_todo_counts, court_counts

    def both():
        court = users["clerk"].court_id
        merged = {**court_counts(court), **clerk_todo_counts(court_id=court)}
        return {k: merged[k] for k in _straight_counts()}

    # No open-work notice at all: the aggregate runs over no rows, the figures still count.
    make_case(listed_supervision=True)
    assert both() == _straight_counts() == {"open_cases": 1, "listed": 1, "measures_lapsed": 0, "answered": 0,
                                            "requests": 0, "measures_due": 0}
    case = make_case()
    notice = issue(case, "bank-icbc", "query")
    services.notice_acknowledge(actor=users["liaison-bank-icbc"], notice=notice)
    services.notice_answer(actor=users["liaison-bank-icbc"], notice=notice, outcome="done", detail="已查询")
    issue(case, "police", "query")
    counts = both()
    assert counts == _straight_counts()
    assert counts["open_cases"] == 2 and counts["answered"] == 1
    with CaptureQueriesContext(connection) as ctx:
        court_counts(users["clerk"].court_id)
    assert len(ctx.captured_queries) == 1


@pytest.mark.django_db
def test_choice_labels_are_djangos_in_each_language(make_case, issue):
    from django.db import models

    from cases.models import Case, Notice

    notice = issue(make_case(), "bank-icbc", "query")
    case = notice.case
    checks = [(notice, "status"), (notice, "kind"), (case, "status"), (case.parties.first(), "role")]
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for obj, name in checks:
                field = obj._meta.get_field(name)
                assert getattr(obj, f"get_{name}_display")() == models.Model._get_FIELD_display(obj, field)
    notice.refresh_from_db()
    with translation.override("zh-hans"):
        assert notice.get_status_display() == "已送达"
    with translation.override("en"):
        assert notice.get_status_display() == "Delivered"
    unknown = Case(status="no-such-status")
    assert unknown.get_status_display() == "no-such-status"  # as Django: the stored value
    assert isinstance(Notice.__mro__[1], type) and Notice.__mro__[1].__name__ == "ChoiceLabels"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_blank_release_form_rendered_once_is_each_rows_own_form(language):
    from django.template.loader import render_to_string

    from cases.forms import MeasureReleaseForm
    from cases.templatetags.measure_tags import blank_release_fields, for_measure

    with translation.override(language):
        blank = blank_release_fields()
        for pk in (1, 42, 90210):
            own = render_to_string("cases/_release_fields.html", {"rform": MeasureReleaseForm(measure_id=pk)})
            assert for_measure(blank, pk) == own
            assert f'for="id_release_{pk}_ground"' in own and f'id="id_release_{pk}_ground"' in own
    assert "ROW" not in for_measure(blank, 7)


@pytest.mark.parametrize("indicator", ["ack_on_time", "answer_on_time", "findings", "some_future_code"])
def test_an_evidence_link_is_its_units_page_and_the_indicator(indicator):
    # templates/assessments/ranking.html builds each cell's link so: one reverse() per row, not per cell.
    for code in ("police", "bank-icbc", "insurance-picc"):
        assert reverse("assessments:evidence", args=[7, code, indicator]) == (
            reverse("assessments:unit", args=[7, code]) + f"{indicator}/")


@pytest.mark.django_db
def test_output_serializers_built_once_answer_what_drf_builds_each_time(make_case, issue, users, monkeypatch):
    from rest_framework import serializers as drf

    from cases import selectors, services
    from cases.serializers import CaseSerializer, MeasureSerializer, NoticeDetailSerializer, NoticeSerializer
    from linkage.api import OutputModelSerializer

    notice = issue(make_case(), "bank-icbc", "query")
    services.notice_acknowledge(actor=users["liaison-bank-icbc"], notice=notice)
    detail = selectors.notice_for_detail(users["clerk"]).get(pk=notice.pk)

    def render():
        return (NoticeDetailSerializer(detail).data, NoticeSerializer(detail).data,
                CaseSerializer(detail.case).data, MeasureSerializer(many=True, instance=[]).data)

    once = [render(), render()]
    monkeypatch.setattr(OutputModelSerializer, "get_fields", drf.ModelSerializer.get_fields)
    each_time = render()
    assert once[0] == once[1] == each_time
    assert once[0][0]["status"] == "acknowledged" and once[0][0]["events"]
