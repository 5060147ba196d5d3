"""The dossier code and the public-lookup verifier.

Pure: no Django, no I/O.

Dossier code (Circular 03/2025/TT-VPCP art. 13): ``<agency ID>-YYMMDD-XXXX`` — the
deciding agency's electronic ID (Decision 20/2020/QĐ-TTg art. 4), the receipt date and a
daily sequence of at least 4 digits. Circular 04/2025/TT-VPCP adds, for nationally
centralised systems, ``<agency ID>-YYMMDD-AAXXXX`` where AA is two digits of the system
owner's code. Codes are unique and never reused (the sequence is the caller's business).
"""

from __future__ import annotations

import hmac
import re
from datetime import date, datetime
from typing import Final, NamedTuple

from motcua.agencies.rules import InvalidAgencyCode, validate_agency_code
from motcua.catalog.rules import fold

__all__ = [
    "DossierCode",
    "InvalidDossierCode",
    "format_dossier_code",
    "parse_dossier_code",
    "search_text",
    "verifier_matches",
]

_CODE_RE: Final = re.compile(r"(?P<agency>[A-Z0-9.]+)-(?P<ymd>[0-9]{6})-(?P<tail>[0-9]{4,})")
_OWNER_RE: Final = re.compile(r"[0-9]{2}")
#: A plain daily sequence has at least 4 digits; the AA form at least 2 + 4.
_MIN_SEQUENCE_DIGITS: Final = 4


class InvalidDossierCode(ValueError):
    """Text that is not a dossier code."""


class DossierCode(NamedTuple):
    agency_code: str
    received_on: date
    sequence: int
    system_owner_code: str | None


def format_dossier_code(
    agency_code: str,
    received_on: date,
    sequence: int,
    *,
    system_owner_code: str | None = None,
) -> str:
    """``H55.242-250124-0001`` (Circular 03/2025 art. 13), or with the system owner's code
    ``H55.242-250124-010001`` (Circular 04/2025).

    The daily ``sequence`` (>= 1) takes at least 4 digits, more when it exceeds 9999.
    Raises ``InvalidAgencyCode`` for a malformed agency code and ``ValueError`` for the
    rest.
    """
    validate_agency_code(agency_code)
    if isinstance(received_on, datetime) or not isinstance(received_on, date):
        raise TypeError("received_on must be a date (the local receipt date), not a datetime")
    if not 2000 <= received_on.year <= 2099:
        raise ValueError("the dossier code holds a two-digit year: 2000-2099 only")
    if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 1:
        raise ValueError(f"the daily sequence must be an integer >= 1, got {sequence!r}")
    owner = ""
    if system_owner_code is not None:
        if not _OWNER_RE.fullmatch(system_owner_code):
            raise ValueError(
                f"the system owner's code must be exactly 2 digits, got {system_owner_code!r}"
            )
        owner = system_owner_code
    return f"{agency_code}-{received_on:%y%m%d}-{owner}{sequence:0{_MIN_SEQUENCE_DIGITS}d}"


def _invalid(code: object, why: str) -> InvalidDossierCode:
    return InvalidDossierCode(
        f"Mã hồ sơ {code!r} không hợp lệ: {why}. Mã hồ sơ có dạng "
        "<mã cơ quan>-YYMMDD-XXXX (ví dụ H55.242-250124-0001) hoặc <mã cơ quan>-YYMMDD-AAXXXX."
    )


