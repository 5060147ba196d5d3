from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from motcua.worktime.models import CalendarDay, WorkSchedule
from motcua.worktime.services import remove_calendar_day, save_work_schedule, set_calendar_day


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin[CalendarDay]):
    list_display = ["date", "kind", "name", "agency", "legal_basis"]
    list_filter = ["kind"]
    search_fields = ["name", "legal_basis"]
    date_hierarchy = "date"
    raw_id_fields = ["agency"]

    def save_model(
        self, request: HttpRequest, obj: CalendarDay, form: ModelForm[CalendarDay], change: bool
    ) -> None:
        if change:
            # Editing a row may change its date: replace it through the services.
            old = CalendarDay.objects.get(pk=obj.pk)
            remove_calendar_day(old, acting_user=request.user)
        saved = set_calendar_day(
            day=obj.date,
            kind=obj.kind,
            name=obj.name,
            agency=obj.agency,
            legal_basis=obj.legal_basis,
            acting_user=request.user,
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        remove_calendar_day(obj, acting_user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        for row in queryset:
            remove_calendar_day(row, acting_user=request.user)


@admin.register(WorkSchedule)
class WorkScheduleAdmin(admin.ModelAdmin[WorkSchedule]):
    list_display = ["__str__", "cutoff"]
    raw_id_fields = ["agency"]

    def save_model(self, request: HttpRequest, obj: WorkSchedule, form: Any, change: bool) -> None:
        save_work_schedule(obj, acting_user=request.user)
