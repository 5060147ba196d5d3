"""The calendar admin writes through ``worktime.services`` (audit row with the old and new
values, cached calendars dropped) and is scoped by agency; every denial changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.audit.models import AuditEvent
from motcua.testing.admin_pages import (
    admin_client,
    change_url,
    delete,
    delete_selected,
    events,
    list_url,
    post_back,
    rows,
)
from motcua.testing.personas import Province, administrator, superuser
from motcua.worktime.models import CalendarDay, WorkSchedule
from motcua.worktime.queries import calendar_for
from motcua.worktime.rules import is_working_day
from motcua.worktime.services import save_work_schedule, set_calendar_day

pytestmark = pytest.mark.django_db

CALENDAR_PERMISSIONS = tuple(
    f"worktime.{action}_{model}"
    for action in ("view", "add", "change", "delete")
    for model in ("calendarday", "workschedule")
)
STORM = dt.date(2026, 9, 15)  # a Tuesday


def test_moving_a_day_off_changes_the_row_in_place_with_one_audit_row(
    province: Province,
) -> None:
    row = set_calendar_day(day=STORM, kind="day_off", name="Nghỉ tránh bão")
    assert not is_working_day(calendar_for(province.commune), STORM)
    response = post_back(admin_client(superuser()), change_url(row), date="16/09/2026")
    assert response.status_code == 302
    assert list(CalendarDay.objects.values_list("pk", "date")) == [(row.pk, STORM.replace(day=16))]
    [_, event] = events("worktime.day_set")
    assert event.target_id == str(row.pk)
    assert event.payload["changes"] == {"date": ["2026-09-15", "2026-09-16"]}
    assert not events("worktime.day_removed")
    # The cached calendar was dropped: the day off moved.
    calendar = calendar_for(province.commune)
    assert is_working_day(calendar, STORM)
    assert not is_working_day(calendar, STORM.replace(day=16))


def test_a_second_row_for_the_same_date_is_refused_and_nothing_changes(
    province: Province,
) -> None:
    set_calendar_day(day=STORM, kind="day_off", name="Nghỉ tránh bão")
    other = set_calendar_day(day=STORM.replace(day=17), kind="day_off", name="Nghỉ bù")
    before, audit = rows(CalendarDay), AuditEvent.objects.count()
    response = post_back(admin_client(superuser()), change_url(other), date="15/09/2026")
    assert response.status_code == 200
    assert "Ngày này đã có trong lịch nghỉ, làm bù của toàn tỉnh." in response.content.decode()
    assert rows(CalendarDay) == before and AuditEvent.objects.count() == audit


def test_deleting_days_one_by_one_or_selected_goes_through_the_service(
    province: Province,
) -> None:
    client = admin_client(superuser())
    first = set_calendar_day(day=STORM, kind="day_off", name="Nghỉ tránh bão")
    second = set_calendar_day(day=STORM.replace(day=17), kind="day_off", name="Nghỉ bù")
    assert delete(client, first).status_code == 302
    assert delete_selected(client, CalendarDay, second.pk).status_code == 302
    assert not CalendarDay.objects.exists()
    removed = {event.target_id for event in events("worktime.day_removed")}
    assert removed == {str(first.pk), str(second.pk)}


def test_a_schedule_is_saved_and_deleted_through_the_service(province: Province) -> None:
    client = admin_client(superuser())
    schedule = save_work_schedule(WorkSchedule(agency=province.commune))
    response = post_back(client, change_url(schedule), cutoff="16:00:00")
    assert response.status_code == 302
    [_, event] = events("worktime.schedule_saved")
    assert event.payload["changes"] == {"cutoff": ["15:00:00", "16:00:00"]}
    assert delete(client, schedule).status_code == 302
    assert not WorkSchedule.objects.exists()
    [deleted] = events("worktime.schedule_deleted")
    assert deleted.payload["agency_id"] == province.commune.pk


def test_a_schedule_with_sessions_out_of_order_is_refused_and_nothing_changes(
    province: Province,
) -> None:
    schedule = save_work_schedule(WorkSchedule(agency=province.commune))
    before, audit = rows(WorkSchedule), AuditEvent.objects.count()
    response = post_back(admin_client(superuser()), change_url(schedule), morning_end="14:00:00")
    assert response.status_code == 200
    assert "Các buổi làm việc phải theo thứ tự" in response.content.decode()
    assert rows(WorkSchedule) == before and AuditEvent.objects.count() == audit


def test_an_agency_administrator_cannot_touch_rows_of_the_province_or_another_agency(
    province: Province,
) -> None:
    province_day = set_calendar_day(day=STORM, kind="day_off", name="Nghỉ tránh bão")
    longxuyen_day = set_calendar_day(
        day=STORM.replace(day=17), kind="day_off", name="Nghỉ riêng", agency=province.commune
    )
    province_hours = save_work_schedule(WorkSchedule())
    longxuyen_hours = save_work_schedule(WorkSchedule(agency=province.commune))
    client = admin_client(
        administrator(province.other_commune, "qt.chaudoc", *CALENDAR_PERMISSIONS)
    )
    before = rows(CalendarDay), rows(WorkSchedule)
    audit = AuditEvent.objects.count()
    for model in (CalendarDay, WorkSchedule):
        assert client.get(list_url(model)).context["cl"].result_count == 0
    for row in (province_day, longxuyen_day, province_hours, longxuyen_hours):
        assert client.get(change_url(row)).status_code == 404
        assert client.post(change_url(row), {"name": "Sửa", "cutoff": "09:00"}).status_code == 404
        assert delete(client, row).status_code == 404
        delete_selected(client, type(row), row.pk)
    for agency in ("", province.commune.pk):  # neither province-wide nor for Long Xuyên
        added = client.post(
            f"{list_url(CalendarDay)}add/",
            {"date": "18/09/2026", "kind": "day_off", "name": "Nghỉ", "agency": agency},
        )
        assert added.status_code == 200 and "agency" in added.context["adminform"].form.errors
    assert (rows(CalendarDay), rows(WorkSchedule)) == before
    assert AuditEvent.objects.count() == audit


def test_an_agency_administrator_files_a_day_off_for_their_own_agency(
    province: Province,
) -> None:
    admin = administrator(province.other_commune, "qt.chaudoc", *CALENDAR_PERMISSIONS)
    response = admin_client(admin).post(
        f"{list_url(CalendarDay)}add/",
        {"date": "18/09/2026", "kind": "day_off", "name": "Nghỉ", "agency": admin.agency_id},
    )
    assert response.status_code == 302
    [event] = events("worktime.day_set")
    assert event.actor == admin and event.actor_agency == province.other_commune
