"""Writes to the organisation tree. Every write appends to the audit log."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from motcua.agencies.models import Agency
from motcua.agencies.rules import validate_agency_code
from motcua.audit.services import record_event


def _compute_path(agency: Agency) -> str:
    prefix = agency.parent.path if agency.parent_id and agency.parent else "/"
    return f"{prefix}{agency.pk}/"


@transaction.atomic
def save_agency(agency: Agency, *, acting_user: Any = None, action: str = "agency.saved") -> Agency:
    """Create or update an agency and keep its tree path (and its subtree's) right."""
    validate_agency_code(agency.code)
    old_path = ""
    if agency.pk is not None:
        old_path = Agency.objects.filter(pk=agency.pk).values_list("path", flat=True).first() or ""
    if agency.parent_id is not None and agency.pk is not None:
        parent = Agency.objects.get(pk=agency.parent_id)
        if f"/{agency.pk}/" in parent.path:
            raise ValueError("Không thể đặt cơ quan làm cấp dưới của chính nó.")
    agency.save()
    new_path = _compute_path(agency)
    if new_path != agency.path:
        Agency.objects.filter(pk=agency.pk).update(path=new_path)
        agency.path = new_path
        if old_path:
            for child in Agency.objects.filter(path__startswith=old_path).exclude(pk=agency.pk):
                child.path = new_path + child.path[len(old_path) :]
                Agency.objects.filter(pk=child.pk).update(path=child.path)
    record_event(
        action=action,
        target=agency,
        actor=acting_user,
        summary=f"{agency.code} {agency.name}",
        payload={"code": agency.code, "parent_id": agency.parent_id},
    )
    return agency
