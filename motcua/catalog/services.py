"""Writes to the procedure catalog: importing procedure files, keeping the search index in
step, and offering procedures at agencies. Every run or change appends to the audit log.

Import policy: a record whose source is unchanged since the last import is left alone
(so corrections staff made in the admin survive a re-import of the same file); a record
whose source changed is rewritten in place, children (channels, documents, results, legal
basis) replaced, offerings kept. Records already in the database but absent from the file
are kept.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from motcua.audit.services import changed_values, field_values, record_event
from motcua.catalog import rules
from motcua.catalog.importer import (
    ParsedProcedure,
    RecordError,
    load_records,
    parse_record,
)
from motcua.catalog.models import (
    Field,
    LegalBasis,
    Procedure,
    ProcedureChannel,
    ProcedureOffering,
    RequiredDocument,
    ResultDocument,
)

PACKAGED_DIR = Path(__file__).resolve().parent.parent / "data" / "procedures"
PACKAGED_CATALOG = PACKAGED_DIR / "procedures.json"
PACKAGED_DEMO = PACKAGED_DIR / "an_giang_demo.json"

CHUNK_SIZE = 250
FTS_TABLE = "catalog_procedure_fts"
MAX_BAD_IN_AUDIT = 100

# Procedure columns an import writes (everything but id, code and the admin-only status).
IMPORTED_FIELDS = [
    "name",
    "field_id",
    "level_commune",
    "level_district",
    "level_province",
    "level_ministry",
    "level_other",
    "procedure_type",
    "applicant_types",
    "competent_agency_text",
    "implementing_agency_text",
    "receiving_address",
    "coordinating_agency",
    "conditions",
    "keywords",
    "decision",
    "source_url",
    "source_ministry",
    "online_level",
    "offers_postal_submission",
    "offers_postal_return",
    "is_interconnected",
    "has_detail",
    "parse_warnings",
    "search_name",
    "search_text",
    "source_hash",
    "imported_at",
]


@dataclass(frozen=True)
class BadRecord:
    """A record that was not imported: its position in the file (from 1), code, reason."""

    index: int
    code: str
    reason: str


@dataclass
class ImportReport:
    source: str
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    bad: list[BadRecord] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "bad": len(self.bad),
        }


# --- Import ---------------------------------------------------------------------------


def import_procedures_file(
    path: str | Path, *, acting_user: Any = None, show_progress: bool = False
) -> ImportReport:
    """Import a procedures JSON file; see the module docstring for the policy.

    Raises ``ImportFileError`` (and writes nothing) when the file as a whole is unusable.
    Bad records are skipped and listed in the report; good ones are saved.
    """
    records = load_records(path)
    return import_procedure_records(
        records, source=Path(path).name, acting_user=acting_user, show_progress=show_progress
    )


def import_procedure_records(
    records: Sequence[Any],
    *,
    source: str,
    acting_user: Any = None,
    show_progress: bool = False,
) -> ImportReport:
    """Import already-loaded raw records (the list under ``"procedures"``)."""
    report = ImportReport(source=source, total=len(records))
    parsed = _parse_all(records, report, show_progress=show_progress)

    existing = {
        code: (pk, digest)
        for code, pk, digest in Procedure.objects.values_list("code", "id", "source_hash")
    }
    pending: list[tuple[int, ParsedProcedure]] = []
    for index, item in parsed:
        known = existing.get(item.code)
        if known is not None and known[1] == item.fingerprint:
            report.unchanged += 1
        else:
            pending.append((index, item))

    if pending:
        field_ids = _ensure_fields({item.field_name for _, item in pending})
        ids = {code: pk for code, (pk, _) in existing.items()}
        with tqdm(
            total=len(pending),
            desc="Ghi thủ tục",
            unit="tt",
            file=sys.stderr,
            disable=not show_progress,
        ) as bar:
            for start in range(0, len(pending), CHUNK_SIZE):
                chunk = pending[start : start + CHUNK_SIZE]
                _write_chunk(chunk, field_ids, ids, report)
                bar.update(len(chunk))

    report.bad.sort(key=lambda bad: bad.index)
    if report.created or report.updated:
        _refresh_planner_statistics()
    record_event(
        action="catalog.imported",
        target_type="catalog.procedure",
        actor=acting_user,
        summary=(
            f"Nhập thủ tục từ {source}: {report.created} mới, {report.updated} cập nhật, "
            f"{report.unchanged} không đổi, {len(report.bad)} lỗi"
        ),
        payload={
            **report.as_dict(),
            "bad_records": [
                {"index": bad.index, "code": bad.code, "reason": bad.reason}
                for bad in report.bad[:MAX_BAD_IN_AUDIT]
            ],
        },
    )
    return report


def _raw_code(raw: Any) -> str:
    code = raw.get("code") if isinstance(raw, dict) else None
    return code.strip()[:64] if isinstance(code, str) else ""


def _parse_all(
    records: Sequence[Any], report: ImportReport, *, show_progress: bool
) -> list[tuple[int, ParsedProcedure]]:
    parsed: list[tuple[int, ParsedProcedure]] = []
    first_index: dict[str, int] = {}
    rows = tqdm(records, desc="Đọc thủ tục", unit="tt", file=sys.stderr, disable=not show_progress)
    working_day_fields = settings.MOTCUA_WORKING_DAY_FIELDS
    for index, raw in enumerate(rows, start=1):
        try:
            item = parse_record(raw, working_day_fields=working_day_fields)
        except RecordError as exc:
            report.bad.append(BadRecord(index, _raw_code(raw), str(exc)))
            continue
        if item.code in first_index:
            reason = f"mã thủ tục trùng với bản ghi thứ {first_index[item.code]}"
            report.bad.append(BadRecord(index, item.code, reason))
            continue
        first_index[item.code] = index
        parsed.append((index, item))
    return parsed


def _field_slug(name: str, taken: set[str]) -> str:
    base = (slugify(rules.fold(name)) or "linh-vuc")[:240]
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    taken.add(slug)
    return slug


def _ensure_fields(names: Iterable[str]) -> dict[str, int]:
    """Ids of the fields with these names, creating the missing ones."""
    with transaction.atomic():
        known = dict(Field.objects.values_list("name", "id"))
        missing = sorted(set(names) - set(known))
        if missing:
            taken = set(Field.objects.values_list("slug", flat=True))
            Field.objects.bulk_create(
                [Field(name=name, slug=_field_slug(name, taken)) for name in missing]
            )
            known = dict(Field.objects.values_list("name", "id"))
    return known


def _procedure_values(item: ParsedProcedure, field_id: int) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": item.name,
        "field_id": field_id,
        "procedure_type": item.procedure_type,
        "applicant_types": list(item.applicant_types),
        "competent_agency_text": item.competent_agency,
        "implementing_agency_text": item.implementing_agency,
        "receiving_address": item.receiving_address,
        "coordinating_agency": item.coordinating_agency,
        "conditions": item.conditions,
        "keywords": item.keywords,
        "decision": item.decision,
        "source_url": item.source_url,
        "source_ministry": item.source_ministry,
        "online_level": item.online_level,
        "offers_postal_submission": item.offers_postal_submission,
        "offers_postal_return": item.offers_postal_return,
        "is_interconnected": item.is_interconnected,
        "has_detail": item.has_detail,
        "parse_warnings": list(item.parse_warnings),
        "search_name": rules.search_key(item.name),
        "search_text": rules.procedure_search_text(
            code=item.code, name=item.name, keywords=item.keywords, field_name=item.field_name
        ),
        "source_hash": item.fingerprint,
        "imported_at": timezone.now(),
    }
    for level in rules.LEVELS:
        values[f"level_{level}"] = level in item.levels
    return values


def _children(item: ParsedProcedure, procedure_id: int) -> dict[type[models.Model], list[Any]]:
    return {
        ProcedureChannel: [
            ProcedureChannel(
                procedure_id=procedure_id,
                order=order,
                channel=c.channel,
                processing_time_value=c.time_value,
                processing_time_unit=c.time_unit,
                processing_time_text=c.time_text,
                fee_vnd=c.fee_vnd,
                fee_text=c.fee_text,
                description=c.description,
                warnings=list(c.warnings),
            )
            for order, c in enumerate(item.channels)
        ],
        RequiredDocument: [
            RequiredDocument(
                procedure_id=procedure_id,
                order=order,
                group=d.group,
                name=d.name,
                note=d.note,
                original_count=d.original_count,
                copy_count=d.copy_count,
                form_name=d.form_name,
            )
            for order, d in enumerate(item.documents)
        ],
        ResultDocument: [
            ResultDocument(procedure_id=procedure_id, order=order, name=r.name, code=r.code)
            for order, r in enumerate(item.results)
        ],
        LegalBasis: [
            LegalBasis(procedure_id=procedure_id, order=order, title=lb.title, number=lb.number)
            for order, lb in enumerate(item.legal_basis)
        ],
    }


def _write_chunk(
    chunk: list[tuple[int, ParsedProcedure]],
    field_ids: dict[str, int],
    ids: dict[str, int],
    report: ImportReport,
) -> None:
    """Write a chunk in one transaction; if the database refuses it, retry record by record
    (each in its own transaction) so one bad row cannot sink its neighbours."""
    try:
        with transaction.atomic():
            new_ids, updated = _upsert(chunk, field_ids, ids)
    except DatabaseError:
        for index, item in chunk:
            try:
                with transaction.atomic():
                    new_ids, updated = _upsert([(index, item)], field_ids, ids)
            except DatabaseError as exc:
                reason = f"cơ sở dữ liệu từ chối bản ghi: {exc}".strip()[:500]
                report.bad.append(BadRecord(index, item.code, reason))
                continue
            ids.update(new_ids)
            report.created += len(new_ids)
            report.updated += updated
        return
    ids.update(new_ids)
    report.created += len(new_ids)
    report.updated += updated


def _upsert(
    chunk: list[tuple[int, ParsedProcedure]], field_ids: dict[str, int], ids: dict[str, int]
) -> tuple[dict[str, int], int]:
    """Create or rewrite the chunk's procedures and their children; return the ids of the
    created ones and the number rewritten. The caller holds the transaction."""
    new = [item for _, item in chunk if item.code not in ids]
    changed = [item for _, item in chunk if item.code in ids]

    created = Procedure.objects.bulk_create(
        [
            Procedure(code=item.code, **_procedure_values(item, field_ids[item.field_name]))
            for item in new
        ]
    )
    new_ids = {procedure.code: procedure.pk for procedure in created}
    if changed:
        Procedure.objects.bulk_update(
            [
                Procedure(
                    pk=ids[item.code],
                    code=item.code,
                    **_procedure_values(item, field_ids[item.field_name]),
                )
                for item in changed
            ],
            IMPORTED_FIELDS,
            batch_size=100,
        )
        changed_ids = [ids[item.code] for item in changed]
        for model in (ProcedureChannel, ResultDocument, LegalBasis):
            model.objects.filter(procedure_id__in=changed_ids).delete()

    rows: dict[type[models.Model], list[Any]] = {}
    for item in [*new, *changed]:
        procedure_id = new_ids.get(item.code) or ids[item.code]
        for child_model, children in _children(item, procedure_id).items():
            rows.setdefault(child_model, []).extend(children)
    if changed:
        # Dossiers point at required documents: keep the rows of unchanged documents.
        rows[RequiredDocument] = _reuse_documents(
            rows.get(RequiredDocument, []), [ids[item.code] for item in changed]
        )
    for child_model, objects in rows.items():
        child_model._default_manager.bulk_create(objects, batch_size=500)

    _write_search_rows(
        [
            (
                new_ids.get(item.code) or ids[item.code],
                item.code,
                item.name,
                item.keywords,
                item.field_name,
            )
            for item in [*new, *changed]
        ]
    )
    return new_ids, len(changed)


DOCUMENT_FIELDS = ["group", "name", "note", "original_count", "copy_count", "form_name", "order"]


def _reuse_documents(
    documents: list[RequiredDocument], changed_ids: list[int]
) -> list[RequiredDocument]:
    """Give the new document rows of rewritten procedures the ids of the old rows with the
    same group and name (then of any old rows left), update those in place, delete the old
    rows nobody took, and return the rows still to create."""
    old_rows: dict[tuple[int, str, str], list[RequiredDocument]] = {}
    spare: dict[int, list[RequiredDocument]] = {}
    for row in RequiredDocument.objects.filter(procedure_id__in=changed_ids).order_by(
        "order", "id"
    ):
        old_rows.setdefault((row.procedure_id, row.group, row.name), []).append(row)
    changed = set(changed_ids)
    to_update: list[RequiredDocument] = []
    unmatched: list[RequiredDocument] = []
    for document in documents:
        same = old_rows.get((document.procedure_id, document.group, document.name))
        if document.procedure_id in changed and same:
            document.pk = same.pop(0).pk
            to_update.append(document)
        else:
            unmatched.append(document)
    for rows in old_rows.values():
        for row in rows:
            spare.setdefault(row.procedure_id, []).append(row)
    to_create: list[RequiredDocument] = []
    for document in unmatched:
        left = spare.get(document.procedure_id)
        if document.procedure_id in changed and left:
            document.pk = left.pop(0).pk
            to_update.append(document)
        else:
            to_create.append(document)
    RequiredDocument.objects.bulk_update(to_update, DOCUMENT_FIELDS, batch_size=200)
    RequiredDocument.objects.filter(
        pk__in=[row.pk for rows in spare.values() for row in rows]
    ).delete()
    return to_create


def _refresh_planner_statistics() -> None:
    """After a bulk load PostgreSQL's planner still thinks the tables are empty until
    autovacuum comes by; without fresh statistics the first searches pick poor plans."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(
        model._meta.db_table
        for model in (Procedure, ProcedureChannel, RequiredDocument, ResultDocument, LegalBasis)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


