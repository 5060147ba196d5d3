"""Writes to the province's calendar tables: audited, and they invalidate cached calendars."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from motcua.agencies.models import Agency
from motcua.audit.services import record_event
from motcua.worktime.models import CalendarDay, WorkSchedule
from motcua.worktime.queries import bump_calendar_version


def _invalidate() -> None:
    # Now, so this transaction sees its own change; and again after commit, so that no
    # other process keeps a calendar it rebuilt from the rows before the commit.
    bump_calendar_version()
    transaction.on_commit(bump_calendar_version)


@transaction.atomic
def set_calendar_day(
    *,
    day: date,
    kind: str,
    name: str,
    agency: Agency | None = None,
    legal_basis: str = "",
    acting_user: Any = None,
) -> CalendarDay:
    """Mark ``day`` as a day off or a make-up working day, province-wide or for one agency."""
    if kind not in CalendarDay.Kind.values:
        raise ValueError(f"Loại ngày không hợp lệ: {kind!r}")
    row, _created = CalendarDay.objects.update_or_create(
        date=day,
        agency=agency,
        defaults={"kind": kind, "name": name, "legal_basis": legal_basis},
    )
    record_event(
        action="worktime.day_set",
        target=row,
        actor=acting_user,
        summary=f"{day.isoformat()} {kind} {name}",
        payload={"date": day.isoformat(), "kind": kind, "agency_id": agency.pk if agency else None},
    )
    _invalidate()
    return row


@transaction.atomic
def remove_calendar_day(row: CalendarDay, *, acting_user: Any = None) -> None:
    record_event(
        action="worktime.day_removed",
        target=row,
        actor=acting_user,
        summary=str(row),
        payload={"date": row.date.isoformat(), "kind": row.kind, "agency_id": row.agency_id},
    )
    row.delete()
    _invalidate()


@transaction.atomic
def save_work_schedule(schedule: WorkSchedule, *, acting_user: Any = None) -> WorkSchedule:
    schedule.full_clean()
    schedule.save()
    record_event(
        action="worktime.schedule_saved",
        target=schedule,
        actor=acting_user,
        summary=str(schedule),
    )
    _invalidate()
    return schedule
