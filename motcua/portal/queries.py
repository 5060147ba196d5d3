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
from typing import Any

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
        row[2]: Counted(failures=int(row[1]), window_start=int(row[8]))
        for row in rows
        if row[0] == _FAILURE_ROW
    }
    head = rows[0] if rows and rows[0][0] == _DOSSIER_ROW else None
    phone = head[4] if head is not None else None
    id_number = head[5] if head is not None else None
    matches = rules.verifier_matches(verifier, phone, id_number)
    if head is None or not matches:
        return LookupRead(None, failures)
    events = [row for row in rows if row[0] == _EVENT_ROW]
    return LookupRead(_public(head, events), failures)


def public_view(code: str) -> PublicDossier | None:
    """The same view of a dossier without a verifier: for its own applicant, whom the
    caller has recognised (``motcua.portal.applications.own_dossier``)."""
    wanted = normalise_code(code)
    rows = _read([wanted, wanted], 0)
    if not rows or rows[0][0] != _DOSSIER_ROW:
        return None
    return _public(rows[0], [row for row in rows if row[0] == _EVENT_ROW])


def _read(params: list[Any], windows: int) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(_lookup_sql(windows), params)
        return cursor.fetchall()


# The public lookup is the one hot read path open to everyone (the receipt's QR code,
# kiosks, the national portal), so it is one fixed SQL statement instead of two ORM
# queries: compiling those cost more than running them, and every statement is a round
# trip plus parsing and planning by PostgreSQL, which took longer than executing (the
# dossiers table has many indexes; joins in FROM made the planner search join orders).
# Hence one statement without joins: the dossier row, then its events ordered by seq, the
# names read by scalar subqueries (an event row puts action, actor_role, agency name and
# reason where the dossier row has code, status, phone and ID number, and its time in the
# first time column). The events come along with the dossier but are dropped unless the
# verifier matches. Then the client's failure counts of the rate limit (``LookupFailure``:
# count in ``seq``, key in ``code``, window start in the first time column), so that the
# limit costs no round trip of its own. Times are read as text and parsed by
# ``datetime.fromisoformat``: Django's timestamptz loader for psycopg is pure Python and
# cost more than the rest of the row (psycopg and so Django need the ISO DateStyle
# anyway; SQLite stores ISO text). Portable SQL (SQLite, PostgreSQL); the code is a bound
# parameter, never formatted in, and only compared with a column, so its type is known
# with server-side binding (prepared statements) too.
_DOSSIER_ROW, _EVENT_ROW, _FAILURE_ROW = 0, 1, 2  # the ``part`` column
_LOOKUP_SQL = """
SELECT 0 AS part, 0 AS seq,
       d.code, d.status, d.applicant_phone, d.applicant_id_number,
       (SELECT p.name FROM catalog_procedure p WHERE p.id = d.procedure_id),
       (SELECT a.name FROM agencies_agency a WHERE a.id = d.current_agency_id),
       CAST(d.submitted_at AS TEXT), CAST(d.received_at AS TEXT),
       CAST(d.appointment_at AS TEXT), CAST(d.new_appointment_at AS TEXT),
       CAST(d.due_at AS TEXT), CAST(d.finished_at AS TEXT), CAST(d.returned_at AS TEXT),
       d.return_postal_item_number
FROM dossiers_dossier d
WHERE d.code = %s
UNION ALL
SELECT 1, e.seq,
       e.action, e.actor_role,
       (SELECT a.name FROM agencies_agency a WHERE a.id = e.actor_agency_id),
       e.reason, NULL, NULL,
       CAST(e.occurred_at AS TEXT), NULL,
       NULL, NULL,
       NULL, NULL, NULL,
       NULL
FROM dossiers_dossierevent e
WHERE e.dossier_id = (SELECT d.id FROM dossiers_dossier d WHERE d.code = %s)
"""
_FAILURES_SQL = """
UNION ALL
SELECT 2, f.failures, f.key, NULL, NULL, NULL, NULL, NULL,
       CAST(f.window_start AS TEXT), NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM portal_lookupfailure f
WHERE {windows}
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


def _public(head: tuple[Any, ...], event_rows: list[tuple[Any, ...]]) -> PublicDossier:
    (
        _part,
        _seq,
        code,
        status_value,
        _phone,
        _id_number,
        procedure_name,
        current_agency,
        submitted_at,
        received_at,
        appointment_at,
        new_appointment_at,
        due_at,
        finished_at,
        returned_at,
        return_postal_item_number,
    ) = head
    status = Status(status_value)
    national = rules.national_code(status)
    events = []
    for _part, _seq, action_value, role, agency, reason, _, _, occurred_at, *_ in event_rows:
        action = Action(action_value)
        events.append(
            PublicEvent(
                occurred_at=_instant(occurred_at),  # type: ignore[arg-type]  # NOT NULL
                action=action.value,
                action_label=ACTION_LABELS_VI[action],
                agency=_event_agency(role, agency),
                reason=reason if action in PUBLIC_REASON_ACTIONS else "",
            )
        )
    return PublicDossier(
        code=code or "",
        status=status.value,
        status_label=rules.STATUS_LABELS_VI[status],
        national_status_code=national,
        national_status_label=rules.NATIONAL_STATUS_LABELS_VI[national],
        procedure_name=procedure_name,
        submitted_at=_instant(submitted_at),
        received_at=_instant(received_at),
        appointment_at=_instant(appointment_at),
        new_appointment_at=_instant(new_appointment_at),
        due_at=_instant(due_at),
        current_agency=current_agency or "",
        finished_at=_instant(finished_at),
        returned_at=_instant(returned_at),
        return_postal_item_number=return_postal_item_number or "",
        events=events,
    )
