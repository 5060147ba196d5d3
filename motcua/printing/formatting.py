"""Vietnamese-style dates and times for printed forms (pure functions, no Django).

Instants are aware datetimes and are shown in Asia/Ho_Chi_Minh whatever their offset.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def nfc(text: str) -> str:
    """Vietnamese text in composed form (one code point per letter with its marks)."""
    return unicodedata.normalize("NFC", text)


def local(value: datetime) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"cần một thời điểm (datetime), nhận được {type(value).__name__}")
    if value.utcoffset() is None:
        raise ValueError("thời điểm phải có múi giờ (aware datetime)")
    return value.astimezone(VN_TZ)


def _as_date(value: date) -> date:
    if isinstance(value, datetime):
        return local(value).date()
    if not isinstance(value, date):
        raise TypeError(f"cần một ngày (date), nhận được {type(value).__name__}")
    return value


def datetime_long(value: datetime) -> str:
    """``16 giờ 30 phút, ngày 24/01/2025``."""
    v = local(value)
    return f"{v.hour:02d} giờ {v.minute:02d} phút, ngày {v.day:02d}/{v.month:02d}/{v.year}"


def datetime_short(value: datetime) -> str:
    """``16:30 ngày 24/01/2025``."""
    v = local(value)
    return f"{v.hour:02d}:{v.minute:02d} ngày {v.day:02d}/{v.month:02d}/{v.year}"


def datetime_compact(value: datetime) -> str:
    """``16:30 24/01/2025`` (for narrow table cells)."""
    v = local(value)
    return f"{v.hour:02d}:{v.minute:02d} {v.day:02d}/{v.month:02d}/{v.year}"


def date_short(value: date) -> str:
    """``24/01/2025``."""
    d = _as_date(value)
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def date_long(value: date) -> str:
    """``ngày 24 tháng 01 năm 2025``, as in the dated line of an administrative document."""
    d = _as_date(value)
    return f"ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"


def two_digits(value: int) -> str:
    """``02``: counts on forms are written with at least two digits."""
    return f"{int(value):02d}"
