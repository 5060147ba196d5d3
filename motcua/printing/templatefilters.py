"""Filters available in every form template without ``{% load %}``.

``{{ received_at|vn_datetime }}`` → 16 giờ 30 phút, ngày 24/01/2025 ·
``|vn_datetime_short`` → 16:30 ngày 24/01/2025 · ``|vn_datetime_compact`` → 16:30 24/01/2025 ·
``|vn_date`` → 24/01/2025 · ``|vn_date_long`` → ngày 24 tháng 01 năm 2025 ·
``|two_digits`` → 02 · ``|timeliness`` → Trước hạn / Đúng hạn / Trễ hạn ·
``|document_kind`` → Bản chính / Bản sao có chứng thực / Bản chụp / Bản điện tử.

A filter given a value of the wrong kind raises, so that a broken template is refused
when it is saved instead of printing a wrong date.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template

from motcua.printing import formatting
from motcua.printing.context import DOCUMENT_KINDS, TIMELINESS

register = template.Library()


def _empty(value: Any) -> bool:
    return value is None or value == ""


@register.filter
def vn_datetime(value: datetime | None) -> str:
    return "" if _empty(value) else formatting.datetime_long(value)  # type: ignore[arg-type]


@register.filter
def vn_datetime_short(value: datetime | None) -> str:
    return "" if _empty(value) else formatting.datetime_short(value)  # type: ignore[arg-type]


@register.filter
def vn_datetime_compact(value: datetime | None) -> str:
    return "" if _empty(value) else formatting.datetime_compact(value)  # type: ignore[arg-type]


@register.filter
def vn_date(value: date | None) -> str:
    return "" if _empty(value) else formatting.date_short(value)  # type: ignore[arg-type]


@register.filter
def vn_date_long(value: date | None) -> str:
    return "" if _empty(value) else formatting.date_long(value)  # type: ignore[arg-type]


@register.filter
def two_digits(value: int | str | None) -> str:
    if _empty(value):
        return ""
    try:
        return formatting.two_digits(int(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"two_digits: cần một số, nhận được {value!r}") from None


@register.filter
def timeliness(value: str | None) -> str:
    if _empty(value):
        return ""
    if value not in TIMELINESS:
        raise ValueError(f"timeliness: giá trị không hợp lệ {value!r}")
    return TIMELINESS[value]


@register.filter
def document_kind(value: str | None) -> str:
    if _empty(value):
        return ""
    if value not in DOCUMENT_KINDS:
        raise ValueError(f"document_kind: giá trị không hợp lệ {value!r}")
    return DOCUMENT_KINDS[value]
