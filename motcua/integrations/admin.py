"""Admin for API tokens: list, issue (the secret is shown once), revoke."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from motcua.accounts.models import User
from motcua.accounts.roles import ROLE_LABELS_VI
from motcua.agencies.models import Agency
from motcua.core.admin_writes import Edit, ServiceWritesAdmin
from motcua.integrations.models import ApiToken
from motcua.integrations.services import (
    TOKEN_ROLES,
    TokenError,
    check_token_request,
    issue_token,
    revoke_token,
)

ROLE_CHOICES = [(r.value, ROLE_LABELS_VI[r]) for r in ROLE_LABELS_VI if r in TOKEN_ROLES]


class ApiTokenAddForm(forms.ModelForm[ApiToken]):
    unit = forms.ModelChoiceField(
        label="phòng/đơn vị",
        queryset=Agency.objects.all(),
        required=False,
        help_text="Ví dụ bộ phận một cửa, nếu kết nối tiếp nhận hồ sơ tại quầy.",
    )
    roles = forms.MultipleChoiceField(
        label="vai trò",
        choices=ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="Token làm được đúng những gì một cán bộ có các vai trò này làm được.",
    )

    class Meta:
        model = ApiToken
        fields = ["name", "agency", "expires_at"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            check_token_request(
                agency=cleaned["agency"],
                name=cleaned.get("name", ""),
                roles=cleaned.get("roles", []),
                unit=cleaned.get("unit"),
                expires_at=cleaned.get("expires_at"),
            )
        except TokenError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return cleaned


@admin.register(ApiToken)
class ApiTokenAdmin(ServiceWritesAdmin[ApiToken]):
    list_display = [
        "name",
        "agency",
        "prefix",
        "roles",
        "state",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_select_related = ["agency", "user"]
    search_fields = ["name", "prefix", "agency__code", "agency__name"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    actions = ["revoke_selected"]
    readonly_fields = [
        "name",
        "agency",
        "user",
        "prefix",
        "roles",
        "created_by",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]

    @admin.display(description="vai trò")
    def roles(self, obj: ApiToken) -> str:
        values = obj.user.role_assignments.values_list("role", flat=True)
        return ", ".join(sorted(values))

    @admin.display(description="trạng thái")
    def state(self, obj: ApiToken) -> str:
        return {"active": "Đang dùng", "expired": "Hết hạn", "revoked": "Đã thu hồi"}[
            obj.state_at(timezone.now())
        ]

    def get_form(
        self, request: HttpRequest, obj: ApiToken | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        if obj is None:
            return ["name", "agency", "unit", "roles", "expires_at"]
        return self.readonly_fields

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        return self.readonly_fields if obj is not None else []

    def write(self, request: HttpRequest, obj: ApiToken, edit: Edit) -> None:
        if edit.change:
            return  # every field is read-only: revoking is the action below
        actor = request.user if isinstance(request.user, User) else None
        cleaned = edit.form.cleaned_data
        token, secret = issue_token(
            agency=cleaned["agency"],
            name=cleaned["name"],
            roles=cleaned["roles"],
            unit=cleaned.get("unit"),
            created_by=actor,
            expires_at=cleaned.get("expires_at"),
        )
        obj.pk = token.pk
        obj.refresh_from_db()
        messages.warning(
            request,
            f"Token của «{token.name}»: {secret} — hãy sao chép ngay, token chỉ hiển thị "
            "một lần này.",
        )

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    @admin.action(description="Thu hồi các token đã chọn")
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        actor = request.user if isinstance(request.user, User) else None
        count = 0
        for token in queryset:
            if token.revoked_at is None:
                revoke_token(token, acting_user=actor)
                count += 1
        messages.success(request, f"Đã thu hồi {count} token.")
