"""Late dossiers: the apology with a new appointment, and deadline warnings.

Pure: no Django, no I/O.

Docs, "Late dossiers": at least **one working day before** the deadline, the deciding
agency informs the one-stop unit in writing and sends the applicant an apology with the
reason and a new date (form 04 of Circular 03/2025/TT-VPCP, signed by the agency head);
the new appointment may be made **only once** (provincial decisions under Decree
118/2025/NĐ-CP; same rule as Decree 107/2021) [article number unverified].

A dossier that is already late (or has less than that notice left) still owes the
applicant the written apology with the reason and a new date: the notice rule says
*when* the agency should have written, not that a late dossier goes without one. Because
the article is unverified, both parts are parameters (:class:`ApologyRule`, read from the
settings ``MOTCUA_APOLOGY_NOTICE_WORKING_HOURS`` and ``MOTCUA_LATE_APOLOGY``): the minimum
notice (default one working day = 8 working hours) and what happens once it can no longer
be given (default: the apology is still issued and recorded as given late; a province
whose decision says otherwise may refuse it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from motcua.worktime.rules import (
    WORKING_HOURS_PER_DAY,
    WorkCalendar,
    is_working_day,
    working_seconds_between,
)

__all__ = [
    "APOLOGY_ONLY_ONCE_VI",
    "APOLOGY_TIMING_NOTES_VI",
    "DEFAULT_DUE_SOON_WORKING_HOURS",
    "DEFAULT_MIN_NOTICE_WORKING_HOURS",
    "MAX_APOLOGIES",
    "ApologyNotAllowed",
    "ApologyRule",
    "ApologyTiming",
    "LateApology",
    "WarningLevel",
    "apology_refusal",
    "apology_timing",
    "apology_timing_note",
    "check_new_appointment",
    "warning_level",
]

#: "At least one working day before the deadline" [article number unverified].
DEFAULT_MIN_NOTICE_WORKING_HOURS: Final = WORKING_HOURS_PER_DAY
#: A dossier is "due soon" within one working day of its deadline.
DEFAULT_DUE_SOON_WORKING_HOURS: Final = WORKING_HOURS_PER_DAY
#: The new appointment may be made only once (provincial decisions under Decree
#: 118/2025/NĐ-CP; same rule as Decree 107/2021) [article number unverified].
MAX_APOLOGIES: Final = 1
APOLOGY_ONLY_ONCE_VI: Final = (
    "Hồ sơ đã có thư xin lỗi và hẹn lại ngày trả kết quả; chỉ được hẹn lại một lần."
)


class LateApology(StrEnum):
    """What an apology gets once the minimum notice can no longer be given."""

    #: Still issued (the applicant is owed the apology and a new date), recorded as late.
    ALLOW = "allow"
    #: Refused: the strict reading of "at least one working day before the deadline".
    REFUSE = "refuse"


@dataclass(frozen=True)
class ApologyRule:
    """The province's rule for apologies [article number unverified: configurable]."""

    min_notice_working_hours: float = DEFAULT_MIN_NOTICE_WORKING_HOURS
    late: LateApology = LateApology.ALLOW

    def __post_init__(self) -> None:
        if self.min_notice_working_hours < 0:
            raise ValueError("min_notice_working_hours cannot be negative")
        object.__setattr__(self, "late", LateApology(self.late))


class ApologyTiming(StrEnum):
    """When an apology is issued, measured against the due instant in force."""

    IN_TIME = "in_time"  # at least the minimum notice before the deadline
    SHORT_NOTICE = "short_notice"  # before the deadline, with less notice than required
    OVERDUE = "overdue"  # after the deadline: the dossier is already late


#: What the log and the control slip say of an apology not given with the notice required.
APOLOGY_TIMING_NOTES_VI: Final[Mapping[ApologyTiming, str]] = MappingProxyType(
    {
        ApologyTiming.IN_TIME: "",
        ApologyTiming.SHORT_NOTICE: "gửi khi chưa đủ thời gian báo trước hạn trả kết quả",
        ApologyTiming.OVERDUE: "gửi khi hồ sơ đã quá hạn trả kết quả",
    }
)


def apology_timing_note(timing: ApologyTiming | str | None) -> str:
    """:data:`APOLOGY_TIMING_NOTES_VI` of an event's recorded timing; "" if none or unknown."""
    if timing is None:
        return ""
    try:
        return APOLOGY_TIMING_NOTES_VI[ApologyTiming(timing)]
    except ValueError:
        return ""


