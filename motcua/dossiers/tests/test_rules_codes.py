"""The dossier code (Circular 03/2025 art. 13, Circular 04/2025) and the lookup verifier."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.agencies.rules import InvalidAgencyCode
from motcua.dossiers.rules import (
    DossierCode,
    InvalidDossierCode,
    format_dossier_code,
    parse_dossier_code,
    verifier_matches,
)

# --------------------------------------------------------------------------- format


@pytest.mark.parametrize(
    ("agency", "day", "seq", "owner", "expected"),
    [
        ("H55.242", date(2025, 1, 24), 1, None, "H55.242-250124-0001"),
        ("H01", date(2026, 12, 31), 9999, None, "H01-261231-9999"),
        ("H01", date(2026, 12, 31), 10000, None, "H01-261231-10000"),
        ("H01.12.03", date(2025, 7, 1), 123456, None, "H01.12.03-250701-123456"),
        ("G01.05", date(2026, 1, 25), 7, "01", "G01.05-260125-010007"),
        ("G01.05", date(2026, 1, 25), 12345, "99", "G01.05-260125-9912345"),
    ],
)
def test_format(agency: str, day: date, seq: int, owner: str | None, expected: str) -> None:
    assert format_dossier_code(agency, day, seq, system_owner_code=owner) == expected


def test_format_rejects_bad_input() -> None:
    with pytest.raises(InvalidAgencyCode):
        format_dossier_code("h55", date(2025, 1, 1), 1)
    with pytest.raises(InvalidAgencyCode):
        format_dossier_code("000.00.00.H13", date(2025, 1, 1), 1)
    for seq in (0, -1, True, 1.0):
        with pytest.raises(ValueError):
            format_dossier_code("H55", date(2025, 1, 1), seq)  # type: ignore[arg-type]
    for owner in ("1", "123", "AB", ""):
        with pytest.raises(ValueError):
            format_dossier_code("H55", date(2025, 1, 1), 1, system_owner_code=owner)
    with pytest.raises(ValueError):
        format_dossier_code("H55", date(1999, 12, 31), 1)
    with pytest.raises(TypeError):
        format_dossier_code("H55", datetime(2025, 1, 1, 8), 1)


# --------------------------------------------------------------------------- parse


def test_parse() -> None:
    assert parse_dossier_code("H55.242-250124-0001") == DossierCode(
        "H55.242", date(2025, 1, 24), 1, None
    )
    agency, day, seq, owner = parse_dossier_code("  h01-261231-10000 ")
    assert (agency, day, seq, owner) == ("H01", date(2026, 12, 31), 10000, None)
    assert parse_dossier_code("G01.05-260125-010007") == DossierCode(
        "G01.05", date(2026, 1, 25), 7, "01"
    )
    assert parse_dossier_code("G01.05-260125-9912345").system_owner_code == "99"


def test_parse_ambiguous_tail_needs_the_form() -> None:
    code = "H01-250701-123456"
    assert parse_dossier_code(code) == DossierCode("H01", date(2025, 7, 1), 3456, "12")
    assert parse_dossier_code(code, system_owner=True).sequence == 3456
    assert parse_dossier_code(code, system_owner=False) == DossierCode(
        "H01", date(2025, 7, 1), 123456, None
    )
    assert parse_dossier_code("H01-250701-12345", system_owner=False).sequence == 12345
    with pytest.raises(InvalidDossierCode):
        parse_dossier_code("H01-250701-12345", system_owner=True)


@pytest.mark.parametrize(
    "code",
    [
        "",
        "H55.242",
        "H55.242-250124",
        "H55.242-250124-001",  # fewer than 4 digits
        "H55.242-250124-0000",  # sequence 0
        "H55.242-250124-01234",  # a 5-digit sequence never has a leading zero
        "H55.242-250230-0001",  # 30 February
        "H55.242-251301-0001",  # month 13
        "H55.242-25012-00001",
        "H55.242-250124-00A1",
        "5H5-250124-0001",  # agency code must start with a letter + 2 digits
        "H55..242-250124-0001",
        "H55.242_250124_0001",
        "H55.242-250124-0001-1",
        "H55.242 -250124-0001",
        "H" + "1" * 40 + "-250124-0001",  # agency code longer than 35 characters
    ],
)
def test_parse_rejects(code: str) -> None:
    with pytest.raises(InvalidDossierCode) as info:
        parse_dossier_code(code)
    assert "Mã hồ sơ" in str(info.value)


def test_parse_rejects_non_strings() -> None:
    with pytest.raises(InvalidDossierCode):
        parse_dossier_code(None)  # type: ignore[arg-type]


def test_invalid_dossier_code_is_a_value_error() -> None:
    assert issubclass(InvalidDossierCode, ValueError)


agency_codes = st.builds(
    lambda letter, digits, groups: f"{letter}{digits:02d}" + "".join(f".{g}" for g in groups),
    st.sampled_from("ABCDGHKXZ"),
    st.integers(0, 99),
    st.lists(st.from_regex(r"[A-Z0-9]{1,4}", fullmatch=True), max_size=4),
)


@given(
    agency=agency_codes,
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    seq=st.integers(1, 10**7),
    owner=st.none() | st.from_regex(r"[0-9]{2}", fullmatch=True),
)
def test_parse_format_round_trip(agency: str, day: date, seq: int, owner: str | None) -> None:
    code = format_dossier_code(agency, day, seq, system_owner_code=owner)
    expected = DossierCode(agency, day, seq, owner)
    assert parse_dossier_code(code, system_owner=owner is not None) == expected
    if seq < 100_000 or owner is not None:
        assert parse_dossier_code(code) == expected


# --------------------------------------------------------------------------- verifier


@pytest.mark.parametrize(
    ("given_", "phone", "id_number", "ok"),
    [
        ("5678", "0912 345 678", None, True),
        ("56-78", "0912-345-678", None, True),
        (" 5 6 7 8 ", "0912.345.678", None, True),
        ("0912345678", "0912345678", None, True),  # the whole number: last 4 compared
        ("6789", None, "079 123 456 789", True),
        ("6789", "0912345678", "079123456789", True),
        ("5678", "0912345678", "079123456789", True),
        ("5679", "0912345678", "079123456789", False),
        ("5678", "+84 912 345 678", None, True),
        ("", "0912345678", None, False),
        ("678", "0912345678", None, False),
        ("56 7", "0912345678", None, False),
        ("567a", "0912345678", None, False),
        ("５６７８", "0912345678", None, False),  # full-width digits are not accepted
        ("5678", None, None, False),
        ("5678", "", "", False),
        ("0078", "78", None, False),  # stored number too short
        ("5678", "abc", "C567", False),  # fewer than 4 digits stored
        ("4567", "C1234567", None, True),  # letters in a stored number are ignored
    ],
)
def test_verifier(given_: str, phone: str | None, id_number: str | None, ok: bool) -> None:
    assert verifier_matches(given_, phone, id_number) is ok


def test_verifier_rejects_non_strings() -> None:
    assert verifier_matches(None, "0912345678", None) is False  # type: ignore[arg-type]


@given(
    phone=st.from_regex(r"0[0-9]{9}", fullmatch=True),
    probe=st.from_regex(r"[0-9]{4}", fullmatch=True),
)
def test_verifier_property(phone: str, probe: str) -> None:
    spaced = " ".join(phone[i : i + 3] for i in range(0, len(phone), 3))
    assert verifier_matches(phone[-4:], spaced, None)
    assert verifier_matches(probe, phone, None) == (probe == phone[-4:])
