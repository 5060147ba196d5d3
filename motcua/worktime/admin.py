"""Admin for the province's calendar rows and work schedules. Saving and deleting go
through ``worktime.services`` (validated, audited with old and new values, cached
calendars dropped). An agency administrator given the permissions sees and changes only
the rows of their subtree; province-wide rows (no agency) are a superuser's."""

from django.contrib import admin
from django.http import HttpRequest

from motcua.accounts.admin_scope import AgencyScopedAdmin
from motcua.core.admin_writes import Edit, ServiceWritesAdmin
from motcua.worktime.models import CalendarDay, WorkSchedule
from motcua.worktime.services import (
    delete_work_schedule,
    remove_calendar_day,
    save_calendar_day,
    save_work_schedule,
)


@admin.register(CalendarDay)
class CalendarDayAdmin(AgencyScopedAdmin[CalendarDay], ServiceWritesAdmin[CalendarDay]):
    list_display = ["date", "kind", "name", "agency", "legal_basis"]
    list_filter = ["kind"]
    search_fields = ["name", "legal_basis"]
    date_hierarchy = "date"
    raw_id_fields = ["agency"]

    def write(self, request: HttpRequest, obj: CalendarDay, edit: Edit) -> None:
        save_calendar_day(obj, acting_user=request.user)

    def remove(self, request: HttpRequest, obj: CalendarDay) -> None:
        remove_calendar_day(obj, acting_user=request.user)


@admin.register(WorkSchedule)
class WorkScheduleAdmin(AgencyScopedAdmin[WorkSchedule], ServiceWritesAdmin[WorkSchedule]):
    list_display = ["__str__", "cutoff"]
    raw_id_fields = ["agency"]

    def write(self, request: HttpRequest, obj: WorkSchedule, edit: Edit) -> None:
        save_work_schedule(obj, acting_user=request.user)

    def remove(self, request: HttpRequest, obj: WorkSchedule) -> None:
        delete_work_schedule(obj, acting_user=request.user)
