"""Admin for the internal processes (quy trình nội bộ) of offered procedures.

A process and its steps are saved together by ``process_services.define_process``: the
steps must fit the legal time limit (checked on the form, the same rule), and the audit
row holds the old and new values. An agency administrator given the permissions sees and
changes only the processes of their subtree's offerings; a step may still be carried out
by another agency (interconnected procedures).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import ForeignKey
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from motcua.accounts.access import restrict_by_agency
from motcua.accounts.admin_scope import AgencyScopedAdmin
from motcua.catalog.models import ProcedureOffering
from motcua.core.admin_writes import Edit, ServiceWritesAdmin
from motcua.dossiers.models import Process, ProcessStep
from motcua.dossiers.process_services import (
    define_process,
    delete_process,
    process_errors,
    spec_of,
)
from motcua.dossiers.rules import ACTOR_LABELS_VI, Actor


class ProcessStepFormSet(BaseInlineFormSet[ProcessStep, Process, Any]):
    def clean(self) -> None:
        super().clean()
        days = self.instance.legal_working_days
        if any(self.errors) or days is None:
            return
        steps = [
            form.instance
            for form in self.forms
            if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
        ]
        errors = process_errors([spec_of(step) for step in steps], days)
        if errors:
            raise forms.ValidationError(errors)


class ProcessStepInline(admin.StackedInline[ProcessStep, Process]):
    model = ProcessStep
    formset = ProcessStepFormSet
    extra = 0
    # Stacked, a few fields a line: the page reflows instead of scrolling sideways.
    fields = [("stage", "branch", "position"), "name", ("agency", "unit"), ("role", "hours")]
    autocomplete_fields = ["agency", "unit"]

    def formfield_for_choice_field(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.TypedChoiceField | None:
        if db_field.name == "role":  # the roles by their Vietnamese names
            kwargs["choices"] = [("", "---------")] + [
                (actor.value, ACTOR_LABELS_VI[actor]) for actor in Actor
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)


@admin.register(Process)
class ProcessAdmin(AgencyScopedAdmin[Process], ServiceWritesAdmin[Process]):
    agency_field = "offering__agency"
    not_found = "Không tìm thấy quy trình."
    list_display = ["name", "offering", "legal_working_days", "is_active"]
    list_filter = ["is_active", "apply_cutoff"]
    search_fields = ["name", "offering__procedure__code", "offering__agency__name"]
    list_select_related = ["offering__procedure", "offering__agency"]
    autocomplete_fields = ["offering"]
    fields = ["offering", "name", "legal_working_days", "apply_cutoff", "is_active"]
    inlines = [ProcessStepInline]

    def get_readonly_fields(
        self, request: HttpRequest, obj: Process | None = None
    ) -> list[str] | tuple[Any, ...]:
        # A process belongs to one offering for good: define another one for another.
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "offering"] if obj is not None else readonly

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        if db_field.name == "offering":
            kwargs["queryset"] = restrict_by_agency(
                request.user, ProcedureOffering.objects.all(), "agency"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def write(self, request: HttpRequest, obj: Process, edit: Edit) -> None:
        existing = obj.steps.all() if obj.pk is not None else []
        steps = edit.after(existing, ProcessStep)
        saved = define_process(
            obj.offering,
            name=obj.name,
            legal_working_days=obj.legal_working_days,
            steps=[spec_of(step) for step in steps],
            apply_cutoff=obj.apply_cutoff,
            is_active=obj.is_active,
            acting_user=request.user,
        )
        obj.pk = saved.pk

    def remove(self, request: HttpRequest, obj: Process) -> None:
        delete_process(obj, acting_user=request.user)