# --- Search index -----------------------------------------------------------------------


def _uses_fts() -> bool:
    return connection.vendor == "sqlite"


def _write_search_rows(rows: Sequence[tuple[int, str, str, str | None, str | None]]) -> None:
    """Replace the FTS rows of these procedures (SQLite). PostgreSQL indexes search_text."""
    if not rows or not _uses_fts():
        return
    with connection.cursor() as cursor:
        ids = [row[0] for row in rows]
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ", ".join(["%s"] * len(part))
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", part)  # noqa: S608
        cursor.executemany(
            f"INSERT INTO {FTS_TABLE} (rowid, name, code, keywords, field) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s)",
            [
                (
                    pk,
                    rules.search_key(name),
                    code,
                    rules.search_key(keywords),
                    rules.search_key(fld),
                )
                for pk, code, name, keywords, fld in rows
            ],
        )


def refresh_search_index(procedure_ids: Iterable[int] | None = None) -> int:
    """Recompute the search columns (and SQLite's FTS rows) from the stored procedures.

    Call after editing procedures outside the importer (the admin does). ``None`` rebuilds
    everything. Returns the number of procedures refreshed.
    """
    queryset = Procedure.objects.select_related("field")
    if procedure_ids is not None:
        queryset = queryset.filter(pk__in=list(procedure_ids))
    procedures = list(queryset)
    with transaction.atomic():
        for procedure in procedures:
            procedure.search_name = rules.search_key(procedure.name)
            procedure.search_text = rules.procedure_search_text(
                code=procedure.code,
                name=procedure.name,
                keywords=procedure.keywords,
                field_name=procedure.field.name,
            )
        Procedure.objects.bulk_update(procedures, ["search_name", "search_text"], batch_size=200)
        if procedure_ids is None and _uses_fts():
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {FTS_TABLE}")  # noqa: S608
        _write_search_rows([(p.pk, p.code, p.name, p.keywords, p.field.name) for p in procedures])
    return len(procedures)


