"""Admin for accounts and roles, scoped for agency administrators.

An agency administrator (staff user with Role.ADMINISTRATOR, not a superuser) sees and
edits only non-superuser accounts of agencies in their subtree, can place users only in
that subtree, cannot grant superuser status or individual permissions, and can give
only groups they belong to themselves.

Every save goes through ``accounts.services`` (the account with its roles and groups in
one call, the password change page too): one audit row with the old and new values.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    AdminUserCreationForm,
    UserChangeForm,
    UsernameField,
)
from django.contrib.auth.models import Group
from django.db.models import ForeignKey, ManyToManyField, QuerySet
from django.http import HttpRequest, HttpResponse

from motcua.accounts.access import (
    can_manage_user,
    is_agency_administrator,
    is_superuser,
    restrict_agencies,
    restrict_users,
)
from motcua.accounts.admin_scope import NotFoundOutsideScope
from motcua.accounts.models import RoleAssignment, User
from motcua.accounts.services import (
    USER_FIELDS,
    StaffUserError,
    check_unit_in_agency,
    delete_user,
    save_user,
    set_user_password,
)
from motcua.agencies.models import Agency
from motcua.core.admin_writes import Edit, ServiceWritesAdmin

#: Who is changing a password on the admin's password page (Django builds and saves the
#: form itself, without the request: :meth:`StaffUserAdmin.user_change_password` sets it).
_password_changer: ContextVar[Any] = ContextVar("password_changer", default=None)

admin.site.site_header = "motcua · Quản trị hệ thống"
admin.site.site_title = "motcua"
admin.site.index_title = "Quản trị"


class _UnitInAgencyMixin:
    """The chosen unit must lie under the chosen agency."""

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}  # type: ignore[misc]
        try:
            check_unit_in_agency(cleaned.get("agency"), cleaned.get("unit"))
        except StaffUserError as exc:
            self.add_error("unit", str(exc))  # type: ignore[attr-defined]
        return cleaned


class StaffUserCreationForm(_UnitInAgencyMixin, AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("username", "full_name", "kind", "agency", "unit")
        field_classes = {"username": UsernameField}


class StaffUserChangeForm(_UnitInAgencyMixin, UserChangeForm[User]):
    class Meta:
        model = User
        # The layout is the admin's fieldsets; the audit compares USER_FIELDS.
        fields = (*USER_FIELDS, "password", "groups", "user_permissions")
        field_classes = {"username": UsernameField}


class PasswordThroughServiceForm(AdminPasswordChangeForm):
    """The admin's password form, saved by ``accounts.services.set_user_password``."""

    def save(self, commit: bool = True) -> User:
        usable = self.cleaned_data["set_usable_password"]
        password = self.cleaned_data["password1"] if usable else None
        return set_user_password(self.user, password, acting_user=_password_changer.get())


class RoleAssignmentInline(admin.TabularInline[RoleAssignment, User]):
    model = RoleAssignment
    extra = 0
    verbose_name = "vai trò"
    verbose_name_plural = "vai trò trong cơ quan"


@admin.register(User)
class StaffUserAdmin(NotFoundOutsideScope[User], ServiceWritesAdmin[User], UserAdmin[User]):
    not_found = "Không tìm thấy tài khoản."
    form = StaffUserChangeForm
    add_form = StaffUserCreationForm
    change_password_form = PasswordThroughServiceForm
    inlines = [RoleAssignmentInline]
    list_display = ["username", "full_name", "agency", "kind", "is_staff", "is_active"]
    list_filter = ["kind", "is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["username", "full_name", "email", "phone", "agency__code", "agency__name"]
    list_select_related = ["agency"]
    autocomplete_fields = ["agency", "unit"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Thông tin cá nhân", {"fields": ("full_name", "email", "phone")}),
        ("Cơ quan", {"fields": ("kind", "agency", "unit")}),
        (
            "Quyền",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Thời điểm", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
        ("Cơ quan", {"fields": ("full_name", "kind", "agency", "unit")}),
    )

    def get_inline_instances(self, request: HttpRequest, obj: User | None = None) -> list[Any]:
        # Like the password, roles are given on the change page after the account exists.
        return super().get_inline_instances(request, obj) if obj is not None else []

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return restrict_users(request.user, super().get_queryset(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and (
            is_superuser(request.user) or is_agency_administrator(request.user)
        )

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can_manage_user(request.user, obj))

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or can_manage_user(request.user, obj))

    def get_readonly_fields(
        self, request: HttpRequest, obj: User | None = None
    ) -> list[str] | tuple[Any, ...]:
        readonly = list(super().get_readonly_fields(request, obj))
        if not is_superuser(request.user):
            readonly += ["is_superuser", "user_permissions", "last_login", "date_joined"]
        return readonly

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        if db_field.name in {"agency", "unit"}:
            kwargs["queryset"] = restrict_agencies(request.user, Agency.objects.all())
            if db_field.name == "agency" and not is_superuser(request.user):
                kwargs["required"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(
        self, db_field: ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelMultipleChoiceField[Any] | None:
        if db_field.name == "groups" and not is_superuser(request.user):
            assert isinstance(request.user, User)
            kwargs["queryset"] = Group.objects.filter(user=request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def write(self, request: HttpRequest, obj: User, edit: Edit) -> None:
        cleaned = edit.form.cleaned_data
        groups = permissions = roles = None
        if "groups" in cleaned:
            groups = list(cleaned["groups"])
            if edit.change and not is_superuser(request.user):
                # Groups the acting administrator may not give are not shown in the form:
                # keep those the account already had instead of silently removing them.
                assert isinstance(request.user, User)
                own = set(request.user.groups.values_list("pk", flat=True))
                groups += [group for group in obj.groups.all() if group.pk not in own]
        if "user_permissions" in cleaned:
            permissions = list(cleaned["user_permissions"])
        if edit.change:  # the roles inline is on the change page only
            after = edit.after(obj.role_assignments.all(), RoleAssignment)
            roles = [row.role for row in after]
        save_user(
            obj,
            acting_user=request.user,
            roles=roles,
            groups=groups,
            permissions=permissions,
        )

    def remove(self, request: HttpRequest, obj: User) -> None:
        delete_user(obj, acting_user=request.user)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        token = _password_changer.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _password_changer.reset(token)
