"""Postal item numbers (số hiệu bưu gửi) of dossiers sent or results returned by post.

Pure: no Django, no I/O.

The public postal service numbers registered and express items in the UPU S10 format:
two letters, eight digits, a check digit, the two-letter country code (``EL123456785VN``).
A dossier may also come through a hired provider or an authorised person (Decree
118/2025/NĐ-CP art. 15), whose numbers have other shapes, so any other number of letters
and digits is accepted; a number in the S10 shape must carry its right check digit, which
catches a mistyped digit.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "MAX_ITEM_NUMBER_LENGTH",
    "normalise_item_number",
    "postal_item_problem",
    "s10_check_digit",
    "s10_item_number",
]

MAX_ITEM_NUMBER_LENGTH: Final = 30
MIN_ITEM_NUMBER_LENGTH: Final = 8
_S10: Final = re.compile(r"[A-Z]{2}(?P<serial>[0-9]{8})(?P<check>[0-9])[A-Z]{2}")
_PLAIN: Final = re.compile(r"[A-Z0-9]+")
#: Weights of the eight serial digits (UPU S10).
_WEIGHTS: Final = (8, 6, 4, 2, 3, 5, 9, 7)


def normalise_item_number(text: str) -> str:
    """Upper case, without the spaces people copy from a receipt."""
    return "".join(text.split()).upper()


def s10_check_digit(serial: str) -> int:
    """The S10 check digit of an eight-digit serial number."""
    if len(serial) != len(_WEIGHTS) or not serial.isdigit():
        raise ValueError(f"an S10 serial has 8 digits, not {serial!r}")
    check = 11 - sum(int(d) * w for d, w in zip(serial, _WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 5}.get(check, check)


def s10_item_number(service: str, serial: int, country: str = "VN") -> str:
    """The S10 number of ``serial`` (0 … 99,999,999) for a two-letter service indicator."""
    digits = f"{serial % 10**8:08d}"
    return f"{service}{digits}{s10_check_digit(digits)}{country}"


def postal_item_problem(text: str) -> str | None:
    """Why ``text`` (normalised) is not a postal item number, or None when it is one.

    The empty text is the caller's case (where a number is required, it says so).
    """
    number = normalise_item_number(text)
    if not _PLAIN.fullmatch(number) or not (
        MIN_ITEM_NUMBER_LENGTH <= len(number) <= MAX_ITEM_NUMBER_LENGTH
    ):
        return (
            "Số hiệu bưu gửi chỉ gồm chữ cái không dấu và chữ số, từ "
            f"{MIN_ITEM_NUMBER_LENGTH} đến {MAX_ITEM_NUMBER_LENGTH} ký tự "
            "(ví dụ EL123456785VN)."
        )
    s10 = _S10.fullmatch(number)
    if s10 is not None and int(s10["check"]) != s10_check_digit(s10["serial"]):
        return (
            f"Số hiệu bưu gửi {number} sai chữ số kiểm tra (chữ số thứ 11): vui lòng đối "
            "chiếu lại với biên nhận của bưu điện."
        )
    return None