def forget_search_rows(procedure_ids: Iterable[int]) -> None:
    """Drop the FTS rows of deleted procedures (SQLite)."""
    ids = list(procedure_ids)
    if not ids or not _uses_fts():
        return
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ", ".join(["%s"] * len(part))
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", part)  # noqa: S608


# --- Offerings --------------------------------------------------------------------------

OFFERING_FIELDS = [
    "agency",
    "procedure",
    "is_active",
    "local_processing_working_days",
    "local_fee_vnd",
    "note",
]


@transaction.atomic
def save_offering(offering: ProcedureOffering, *, acting_user: Any = None) -> ProcedureOffering:
    """Validate (local deadline within the national one, …) and save an offering; the audit
    row holds the old and new values of what changed (the active flag and the local time
    limit feed the legal deadlines of the dossiers it receives)."""
    offering.full_clean()
    is_new = offering.pk is None
    before = field_values(
        None if is_new else ProcedureOffering.objects.filter(pk=offering.pk).first(),
        OFFERING_FIELDS,
    )
    offering.save()
    record_event(
        action="catalog.offering_created" if is_new else "catalog.offering_changed",
        target=offering,
        actor=acting_user,
        summary=f"{offering.procedure.code} tại {offering.agency.code}",
        payload={
            "procedure": offering.procedure.code,
            "agency": offering.agency.code,
            "local_processing_working_days": offering.local_processing_working_days,
            "local_fee_vnd": offering.local_fee_vnd,
            "is_active": offering.is_active,
            "changes": changed_values(before, field_values(offering, OFFERING_FIELDS)),
        },
    )
    return offering


