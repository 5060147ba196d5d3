"""``GET /api/v1/worktime/due``: the due instant for a duration in working days or hours."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from motcua.agencies.models import Agency
from motcua.worktime import rules
from motcua.worktime.queries import calendar_for

router = Router()


class DueOut(Schema):
    start: datetime
    working_days: float | None
    working_hours: float | None
    apply_cutoff: bool
    agency: str | None
    due: datetime
    due_local: str


class ErrorOut(Schema):
    detail: str
    field: str | None = None


def _unprocessable(message: str, field: str) -> Status[Any]:
    return Status(422, {"detail": message, "field": field})


@router.get(
    "/due",
    response={200: DueOut, 404: ErrorOut, 422: ErrorOut},
    summary="Ngày hẹn trả theo ngày/giờ làm việc",
)
def due(
    request: HttpRequest,
    start: str,
    working_days: float | None = None,
    working_hours: float | None = None,
    agency: str | None = None,
    apply_cutoff: bool = True,
) -> Status[Any]:
    """The due instant ``working_days`` (or ``working_hours``) after ``start``.

    ``start`` is ISO 8601 (`YYYY-MM-DDTHH:MM[:SS][±HH:MM]`); without an offset it is local
    time (Asia/Ho_Chi_Minh). Weekends, public holidays, the government's day swaps and
    the province's own calendar are skipped; a start after the 15:00 cut-off counts from
    the next working day unless ``apply_cutoff=false``. ``agency`` (an electronic agency
    code) selects that agency's calendar.
    """
    try:
        start_at = rules.parse_instant(start)
    except rules.InvalidInstant:
        return _unprocessable(
            f"Thời điểm bắt đầu '{start}' không đúng định dạng. Dùng ISO 8601 "
            f"{rules.INSTANT_FORMAT}, ví dụ 2025-01-24T16:30 hoặc 2025-01-24T16:30:00+07:00.",
            "start",
        )
    if (working_days is None) == (working_hours is None):
        return _unprocessable(
            "Cần đúng một trong hai tham số working_days (ngày làm việc) hoặc "
            "working_hours (giờ làm việc).",
            "working_days",
        )
    amount_field = "working_days" if working_days is not None else "working_hours"
    amount = working_days if working_days is not None else working_hours
    if amount is None or amount < 0 or amount > 3650:
        return _unprocessable(f"{amount_field} phải nằm trong khoảng 0 đến 3650.", amount_field)
    agency_obj = None
    if agency:
        agency_obj = Agency.objects.filter(code=agency).first()
        if agency_obj is None:
            raise HttpError(404, f"Không tìm thấy cơ quan có mã '{agency}'.")
    calendar = calendar_for(agency_obj)
    try:
        due_at = rules.due_after(
            calendar,
            start_at,
            working_days=working_days,
            working_hours=working_hours,
            apply_cutoff=apply_cutoff,
        )
    except ValueError as exc:
        return _unprocessable(f"Không tính được ngày hẹn: {exc}", "start")
    return Status(
        200,
        {
            "start": start_at,
            "working_days": working_days,
            "working_hours": working_hours,
            "apply_cutoff": apply_cutoff,
            "agency": agency_obj.code if agency_obj else None,
            "due": due_at,
            "due_local": due_at.strftime("%H:%M ngày %d/%m/%Y"),
        },
    )
