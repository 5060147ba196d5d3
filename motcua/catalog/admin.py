"""Admin for the procedure catalog. Staff may correct any imported record; every save and
deletion is a call to ``catalog.services`` (search index in step, audit row with the old
and new values). Offerings are scoped by agency: an agency administrator given the
permissions sees and changes only those of their subtree."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import ForeignKey, QuerySet
from django.http import HttpRequest

from motcua.accounts.access import is_superuser, restrict_agencies, restrict_by_agency
from motcua.accounts.admin_scope import AgencyScopedAdmin
from motcua.agencies.models import Agency
from motcua.catalog import services
from motcua.catalog.models import (
    Field,
    LegalBasis,
    Procedure,
    ProcedureChannel,
    ProcedureOffering,
    RequiredDocument,
    ResultDocument,
)
from motcua.core.admin_writes import Edit, ServiceWritesAdmin


class ChannelInline(admin.TabularInline[ProcedureChannel, Procedure]):
    model = ProcedureChannel
    extra = 0
    fields = [
        "order",
        "channel",
        "processing_time_value",
        "processing_time_unit",
        "processing_time_text",
        "fee_vnd",
        "fee_text",
        "description",
    ]


class DocumentInline(admin.TabularInline[RequiredDocument, Procedure]):
    model = RequiredDocument
    extra = 0
    fields = ["order", "group", "name", "note", "original_count", "copy_count", "form_name"]


class ResultInline(admin.TabularInline[ResultDocument, Procedure]):
    model = ResultDocument
    extra = 0
    fields = ["order", "name", "code"]


class LegalBasisInline(admin.TabularInline[LegalBasis, Procedure]):
    model = LegalBasis
    extra = 0
    fields = ["order", "number", "title"]


class OfferingInline(admin.TabularInline[ProcedureOffering, Procedure]):
    model = ProcedureOffering
    extra = 0
    autocomplete_fields = ["agency"]
    fields = ["agency", "is_active", "local_processing_working_days", "local_fee_vnd", "note"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProcedureOffering]:
        return restrict_by_agency(request.user, super().get_queryset(request))

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        if db_field.name == "agency" and not is_superuser(request.user):
            kwargs["queryset"] = restrict_agencies(request.user, Agency.objects.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Procedure)
class ProcedureAdmin(ServiceWritesAdmin[Procedure]):
    list_display = ["code", "name", "field", "online_level", "status", "has_detail"]
    list_filter = [
        "status",
        "online_level",
        "has_detail",
        "is_interconnected",
        "level_commune",
        "level_province",
        "level_ministry",
        "field",
    ]
    search_fields = ["code", "name", "search_name"]
    list_select_related = ["field"]
    list_per_page = 50
    readonly_fields = ["imported_at", "parse_warnings"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [ChannelInline, DocumentInline, ResultInline, LegalBasisInline, OfferingInline]
    fieldsets = [
        (
            None,
            {"fields": ["code", "name", "field", "status", "effective_from", "effective_until"]},
        ),
        (
            "Cấp thực hiện",
            {
                "fields": [
                    "level_commune",
                    "level_district",
                    "level_province",
                    "level_ministry",
                    "level_other",
                ]
            },
        ),
        (
            "Thông tin",
            {
                "fields": [
                    "procedure_type",
                    "applicant_types",
                    "competent_agency_text",
                    "implementing_agency_text",
                    "coordinating_agency",
                    "receiving_address",
                    "conditions",
                    "keywords",
                    "decision",
                    "source_url",
                ]
            },
        ),
        (
            "Trực tuyến, bưu chính",
            {
                "fields": [
                    "online_level",
                    "offers_postal_submission",
                    "offers_postal_return",
                    "is_interconnected",
                ]
            },
        ),
        ("Nguồn dữ liệu", {"fields": ["has_detail", "imported_at", "parse_warnings"]}),
    ]

    def write(self, request: HttpRequest, obj: Procedure, edit: Edit) -> None:
        services.save_procedure(
            obj, parts=edit.rows, deleted_parts=edit.deleted, acting_user=request.user
        )

    def remove(self, request: HttpRequest, obj: Procedure) -> None:
        services.delete_procedure(obj, acting_user=request.user)


@admin.register(ProcedureOffering)
class ProcedureOfferingAdmin(
    AgencyScopedAdmin[ProcedureOffering], ServiceWritesAdmin[ProcedureOffering]
):
    list_display = [
        "procedure",
        "agency",
        "is_active",
        "local_processing_working_days",
        "local_fee_vnd",
    ]
    list_filter = ["is_active", "agency__level"]
    search_fields = ["procedure__code", "procedure__name", "agency__code", "agency__name"]
    autocomplete_fields = ["procedure", "agency"]
    list_select_related = ["procedure", "agency"]

    def write(self, request: HttpRequest, obj: ProcedureOffering, edit: Edit) -> None:
        services.save_offering(obj, acting_user=request.user)

    def remove(self, request: HttpRequest, obj: ProcedureOffering) -> None:
        services.delete_offering(obj, acting_user=request.user)


@admin.register(Field)
class FieldAdmin(ServiceWritesAdmin[Field]):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    readonly_fields = ["slug"]

    def write(self, request: HttpRequest, obj: Field, edit: Edit) -> None:
        services.save_field(obj, acting_user=request.user)

    def remove(self, request: HttpRequest, obj: Field) -> None:
        services.delete_field(obj, acting_user=request.user)
