"""Case numbers, resident IDs and credit codes as the rules have them (issue section 4).

- 最高人民法院关于人民法院案件案号的若干规定 (法〔2015〕137号): Art. 3 the form "（" + year + "）" + court
  code + case type + serial + "号"; Art. 4 high courts by province abbreviation, 内 for Inner Mongolia,
  兵 for the XPCC branch; Art. 5 two digits for an intermediate court, four for a basic court.
- GB 11643-1999 resident ID numbers; GB 32100-2015 unified social credit codes (GB 11714 organisation
  code in characters 9-17).
- 失信规定 Art. 6: an organisation's credit code is published; a person's ID stays masked.

Assertions look at codes, params and numbers rather than English wording: the messages are translated.
"""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from cases import services
from cases.identifiers import (
    CASE_TYPES,
    case_number_hint,
    normalise_case_number_query,
    parse_case_number,
    parse_own_case_number,
)
from cases.models import Case, Party
from linkage.identity import (
    make_valid_uscc,
    mask_identifier,
    organization_code_check_char,
    resident_id_check_char,
    validate_resident_id,
    validate_uscc,
)

from .conftest import make_resident_id, make_uscc

API = "/api/v1/"
SHANGHAI = ZoneInfo("Asia/Shanghai")
BRACKETS = [("(", ")"), ("（", "）"), ("〔", "〕"), ("［", "］"), ("[", "]"), ("【", "】")]
_serial = iter(range(640_000, 10**6))


def refused(value, parse=parse_case_number) -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        parse(value)
    assert exc.value.messages and all(m.strip() for m in exc.value.messages)
    return exc.value


def params(error: ValidationError) -> dict:
    return error.error_list[0].params or {}


