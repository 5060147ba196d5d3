"""The public status lookup: a dossier code plus the verifier the applicant holds.

What is shown is what the applicant needs and nothing that identifies a person: the
status (Vietnamese label and national TrangThaiHoSo code), the times, the appointment in
force (``Dossier.due_at``: the receipt's or the apology's, with the time the clock was
stopped; the same the back office works to), the agency holding the dossier, a timeline of
actions with agency names, and the number of the postal item carrying a result returned
by post. Officer names, the applicant's own data and internal notes
are never shown; the reasons of a supplement request, refusal, stop or apology are,
because they are addressed to the applicant (Circular 03/2025/TT-VPCP forms 02-05), and so
is what a financial obligation notice asks to pay.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

from django.db import connection
from django.utils import timezone

from motcua.dossiers import rules
from motcua.dossiers.rules import ACTION_LABELS_VI, Action, Actor, Status
from motcua.portal.ratelimit import Counted

#: Actions whose reason is addressed to the applicant (forms 02, 03, 04, 05, and what to
#: pay for the financial obligation).
PUBLIC_REASON_ACTIONS = frozenset(
    {
        Action.REQUEST_SUPPLEMENT,
        Action.REQUEST_PAYMENT,
        Action.REFUSE_INTAKE,
        Action.REJECT,
        Action.STOP,
        Action.ISSUE_APOLOGY,
    }
)
MAX_CODE_LENGTH = 64


@dataclass(frozen=True)
class PublicEvent:
    occurred_at: datetime
    action: str
    action_label: str
    agency: str
    reason: str


@dataclass(frozen=True)
class PublicDossier:
    code: str
    status: str
    status_label: str
    national_status_code: int
    national_status_label: str
    procedure_name: str
    submitted_at: datetime | None
    received_at: datetime | None
    appointment_at: datetime | None
    new_appointment_at: datetime | None
    due_at: datetime | None
    current_agency: str
    finished_at: datetime | None
    returned_at: datetime | None
    #: The postal item that carries the result, when it was returned by post: the
    #: applicant follows it with the postal service.
    return_postal_item_number: str = ""
    events: list[PublicEvent] = field(default_factory=list)

    @property
    def appointment_changed(self) -> bool:
        return self.new_appointment_at is not None

    @property
    def appointment(self) -> rules.AppointmentView:
        """The appointment in force and how it came about, as the back office shows it."""
        return rules.appointment_view(self.appointment_at, self.new_appointment_at, self.due_at)

    @property
    def clock_paused(self) -> bool:
        """The clock is stopped now (supplement, financial obligation): the wait will be
        added to the appointment."""
        return self.received_at is not None and Status(self.status) in rules.CLOCK_PAUSED


def normalise_code(code: str) -> str:
    return "".join(code.split()).upper()[:MAX_CODE_LENGTH]


@dataclass(frozen=True)
class LookupRead:
    """What one lookup statement read: the public dossier (None when the code or the
    verifier is wrong) and the client's open failure windows, by limiter key."""

    found: PublicDossier | None
    failures: dict[str, Counted]


def lookup_dossier(
    code: str, verifier: str, failure_windows: Sequence[tuple[str, int]] = ()
) -> LookupRead:
    """The public view of the dossier, and the failures counted for ``failure_windows``
    (``(limiter key, cutoff)``: windows that started after the cutoff), in one statement.

    Both wrong cases do the same work (one query, one constant-time comparison of both
    candidates), so neither the answer nor its timing says which one was wrong.
    """
    wanted = normalise_code(code)
    params: list[Any] = [wanted, wanted]
    for key, cutoff in failure_windows:
        params += [key, cutoff]
    rows = _read(params, len(failure_windows))
    failures = {
        row.limiter_key: Counted(failures=int(row.failures), window_start=int(row.window_start))
        for row in rows
        if row.part == _FAILURE_ROW
    }
    head = rows[0] if rows and rows[0].part == _DOSSIER_ROW else None
    phone = head.applicant_phone if head is not None else None
    id_number = head.applicant_id_number if head is not None else None
    matches = rules.verifier_matches(verifier, phone, id_number)
    if head is None or not matches:
        return LookupRead(None, failures)
    events = [row for row in rows if row.part == _EVENT_ROW]
    return LookupRead(_public(head, events), failures)


