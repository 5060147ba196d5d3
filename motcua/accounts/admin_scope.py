"""Admin pages of rows that belong to an agency, scoped like the agency tree itself.

A superuser sees and changes every row; an agency administrator only the rows of agencies
in their subtree (others read as "not found"), and may file new rows only there; rows of
no agency (the province's own: a province-wide holiday, the province's schedule) only a
superuser changes. What the model permissions allow still applies on top.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.contrib import admin
from django.db.models import ForeignKey, Model, QuerySet
from django.http import Http404, HttpRequest

from motcua.accounts.access import (
    can_manage_agency,
    is_superuser,
    restrict_agencies,
    restrict_by_agency,
)
from motcua.agencies.models import Agency

M = TypeVar("M", bound=Model)


class NotFoundOutsideScope(admin.ModelAdmin[M]):
    """A row outside the user's scope (``get_queryset``) reads as "not found" (404), not
    as a redirect to the list that would tell it exists."""

    not_found = "Không tìm thấy bản ghi."

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> M | None:
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(self.not_found)
        return obj


class AgencyScopedAdmin(NotFoundOutsideScope[M]):
    #: The lookup path from the row to its agency (``offering__agency`` for a process).
    agency_field = "agency"

    def agency_of(self, obj: M) -> Agency | None:
        target: Any = obj
        for part in self.agency_field.split("__"):
            target = getattr(target, part, None)
            if target is None:
                return None
        return target if isinstance(target, Agency) else None

    def may_manage(self, request: HttpRequest, obj: M) -> bool:
        if is_superuser(request.user):
            return True
        agency = self.agency_of(obj)
        return agency is not None and can_manage_agency(request.user, agency)

    def get_queryset(self, request: HttpRequest) -> QuerySet[M]:
        return restrict_by_agency(request.user, super().get_queryset(request), self.agency_field)

    def has_change_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self.may_manage(request, obj))

    def has_delete_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or self.may_manage(request, obj))

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        if db_field.name == self.agency_field:
            kwargs["queryset"] = restrict_agencies(request.user, Agency.objects.all())
            if not is_superuser(request.user):
                kwargs["required"] = True  # no province-wide rows but a superuser's
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
