"""Writes to the province's calendar tables: audited, and they invalidate cached calendars."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from motcua.agencies.models import Agency
from motcua.audit.services import changed_values, field_values, record_event
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
    """Mark ``day`` as a day off or a make-up working day, province-wide or for one agency
    (the row of that date and agency is changed if there is one)."""
    if kind not in CalendarDay.Kind.values:
        raise ValueError(f"Loại ngày không hợp lệ: {kind!r}")
    row = CalendarDay.objects.filter(date=day, agency=agency).first() or CalendarDay(
        date=day, agency=agency
    )
    row.kind, row.name, row.legal_basis = kind, name, legal_basis
    return save_calendar_day(row, acting_user=acting_user)


@transaction.atomic
def save_calendar_day(row: CalendarDay, *, acting_user: Any = None) -> CalendarDay:
    """Validate (one row per date and agency) and save a calendar row, new or changed (its
    date too); the audit row holds the old and new values."""
    row.full_clean()
    before = field_values(None if row.pk is None else CalendarDay.objects.filter(pk=row.pk).first())
    row.save()
    record_event(
        action="worktime.day_set",
        target=row,
        actor=acting_user,
        summary=f"{row.date.isoformat()} {row.kind} {row.name}",
        payload={
            "date": row.date.isoformat(),
            "kind": row.kind,
            "agency_id": row.agency_id,
            "changes": changed_values(before, field_values(row)),
        },
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
    """Validate (sessions in order) and save a schedule; audited with the old and new
    values (sessions and cut-off decide every deadline of the agency)."""
    schedule.full_clean()
    before = field_values(
        None if schedule.pk is None else WorkSchedule.objects.filter(pk=schedule.pk).first()
    )
    schedule.save()
    record_event(
        action="worktime.schedule_saved",
        target=schedule,
        actor=acting_user,
        summary=str(schedule),
        payload={
            "agency_id": schedule.agency_id,
            "changes": changed_values(before, field_values(schedule)),
        },
    )
    _invalidate()
    return schedule


@transaction.atomic
def delete_work_schedule(schedule: WorkSchedule, *, acting_user: Any = None) -> None:
    """Drop a schedule: the agency follows the nearest one above it (or the defaults)."""
    record_event(
        action="worktime.schedule_deleted",
        target=schedule,
        actor=acting_user,
        summary=str(schedule),
        payload={"agency_id": schedule.agency_id, "values": field_values(schedule)},
    )
    schedule.delete()
    _invalidate()