def public_view(code: str) -> PublicDossier | None:
    """The same view of a dossier without a verifier: for its own applicant, whom the
    caller has recognised (``motcua.portal.applications.own_dossier``)."""
    wanted = normalise_code(code)
    rows = _read([wanted, wanted], 0)
    if not rows or rows[0].part != _DOSSIER_ROW:
        return None
    return _public(rows[0], [row for row in rows if row.part == _EVENT_ROW])


def _read(params: list[Any], windows: int) -> list[_Row]:
    with connection.cursor() as cursor:
        cursor.execute(_lookup_sql(windows), params)
        return [_Row(*row) for row in cursor.fetchall()]


# The public lookup is the one hot read path open to everyone (the receipt's QR code,
# kiosks, the national portal), so it is one fixed SQL statement instead of two ORM
# queries: compiling those cost more than running them, and every statement is a round
# trip plus parsing and planning by PostgreSQL, which took longer than executing (the
# dossiers table has many indexes; joins in FROM made the planner search join orders).
# Hence one statement without joins: the dossier row, then its events ordered by seq
# (names read by scalar subqueries), then the client's failure counts of the rate limit
# (``LookupFailure``), each part in columns of its own (:class:`_Row`), so that the
# limit costs no round trip of its own. Times are read as text and parsed by
# ``datetime.fromisoformat``: Django's timestamptz loader for psycopg is pure Python and
# cost more than the rest of the row (psycopg and so Django need the ISO DateStyle
# anyway; SQLite stores ISO text). Portable SQL (SQLite, PostgreSQL); the code is a bound
# parameter, never formatted in, and only compared with a column, so its type is known
# with server-side binding (prepared statements) too.
_DOSSIER_ROW, _EVENT_ROW, _FAILURE_ROW = 0, 1, 2  # the ``part`` column


class _Row(NamedTuple):
    """A row of the lookup statement: its columns, each named for what it holds (times as
    text). A part fills its own columns and leaves the others NULL (hence ``Any``)."""

    part: int
    seq: int
    # the dossier row
    code: Any
    status: Any
    applicant_phone: Any
    applicant_id_number: Any
    procedure_name: Any
    current_agency: Any
    submitted_at: Any
    received_at: Any
    appointment_at: Any
    new_appointment_at: Any
    due_at: Any
    finished_at: Any
    returned_at: Any
    return_postal_item_number: Any
    # an event row
    action: Any
    actor_role: Any
    actor_agency: Any
    reason: Any
    occurred_at: Any
    # a failure window of the rate limit
    limiter_key: Any
    failures: Any
    window_start: Any


_COLUMNS = _Row._fields

_DOSSIER_PART = {
    "part": "0",
    "seq": "0",
    "code": "d.code",
    "status": "d.status",
    "applicant_phone": "d.applicant_phone",
    "applicant_id_number": "d.applicant_id_number",
    "procedure_name": "(SELECT p.name FROM catalog_procedure p WHERE p.id = d.procedure_id)",
    "current_agency": "(SELECT a.name FROM agencies_agency a WHERE a.id = d.current_agency_id)",
    "submitted_at": "CAST(d.submitted_at AS TEXT)",
    "received_at": "CAST(d.received_at AS TEXT)",
    "appointment_at": "CAST(d.appointment_at AS TEXT)",
    "new_appointment_at": "CAST(d.new_appointment_at AS TEXT)",
    "due_at": "CAST(d.due_at AS TEXT)",
    "finished_at": "CAST(d.finished_at AS TEXT)",
    "returned_at": "CAST(d.returned_at AS TEXT)",
    "return_postal_item_number": "d.return_postal_item_number",
}
_EVENT_PART = {
    "part": "1",
    "seq": "e.seq",
    "action": "e.action",
    "actor_role": "e.actor_role",
    "actor_agency": "(SELECT a.name FROM agencies_agency a WHERE a.id = e.actor_agency_id)",
    "reason": "e.reason",
    "occurred_at": "CAST(e.occurred_at AS TEXT)",
}
_FAILURE_PART = {
    "part": "2",
    "seq": "0",
    "limiter_key": "f.key",
    "failures": "f.failures",
    "window_start": "CAST(f.window_start AS TEXT)",
}