def parse_dossier_code(code: str, *, system_owner: bool | None = None) -> DossierCode:
    """Split a dossier code into ``(agency_code, received_on, sequence, system_owner_code)``.

    Leading/trailing spaces are ignored and letters are upper-cased. The last group is
    ambiguous once it has 6 digits or more (``AA`` + 4-digit sequence, or a plain daily
    sequence above 99 999): ``system_owner=True`` / ``False`` says which form to read;
    ``None`` reads 4-5 digits as the plain form and 6 or more as the Circular 04/2025 form
    (no agency receives 100 000 dossiers a day). The sequence must be written as
    :func:`format_dossier_code` writes it (no extra leading zeros), so
    ``parse(format(x)) == x`` whenever the form is known. Raises
    :class:`InvalidDossierCode`.
    """
    if not isinstance(code, str):
        raise _invalid(code, "không phải là chuỗi ký tự")
    text = code.strip().upper()
    m = _CODE_RE.fullmatch(text)
    if m is None:
        raise _invalid(code, "sai định dạng")
    agency, ymd, tail = m["agency"], m["ymd"], m["tail"]
    try:
        validate_agency_code(agency)
    except InvalidAgencyCode:
        raise _invalid(code, f"mã cơ quan {agency!r} sai định dạng") from None
    try:
        received_on = date(2000 + int(ymd[:2]), int(ymd[2:4]), int(ymd[4:]))
    except ValueError:
        raise _invalid(code, f"ngày tiếp nhận {ymd!r} không có thật") from None

    with_owner = len(tail) >= 2 + _MIN_SEQUENCE_DIGITS if system_owner is None else system_owner
    owner: str | None = None
    if with_owner:
        if len(tail) < 2 + _MIN_SEQUENCE_DIGITS:
            raise _invalid(code, "thiếu mã chủ quản hệ thống (AA) hoặc số thứ tự")
        owner, tail = tail[:2], tail[2:]
    if len(tail) > _MIN_SEQUENCE_DIGITS and tail.startswith("0"):
        raise _invalid(code, "số thứ tự có chữ số 0 thừa ở đầu")
    sequence = int(tail)
    if sequence < 1:
        raise _invalid(code, "số thứ tự phải từ 1 trở lên")
    return DossierCode(agency, received_on, sequence, owner)


# --------------------------------------------------------------------------- verifier

_SEPARATORS: Final = re.compile(r"[\s\-.]+")
_VERIFIER_DIGITS: Final = 4
#: Compared when a candidate is missing, so the time taken does not tell which is set.
_DUMMY: Final = b"\x00" * _VERIFIER_DIGITS


def _last_digits(value: str | None) -> bytes | None:
    """The last 4 digits of a stored phone / ID number (all non-digits dropped)."""
    if not value:
        return None
    digits = "".join(ch for ch in value if "0" <= ch <= "9")
    if len(digits) < _VERIFIER_DIGITS:
        return None
    return digits[-_VERIFIER_DIGITS:].encode("ascii")


def verifier_matches(given: str, phone: str | None, id_number: str | None) -> bool:
    """Whether ``given`` proves knowledge of the applicant's phone or ID number.

    Public status lookup by dossier code asks for the last 4 digits of the phone number or
    of the ID number given at intake. ``given`` may contain spaces, dashes and dots; after
    removing them it must be digits only, at least 4 (typing the whole number is fine:
    its last 4 digits are compared). Empty input, fewer than 4 digits, other characters,
    or no stored number never match. Comparison is constant-time
    (:func:`hmac.compare_digest`) and always checks both candidates.
    """
    if not isinstance(given, str):
        return False
    cleaned = _SEPARATORS.sub("", given)
    if len(cleaned) < _VERIFIER_DIGITS or not cleaned.isascii() or not cleaned.isdigit():
        return False
    probe = cleaned[-_VERIFIER_DIGITS:].encode("ascii")
    phone_tail, id_tail = _last_digits(phone), _last_digits(id_number)
    phone_ok = hmac.compare_digest(probe, phone_tail or _DUMMY) and phone_tail is not None
    id_ok = hmac.compare_digest(probe, id_tail or _DUMMY) and id_tail is not None
    return phone_ok or id_ok


def search_text(code: str | None, applicant_name: str, phone: str, id_number: str) -> str:
    """The folded text officers find a dossier by: its code, the applicant's name, phone
    and identity number (lower case, no diacritics: :func:`motcua.catalog.rules.fold`)."""
    return fold(" ".join(p for p in (code or "", applicant_name, phone, id_number) if p))
