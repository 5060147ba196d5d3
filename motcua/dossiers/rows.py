"""The statements of the action path, written once (``core.rows``): lock, events, documents.

An action reads the dossier (locking it) with its steps and their agencies, units and
assignees, then its events and its documents, then writes the dossier, the steps it
changed and one event. Through the ORM those eight statements were compiled on every request, which
cost more Python time than everything else the action did; here their SQL is fixed and
only the parameters change (and PostgreSQL prepares each one once per connection).
"""

from __future__ import annotations

from typing import Any

from django.db import connections

from motcua.accounts.models import User
from motcua.agencies.models import Agency
from motcua.catalog.models import Procedure, procedure_long_fields
from motcua.core.rows import Later, Table, send
from motcua.dossiers.models import Dossier, DossierDocument, DossierEvent, DossierStep

DOSSIERS = Table(Dossier)
PROCEDURES = Table(Procedure, exclude=procedure_long_fields())
STEPS = Table(DossierStep)
EVENTS = Table(DossierEvent)
DOCUMENTS = Table(DossierDocument)
AGENCIES = Table(Agency)
USERS = Table(User)

_PROCEDURE = Dossier._meta.get_field("procedure")
_STEP_AGENCY = DossierStep._meta.get_field("agency")
_STEP_UNIT = DossierStep._meta.get_field("unit")
_STEP_ASSIGNEE = DossierStep._meta.get_field("assignee")


def lock_dossier_later(
    *, code: str | None = None, pk: int | None = None, using: str = "default"
) -> Later[tuple[Dossier, list[DossierStep]] | None]:
    """The dossier with its procedure (short fields) and its steps with their agency, unit
    and assignee (in no particular order), in one statement; the dossier row is locked
    until the transaction ends where the database locks rows (``FOR UPDATE OF``)."""
    connection = connections[using]
    where, param = ("d.code = %s", code) if code is not None else ("d.id = %s", pk)
    lock = " FOR UPDATE OF d" if connection.features.has_select_for_update_of else ""
    sql = (
        f"SELECT {DOSSIERS.columns('d', using)}, {PROCEDURES.columns('p', using)}, "
        f"{STEPS.columns('s', using)}, {AGENCIES.columns('a', using)}, "
        f"{AGENCIES.columns('u', using)}, {USERS.columns('x', using)} "
        "FROM dossiers_dossier d JOIN catalog_procedure p ON p.id = d.procedure_id "
        "LEFT JOIN dossiers_dossierstep s ON s.dossier_id = d.id "
        "LEFT JOIN agencies_agency a ON a.id = s.agency_id "
        "LEFT JOIN agencies_agency u ON u.id = s.unit_id "
        "LEFT JOIN accounts_user x ON x.id = s.assignee_id "
        f"WHERE {where}{lock}"
    )
    return send(sql, [param], lambda cursor: _dossier_and_steps(cursor.fetchall(), using), using)


def _dossier_and_steps(
    rows: list[tuple[Any, ...]], using: str
) -> tuple[Dossier, list[DossierStep]] | None:
    if not rows:
        return None
    dossier = DOSSIERS.build(rows[0], 0, using)
    _PROCEDURE.set_cached_value(dossier, PROCEDURES.build(rows[0], DOSSIERS.width, using))
    step_at = DOSSIERS.width + PROCEDURES.width
    agency_at = step_at + STEPS.width
    unit_at = agency_at + AGENCIES.width
    user_at = unit_at + AGENCIES.width
    agencies: dict[int, Agency] = {}
    users: dict[int, User] = {}
    steps = []
    for row in rows:
        if row[step_at + STEPS.pk_index] is None:  # a dossier without steps (online, new)
            continue
        step = STEPS.build(row, step_at, using)
        _STEP_AGENCY.set_cached_value(step, _shared(agencies, row, agency_at, AGENCIES, using))
        unit = None
        if step.unit_id is not None:
            unit = _shared(agencies, row, unit_at, AGENCIES, using)
        _STEP_UNIT.set_cached_value(step, unit)
        assignee = None
        if step.assignee_id is not None:
            assignee = _shared(users, row, user_at, USERS, using)
        _STEP_ASSIGNEE.set_cached_value(step, assignee)
        steps.append(step)
    return dossier, steps


def _shared(known: dict[int, Any], row: Any, start: int, table: Table[Any], using: str) -> Any:
    """One instance per primary key among the rows."""
    pk = row[start + table.pk_index]
    found = known.get(pk)
    if found is None:
        found = known[pk] = table.build(row, start, using)
    return found


def _of_dossier(code: str | None, pk: int | None) -> tuple[str, list[Any]]:
    """The condition on ``dossier_id`` for a dossier given by code or by id (by code, the
    rows can be asked for in the same batch as the dossier itself)."""
    if code is not None:
        return "t.dossier_id = (SELECT d.id FROM dossiers_dossier d WHERE d.code = %s)", [code]
    return "t.dossier_id = %s", [pk]


def events_later(
    *, code: str | None = None, pk: int | None = None, using: str = "default"
) -> Later[list[DossierEvent]]:
    where, params = _of_dossier(code, pk)
    return EVENTS.select_later(where, params, suffix="ORDER BY t.seq", using=using)


def documents_later(
    *, code: str | None = None, pk: int | None = None, using: str = "default"
) -> Later[list[DossierDocument]]:
    where, params = _of_dossier(code, pk)
    return DOCUMENTS.select_later(where, params, using=using)