@transaction.atomic
def delete_offering(offering: ProcedureOffering, *, acting_user: Any = None) -> None:
    """Stop offering a procedure at an agency for good (its internal process goes with it).
    Dossiers received under it keep it: the database refuses (``ProtectedError``)."""
    record_event(
        action="catalog.offering_deleted",
        target=offering,
        actor=acting_user,
        summary=f"{offering.procedure.code} tại {offering.agency.code}",
        payload={"procedure": offering.procedure.code, "agency": offering.agency.code},
    )
    offering.delete()


# --- Procedures and fields edited by hand (the admin) ---------------------------------

#: The rows of a procedure the admin edits with it (inline), besides its offerings.
PROCEDURE_PARTS: tuple[type[models.Model], ...] = (
    ProcedureChannel,
    RequiredDocument,
    ResultDocument,
    LegalBasis,
)
#: Kept out of the audit's old/new values: derived from the others.
DERIVED_PROCEDURE_FIELDS = ("search_name", "search_text", "source_hash")


def _check_part(procedure: Procedure, row: models.Model) -> None:
    if not isinstance(row, (*PROCEDURE_PARTS, ProcedureOffering)):
        raise TypeError(f"{type(row).__name__} is not a part of a procedure")
    owner = getattr(row, "procedure_id", None)
    if owner is not None and owner != procedure.pk:
        raise ValueError(f"{row!r} belongs to another procedure")


