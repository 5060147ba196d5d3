"""Writes to the organisation tree and the unit list. Every write appends to the audit log."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat, Substr

from motcua.agencies.models import AdministrativeUnit, Agency
from motcua.agencies.rules import validate_agency_code, would_create_cycle
from motcua.agencies.unit_sources import UnitRow
from motcua.audit.services import changed_values, field_values, record_event


class AgencyTreeError(ValueError):
    """A change would break the tree: a cycle, or a parent that does not exist."""


# --- One agency -------------------------------------------------------------------------


@transaction.atomic
def save_agency(agency: Agency, *, acting_user: Any = None, action: str = "agency.saved") -> Agency:
    """Create or update an agency and keep its tree path (and its subtree's) right.

    Moving an agency rewrites the paths of its whole subtree in one UPDATE; putting an
    agency under itself or under one of its descendants raises ``AgencyTreeError``.
    """
    validate_agency_code(agency.code)
    old = None
    if agency.pk is not None:
        old = Agency.objects.select_for_update().filter(pk=agency.pk).first()
    before = field_values(old, exclude=("path",))
    parent_path = "/"
    if agency.parent_id is not None:
        found = Agency.objects.filter(pk=agency.parent_id).values_list("path", flat=True).first()
        if found is None:
            raise AgencyTreeError("Cơ quan cấp trên không tồn tại.")
        parent_path = found
        if agency.pk is not None and would_create_cycle(agency.pk, parent_path):
            raise AgencyTreeError("Không thể đặt cơ quan làm cấp dưới của chính nó.")
    agency.save()
    new_path = f"{parent_path}{agency.pk}/"
    old_path = old.path if old else ""
    if new_path != old_path:
        Agency.objects.filter(pk=agency.pk).update(path=new_path)
        if old_path:
            Agency.objects.filter(path__startswith=old_path).exclude(pk=agency.pk).update(
                path=Concat(
                    Value(new_path),
                    Substr("path", len(old_path) + 1),
                    output_field=CharField(),
                )
            )
    agency.path = new_path
    payload: dict[str, Any] = {
        "code": agency.code,
        "parent_id": agency.parent_id,
        "changes": changed_values(before, field_values(agency, exclude=("path",))),
    }
    if old is not None and old.parent_id != agency.parent_id:
        payload["old_parent_id"] = old.parent_id
    record_event(
        action=action,
        target=agency,
        actor=acting_user,
        summary=f"{agency.code} {agency.name}",
        payload=payload,
    )
    return agency


@transaction.atomic
def delete_agency(agency: Agency, *, acting_user: Any = None) -> None:
    """Delete an agency with what hangs on it (its offerings, calendar rows, schedule).
    One that still has units, staff or dossiers stays: the database refuses
    (``ProtectedError``); mark it inactive instead."""
    record_event(
        action="agency.deleted",
        target=agency,
        actor=acting_user,
        summary=f"{agency.code} {agency.name}",
        payload={"code": agency.code, "parent_id": agency.parent_id},
    )
    agency.delete()


@transaction.atomic
def correct_administrative_unit(
    unit: AdministrativeUnit, *, acting_user: Any = None
) -> AdministrativeUnit:
    """Save a hand correction of an imported administrative unit, with its old and new
    values in the audit log."""
    unit.full_clean()
    before = field_values(AdministrativeUnit.objects.filter(pk=unit.pk).first())
    unit.save()
    record_event(
        action="agencies.unit_corrected",
        target=unit,
        actor=acting_user,
        summary=f"{unit.code} {unit.name}",
        payload={"changes": changed_values(before, field_values(unit))},
    )
    return unit


# --- Many agencies at once ----------------------------------------------------------------


@dataclass(frozen=True)
class AgencySpec:
    """An agency to create, its parent named by code (None for a root)."""

    code: str
    name: str
    kind: str
    level: str
    parent_code: str | None = None
    short_name: str = ""
    admin_unit_id: int | None = None
    address: str = ""
    receives_dossiers: bool = False
    is_active: bool = True
    valid_until: date | None = None


@dataclass
class EnsureResult:
    created: list[str] = field(default_factory=list)  # codes
    existing: int = 0


@transaction.atomic
def ensure_agencies(specs: Sequence[AgencySpec], *, acting_user: Any = None) -> EnsureResult:
    """Create the agencies whose code does not exist yet; leave existing ones untouched.

    Bulk version of ``save_agency`` for seeding a tree (hundreds of nodes): one INSERT
    and one UPDATE (the paths) per tree level, one audit event ("agency.created") per
    new agency. A spec's parent is either another spec or an agency already saved.
    """
    by_code = {spec.code: spec for spec in specs}
    if len(by_code) != len(specs):
        raise AgencyTreeError("Danh sách có mã định danh bị trùng.")
    for spec in specs:
        validate_agency_code(spec.code)
    known: dict[str, int] = dict(
        Agency.objects.filter(
            code__in=[*by_code, *(s.parent_code for s in specs if s.parent_code)]
        ).values_list("code", "pk")
    )
    result = EnsureResult(existing=sum(1 for code in by_code if code in known))
    pending = [spec for spec in specs if spec.code not in known]
    while pending:
        ready = [s for s in pending if s.parent_code is None or s.parent_code in known]
        if not ready:
            missing = sorted({s.parent_code or "" for s in pending} - set(by_code))
            raise AgencyTreeError(f"Không tìm thấy cơ quan cấp trên: {', '.join(missing)}.")
        objs = [_agency_from_spec(s, known) for s in ready]
        Agency.objects.bulk_create(objs, batch_size=500)
        _fill_missing_pks(objs)
        known.update({obj.code: obj.pk for obj in objs})
        # path = parent's path + own id, computed by the database in one UPDATE per level.
        Agency.objects.filter(pk__in=[obj.pk for obj in objs]).update(
            path=Concat(
                Coalesce(
                    Subquery(Agency.objects.filter(pk=OuterRef("parent_id")).values("path")[:1]),
                    Value("/"),
                ),
                Cast("pk", CharField()),
                Value("/"),
                output_field=CharField(),
            )
        )
        for obj in objs:
            record_event(
                action="agency.created",
                target=obj,
                actor=acting_user,
                summary=f"{obj.code} {obj.name}",
                payload={"code": obj.code, "parent_id": obj.parent_id},
            )
        result.created += [obj.code for obj in objs]
        ready_codes = {s.code for s in ready}
        pending = [s for s in pending if s.code not in ready_codes]
    return result


def _agency_from_spec(spec: AgencySpec, known: dict[str, int]) -> Agency:
    agency = Agency(
        code=spec.code,
        name=spec.name,
        short_name=spec.short_name,
        kind=spec.kind,
        level=spec.level,
        parent_id=known[spec.parent_code] if spec.parent_code else None,
        admin_unit_id=spec.admin_unit_id,
        address=spec.address,
        receives_dossiers=spec.receives_dossiers,
        is_active=spec.is_active,
        valid_until=spec.valid_until,
    )
    # Field-level checks only (lengths, choices): the foreign keys are resolved above.
    agency.clean_fields(exclude=["path", "parent", "admin_unit"])
    return agency


def _fill_missing_pks(objs: Sequence[Agency]) -> None:
    """Backends that cannot return ids from a bulk INSERT: look them up by code."""
    missing = [obj for obj in objs if obj.pk is None]
    if missing:
        ids = dict(
            Agency.objects.filter(code__in=[o.code for o in missing]).values_list("code", "pk")
        )
        for obj in missing:
            obj.pk = ids[obj.code]


# --- Administrative units --------------------------------------------------------------------

UNIT_FIELDS = ("name", "short_name", "kind", "parent_id")


@dataclass
class UnitImportResult:
    """Counts per generation: {'2025': {'created': 103, 'updated': 0, 'unchanged': 0}, …}."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, generation: str, outcome: str, n: int = 1) -> None:
        per = self.counts.setdefault(generation, {"created": 0, "updated": 0, "unchanged": 0})
        per[outcome] += n

    def total(self, outcome: str) -> int:
        return sum(per[outcome] for per in self.counts.values())


@transaction.atomic
def import_administrative_units(
    rows: Iterable[UnitRow],
    *,
    acting_user: Any = None,
    on_progress: Callable[[int], object] | None = None,
    label: str = "",
) -> UnitImportResult:
    """Create or update administrative units by (generation, code); never deletes.

    Bulk: one pass per tier (provinces, districts, communes) with batched INSERTs and
    UPDATEs, so a full import (about 14,000 units) takes seconds. Records one audit
    event for the run, even when nothing changed.
    """
    rows = sorted(rows, key=lambda row: row.tier)
    generations = sorted({row.generation for row in rows})
    current: dict[tuple[str, str], tuple[Any, ...]] = {
        (gen, code): (pk, name, short_name, kind, parent_id)
        for gen, code, pk, name, short_name, kind, parent_id in AdministrativeUnit.objects.filter(
            generation__in=generations
        ).values_list("generation", "code", "pk", "name", "short_name", "kind", "parent_id")
    }
    ids = {key: values[0] for key, values in current.items()}
    result = UnitImportResult()
    for tier in sorted({row.tier for row in rows}):
        to_create: list[AdministrativeUnit] = []
        to_update: list[AdministrativeUnit] = []
        for row in (r for r in rows if r.tier == tier):
            parent_id = None
            if row.parent_code is not None:
                parent_id = ids.get((row.generation, row.parent_code))
                if parent_id is None:
                    raise ValueError(
                        f"Đơn vị {row.code} {row.name}: không có đơn vị cấp trên {row.parent_code}."
                    )
            unit = AdministrativeUnit(
                generation=row.generation,
                code=row.code,
                name=row.name,
                short_name=row.short_name,
                kind=row.kind,
                parent_id=parent_id,
            )
            existing = current.get((row.generation, row.code))
            if existing is None:
                to_create.append(unit)
            elif tuple(existing[1:]) != (row.name, row.short_name, row.kind, parent_id):
                unit.pk = existing[0]
                to_update.append(unit)
            else:
                result.add(row.generation, "unchanged")
        for start in range(0, len(to_create), 1000):
            batch = to_create[start : start + 1000]
            AdministrativeUnit.objects.bulk_create(batch)
            if on_progress:
                on_progress(len(batch))
        for start in range(0, len(to_update), 1000):
            batch = to_update[start : start + 1000]
            AdministrativeUnit.objects.bulk_update(batch, UNIT_FIELDS)
            if on_progress:
                on_progress(len(batch))
        if any(unit.pk is None for unit in to_create):
            created_ids = AdministrativeUnit.objects.filter(
                generation__in=generations, code__in=[u.code for u in to_create]
            ).values_list("generation", "code", "pk")
            ids.update({(gen, code): pk for gen, code, pk in created_ids})
        else:
            ids.update({(u.generation, u.code): u.pk for u in to_create})
        for unit in to_create:
            result.add(unit.generation, "created")
        for unit in to_update:
            result.add(unit.generation, "updated")
        if on_progress:
            unchanged = sum(1 for r in rows if r.tier == tier) - len(to_create) - len(to_update)
            on_progress(unchanged)
    record_event(
        action="units.imported",
        target_type=AdministrativeUnit._meta.label_lower,
        actor=acting_user,
        summary=(
            f"Nhập đơn vị hành chính{(' ' + label) if label else ''}: "
            f"tạo mới {result.total('created')}, cập nhật {result.total('updated')}, "
            f"giữ nguyên {result.total('unchanged')}"
        ),
        payload={"scope": label, "counts": result.counts},
    )
    return result
