"""Appending to the audit log. Called by every service that writes."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
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


def field_values(
    instance: models.Model | None,
    fields: Iterable[str] | None = None,
    *,
    exclude: Iterable[str] = (),
) -> dict[str, Any]:
    """The values of ``fields`` of ``instance`` (by default every column but the primary
    key, less ``exclude``) as the audit log stores them: foreign keys as ids, dates and
    times as ISO text. ``{}`` for no instance (nothing before a creation)."""
    if instance is None:
        return {}
    if fields is None:
        fields = [f.name for f in instance._meta.concrete_fields if not f.primary_key]
    left_out = set(exclude)
    values: dict[str, Any] = {}
    for name in fields:
        if name in left_out:
            continue
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        values[name] = getattr(instance, attname)
    return json_safe(values)


def json_safe(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` as JSON reads them back (what the audit payload will hold)."""
    result: dict[str, Any] = json.loads(json.dumps(dict(values), cls=DjangoJSONEncoder))
    return result


def changed_values(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for each field of ``after`` whose value is not the one in
    ``before`` (a field ``before`` lacks, as on a creation, was ``None``)."""
    old, new = json_safe(before), json_safe(after)
    return {name: [old.get(name), value] for name, value in new.items() if old.get(name) != value}