def resident_id(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


def case_body(number, **overrides) -> dict:
    n = next(_serial)
    body = {"number": number, "title": f"案号测试{n}", "amount": "1000.00",
            "parties": [{"role": "applicant", "name": "张三", "id_number": make_resident_id(n % 1000)},
                        {"role": "debtor", "name": "李四", "id_number": make_resident_id((n + 1) % 1000)}]}
    body.update(overrides)
    return body


# ---------------------------------------------------------------- case types and court codes

@pytest.mark.parametrize("case_type", CASE_TYPES)
def test_every_enforcement_case_type_is_accepted(case_type):
    parsed = parse_own_case_number(f"（2026）鄂1022{case_type}12号")
    assert parsed.case_type == case_type
    assert parsed.number == f"（2026）鄂1022{case_type}12号"
    assert not parsed.hint


def test_the_eight_case_types_of_the_standard():
    assert set(CASE_TYPES) == {"执", "执恢", "执保", "执异", "执复", "执监", "执协", "执他"}


@pytest.mark.parametrize("case_type", ["民初", "执初", "刑", "执终", "执恢恢"])
def test_other_case_types_are_refused(case_type):
    error = refused(f"（2026）鄂1022{case_type}12号")
    assert params(error).get("type") == case_type or "（2026）鄂1022执123号" in error.messages[0]


@pytest.mark.parametrize("number, court_code", [
    ("（2026）内01执5号", "内01"),           # Inner Mongolia: 内 (Art. 4)
    ("（2026）内0102执5号", "内0102"),
    ("（2026）兵09执5号", "兵09"),           # the XPCC branch of the Xinjiang high court: 兵
    ("（2026）兵0901执5号", "兵0901"),
    ("（2026）云01执5号", "云01"),           # Yunnan is 云 in the code table, Guizhou 黔
    ("（2026）黔0102执5号", "黔0102"),
    ("（2026）鄂执5号", "鄂"),               # a high court: the abbreviation alone
    ("（2026）鄂10执5号", "鄂10"),           # the Jingzhou intermediate court
    ("（2026）最高法执监5号", "最高法"),      # the Supreme People's Court
])
def test_court_codes_of_the_code_table_are_accepted(number, court_code):
    parsed = parse_case_number(number)
    assert parsed.court_code == court_code and parsed.number == number


def test_meng_is_not_a_court_code_inner_mongolia_is_nei():
    error = refused("（2026）蒙01执5号")
    assert "内" in error.messages[0]


@pytest.mark.parametrize("number", ["（2026）鄂102执5号", "（2026）鄂1执5号", "（2026）鄂10221执5号",
                                    "（2026）X1022执5号", "（2026）最高法01执5号", "（2026）湖北1022执5号"])
def test_malformed_court_codes_are_refused(number):
    refused(number)


# ---------------------------------------------------------------- brackets

@pytest.mark.parametrize("opening, closing", BRACKETS)
def test_bracket_variants_are_the_same_number_stored_with_round_fullwidth_brackets(opening, closing):
    parsed = parse_case_number(f" {opening}2026{closing}鄂1022执恢7号 ")
    assert parsed.number == "（2026）鄂1022执恢7号"
    assert "\uff08" in parsed.number and "\uff09" in parsed.number
    if (opening, closing) == ("（", "）"):
        assert parsed.hint == "" and case_number_hint(parsed.number) == ""
    else:
        assert parsed.number in parsed.hint   # the hint tells the clerk how the number was read
        assert case_number_hint(f"{opening}2026{closing}鄂1022执恢7号") == parsed.hint


def test_fullwidth_digits_and_spaces_are_read_too():
    assert parse_case_number("（２０２６） 鄂1022 执 8号").number == "（2026）鄂1022执8号"


@pytest.mark.parametrize("opening, closing", BRACKETS)
def test_search_query_brackets_are_normalised(opening, closing):
    assert normalise_case_number_query(f"{opening}2026{closing}鄂1022") == "（2026）鄂1022"
    assert normalise_case_number_query(f"{opening}2026") == "（2026"


def test_api_registration_stores_fullwidth_and_returns_the_hint(api):
    n = next(_serial)
    response = api("clerk").post(f"{API}cases/", case_body(f"〔2026〕鄂1022执{n}号"), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == f"（2026）鄂1022执{n}号"
    assert body["number"] in body["number_hint"]
    assert Case.objects.filter(number=f"（2026）鄂1022执{n}号").count() == 1
    again = api("clerk").post(f"{API}cases/", case_body(f"（2026）鄂1022执{n + 1}号"), format="json")
    assert again.status_code == 201 and "number_hint" not in again.json()


def test_page_registration_shows_the_hint(browser_client):
    n = next(_serial)
    data = {"number": f"[2026]鄂1022执{n}号", "title": "案号提示", "amount": "100",
            "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000", "form-0-role": "debtor", "form-0-kind": "person",
            "form-0-name": "某甲", "form-0-id_number": make_resident_id(n % 1000)}
    response = browser_client("clerk").post("/cases/new/", data, follow=True)
    assert response.status_code == 200
    case = Case.objects.get(number=f"（2026）鄂1022执{n}号")
    texts = [str(m) for m in response.context["messages"]]
    assert any(case.number in t and f"[2026]鄂1022执{n}号" in t for t in texts), texts


def test_the_same_number_in_other_brackets_is_a_duplicate(api):
    n = next(_serial)
    assert api("clerk").post(f"{API}cases/", case_body(f"(2026)鄂1022执{n}号"), format="json").status_code == 201
    before = Case.objects.count()
    response = api("clerk").post(f"{API}cases/", case_body(f"［2026］鄂1022执{n}号"), format="json")
    assert response.status_code == 400 and list(response.json()) == ["number"]
    assert f"（2026）鄂1022执{n}号" in response.json()["number"][0]
    assert Case.objects.count() == before


# ---------------------------------------------------------------- the year (Asia/Shanghai)

def test_a_year_after_the_current_one_is_refused_on_new_years_eve_in_gongan():
    with time_machine.travel(dt.datetime(2026, 12, 31, 23, 30, tzinfo=SHANGHAI), tick=False):
        assert parse_case_number("（2026）鄂1022执1号").year == 2026
        error = refused("（2027）鄂1022执1号")
        assert params(error).get("year") == 2027 and params(error).get("this") == 2026


def test_the_new_year_starts_in_gongan_before_it_does_in_utc():
    # 2027-01-01 00:30 in Gong'an is still 2026-12-31 16:30 UTC: the Shanghai year counts.
    with time_machine.travel(dt.datetime(2027, 1, 1, 0, 30, tzinfo=SHANGHAI), tick=False):
        assert dt.datetime.now(dt.UTC).year == 2026
        assert parse_case_number("（2027）鄂1022执1号").year == 2027
        error = refused("（2028）鄂1022执1号")
        assert params(error).get("year") == 2028


@pytest.mark.parametrize("moment, number, accepted", [
    (dt.datetime(2026, 12, 31, 23, 30, tzinfo=SHANGHAI), "（2027）鄂1022执{n}号", False),
    (dt.datetime(2027, 1, 1, 0, 30, tzinfo=SHANGHAI), "（2027）鄂1022执{n}号", True),
    (dt.datetime(2027, 1, 1, 0, 30, tzinfo=SHANGHAI), "（2028）鄂1022执{n}号", False),
])
def test_api_refuses_next_years_number_by_the_gongan_calendar(api, moment, number, accepted):
    client = api("clerk")
    number = number.format(n=next(_serial))
    with time_machine.travel(moment, tick=False):
        before = Case.objects.count()
        response = client.post(f"{API}cases/", case_body(number), format="json")
        if accepted:
            assert response.status_code == 201, response.content
            assert response.json()["number"] == number
        else:
            assert response.status_code == 400 and list(response.json()) == ["number"], response.content
            assert Case.objects.count() == before


def test_years_before_1990_are_refused():
    refused("（1989）鄂1022执1号")
    assert parse_case_number("（1990）鄂1022执1号").year == 1990


# ---------------------------------------------------------------- this court's own code

def test_a_new_case_of_another_court_is_refused_through_the_api(api):
    n = next(_serial)
    before = (Case.objects.count(), Party.objects.count())
    response = api("clerk").post(f"{API}cases/", case_body(f"（2026）鄂1023执{n}号"), format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body) == ["number"]
    message = body["number"][0]
    assert "鄂1023" in message and "鄂1022" in message   # which code it carries, and which it must carry
    assert (Case.objects.count(), Party.objects.count()) == before
    assert not Case.objects.filter(number=f"（2026）鄂1023执{n}号").exists()


def test_another_courts_number_is_still_a_valid_case_number():
    assert parse_case_number("（2026）京01执保99号").court_code == "京01"
    error = refused("（2026）京01执保99号", parse_own_case_number)
    assert error.error_list[0].code == "court_code"
    assert params(error)["code"] == "京01" and params(error)["own"] == "鄂1022"


def test_the_court_code_comes_from_the_setting(settings):
    settings.COURT_CODE = "鄂10"
    assert parse_own_case_number("（2026）鄂10执复3号").court_code == "鄂10"
    refused("（2026）鄂1022执3号", parse_own_case_number)


def test_the_service_refuses_another_courts_code(users):
    with pytest.raises(ValidationError) as exc:
        services.case_create(actor=users["clerk"], number="(2026)鄂1002执1号", title="外院", amount=Decimal("1"),
                             parties=[{"role": "debtor", "name": "甲", "id_number": make_resident_id(3)}])
    assert set(exc.value.message_dict) == {"number"}


# ---------------------------------------------------------------- search with any brackets

@pytest.fixture
def findable(make_case):
    return make_case(number=f"(2026)鄂1022执{next(_serial)}号")


@pytest.mark.parametrize("opening, closing", BRACKETS)
def test_api_number_filter_accepts_any_brackets(api, findable, opening, closing):
    typed = findable.number.replace("（", opening).replace("）", closing)
    response = api("clerk").get(f"{API}cases/", {"number": typed})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [findable.pk]
    searched = api("clerk").get(f"{API}cases/", {"q": typed})   # the search box's parameter
    assert searched.status_code == 200
    assert [row["id"] for row in searched.json()["results"]] == [findable.pk]


@pytest.mark.parametrize("opening, closing", BRACKETS)
def test_case_list_search_accepts_any_brackets(browser_client, findable, opening, closing):
    typed = findable.number.replace("（", opening).replace("）", closing)
    page = browser_client("clerk").get("/cases/", {"q": typed}).content.decode()
    assert f'href="/cases/{findable.pk}/"' in page
    partial = browser_client("clerk").get("/cases/", {"q": f"{opening}2026{closing}鄂1022执"}).content.decode()
    assert f'href="/cases/{findable.pk}/"' in partial


# ---------------------------------------------------------------- resident ID numbers

@pytest.mark.parametrize("first17, what", [
    ("00000019900101001", "region"),        # region code 000000
    ("01102219900101001", "region"),        # no province code starts with 0
    ("99102219900101001", "region"),        # nor with 9
    ("42102219900230001", "date"),          # 30 February
    ("42102220230229001", "date"),          # 2023 is not a leap year
    ("42102218991231001", "before"),        # before 1900
])
def test_impossible_resident_ids_are_refused(first17, what):
    error = refused(resident_id(first17), validate_resident_id)
    assert error.error_list[0].code == "resident_id"
    if what == "region":
        assert params(error)["region"] == first17[:6]


def test_a_birth_date_in_the_future_is_refused_by_the_gongan_date():
    born_today = resident_id("42102220270101001")
    with time_machine.travel(dt.datetime(2026, 12, 31, 23, 30, tzinfo=SHANGHAI), tick=False):
        error = refused(born_today, validate_resident_id)
        assert params(error)["date"] == "2027-01-01"
    with time_machine.travel(dt.datetime(2027, 1, 1, 0, 30, tzinfo=SHANGHAI), tick=False):
        assert validate_resident_id(born_today) == born_today   # born today in Gong'an


@pytest.mark.parametrize("first17", ["42102220240229001", "11010519491231002", "81000019900101001",
                                     "65010219000101001"])
def test_possible_resident_ids_are_accepted(first17):
    assert validate_resident_id(resident_id(first17)) == resident_id(first17)


def test_the_api_refuses_a_debtor_born_on_30_february(api):
    body = case_body(f"（2026）鄂1022执{next(_serial)}号")
    body["parties"][1]["id_number"] = resident_id("42102219900230001")
    before = Case.objects.count()
    response = api("clerk").post(f"{API}cases/", body, format="json")
    assert response.status_code == 400 and list(response.json()) == ["parties"]
    assert Case.objects.count() == before


# ---------------------------------------------------------------- unified social credit codes

def test_generated_codes_are_valid_and_the_published_example_too():
    for code in (make_uscc(1), make_uscc(999_999), make_valid_uscc("11100000", "00001234"),
                 make_valid_uscc("52421022", "50000001"), make_valid_uscc("Y1421022", "MA000001"),
                 make_valid_uscc("N2421022", "MA000002"), make_valid_uscc("A1110000", "MA000003"),
                 "91350100M000100Y43"):
        assert validate_uscc(code) == code


def test_the_organisation_code_check_character_of_gb_11714():
    assert organization_code_check_char("M000100Y") == "4"    # 91350100M000100Y43
    body = "MA000001"
    good = make_valid_uscc("91421022", body)
    assert good[16] == organization_code_check_char(body)


@pytest.mark.parametrize("prefix8, key, value", [
    ("B1421022", "a", "B"),            # no registration authority B
    ("04421022", "a", "0"),
    ("94421022", "t", "4"),            # 工商 (9) has types 1, 2, 3 only
    ("Y2421022", "t", "2"),            # 其他 (Y) has type 1 only
    ("15421022", "t", "5"),            # 机构编制 (1): 1, 2, 3, 9
    ("91000000", "region", "000000"),  # no region 000000
    ("919A1022", "region", "9A1022"),
    ("91021022", "region", "021022"),
])
def test_codes_with_a_bad_structure_are_refused_even_with_a_good_check_character(prefix8, key, value):
    code = make_valid_uscc(prefix8, "MA000001")   # the last character checks out
    error = refused(code, validate_uscc)
    assert error.error_list[0].code == "uscc" and params(error)[key] == value


def test_a_code_with_a_bad_organisation_code_is_refused():
    good = make_uscc(42)
    body = good[8:16] + ("0" if good[16] != "0" else "1")
    first17 = good[:8] + body
    from linkage.identity import uscc_check_char

    bad = first17 + uscc_check_char(first17)   # the code's own check character is right
    error = refused(bad, validate_uscc)
    assert params(error)["org"] == body


def test_a_code_with_a_bad_check_character_is_refused():
    good = make_uscc(43)
    refused(good[:17] + ("0" if good[17] != "0" else "1"), validate_uscc)


# ---------------------------------------------------------------- masking

def test_mask_identifier_by_kind():
    person, company = make_resident_id(7), make_uscc(7)
    assert mask_identifier(person) == person[:4] + "*" * 10 + person[-4:]
    assert mask_identifier(person, "person") == mask_identifier(person)
    assert mask_identifier(company, "organization") == company
    assert mask_identifier(company, "person") != company      # a person's field stays masked
    assert mask_identifier(company, None) == company          # decided by the value
    assert mask_identifier(person, None) != person


@pytest.fixture
def org_debtor_case(users):
    n = next(_serial)
    return services.case_create(
        actor=users["clerk"], number=f"（2026）鄂1022执{n}号", title="某公司欠款", amount=Decimal("5000"),
        parties=[{"role": "applicant", "name": "王某", "id_number": make_resident_id(n % 1000)},
                 {"role": "debtor", "kind": "organization", "name": "公安县某某建材有限公司",
                  "id_number": make_uscc(n), "legal_representative": "赵某"}])


def test_case_detail_api_shows_the_credit_code_in_full_and_the_id_masked(api, org_debtor_case):
    data = api("clerk").get(f"{API}cases/{org_debtor_case.pk}/").json()
    parties = {p["kind"]: p for p in data["parties"]}
    company = org_debtor_case.parties.get(kind="organization")
    person = org_debtor_case.parties.get(kind="person")
    assert parties["organization"]["id_number"] == company.id_number
    assert parties["person"]["id_number"] == person.id_number[:4] + "*" * 10 + person.id_number[-4:]
    assert person.id_number not in str(data)


def test_case_page_shows_the_credit_code_in_full_and_the_id_masked(browser_client, org_debtor_case):
    company = org_debtor_case.parties.get(kind="organization")
    person = org_debtor_case.parties.get(kind="person")
    for path in (f"/cases/{org_debtor_case.pk}/", "/cases/"):
        page = browser_client("clerk").get(path).content.decode()
        assert company.id_number in page
        assert person.id_number not in page
    assert person.masked_id in browser_client("clerk").get(f"/cases/{org_debtor_case.pk}/").content.decode()
