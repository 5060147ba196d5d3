"""Late dossiers: the apology with a new appointment, and deadline warnings.

Pure: no Django, no I/O.

Docs, "Late dossiers": at least **one working day before** the deadline, the deciding
agency informs the one-stop unit in writing and sends the applicant an apology with the
reason and a new date (form 04 of Circular 03/2025/TT-VPCP, signed by the agency head);
the new appointment may be made **only once** (provincial decisions under Decree
118/2025/NĐ-CP; same rule as Decree 107/2021) [article number unverified]. Because the
article is unverified, the minimum notice is a parameter (default one working day =
8 working hours).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Final

from motcua.worktime.rules import (
    WORKING_HOURS_PER_DAY,
    WorkCalendar,
    is_working_day,
    working_seconds_between,
)

__all__ = [
    "DEFAULT_DUE_SOON_WORKING_HOURS",
    "DEFAULT_MIN_NOTICE_WORKING_HOURS",
    "ApologyNotAllowed",
    "WarningLevel",
    "check_new_appointment",
    "warning_level",
]

#: "At least one working day before the deadline" [article number unverified].
DEFAULT_MIN_NOTICE_WORKING_HOURS: Final = WORKING_HOURS_PER_DAY
#: A dossier is "due soon" within one working day of its deadline.
DEFAULT_DUE_SOON_WORKING_HOURS: Final = WORKING_HOURS_PER_DAY


class ApologyNotAllowed(ValueError):
    """The apology / new appointment cannot be issued; ``code`` says why.

    Codes: ``already_issued``, ``reason_required``, ``new_due_not_later``, ``too_late``.
    """

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(message)


def _hours(h: float) -> str:
    if float(h).is_integer():
        return str(int(h))
    return f"{h:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def check_new_appointment(
    cal: WorkCalendar,
    *,
    now: datetime,
    current_due: datetime,
    new_due: datetime,
    apologies_so_far: int,
    reason: str | None,
    min_notice_working_hours: float = DEFAULT_MIN_NOTICE_WORKING_HOURS,
) -> None:
    """Raise :class:`ApologyNotAllowed` unless the apology and new appointment may be issued.

    Refused when an apology was already issued (only once), when the reason is blank,
    when ``new_due`` is not after ``current_due`` or not on a working day, or when less than
    ``min_notice_working_hours`` of working time remain from ``now`` to ``current_due``
    (at least one working day before the deadline; an overdue dossier is too late too).
    ``current_due`` is the due instant in force (after pauses). Checks run in that order;
    the first failure is raised.
    """
    if apologies_so_far < 0:
        raise ValueError("apologies_so_far cannot be negative")
    if apologies_so_far >= 1:
        raise ApologyNotAllowed(
            "already_issued",
            "Hồ sơ đã có thư xin lỗi và hẹn lại ngày trả kết quả; chỉ được hẹn lại một lần.",
        )
    if not (reason or "").strip():
        raise ApologyNotAllowed(
            "reason_required", "Thư xin lỗi phải nêu rõ lý do chậm trả kết quả."
        )
    if new_due <= current_due:
        raise ApologyNotAllowed(
            "new_due_not_later",
            "Ngày hẹn trả kết quả mới phải sau ngày hẹn hiện tại.",
        )
    if not is_working_day(cal, cal.compiled.local(new_due).date()):
        raise ApologyNotAllowed(
            "not_working_day",
            "Ngày hẹn trả kết quả mới phải là ngày làm việc (không phải thứ Bảy, Chủ nhật "
            "hoặc ngày nghỉ lễ).",
        )
    remaining = working_seconds_between(cal, now, current_due)
    if remaining < min_notice_working_hours * 3600:
        raise ApologyNotAllowed(
            "too_late",
            "Phải gửi thư xin lỗi và hẹn lại ngày trả kết quả chậm nhất "
            f"{_hours(min_notice_working_hours)} giờ làm việc trước thời hạn "
            f"(còn {_hours(max(remaining, 0) / 3600)} giờ làm việc).",
        )


class WarningLevel(StrEnum):
    OK = "ok"  # còn hạn
    DUE_SOON = "due_soon"  # sắp đến hạn
    OVERDUE = "overdue"  # quá hạn


def warning_level(
    cal: WorkCalendar,
    now: datetime,
    due: datetime,
    *,
    due_soon_working_hours: float = DEFAULT_DUE_SOON_WORKING_HOURS,
) -> WarningLevel:
    """``overdue`` after ``due``; ``due_soon`` when at most ``due_soon_working_hours`` of
    working time remain (default one working day); else ``ok``.

    Pass the due instant in force (after pauses, see ``effective_due``).
    """
    if now > due:
        return WarningLevel.OVERDUE
    if working_seconds_between(cal, now, due) <= due_soon_working_hours * 3600:
        return WarningLevel.DUE_SOON
    return WarningLevel.OK
