"""The due-date API and the ``motcua due`` command, on the database-backed calendar."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from motcua.agencies.models import Agency
from motcua.agencies.services import save_agency
from motcua.audit.models import AuditEvent
from motcua.worktime.models import CalendarDay, WorkSchedule
from motcua.worktime.queries import calendar_for
from motcua.worktime.services import save_work_schedule, set_calendar_day

pytestmark = pytest.mark.django_db


def _due(client: Client, **params: object) -> dict[str, object]:
    response = client.get("/api/v1/worktime/due", params)
    assert response.status_code == 200, response.content
    return response.json()


def _cli(*args: str) -> str:
    out = StringIO()
    call_command("due", *args, stdout=out)
    return out.getvalue().strip()


def test_it_skips_tet_2025_after_the_cutoff(client: Client) -> None:
    body = _due(client, start="2025-01-24T16:30", working_days=3)
    assert body["due"] == "2025-02-05T17:00:00+07:00"
    assert body["due_local"] == "17:00 ngày 05/02/2025"


def test_the_command_and_the_api_agree(client: Client) -> None:
    cases = [
        ("2025-01-24T16:30", "3d", {"working_days": 3}),
        ("2025-04-25T09:00", "2d", {"working_days": 2}),
        ("2026-08-21T10:00", "16h", {"working_hours": 16}),
        ("2026-11-23T14:59:00+07:00", "1d", {"working_days": 1}),
    ]
    for start, duration, params in cases:
        assert _cli(start, duration) == _due(client, start=start, **params)["due"]


def test_make_up_saturday_2025_is_worked(client: Client) -> None:
    # Fri 25/4/2025 09:00 + 1 day → Sat 26/4 (make-up working day) 09:00.
    assert _due(client, start="2025-04-25T09:00", working_days=1)["due"] == (
        "2025-04-26T09:00:00+07:00"
    )


def test_an_offset_is_respected(client: Client) -> None:
    # 02:00 UTC = 09:00 in Hà Nội, Monday 3/3/2025.
    body = _due(client, start="2025-03-03T02:00:00+00:00", working_days=3)
    assert body["due"] == "2025-03-06T09:00:00+07:00"


def test_working_hours_cross_the_lunch_break(client: Client) -> None:
    body = _due(client, start="2025-03-03T09:00", working_hours=4, apply_cutoff="false")
    assert body["due"] == "2025-03-03T15:00:00+07:00"


def test_a_malformed_instant_gets_422_naming_the_format(client: Client) -> None:
    response = client.get("/api/v1/worktime/due", {"start": "24/01/2025 16:30", "working_days": 3})
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "start"
    assert "YYYY-MM-DDTHH:MM" in body["detail"]
    assert "không đúng định dạng" in body["detail"]


def test_it_needs_exactly_one_duration(client: Client) -> None:
    for params in ({}, {"working_days": 1, "working_hours": 8}):
        response = client.get("/api/v1/worktime/due", {"start": "2025-03-03T09:00", **params})
        assert response.status_code == 422
        assert response.json()["field"] == "working_days"
    negative = client.get("/api/v1/worktime/due", {"start": "2025-03-03T09:00", "working_days": -1})
    assert negative.status_code == 422


def test_a_non_numeric_duration_is_422(client: Client) -> None:
    response = client.get(
        "/api/v1/worktime/due", {"start": "2025-03-03T09:00", "working_days": "x"}
    )
    assert response.status_code == 422


def test_an_unknown_agency_is_404(client: Client) -> None:
    response = client.get(
        "/api/v1/worktime/due", {"start": "2025-03-03T09:00", "working_days": 1, "agency": "H99"}
    )
    assert response.status_code == 404
    assert "H99" in response.json()["detail"]


def test_the_command_reports_bad_input() -> None:
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        _cli("tomorrow", "3d")
    with pytest.raises(CommandError, match="3d or 16h"):
        _cli("2025-03-03T09:00", "3 weeks")


def _agency(code: str, parent: Agency | None = None) -> Agency:
    return save_agency(
        Agency(
            code=code, name=f"Cơ quan {code}", kind="department", level="province", parent=parent
        )
    )


def test_a_province_day_off_moves_the_due_date_and_is_audited(client: Client) -> None:
    before = _due(client, start="2025-03-03T09:00", working_days=1)["due"]
    assert before == "2025-03-04T09:00:00+07:00"
    set_calendar_day(day=dt.date(2025, 3, 4), kind=CalendarDay.Kind.DAY_OFF, name="Nghỉ bão")
    after = _due(client, start="2025-03-03T09:00", working_days=1)["due"]
    assert after == "2025-03-05T09:00:00+07:00"
    event = AuditEvent.objects.get(action="worktime.day_set")
    assert event.payload["date"] == "2025-03-04"


def test_an_agency_row_wins_for_that_agency_and_its_children_only(client: Client) -> None:
    parent = _agency("H01.7")
    child = _agency("H01.7.1", parent)
    other = _agency("H01.8")
    set_calendar_day(
        day=dt.date(2025, 3, 4), kind=CalendarDay.Kind.DAY_OFF, name="Nghỉ riêng", agency=parent
    )
    start = {"start": "2025-03-03T09:00", "working_days": 1}
    assert _due(client, agency="H01.7.1", **start)["due"] == "2025-03-05T09:00:00+07:00"
    assert _due(client, agency="H01.8", **start)["due"] == "2025-03-04T09:00:00+07:00"
    assert dt.date(2025, 3, 4) in calendar_for(child).days_off
    assert dt.date(2025, 3, 4) not in calendar_for(other).days_off


def test_a_province_can_cancel_a_national_make_up_day() -> None:
    set_calendar_day(day=dt.date(2026, 8, 22), kind=CalendarDay.Kind.DAY_OFF, name="Sửa lịch")
    calendar = calendar_for(None)
    assert dt.date(2026, 8, 22) not in calendar.extra_working_days


def test_an_agency_schedule_changes_sessions_and_cutoff(client: Client) -> None:
    agency = _agency("H01.9")
    save_work_schedule(
        WorkSchedule(
            agency=agency,
            morning_start=dt.time(7, 30),
            morning_end=dt.time(11, 30),
            afternoon_start=dt.time(13, 30),
            afternoon_end=dt.time(17, 30),
            cutoff=dt.time(16, 0),
        )
    )
    # 15:30 is before this agency's 16:00 cut-off: counting starts at once.
    body = _due(client, start="2025-03-03T15:30", working_hours=1, agency="H01.9")
    assert body["due"] == "2025-03-03T16:30:00+07:00"
    assert _due(client, start="2025-03-03T15:30", working_hours=1)["due"] == (
        "2025-03-04T08:00:00+07:00"
    )


def test_the_national_calendar_is_the_provinces_before_any_row() -> None:
    from motcua.worktime.queries import bump_calendar_version, national_calendar

    bump_calendar_version()  # not a calendar kept from a test that added rows
    assert national_calendar() == calendar_for(None)
