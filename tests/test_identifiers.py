import pytest
from django.core.exceptions import ValidationError

from cases.identifiers import parse_case_number
from linkage.identity import mask_identifier, validate_resident_id, validate_uscc

from .conftest import make_resident_id, make_uscc


@pytest.mark.parametrize("raw, expected_type, expected_serial", [
    ("(2026)鄂1022执123号", "执", 123),
    ("（2025）鄂1022执恢7号", "执恢", 7),
    ("(2024)京01执保99号", "执保", 99),
    (" (2026)鄂1022执异1号 ", "执异", 1),
])
def test_case_numbers_accepted_and_normalised(raw, expected_type, expected_serial):
    parsed = parse_case_number(raw)
    assert parsed.case_type == expected_type
    assert parsed.serial == expected_serial
    assert parsed.number.startswith("（") and "）" in parsed.number and "号" in parsed.number


@pytest.mark.parametrize("raw", [
    "", "2026鄂1022执123号", "(2026)鄂1022执123", "(2026)X1022执123号", "(2026)鄂1022民123号",
    "(2026)鄂1022执0123号", "(1980)鄂1022执1号", "(2999)鄂1022执1号", "(2026)鄂1022执123号 extra",
])
def test_bad_case_numbers_refused_with_a_clear_message(raw):
    with pytest.raises(ValidationError) as exc:
        parse_case_number(raw)
    assert exc.value.messages and ("（2026）鄂1022执123号" in exc.value.messages[0] or "year" in exc.value.messages[0]
                                   or "年" in exc.value.messages[0])


def test_resident_id_check_digit():
    good = make_resident_id(5)
    assert validate_resident_id(good.lower()) == good.upper()
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    for bad in [wrong_check, good[:17], "42102219901301" + good[14:], "A" * 18]:
        with pytest.raises(ValidationError):
            validate_resident_id(bad)


def test_known_resident_id_with_x_check():
    # 11010519491231002X is the standard published example with an X check character.
    assert validate_resident_id("11010519491231002x") == "11010519491231002X"


def test_uscc_check_character():
    good = make_uscc(42)
    assert validate_uscc(good) == good
    assert validate_uscc("91350100M000100Y43") == "91350100M000100Y43"  # a published example
    for bad in [good[:17] + ("0" if good[17] != "0" else "1"), good[:10], "I" * 18]:
        with pytest.raises(ValidationError):
            validate_uscc(bad)


def test_masking_keeps_region_and_tail_only():
    assert mask_identifier("42102219900101123X") == "4210**********123X"
    assert mask_identifier("") == ""