@transaction.atomic
def save_procedure(
    procedure: Procedure,
    *,
    parts: Sequence[models.Model] = (),
    deleted_parts: Sequence[models.Model] = (),
    acting_user: Any = None,
) -> Procedure:
    """Save a procedure corrected by hand with its changed parts (channels, documents,
    results, legal basis, offerings) and the parts removed, keep its search columns in
    step, and audit the old and new values. Offerings go through :func:`save_offering`
    and :func:`delete_offering` (their own checks and audit rows)."""
    is_new = procedure.pk is None
    before = field_values(
        None if is_new else Procedure.objects.filter(pk=procedure.pk).first(),
        exclude=DERIVED_PROCEDURE_FIELDS,
    )
    procedure.save()
    for row in [*parts, *deleted_parts]:
        _check_part(procedure, row)
    counts: Counter[str] = Counter()
    for row in deleted_parts:
        if isinstance(row, ProcedureOffering):
            delete_offering(row, acting_user=acting_user)
        else:
            row.delete()
        counts[f"{row._meta.model_name}_deleted"] += 1
    for row in parts:
        row.procedure = procedure  # type: ignore[attr-defined]
        if isinstance(row, ProcedureOffering):
            save_offering(row, acting_user=acting_user)
        else:
            row.full_clean()
            row.save()
        counts[f"{row._meta.model_name}_saved"] += 1
    refresh_search_index([procedure.pk])
    record_event(
        action="catalog.procedure_created" if is_new else "catalog.procedure_changed",
        target=procedure,
        actor=acting_user,
        summary=f"{procedure.code} {procedure.name}",
        payload={
            "code": procedure.code,
            "changes": changed_values(
                before, field_values(procedure, exclude=DERIVED_PROCEDURE_FIELDS)
            ),
            "parts": dict(counts),
        },
    )
    return procedure


@transaction.atomic
def delete_procedure(procedure: Procedure, *, acting_user: Any = None) -> None:
    """Delete a procedure with its parts and offerings, and its search row. One that
    dossiers were filed under stays: the database refuses (``ProtectedError``)."""
    pk = procedure.pk
    record_event(
        action="catalog.procedure_deleted",
        target=procedure,
        actor=acting_user,
        summary=f"{procedure.code} {procedure.name}",
        payload={"code": procedure.code},
    )
    procedure.delete()
    forget_search_rows([pk])


@transaction.atomic
def save_field(field_row: Field, *, acting_user: Any = None) -> Field:
    """Create or rename a field (lĩnh vực); a new one gets its short code from its name."""
    is_new = field_row.pk is None
    before = field_values(None if is_new else Field.objects.filter(pk=field_row.pk).first())
    if not field_row.slug:
        taken = set(Field.objects.values_list("slug", flat=True))
        field_row.slug = _field_slug(field_row.name, taken)
    field_row.full_clean()
    field_row.save()
    if not is_new and before.get("name") != field_row.name:
        # The procedures' search text holds the field's name.
        refresh_search_index(field_row.procedures.values_list("pk", flat=True))
    record_event(
        action="catalog.field_created" if is_new else "catalog.field_changed",
        target=field_row,
        actor=acting_user,
        summary=field_row.name,
        payload={"changes": changed_values(before, field_values(field_row))},
    )
    return field_row


@transaction.atomic
def delete_field(field_row: Field, *, acting_user: Any = None) -> None:
    """Delete a field no procedure belongs to (else ``ProtectedError``)."""
    record_event(
        action="catalog.field_deleted",
        target=field_row,
        actor=acting_user,
        summary=field_row.name,
        payload={"slug": field_row.slug},
    )
    field_row.delete()
