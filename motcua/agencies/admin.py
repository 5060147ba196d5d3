"""Admin for the organisation tree and the administrative units.

Agency administrators (not superusers) see and change only their own subtree; saving and
deleting go through ``agencies.services`` so tree paths and the audit log stay right.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import ForeignKey, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString

from motcua.accounts.access import (
    can_manage_agency,
    is_agency_administrator,
    is_superuser,
    restrict_agencies,
)
from motcua.accounts.admin_scope import NotFoundOutsideScope
from motcua.agencies.models import AdministrativeUnit, Agency
from motcua.agencies.rules import would_create_cycle
from motcua.agencies.services import correct_administrative_unit, delete_agency, save_agency
from motcua.core.admin_writes import Edit, ServiceWritesAdmin


class AgencyAdminForm(forms.ModelForm[Agency]):
    class Meta:
        model = Agency
        fields = [
            "code",
            "name",
            "short_name",
            "kind",
            "level",
            "parent",
            "admin_unit",
            "address",
            "phone",
            "email",
            "receives_dossiers",
            "is_active",
            "valid_until",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        parent = cleaned.get("parent")
        if (
            parent is not None
            and self.instance.pk is not None
            and would_create_cycle(self.instance.pk, parent.path)
        ):
            self.add_error("parent", "Không thể đặt cơ quan làm cấp dưới của chính nó.")
        return cleaned


@admin.register(Agency)
class AgencyAdmin(NotFoundOutsideScope[Agency], ServiceWritesAdmin[Agency]):
    not_found = "Không tìm thấy cơ quan, đơn vị."
    form = AgencyAdminForm
    list_display = ["tree_name", "code", "kind", "level", "receives_dossiers", "is_active"]
    list_filter = ["kind", "level", "receives_dossiers", "is_active"]
    search_fields = ["code", "name", "short_name"]
    autocomplete_fields = ["parent", "admin_unit"]
    list_per_page = 100
    fieldsets = (
        (None, {"fields": ("code", "name", "short_name", "kind", "level", "parent")}),
        ("Địa giới và liên hệ", {"fields": ("admin_unit", "address", "phone", "email")}),
        ("Hoạt động", {"fields": ("receives_dossiers", "is_active", "valid_until")}),
    )

    @admin.display(description="cơ quan, đơn vị", ordering="path")
    def tree_name(self, obj: Agency) -> SafeString:
        return format_html(
            '<span style="padding-left: {}em">{}{}</span>',
            1.5 * max(obj.depth, 0),
            "└ " if obj.depth > 0 else "",
            obj.name,
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Agency]:
        return restrict_agencies(request.user, super().get_queryset(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and (
            is_superuser(request.user) or is_agency_administrator(request.user)
        )

    def has_change_permission(self, request: HttpRequest, obj: Agency | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can_manage_agency(request.user, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Agency | None = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or can_manage_agency(request.user, obj))

    def get_readonly_fields(
        self, request: HttpRequest, obj: Agency | None = None
    ) -> list[str] | tuple[Any, ...]:
        readonly = list(super().get_readonly_fields(request, obj))
        # An agency administrator cannot move the root of their own subtree.
        if (
            obj is not None
            and not is_superuser(request.user)
            and getattr(request.user, "agency_id", None) == obj.pk
        ):
            readonly.append("parent")
        return readonly

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        if db_field.name == "parent":
            kwargs["queryset"] = restrict_agencies(request.user, Agency.objects.all())
            if not is_superuser(request.user):
                kwargs["required"] = True  # no new roots outside one's own subtree
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def write(self, request: HttpRequest, obj: Agency, edit: Edit) -> None:
        save_agency(
            obj,
            acting_user=request.user,
            action="agency.changed" if edit.change else "agency.created",
        )

    def remove(self, request: HttpRequest, obj: Agency) -> None:
        delete_agency(obj, acting_user=request.user)


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(ServiceWritesAdmin[AdministrativeUnit]):
    """Loaded by ``motcua import-units``; only a superuser may correct a row."""

    list_display = ["code", "name", "kind", "generation", "parent"]
    list_filter = ["generation", "kind"]
    search_fields = ["code", "name", "short_name"]
    list_select_related = ["parent"]
    raw_id_fields = ["parent"]
    list_per_page = 100

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_superuser(request.user)

    def write(self, request: HttpRequest, obj: AdministrativeUnit, edit: Edit) -> None:
        correct_administrative_unit(obj, acting_user=request.user)