#: A NULL of the column's type where it is not text: PostgreSQL types a UNION's column
#: from its first parts, where a bare NULL is read as text.
_TYPED_NULLS = {"failures": "CAST(NULL AS INTEGER)"}


def _select(part: dict[str, str]) -> str:
    """``SELECT`` of every column of :data:`_COLUMNS`, NULL where ``part`` has none."""
    return "SELECT " + ", ".join(
        f"{part.get(c, _TYPED_NULLS.get(c, 'NULL'))} AS {c}" for c in _COLUMNS
    )


# Fixed fragments only (column names and expressions of this module): no input is formatted.
_LOOKUP_SQL = f"""
{_select(_DOSSIER_PART)}
FROM dossiers_dossier d
WHERE d.code = %s
UNION ALL
{_select(_EVENT_PART)}
FROM dossiers_dossierevent e
WHERE e.dossier_id = (SELECT d.id FROM dossiers_dossier d WHERE d.code = %s)
"""  # noqa: S608
_FAILURES_SQL = f"""
UNION ALL
{_select(_FAILURE_PART)}
FROM portal_lookupfailure f
WHERE {{windows}}
"""


@cache
def _lookup_sql(windows: int) -> str:
    """The statement for ``windows`` failure windows (a fixed text per count, so that
    PostgreSQL prepares it once)."""
    sql = _LOOKUP_SQL
    if windows:
        where = " OR ".join(["(f.key = %s AND f.window_start > %s)"] * windows)
        sql += _FAILURES_SQL.format(windows=where)  # fixed fragments only
    return sql + "ORDER BY part, seq\n"


def _instant(text: str | None) -> datetime | None:
    """An aware datetime from the text of a timestamp column (SQLite stores UTC without
    an offset; PostgreSQL writes the offset)."""
    if text is None:
        return None
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        return timezone.make_aware(value, connection.timezone)
    return value


def _event_agency(actor_role: str, agency_name: str | None) -> str:
    if actor_role == Actor.APPLICANT.value:
        return "Người nộp hồ sơ"
    if agency_name:
        return agency_name
    return "Hệ thống"


def _public(head: _Row, event_rows: list[_Row]) -> PublicDossier:
    status = Status(head.status)
    national = rules.national_code(status)
    events = []
    for row in event_rows:
        action = Action(row.action)
        events.append(
            PublicEvent(
                occurred_at=_instant(row.occurred_at),  # type: ignore[arg-type]  # NOT NULL
                action=action.value,
                action_label=ACTION_LABELS_VI[action],
                agency=_event_agency(row.actor_role, row.actor_agency),
                reason=row.reason if action in PUBLIC_REASON_ACTIONS else "",
            )
        )
    return PublicDossier(
        code=head.code or "",
        status=status.value,
        status_label=rules.STATUS_LABELS_VI[status],
        national_status_code=national,
        national_status_label=rules.NATIONAL_STATUS_LABELS_VI[national],
        procedure_name=head.procedure_name,
        submitted_at=_instant(head.submitted_at),
        received_at=_instant(head.received_at),
        appointment_at=_instant(head.appointment_at),
        new_appointment_at=_instant(head.new_appointment_at),
        due_at=_instant(head.due_at),
        current_agency=head.current_agency or "",
        finished_at=_instant(head.finished_at),
        returned_at=_instant(head.returned_at),
        return_postal_item_number=head.return_postal_item_number or "",
        events=events,
    )
