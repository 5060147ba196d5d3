"""Writes to the province's form templates: validated against sample data, audited."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from motcua.audit.services import changed_values, record_event
from motcua.printing.models import FormTemplate
from motcua.printing.render import FORMS, FormTemplateError, check_template
from motcua.printing.samples import sample_context


def validate_form_template(code: str, body: str) -> None:
    """Raise ``ValidationError`` (in Vietnamese) unless ``body`` compiles as a Django
    template, fills in with the form's sample data (every variable known) and lays out
    as a PDF."""
    if code not in FORMS:
        raise ValidationError(f"Không có biểu mẫu số “{code}”.", code="unknown_form")
    if not body.strip():
        raise ValidationError("Nội dung mẫu đang để trống.", code="empty")
    try:
        check_template(code, body, sample_context(code))
    except FormTemplateError as exc:
        raise ValidationError(
            f"Mẫu {code} chưa được lưu vì không dùng được: {exc}", code="invalid_template"
        ) from exc


@transaction.atomic
def save_form_template(
    *,
    code: str,
    body: str,
    name: str = "",
    is_active: bool = True,
    template: FormTemplate | None = None,
    acting_user: Any = None,
) -> FormTemplate:
    """Create or change a province template for form ``code``.

    The body is validated first; an invalid one raises ``ValidationError`` and nothing is
    written, so the template in force stays as it was. Activating a template retires the
    form's other active template.
    """
    validate_form_template(code, body)
    row = template if template is not None else FormTemplate()
    if row.pk is not None:
        row = FormTemplate.objects.select_for_update().get(pk=row.pk)
    before = _audited(row) if row.pk is not None else {}
    row.code = code
    row.name = name or FORMS[code].name
    row.body = body
    row.is_active = is_active
    retired_ids: list[int] = []
    if is_active:
        retired = FormTemplate.objects.filter(code=code, is_active=True)
        if row.pk is not None:
            retired = retired.exclude(pk=row.pk)
        retired_ids = list(retired.values_list("pk", flat=True))
        retired.update(is_active=False)
    row.full_clean()
    created = row.pk is None
    row.save()
    record_event(
        action="printing.template_saved",
        target=row,
        actor=acting_user,
        summary=f"Mẫu {code}: {row.name} ({'áp dụng' if is_active else 'không áp dụng'})",
        payload={
            "code": code,
            "created": created,
            "is_active": is_active,
            "body_sha256": _sha256(body),
            "changes": changed_values(before, _audited(row)),
            "retired_ids": retired_ids,
        },
    )
    return row


def _sha256(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _audited(row: FormTemplate) -> dict[str, Any]:
    """What the audit compares before and after: the body by its digest."""
    return {
        "code": row.code,
        "name": row.name,
        "is_active": row.is_active,
        "body_sha256": _sha256(row.body),
    }


@transaction.atomic
def deactivate_form_template(row: FormTemplate, *, acting_user: Any = None) -> FormTemplate:
    """Stop using a province template: the packaged default applies again."""
    row.is_active = False
    row.save(update_fields=["is_active", "updated_at"])
    record_event(
        action="printing.template_deactivated",
        target=row,
        actor=acting_user,
        summary=f"Mẫu {row.code}: {row.name}",
        payload={"code": row.code, "changes": {"is_active": [True, False]}},
    )
    return row


@transaction.atomic
def delete_form_template(row: FormTemplate, *, acting_user: Any = None) -> None:
    record_event(
        action="printing.template_deleted",
        target=row,
        actor=acting_user,
        summary=f"Mẫu {row.code}: {row.name}",
        payload={
            "code": row.code,
            "was_active": row.is_active,
            "body_sha256": _sha256(row.body),
        },
    )
    row.delete()
