"""Admin for the procedure catalog. Staff may correct any imported record; saving keeps the
search index in step through the service layer."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

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


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin[Procedure]):
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

    def save_related(
        self, request: HttpRequest, form: ModelForm[Procedure], formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        services.refresh_search_index([form.instance.pk])

    def delete_model(self, request: HttpRequest, obj: Procedure) -> None:
        pk = obj.pk
        super().delete_model(request, obj)
        services.forget_search_rows([pk])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Procedure]) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        services.forget_search_rows(ids)


@admin.register(ProcedureOffering)
class ProcedureOfferingAdmin(admin.ModelAdmin[ProcedureOffering]):
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


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin[Field]):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    readonly_fields = ["slug"]