class ApologyNotAllowed(ValueError):
    """The apology / new appointment cannot be issued; ``code`` says why.

    Codes: ``already_issued``, ``too_late`` (the dossier's state: see
    :func:`apology_refusal`), ``reason_required``, ``new_due_not_later``,
    ``new_due_past``, ``not_working_day`` (what was entered).
    """

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(message)


def _hours(h: float) -> str:
    if float(h).is_integer():
        return str(int(h))
    return f"{h:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def apology_timing(
    cal: WorkCalendar,
    *,
    now: datetime,
    current_due: datetime,
    rule: ApologyRule = ApologyRule(),
) -> ApologyTiming:
    """Whether an apology issued at ``now`` gives the required notice before
    ``current_due`` (the due instant in force, after pauses), gives less, or comes
    after the deadline."""
    if now > current_due:
        return ApologyTiming.OVERDUE
    if working_seconds_between(cal, now, current_due) < rule.min_notice_working_hours * 3600:
        return ApologyTiming.SHORT_NOTICE
    return ApologyTiming.IN_TIME


def apology_refusal(
    cal: WorkCalendar,
    *,
    now: datetime,
    current_due: datetime,
    apologies_so_far: int,
    rule: ApologyRule = ApologyRule(),
) -> ApologyNotAllowed | None:
    """Why no apology may be issued on this dossier now, whatever its reason and new
    date; ``None`` when one may.

    Refused when an apology was already issued (only once, :data:`MAX_APOLOGIES`), or
    when the minimum notice can no longer be given and ``rule.late`` refuses late
    apologies. The pages offer the apology exactly when this returns ``None``;
    :func:`check_new_appointment` starts with it.
    """
    if apologies_so_far < 0:
        raise ValueError("apologies_so_far cannot be negative")
    if apologies_so_far >= MAX_APOLOGIES:
        return ApologyNotAllowed("already_issued", APOLOGY_ONLY_ONCE_VI)
    timing = apology_timing(cal, now=now, current_due=current_due, rule=rule)
    if timing is not ApologyTiming.IN_TIME and rule.late is LateApology.REFUSE:
        remaining = max(working_seconds_between(cal, now, current_due), 0) / 3600
        return ApologyNotAllowed(
            "too_late",
            "Phải gửi thư xin lỗi và hẹn lại ngày trả kết quả chậm nhất "
            f"{_hours(rule.min_notice_working_hours)} giờ làm việc trước thời hạn "
            f"(còn {_hours(remaining)} giờ làm việc).",
        )
    return None


def check_new_appointment(
    cal: WorkCalendar,
    *,
    now: datetime,
    current_due: datetime,
    new_due: datetime,
    apologies_so_far: int,
    reason: str | None,
    rule: ApologyRule = ApologyRule(),
) -> ApologyTiming:
    """Raise :class:`ApologyNotAllowed` unless the apology and new appointment may be
    issued; else return its :class:`ApologyTiming` (to record a late one as such).

    First the dossier's state (:func:`apology_refusal`), then what was entered: the
    reason must not be blank, ``new_due`` must be after ``current_due`` (the due instant
    in force, after pauses) and after ``now`` (a late apology cannot promise a date
    already past), on a working day. The first failure is raised.
    """
    refusal = apology_refusal(
        cal, now=now, current_due=current_due, apologies_so_far=apologies_so_far, rule=rule
    )
    if refusal is not None:
        raise refusal
    if not (reason or "").strip():
        raise ApologyNotAllowed(
            "reason_required", "Thư xin lỗi phải nêu rõ lý do chậm trả kết quả."
        )
    if new_due <= current_due:
        raise ApologyNotAllowed(
            "new_due_not_later",
            "Ngày hẹn trả kết quả mới phải sau ngày hẹn hiện tại.",
        )
    if new_due <= now:
        raise ApologyNotAllowed(
            "new_due_past",
            "Hồ sơ đã quá hạn: ngày hẹn trả kết quả mới phải sau thời điểm hiện tại.",
        )
    if not is_working_day(cal, cal.compiled.local(new_due).date()):
        raise ApologyNotAllowed(
            "not_working_day",
            "Ngày hẹn trả kết quả mới phải là ngày làm việc (không phải thứ Bảy, Chủ nhật "
            "hoặc ngày nghỉ lễ).",
        )
    return apology_timing(cal, now=now, current_due=current_due, rule=rule)


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
