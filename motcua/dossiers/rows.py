"""The statements of the action path, written once (``core.rows``): lock, steps, events.

An action reads the dossier (locking it), its steps with their agencies, units and
assignees, its events and its documents, then writes the dossier, the steps it changed and
one event. Through the ORM those eight statements were compiled on every request, which
cost more Python time than everything else the action did; here their SQL is fixed and
only the parameters change (and PostgreSQL prepares each one once per connection).
"""

from __future__ import annotations

from typing import Any

from django.db import connections

from motcua.accounts.models import User
from motcua.agencies.models import Agency
from motcua.catalog.models import Procedure, procedure_long_fields
from motcua.core.rows import Table
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


def lock_dossier(
    *, code: str | None = None, pk: int | None = None, using: str = "default"
) -> Dossier | None:
    """The dossier with its procedure (short fields), locked until the transaction ends
    where the database locks rows (``SELECT … FOR UPDATE OF``)."""
    connection = connections[using]
    where, param = ("d.code = %s", code) if code is not None else ("d.id = %s", pk)
    lock = " FOR UPDATE OF d" if connection.features.has_select_for_update_of else ""
    sql = (
        f"SELECT {DOSSIERS.columns('d', using)}, {PROCEDURES.columns('p', using)} "
        "FROM dossiers_dossier d JOIN catalog_procedure p ON p.id = d.procedure_id "
        f"WHERE {where}{lock}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [param])
        row = cursor.fetchone()
    if row is None:
        return None
    dossier = DOSSIERS.build(row, 0, using)
    _PROCEDURE.set_cached_value(dossier, PROCEDURES.build(row, DOSSIERS.width, using))
    return dossier


def steps_of(dossier_id: int, using: str = "default") -> list[DossierStep]:
    """The dossier's steps with their agency, unit and assignee (in no particular order)."""
    sql = (
        f"SELECT {STEPS.columns('s', using)}, {AGENCIES.columns('a', using)}, "
        f"{AGENCIES.columns('u', using)}, {USERS.columns('x', using)} "
        "FROM dossiers_dossierstep s "
        "JOIN agencies_agency a ON a.id = s.agency_id "
        "LEFT JOIN agencies_agency u ON u.id = s.unit_id "
        "LEFT JOIN accounts_user x ON x.id = s.assignee_id "
        "WHERE s.dossier_id = %s"
    )
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [dossier_id])
        rows = cursor.fetchall()
    agencies: dict[int, Agency] = {}
    users: dict[int, User] = {}
    unit_at = STEPS.width + AGENCIES.width
    user_at = unit_at + AGENCIES.width
    out = []
    for row in rows:
        step = STEPS.build(row, 0, using)
        _STEP_AGENCY.set_cached_value(step, _shared(agencies, row, STEPS.width, AGENCIES, using))
        unit = None
        if step.unit_id is not None:
            unit = _shared(agencies, row, unit_at, AGENCIES, using)
        _STEP_UNIT.set_cached_value(step, unit)
        assignee = None
        if step.assignee_id is not None:
            assignee = _shared(users, row, user_at, USERS, using)
        _STEP_ASSIGNEE.set_cached_value(step, assignee)
        out.append(step)
    return out


def _shared(known: dict[int, Any], row: Any, start: int, table: Table[Any], using: str) -> Any:
    """One instance per primary key among the rows."""
    pk = row[start + table.pk_index]
    found = known.get(pk)
    if found is None:
        found = known[pk] = table.build(row, start, using)
    return found


def events_of(dossier_id: int, using: str = "default") -> list[DossierEvent]:
    return EVENTS.select("t.dossier_id = %s", [dossier_id], suffix="ORDER BY t.seq", using=using)


def documents_of(dossier_id: int, using: str = "default") -> list[DossierDocument]:
    return DOCUMENTS.select("t.dossier_id = %s", [dossier_id], using=using)
