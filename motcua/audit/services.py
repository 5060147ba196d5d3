"""Appending to the audit log. Called by every service that writes."""

from __future__ import annotations

from typing import Any

from django.db import models

from motcua.audit.models import AuditEvent


def record_event(
    *,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    actor: Any = None,
    summary: str = "",
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event. ``actor`` is a user or None for the system."""
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(target.pk)
    agency_id = getattr(actor, "agency_id", None) if actor is not None else None
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    return AuditEvent.objects.create(
        action=action,
        target_type=target_type,
        target_id=target_id,
        actor_id=actor_id,
        actor_agency_id=agency_id,
        summary=summary[:500],
        payload=payload or {},
    )
