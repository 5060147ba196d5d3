"""A province-sized dossier history, written fast (``motcua generate-dossiers --bulk``).

:func:`generate_bulk` writes ``count`` dossiers received over the last ``months`` months
at the receiving points of the agencies present in the database (the demo province:
``motcua demo --no-serve``), with their process steps and event log, as the services
would have left them:

* offerings, their internal process (or the service's default one when none is
  defined), intake agencies and staff come from the database
  (:func:`~motcua.dossiers.services.offering_process`,
  :func:`~motcua.dossiers.services.online_intake_agency`); ONE calendar, the
  province's, serves every dossier;
* each dossier is a story of actions (:class:`_Run`): what each action does to the
  steps and the clock — next steps, due instants, pauses, timeliness, late charge — is
  :mod:`motcua.dossiers.rules.progress`, which the services apply too; this module
  only draws the story (which action, when, by whom) and keeps the rows;
* most dossiers are finished (result returned), recent ones are open at the step the
  clock says (received, in progress, awaiting signature, result ready, paused for a
  supplement or a payment, online ones waiting to be received), some finished late, a
  few with an apology and a new appointment; a few are refused at intake, rejected,
  stopped or withdrawn;
* codes follow ``<agency ID>-YYMMDD-XXXX`` (Circular 03/2025 art. 13): the daily
  numbers are *reserved* in ``DossierCodeSequence`` with one ``INSERT … ON CONFLICT …
  DO UPDATE SET last_value = last_value + n RETURNING`` per batch, so codes the services
  issue later (or meanwhile) never clash with these;
* every dossier's events are numbered 1..n and its ``version`` is n.

:func:`write_stories` writes given stories the same way (tests compare its rows with
those of the services for the same actions).

PostgreSQL gets ``COPY … FROM STDIN`` (psycopg 3 ``cursor.copy()``) with ids reserved
from the tables' sequences; SQLite gets batched multi-row inserts. Each batch is one
transaction. Event rows carry no ``AuditEvent``: they are history, not acts of a user.

Not generated: documents checklists, attachments, assignments, returns to a previous
step.
"""

from __future__ import annotations

import json
import multiprocessing
import multiprocessing.util
import os
import random
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Final

from django.db import connection, connections, transaction
from django.utils import timezone

from motcua.accounts.models import RoleAssignment, User
from motcua.agencies.models import Agency
from motcua.catalog.models import ProcedureOffering
from motcua.dossiers import rules
from motcua.dossiers.errors import InvalidDossierInput
from motcua.dossiers.models import Dossier, DossierCodeSequence, DossierEvent, DossierStep
from motcua.dossiers.rules import Action, Actor, Status, progress
from motcua.dossiers.services import (
    apology_rule,
    dossier_time_limit,
    offering_process,
    online_intake_agency,
)
from motcua.worktime.queries import calendar_for
from motcua.worktime.rules import CompiledCalendar, WorkCalendar

__all__ = ["Move", "ProgressCallback", "Story", "generate_bulk", "write_stories"]

#: ``progress(done, total)`` after each batch.
ProgressCallback = Callable[[int, int], None]

# --------------------------------------------------------------------------- shares
#: Channels of a dossier (in person, online, postal).
CHANNEL_WEIGHTS: Final = ((rules.Channel.IN_PERSON, 0.55), (rules.Channel.ONLINE, 0.40))
#: Online dossiers refused at intake (the rest are received).
ONLINE_REFUSED: Final = 0.03
#: Dossiers whose specialist asks for a supplement (the clock stops meanwhile) ...
SUPPLEMENT: Final = 0.05
#: ... of which the applicant never answers (the unit stops processing).
SUPPLEMENT_UNANSWERED: Final = 0.12
#: Dossiers waiting for the applicant's financial obligation during the specialist's step.
PAYMENT: Final = 0.03
#: Dossiers rejected by the signing leader.
REJECTED: Final = 0.012
#: Dossiers withdrawn by the applicant while they are processed.
WITHDRAWN: Final = 0.004
#: Dossiers whose handling is slow everywhere (most late dossiers come from these) ...
SLOW: Final = 0.08
#: ... of which the deciding agency apologises and sets a new appointment.
APOLOGY: Final = 0.25

REASON_SUPPLEMENT: Final = "Bổ sung bản sao giấy tờ tùy thân còn hiệu lực."
REASON_STOP: Final = "Quá thời hạn bổ sung hồ sơ nhưng người nộp không bổ sung."
REASON_REJECT: Final = "Hồ sơ không đủ điều kiện giải quyết theo quy định."
REASON_WITHDRAW: Final = "Người nộp hồ sơ yêu cầu rút hồ sơ."
REASON_REFUSE: Final = "Thủ tục không thuộc thẩm quyền giải quyết; hồ sơ không hợp lệ."
REASON_APOLOGY: Final = "Cần xác minh thêm thông tin với cơ quan liên quan."

_FAMILY: Final = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Vũ", "Phan", "Trương", "Bùi",
    "Đặng", "Đỗ", "Ngô", "Hồ", "Dương", "Đinh", "Lâm", "Lý", "Thạch", "Danh", "Châu",
)  # fmt: skip
_MIDDLE: Final = (
    "Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thanh", "Quốc", "Hoàng", "Kim", "Thành", "Tấn",
    "Bảo", "Gia", "Mỹ", "Phương", "Đức",
)  # fmt: skip
_GIVEN: Final = (
    "An", "Anh", "Bình", "Châu", "Cường", "Dũng", "Duyên", "Giang", "Hà", "Hải", "Hạnh",
    "Hiếu", "Hoa", "Hùng", "Hương", "Khang", "Khoa", "Lan", "Linh", "Long", "Mai", "Minh",
    "My", "Nam", "Nga", "Nghĩa", "Ngọc", "Nhung", "Phát", "Phúc", "Phương", "Quang",
    "Quyên", "Sơn", "Tâm", "Thảo", "Thắng", "Thơ", "Thủy", "Tiến", "Trang", "Trí", "Trinh",
    "Trung", "Tú", "Tuấn", "Vân", "Vy", "Xuân", "Yến",
)  # fmt: skip
_PHONE_PREFIXES: Final = (
    "032", "033", "034", "035", "036", "037", "038", "039", "070", "076", "077", "078",
    "079", "081", "082", "083", "084", "085", "086", "088", "089", "090", "091", "093",
    "094", "096", "097", "098",
)  # fmt: skip
_BUSINESS: Final = ("Công ty TNHH", "Công ty cổ phần", "Hộ kinh doanh", "Hợp tác xã")
_BUSINESS_NAMES: Final = (
    "Mekong Xanh", "Phú Tân", "Thốt Nốt Vàng", "Sao Mai", "Long Xuyên", "Bảy Núi",
    "Hà Tiên Biển", "Tân Châu", "Châu Đốc", "Vĩnh Tế",
)  # fmt: skip

DOSSIER_COLUMNS: Final = (
    "id", "code", "deciding_agency_id", "intake_agency_id", "procedure_id", "offering_id",
    "process_id", "channel", "status", "version", "applicant_name", "applicant_id_number",
    "applicant_phone", "applicant_email", "applicant_address", "applicant_user_id", "subject",
    "postal_item_number", "return_method", "sets_count", "submitted_at", "received_at",
    "clock_started_at", "legal_working_days", "appointment_at", "new_appointment_at",
    "due_at", "paused_since", "finished_at", "returned_at", "timeliness", "late_agency_id",
    "late_step_name", "supplement_requests", "apologies", "current_agency_id",
    "current_unit_id", "current_role", "assignee_id", "search_text", "created_at",
    "updated_at", "spans_agencies", "return_postal_item_number",
)  # fmt: skip
STEP_COLUMNS: Final = (
    "id", "dossier_id", "process_step_id", "stage", "branch", "position", "name", "agency_id",
    "unit_id", "role", "hours", "state", "assignee_id", "started_at", "due_at", "finished_at",
    "timeliness",
)  # fmt: skip
EVENT_COLUMNS: Final = (
    "dossier_id", "seq", "occurred_at", "action", "actor_id", "actor_name", "actor_role",
    "actor_agency_id", "from_status", "to_status", "from_agency_id", "to_agency_id",
    "step_id", "timeliness", "reason", "payload",
)  # fmt: skip


# --------------------------------------------------------------------------- templates


@dataclass(frozen=True)
class _StepTemplate:
    """What a story needs of a step: where, who, how long."""

    agency_id: int
    role: str
    hours_us: int


@dataclass
class _OfferingTemplate:
    offering_id: int
    procedure_id: int
    process_id: int | None
    deciding_id: int
    deciding_code: str
    intake_id: int
    subject: str
    days: int
    apply_cutoff: bool
    #: The process as the services see it, and the defined step behind each step.
    stages: list[rules.Stage]
    sources: list[int | None]
    steps: list[_StepTemplate]
    #: ``layout[i]`` = the branches of stage i, each a list of step indexes.
    layout: list[list[list[int]]]
    first_specialist: int | None
    first_leader: int | None
    address: str
    postal: bool = True
    weight: float = 1.0


Person = tuple[int | None, str, int | None]  # user id, name, agency id


@dataclass
class _Plan:
    """What phase A decides for one dossier (before ids and codes are reserved)."""

    tpl: _OfferingTemplate
    channel: rules.Channel
    submitted: datetime
    received_pos: int | None  # working position of the receipt (None: not received)
    refused: bool
    code: str = ""


@dataclass
class _Rows:
    dossiers: list[tuple[Any, ...]] = field(default_factory=list)
    steps: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)


# --------------------------------------------------------------------------- context


class _Context:
    """Everything read from the database once: offerings, processes, staff, calendar."""

    def __init__(self, rng: random.Random, cal: WorkCalendar) -> None:
        self.rng = rng
        self.cal = cal
        self.c: CompiledCalendar = cal.compiled
        self.su = self.c.session_us
        agencies = {a.pk: a for a in Agency.objects.all()}
        self.agency_codes = {pk: a.code for pk, a in agencies.items()}
        self.templates = self._templates(agencies)
        if not self.templates:
            raise LookupError(
                "No procedure offering with a time limit: load the demo province first "
                "(motcua demo --no-serve) or offer procedures to agencies."
            )
        self.by_offering = {t.offering_id: t for t in self.templates}
        self._cum_weights = _cumulative([t.weight for t in self.templates])
        self.people = self._people(agencies)
        self._fallback_names: dict[tuple[int, str], Person] = {}

    # -- offerings and their processes
    def _templates(self, agencies: dict[int, Agency]) -> list[_OfferingTemplate]:
        children: dict[int, list[Agency]] = defaultdict(list)
        for a in agencies.values():
            if a.parent_id is not None:
                children[a.parent_id].append(a)
        offerings = (
            ProcedureOffering.objects.filter(is_active=True)
            .select_related("agency", "procedure", "process")
            .prefetch_related("procedure__channels", "process__steps")
            .order_by("pk")
        )
        out: list[_OfferingTemplate] = []
        # Popular procedures (birth registration, certified copies) dominate: Zipf-like
        # weights by procedure, and receiving points of different sizes.
        procedure_rank: dict[int, int] = {}
        agency_weight: dict[int, float] = {}
        rng = self.rng
        for offering in offerings:
            try:
                days = dossier_time_limit(offering).working_days
            except InvalidDossierInput:
                continue  # no time limit: the services refuse such dossiers too
            deciding = offering.agency
            intake = online_intake_agency(deciding, children.get(deciding.pk, []))
            process = offering_process(offering, intake, Decimal(days))
            steps: list[_StepTemplate] = []
            layout: list[list[list[int]]] = []
            for order, (stage_index, branch_index, pure) in enumerate(
                rules.iter_steps(process.stages)
            ):
                while len(layout) <= stage_index:
                    layout.append([])
                branches = layout[stage_index]
                b = branch_index or 0
                while len(branches) <= b:
                    branches.append([])
                branches[b].append(order)
                steps.append(
                    _StepTemplate(
                        agency_id=int(pure.agency_ref),
                        role=pure.role.value,
                        hours_us=self.c.duration_us(None, pure.hours),
                    )
                )
            sequential = {i for stage in layout if len(stage) == 1 for i in stage[0]}
            first_specialist = next(
                (i for i, s in enumerate(steps) if s.role == Actor.SPECIALIST and i in sequential),
                None,
            )
            first_leader = next(
                (
                    i
                    for i, s in enumerate(steps)
                    if s.role == Actor.AGENCY_LEADER and i in sequential
                ),
                None,
            )
            defined = getattr(offering, "process", None)
            procedure_rank.setdefault(offering.procedure_id, len(procedure_rank) + 1)
            agency_weight.setdefault(intake.pk, rng.lognormvariate(0, 0.6))
            out.append(
                _OfferingTemplate(
                    offering_id=offering.pk,
                    procedure_id=offering.procedure_id,
                    process_id=defined.pk if defined is not None else None,
                    deciding_id=deciding.pk,
                    deciding_code=deciding.code,
                    intake_id=intake.pk,
                    subject=offering.procedure.name[:500],
                    days=days,
                    apply_cutoff=process.apply_cutoff,
                    stages=process.stages,
                    sources=[m.pk if m is not None else None for m in process.sources],
                    steps=steps,
                    layout=layout,
                    first_specialist=first_specialist,
                    first_leader=first_leader,
                    address=_address(deciding, agencies),
                    # Sent by post only where the procedure's page says it takes post (the
                    # intake service refuses it otherwise).
                    postal=offering.procedure.accepts_postal_submission is not False,
                )
            )
        # Shuffle the ranks so that the popular procedures are not the first imported.
        ranks = list(range(1, len(procedure_rank) + 1))
        rng.shuffle(ranks)
        by_procedure = dict(zip(procedure_rank, ranks, strict=True))
        for t in out:
            t.weight = agency_weight[t.intake_id] / by_procedure[t.procedure_id] ** 0.9
        return out

    # -- who acts
    def _people(self, agencies: dict[int, Agency]) -> dict[tuple[int, str], list[Person]]:
        people: dict[tuple[int, str], list[Person]] = defaultdict(list)
        rows = RoleAssignment.objects.filter(
            user__is_active=True, user__kind=User.Kind.STAFF
        ).values_list("role", "user_id", "user__full_name", "user__username", "user__agency_id")
        units = dict(User.objects.filter(kind=User.Kind.STAFF).values_list("pk", "unit_id"))
        for role, user_id, full_name, username, agency_id in rows:
            person: Person = (user_id, full_name or username, agency_id)
            for place in {agency_id, units.get(user_id)}:
                if place is not None:
                    people[(place, role)].append(person)
        return people

    def person(self, agency_id: int, role: str) -> Person:
        """A staff member holding ``role`` at ``agency_id`` (or a named stand-in)."""
        found = self.people.get((agency_id, role))
        if found:
            return found[0] if len(found) == 1 else self.rng.choice(found)
        key = (agency_id, role)
        stand_in = self._fallback_names.get(key)
        if stand_in is None:
            r = random.Random(f"{agency_id}:{role}")  # noqa: S311 (fictional names)
            name = f"{r.choice(_FAMILY)} {r.choice(_MIDDLE)} {r.choice(_GIVEN)}"
            stand_in = self._fallback_names[key] = (None, name, agency_id)
        return stand_in

    def pick_offering(self) -> _OfferingTemplate:
        return self.rng.choices(self.templates, cum_weights=self._cum_weights)[0]


def _cumulative(weights: Sequence[float]) -> list[float]:
    total = 0.0
    out = []
    for w in weights:
        total += w
        out.append(total)
    return out


def _address(agency: Agency, agencies: dict[int, Agency]) -> str:
    node: Agency | None = agency
    while node is not None:
        if node.address:
            return node.address
        node = agencies.get(node.parent_id) if node.parent_id else None
    return "tỉnh An Giang"


# --------------------------------------------------------------------------- writers


def _table(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _columns(columns: Iterable[str]) -> str:
    return ", ".join(connection.ops.quote_name(c) for c in columns)


def _reserve_codes(counts: dict[tuple[int, date], int]) -> dict[tuple[int, date], int]:
    """Reserve ``n`` daily numbers per (agency, day); returns the first number of each.

    One ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` (PostgreSQL and SQLite >= 3.35):
    atomic against the services' ``allocate_code`` and other batches running at the same
    time.
    """
    if not counts:
        return {}
    table = _table(DossierCodeSequence)
    # In key order: batches running at once then lock the rows they share in the same
    # order (in any other, two of them can each wait for a row the other holds).
    keys = sorted(counts)
    first: dict[tuple[int, date], int] = {}
    chunk = 300
    with connection.cursor() as cursor:
        for i in range(0, len(keys), chunk):
            part = keys[i : i + chunk]
            values = ", ".join(["(%s, %s, %s)"] * len(part))
            params: list[Any] = []
            for agency_id, day in part:
                params += [
                    agency_id,
                    connection.ops.adapt_datefield_value(day),
                    counts[(agency_id, day)],
                ]
            cursor.execute(
                f"INSERT INTO {table} (agency_id, day, last_value) VALUES {values} "  # noqa: S608
                "ON CONFLICT (agency_id, day) DO UPDATE SET "
                f"last_value = {table}.last_value + excluded.last_value "
                "RETURNING agency_id, day, last_value",
                params,
            )
            for agency_id, day, last_value in cursor.fetchall():
                if isinstance(day, str):
                    day = date.fromisoformat(day)
                elif isinstance(day, datetime):
                    day = day.date()
                key = (int(agency_id), day)
                first[key] = int(last_value) - counts[key] + 1
    return first


class _Writer(ABC):
    @abstractmethod
    def reserve_ids(self, model: Any, n: int) -> list[int]: ...

    @abstractmethod
    def write(self, rows: _Rows) -> None: ...


class _PostgresWriter(_Writer):
    """Ids from the tables' sequences; rows through ``COPY … FROM STDIN``.

    When the database role is a superuser, the batch transaction runs with
    ``session_replication_role = replica``, which skips the per-row foreign-key triggers
    (as ``pg_restore --disable-triggers`` does): every reference is taken from rows read
    at the start or written in the same batch. Otherwise the checks run as usual (slower).
    """

    def __init__(self) -> None:
        self._sequences: dict[str, str] = {}
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('is_superuser')")
            self.skip_fk_triggers = cursor.fetchone()[0] == "on"

    def reserve_ids(self, model: Any, n: int) -> list[int]:
        if n == 0:
            return []
        table = model._meta.db_table
        with connection.cursor() as cursor:
            sequence = self._sequences.get(table)
            if sequence is None:
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
                sequence = self._sequences[table] = str(cursor.fetchone()[0])
            cursor.execute(
                "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, n]
            )
            return [int(r[0]) for r in cursor.fetchall()]

    def write(self, rows: _Rows) -> None:
        connection.ensure_connection()
        raw = connection.connection
        assert raw is not None
        with raw.cursor() as cursor:
            if self.skip_fk_triggers:
                cursor.execute("SET LOCAL session_replication_role = replica")
            for model, columns, data in (
                (Dossier, DOSSIER_COLUMNS, rows.dossiers),
                (DossierStep, STEP_COLUMNS, rows.steps),
                (DossierEvent, EVENT_COLUMNS, rows.events),
            ):
                if not data:
                    continue
                sql = f"COPY {_table(model)} ({_columns(columns)}) FROM STDIN"
                with cursor.copy(sql) as copy:
                    write_row = copy.write_row
                    for row in data:
                        write_row(row)


class _InsertWriter(_Writer):
    """SQLite (and any other engine): ids after the current maximum, batched inserts."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def reserve_ids(self, model: Any, n: int) -> list[int]:
        table = model._meta.db_table
        start = self._next.get(table)
        if start is None:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT MAX(id) FROM {_table(model)}")  # noqa: S608
                start = int(cursor.fetchone()[0] or 0) + 1
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                    found = cursor.fetchone()
                    if found is not None:
                        start = max(start, int(found[0]) + 1)
        self._next[table] = start + n
        return list(range(start, start + n))

    def write(self, rows: _Rows) -> None:
        ops = connection.ops
        for model, columns, data in (
            (Dossier, DOSSIER_COLUMNS, rows.dossiers),
            (DossierStep, STEP_COLUMNS, rows.steps),
            (DossierEvent, EVENT_COLUMNS, rows.events),
        ):
            if not data:
                continue
            width = len(columns)
            per_statement = max(1, 900 // width)  # SQLite's bound on parameters
            head = f"INSERT INTO {_table(model)} ({_columns(columns)}) VALUES "  # noqa: S608
            one = "(" + ", ".join(["%s"] * width) + ")"
            with connection.cursor() as cursor:
                for i in range(0, len(data), per_statement):
                    part = data[i : i + per_statement]
                    params: list[Any] = []
                    for row in part:
                        for value in row:
                            if isinstance(value, datetime):
                                value = ops.adapt_datetimefield_value(value)
                            params.append(value)
                    cursor.execute(head + ", ".join([one] * len(part)), params)


# --------------------------------------------------------------------------- generation


def generate_bulk(
    count: int,
    *,
    seed: int = 2025,
    months: int = 12,
    batch_size: int = 5000,
    progress: ProgressCallback | None = None,
) -> int:
    """Write ``count`` dossiers received over the last ``months`` months; returns how many.

    Needs the agencies, offerings and (optionally) staff and processes of the demo
    province (``motcua demo --no-serve``) or of a real one. Deterministic for a given
    ``seed``, ``batch_size`` and database content. ``progress(done, count)`` is called
    after each batch.

    On PostgreSQL, outside a transaction, the batches are written by one forked process
    per core (each builds its batch in Python and streams it with ``COPY`` while the
    server indexes the other's); elsewhere they are written one by one in this
    connection, each batch in a transaction (or in the caller's).
    """
    if count <= 0:
        return 0
    if months <= 0:
        raise ValueError("months must be >= 1")
    rng = random.Random(seed)  # noqa: S311 (reproducible fake data)
    context = _Context(rng, calendar_for(None))
    c = context.c
    now = timezone.now()
    first = now - timedelta(days=round(months * 30.44))
    start_pos, now_pos = c.position(first), c.position(now)
    positions = sorted(rng.randrange(start_pos, now_pos) for _ in range(count))
    batch_size = max(1, batch_size)
    batches = [positions[i : i + batch_size] for i in range(0, count, batch_size)]
    writer: _Writer = _PostgresWriter() if connection.vendor == "postgresql" else _InsertWriter()
    job = _Job(context, _Simulator(context, now, now_pos), writer, seed, batches)
    workers = min(len(batches), os.cpu_count() or 1, MAX_WORKERS)
    if connection.vendor == "postgresql" and not connection.in_atomic_block and workers > 1:
        return _run_forked(job, workers, count, progress)
    done = 0
    for index in range(len(batches)):
        done += job.run(index, reserve_apart=False)
        if progress is not None:
            progress(done, count)
    return done


#: Processes writing batches at once (PostgreSQL): one per core, at most this many.
MAX_WORKERS: Final = 4


@dataclass
class _Job:
    context: _Context
    simulator: _Simulator
    writer: _Writer
    seed: int
    batches: list[list[int]]

    def run(self, index: int, *, reserve_apart: bool) -> int:
        """Build and write batch ``index``; returns its size.

        Each batch has its own random stream, so the data do not depend on which process
        writes which batch. With ``reserve_apart`` the code numbers and ids are reserved
        in their own (autocommit) statements before the batch transaction, so that
        parallel batches never wait for each other; a failed batch then leaves gaps in
        the numbering, never duplicates.
        """
        rng = random.Random(f"{self.seed}:{index}")  # noqa: S311 (reproducible fake data)
        self.context.rng = self.simulator.rng = rng
        simulator, writer = self.simulator, self.writer
        plans = [simulator.plan(p) for p in self.batches[index]]
        plans.sort(key=lambda p: p.submitted)
        with nullcontext() if reserve_apart else transaction.atomic():
            _assign_codes(plans, self.context)
            dossier_ids = writer.reserve_ids(Dossier, len(plans))
            step_count = sum(len(p.tpl.steps) for p in plans if p.received_pos is not None)
            step_ids = writer.reserve_ids(DossierStep, step_count)
            rows = _Rows()
            at = 0
            for plan, dossier_id in zip(plans, dossier_ids, strict=True):
                n = len(plan.tpl.steps) if plan.received_pos is not None else 0
                simulator.build(plan, dossier_id, step_ids[at : at + n], rows)
                at += n
            with transaction.atomic():
                writer.write(rows)
        return len(plans)


_FORKED_JOB: _Job | None = None


def _forked_batch(index: int) -> int:
    assert _FORKED_JOB is not None
    return _FORKED_JOB.run(index, reserve_apart=True)


def _forked_init() -> None:
    # Close this worker's connections when the pool ends it (no "unexpected EOF").
    multiprocessing.util.Finalize(None, connections.close_all, exitpriority=10)


def _run_forked(job: _Job, workers: int, count: int, progress: ProgressCallback | None) -> int:
    """Write the batches from ``workers`` forked processes, each with its connection."""
    global _FORKED_JOB
    _FORKED_JOB = job
    connections.close_all()  # the children must not share this process's connections
    done = 0
    ctx = multiprocessing.get_context("fork")
    try:
        with ctx.Pool(workers, initializer=_forked_init) as pool:
            for n in pool.imap_unordered(_forked_batch, range(len(job.batches))):
                done += n
                if progress is not None:
                    progress(done, count)
            pool.close()
            pool.join()
    finally:
        _FORKED_JOB = None
    return done


def _assign_codes(plans: list[_Plan], context: _Context) -> None:
    """Reserve the daily numbers of the batch and give each plan its code, in order."""
    counts: dict[tuple[int, date], int] = defaultdict(int)
    keyed = []
    for plan in plans:
        key = (plan.tpl.deciding_id, plan.submitted.date())
        counts[key] += 1
        keyed.append(key)
    nxt = _reserve_codes(dict(counts))
    day_text: dict[date, str] = {}
    for plan, key in zip(plans, keyed, strict=True):
        value = nxt[key]
        nxt[key] = value + 1
        day = key[1]
        text = day_text.get(day)
        if text is None:
            text = day_text[day] = day.strftime("%y%m%d")
        plan.code = f"{plan.tpl.deciding_code}-{text}-{value:04d}"


# Plain strings in the hot loop (enum attribute access costs more than the rest).
_NEW_ONLINE = Status.NEW_ONLINE.value
_RECEIVED = Status.RECEIVED.value
_IN_PROGRESS = Status.IN_PROGRESS.value
_AWAITING_SIGNATURE = Status.AWAITING_SIGNATURE.value
_PROCESSED = Status.PROCESSED.value
_FORWARD = Action.FORWARD.value
_SUBMIT = Action.SUBMIT_FOR_SIGNATURE.value
_SIGN = Action.SIGN.value
_MARK_READY = Action.MARK_RESULT_READY.value
_RETURN = Action.RETURN_RESULT.value
_COUNTER = Actor.COUNTER_OFFICER.value
_SYSTEM = Actor.SYSTEM.value
_LEADER = Actor.AGENCY_LEADER.value
_EMPTY: Final = "{}"
#: One minute in working positions (session microseconds): the clock reads whole minutes.
_MINUTE: Final = 60_000_000
#: (status, action) -> (status reached, actors allowed), from THE transition table.
_TRANSITIONS: Final = {
    (None if st is None else st.value, act.value): (
        t.to,
        frozenset(a.value for a in t.actors),
    )
    for (st, act), t in rules.TRANSITIONS.items()
}
_PREFERRED: Final = {
    _RECEIVED: ((_FORWARD,), (_FORWARD,)),
    _IN_PROGRESS: ((_FORWARD,), (_FORWARD, _MARK_READY)),
    _AWAITING_SIGNATURE: ((_SIGN,), (_SIGN,)),
    _PROCESSED: ((_FORWARD,), (_RETURN,)),
}
_NO_PERSON: Final[Person] = (None, "Hệ thống", None)
#: The dossier fields a story sets, as they are before the first action.
_BEFORE_RECEIPT: Final[dict[str, Any]] = {
    "received_at": None,
    "clock_started_at": None,
    "appointment_at": None,
    "new_appointment_at": None,
    "due_at": None,
    "paused_since": None,
    "finished_at": None,
    "returned_at": None,
    "timeliness": "",
    "late_agency_id": None,
    "late_step_name": "",
    "supplement_requests": 0,
    "apologies": 0,
    "current_unit_id": None,
    "current_role": "",
    "assignee_id": None,
    "spans_agencies": False,
}


class _Simulator:
    """Phase A (:meth:`plan`) picks the offering and the intake instants; phase B
    (:meth:`build`) runs the dossier through its process up to now and emits the rows."""

    def __init__(self, context: _Context, now: datetime, now_pos: int) -> None:
        self.ctx = context
        self.rng = context.rng
        self.c = context.c
        self.cal = context.cal
        self.su = context.su
        self.now = now
        self.now_pos = now_pos

    # ----------------------------------------------------------------- phase A
    def plan(self, pos: int) -> _Plan:
        rng, c = self.rng, self.c
        tpl = self.ctx.pick_offering()
        r = rng.random()
        if r < CHANNEL_WEIGHTS[0][1]:
            channel = rules.Channel.IN_PERSON
        elif r < CHANNEL_WEIGHTS[0][1] + CHANNEL_WEIGHTS[1][1]:
            channel = rules.Channel.ONLINE
        else:
            channel = rules.Channel.POSTAL if tpl.postal else rules.Channel.IN_PERSON
        submitted = c.instant(pos, False)
        if channel is not rules.Channel.ONLINE:
            return _Plan(tpl, channel, submitted, pos, False)
        # Filed online, a quarter of them in the evening; received by the one-stop unit
        # within a working day and a half.
        if rng.random() < 0.25:
            submitted = min(submitted + timedelta(seconds=rng.randrange(5 * 3600)), self.now)
        accept = c.position(submitted) + int(self.su * rng.uniform(0.03, 1.5))
        if accept > self.now_pos:
            return _Plan(tpl, channel, submitted, None, False)
        refused = rng.random() < ONLINE_REFUSED
        return _Plan(tpl, channel, submitted, None if refused else accept, refused)

    # ----------------------------------------------------------------- phase B
    def applicant(self, tpl: _OfferingTemplate) -> tuple[str, str, str, str, str]:
        rng = self.rng
        phone = rng.choice(_PHONE_PREFIXES) + f"{rng.randrange(10**7):07d}"
        if rng.random() < 0.07:
            name = f"{rng.choice(_BUSINESS)} {rng.choice(_BUSINESS_NAMES)}"
            id_number = f"{rng.randrange(10**9, 10**10)}"
        else:
            name = f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"
            id_number = (
                f"089{rng.randrange(4)}{rng.randrange(40, 100):02d}{rng.randrange(10**6):06d}"
                if rng.random() < 0.8
                else ""
            )
        email = ""
        if rng.random() < 0.15:
            folded = rules.search_text(None, name, "", "").replace(" ", "")
            email = f"{folded[-12:]}{rng.randrange(100, 999)}@gmail.com"
        return name, id_number, phone, email, tpl.address

    def factor(self, slow: bool) -> float:
        """Share of its budget a step takes."""
        random_ = self.rng.random
        r = random_()
        if slow:
            r = r * 0.6 + 0.4
        if r < 0.85:
            return 0.1 + 0.75 * random_()
        if r < 0.97:
            return 0.85 + 0.35 * random_()
        return 1.2 + 1.3 * random_()

    def build(self, plan: _Plan, dossier_id: int, step_ids: list[int], out: _Rows) -> None:
        run = _Run(self, plan, dossier_id, step_ids)
        run.story()
        run.emit(out)


class _Run:
    """One dossier, action after action, and its rows as the services would have left
    them: what an action does to the steps and the clock is
    :func:`motcua.dossiers.rules.progress.act`'s (and :func:`~.progress.receive`'s);
    :meth:`story` draws the actions (when, by whom) up to now."""

    def __init__(self, sim: _Simulator, plan: _Plan, dossier_id: int, step_ids: list[int]):
        self.sim = sim
        self.ctx = sim.ctx
        self.c = sim.c
        self.cal = sim.cal
        self.plan = plan
        self.tpl = plan.tpl
        self.id = dossier_id
        self.step_ids = step_ids
        self.status = ""  # no dossier yet
        self.steps: list[progress.Step] = []
        self.fields: dict[str, Any] = {**_BEFORE_RECEIPT, "current_agency_id": plan.tpl.intake_id}
        self.history: list[tuple[datetime, str]] = []
        self.events: list[tuple[Any, ...]] = []
        self.last_at: datetime = plan.submitted
        #: Working time the clock stood still during the step being drawn.
        self.paused_us = 0

    # ----------------------------------------------------------------- actions
    def act(
        self,
        at: datetime,
        action: Action,
        person: Person,
        actor: str,
        *,
        step: int | None = None,
        reason: str = "",
        new_due: datetime | None = None,
    ) -> None:
        """``person``, acting as ``actor``, takes ``action`` at ``at`` (``step``: the
        index of the step they hand over); the transition table must allow it."""
        to, actors = _TRANSITIONS[(self.status or None, action.value)]
        if actor not in actors:
            raise ValueError(f"{actor} may not {action.value} a dossier {self.status!r}")
        if action is Action.ACCEPT:
            effect = self._receive(at)
        elif action is Action.SUBMIT_ONLINE:  # waits in the queue of the intake agency
            effect = progress.Effect(to_agency_id=self.tpl.intake_id)
        else:
            clock = self._clock()
            notice = ""
            if action is Action.ISSUE_APOLOGY and clock.due_at is not None:
                # How much notice the apology gives, as the service records it.
                timing = rules.apology_timing(
                    self.cal, now=at, current_due=clock.due_at, rule=apology_rule()
                )
                notice = timing.value
            effect = progress.act(
                self.cal,
                clock,
                self.steps,
                action,
                to,
                at,
                pauses=rules.pauses_from_history(self.history),
                finishing=None if step is None else self.steps[step],
                by=person[0],
                new_due=new_due,
                notice=notice,
            )
        if action is Action.RETURN_RESULT and (number := self._postal_number()):
            effect.fields["return_postal_item_number"] = number
            effect.payload["postal_item_number"] = number
        self.fields.update(effect.fields)
        if effect.updates:
            self.steps = progress.apply_updates(self.steps, effect.updates)
        finished = effect.finished
        self.events.append(
            (
                self.id,
                len(self.events) + 1,
                at,
                action.value,
                person[0],
                person[1],
                actor,
                person[2],
                self.status,
                to.value,
                effect.from_agency_id,
                effect.to_agency_id,
                self.step_ids[finished.key] if finished is not None else None,
                effect.timeliness,
                reason,
                json.dumps(effect.payload, ensure_ascii=False) if effect.payload else _EMPTY,
            )
        )
        self.history.append((at, to.value))
        self.status = to.value
        self.last_at = at

    def _receive(self, at: datetime) -> progress.Effect:
        """The receipt (at the counter, or of an online dossier waiting in the queue)."""
        tpl = self.tpl
        receipt = progress.receive(
            self.cal,
            at,
            tpl.stages,
            float(tpl.days),
            apply_cutoff=tpl.apply_cutoff,
            intake_agency_id=tpl.intake_id,
            deciding_agency_id=tpl.deciding_id,
        )
        self.steps = receipt.steps
        effect = progress.Effect(fields=receipt.fields, to_agency_id=tpl.intake_id)
        if not self.status:  # received at the counter: the receipt slip's channel and date
            effect.payload = {
                "channel": self.plan.channel.value,
                "appointment_at": receipt.fields["appointment_at"].isoformat(),
            }
        return effect

    def _clock(self) -> progress.Clock:
        f = self.fields
        return progress.Clock(
            status=self.status,
            received_at=f["received_at"],
            clock_started_at=f["clock_started_at"],
            appointment_at=f["appointment_at"],
            new_appointment_at=f["new_appointment_at"],
            due_at=f["due_at"],
            paused_since=f["paused_since"],
            supplement_requests=f["supplement_requests"],
            apologies=f["apologies"],
            apology_issued_at=max(
                (e[2] for e in self.events if e[3] == Action.ISSUE_APOLOGY.value), default=None
            ),
        )

    # ----------------------------------------------------------------- the story
    def story(self) -> None:
        plan, tpl, ctx, c = self.plan, self.tpl, self.ctx, self.c
        counter = ctx.person(tpl.intake_id, _COUNTER)
        if plan.channel is rules.Channel.ONLINE:
            # Filed on the portal without an account, or synchronised from the national
            # portal: the system files it (as ``submit_online`` without a user).
            self.act(plan.submitted, Action.SUBMIT_ONLINE, _NO_PERSON, _SYSTEM)
            if plan.refused:
                at = c.instant(c.position(plan.submitted) + self.sim.su // 2, True)
                self.act(
                    min(at, self.sim.now),
                    Action.REFUSE_INTAKE,
                    counter,
                    _COUNTER,
                    reason=REASON_REFUSE,
                )
        if plan.received_pos is not None:
            received_at = (
                plan.submitted
                if plan.channel is not rules.Channel.ONLINE
                else c.instant(plan.received_pos, False)
            )
            self.act(received_at, Action.ACCEPT, counter, _COUNTER)
            self._process()

    def _started(self, i: int) -> int | None:
        """Working position where step ``i`` started (None: not started)."""
        at = self.steps[i].started_at
        return None if at is None else self.c.position(at)

    def _process(self) -> None:
        """Run the stages: each step takes a share of its budget; stop at now."""
        sim, tpl, rng = self.sim, self.tpl, self.sim.rng
        slow = rng.random() < SLOW
        apology = slow and rng.random() < APOLOGY
        scenario = ""
        r = rng.random()
        if r < SUPPLEMENT and tpl.first_specialist is not None:
            scenario = "supplement"
        elif r < SUPPLEMENT + PAYMENT and tpl.first_specialist is not None:
            scenario = "payment"
        elif r < SUPPLEMENT + PAYMENT + REJECTED and tpl.first_leader is not None:
            scenario = "reject"
        elif r < SUPPLEMENT + PAYMENT + REJECTED + WITHDRAWN and tpl.first_specialist is not None:
            scenario = "withdraw"
        now_pos = sim.now_pos
        steps = tpl.steps
        factor = sim.factor
        for stage in tpl.layout:
            if len(stage) > 1:
                if not self._parallel(stage, slow):
                    return
                continue
            for i in stage[0]:
                s = self._started(i)
                if s is None:
                    return
                d = max(60_000_000, int(steps[i].hours_us * factor(slow)))
                if i == tpl.first_specialist:
                    if apology and not self._apologise(s + d // 20):  # before any interruption
                        return
                    if scenario and scenario != "reject":
                        if not self._interrupt(i, s, d, scenario):
                            return
                        d += self.paused_us
                f = s + d
                if f > now_pos:
                    return
                if scenario == "reject" and i == tpl.first_leader:
                    self._close(f, Action.REJECT, tpl.steps[i].agency_id, REASON_REJECT)
                    return
                if not self._advance(i, f):
                    return

    def _parallel(self, stage: list[list[int]], slow: bool) -> bool:
        """Branches run side by side; their steps finish in time order until now."""
        steps = self.tpl.steps
        finishes: list[tuple[int, int]] = []
        for branch in stage:
            previous: int | None = None
            for i in branch:
                s = self._started(i) if previous is None else previous
                if s is None:
                    break
                previous = s + max(60_000_000, int(steps[i].hours_us * self.sim.factor(slow)))
                finishes.append((previous, i))
        finishes.sort()
        for f, i in finishes:
            if f > self.sim.now_pos:
                return False
            if not self._advance(i, f):
                return False
        return True

    def _choose(self, role: str, upcoming: list[progress.Step]) -> tuple[Action, str] | None:
        """The action the holder of a step takes to hand over, as the UI offers it."""
        status = self.status
        preferred = _PREFERRED.get(status)
        if preferred is None:
            return None
        if status == _IN_PROGRESS and upcoming and all(s.role == _LEADER for s in upcoming):
            actions: tuple[str, ...] = (_SUBMIT,)
        else:
            actions = preferred[0] if upcoming else preferred[1]
        for actor in (role, _SYSTEM):
            for action in actions:
                row = _TRANSITIONS.get((status, action))
                if row is not None and actor in row[1]:
                    return Action(action), actor
        return None

    def _advance(self, i: int, f: int) -> bool:
        """Step ``i`` finishes at position ``f``: its holder hands the dossier over."""
        f -= f % _MINUTE  # on a whole minute, as the clock reads it (rules.clock_minute)
        step = self.steps[i]
        upcoming = progress.next_steps(self.steps, step)
        chosen = self._choose(step.role, upcoming)
        if chosen is None:
            return False
        action, actor = chosen
        at = self.c.instant(f, True)
        person = self.ctx.person(step.agency_id, step.role) if actor != _SYSTEM else _NO_PERSON
        self.act(at, action, person, actor, step=i)
        if action is Action.SIGN and not upcoming:
            # No return step in the process: the counter returns the result.
            ret = f + int(self.sim.su * self.sim.rng.uniform(0.1, 2.0))
            if ret <= self.sim.now_pos:
                counter = self.ctx.person(self.tpl.intake_id, _COUNTER)
                self.act(self.c.instant(ret, True), Action.RETURN_RESULT, counter, _COUNTER)
        return True

    def _close(self, pos: int, action: Action, agency_id: int, reason: str) -> None:
        """A leader of ``agency_id`` rejects or stops the dossier at ``pos``."""
        leader = self.ctx.person(agency_id, _LEADER)
        self.act(self.c.instant(pos, True), action, leader, _LEADER, reason=reason)

    def _postal_number(self) -> str:
        """The item carrying a result returned by post (postal dossiers are answered by
        post), numbered from the dossier's id: no draw from the generator's stream."""
        if self.plan.channel is not rules.Channel.POSTAL:
            return ""
        return rules.s10_item_number("RR", self.id)

    def _apologise(self, pos: int) -> bool:
        """The deciding agency apologises at ``pos`` for a dossier it expects to be late,
        with a new appointment 2 to 5 working days later, where the rules allow it
        (:func:`motcua.dossiers.rules.check_new_appointment`). False when now is reached."""
        sim, c, tpl = self.sim, self.c, self.tpl
        if pos > sim.now_pos:
            return False
        at, due = c.instant(pos, True), self.fields["due_at"]
        new_due = c.instant(c.position(due) + int(sim.su * sim.rng.randint(2, 5)), True)
        try:
            rules.check_new_appointment(
                sim.cal,
                now=at,
                current_due=due,
                new_due=new_due,
                apologies_so_far=self.fields["apologies"],
                reason=REASON_APOLOGY,
            )
        except rules.ApologyNotAllowed:
            return True  # too late for an apology: the dossier goes on without one
        leader = self.ctx.person(tpl.deciding_id, _LEADER)
        self.act(at, Action.ISSUE_APOLOGY, leader, _LEADER, reason=REASON_APOLOGY, new_due=new_due)
        return True

    def _interrupt(self, i: int, s: int, d: int, scenario: str) -> bool:
        """A supplement request or a payment (the clock stops), or a withdrawal, during
        step ``i``. Returns False when the story ends inside (now reached, or stopped)."""
        sim, tpl, rng, c = self.sim, self.tpl, self.sim.rng, self.c
        step = tpl.steps[i]
        # Pauses begin and end on whole minutes, as the clock reads them (rules.clock_minute).
        begin = s + int(d * rng.uniform(0.1, 0.6))
        begin -= begin % _MINUTE
        if begin > sim.now_pos:
            return False
        counter = self.ctx.person(tpl.intake_id, _COUNTER)
        if scenario == "withdraw":
            self.act(c.instant(begin, True), Action.REQUEST_WITHDRAWAL, counter, _COUNTER)
            stop = begin + int(sim.su * rng.uniform(0.2, 2.0))
            if stop > sim.now_pos:
                return False
            self.act(c.instant(stop, True), Action.STOP, counter, _COUNTER, reason=REASON_WITHDRAW)
            return False
        specialist = self.ctx.person(step.agency_id, step.role)
        if scenario == "payment":
            self.act(c.instant(begin, True), Action.REQUEST_PAYMENT, specialist, step.role)
            resumed = Action.RECORD_PAYMENT
        else:
            self.act(
                c.instant(begin, True),
                Action.REQUEST_SUPPLEMENT,
                specialist,
                step.role,
                reason=REASON_SUPPLEMENT,
            )
            resumed = Action.SUPPLEMENT
            if rng.random() < SUPPLEMENT_UNANSWERED:
                stop = begin + 15 * sim.su
                if stop <= sim.now_pos:
                    self._close(stop, Action.STOP, tpl.deciding_id, REASON_STOP)
                return False
        end = begin + int(sim.su * rng.uniform(0.5, 10.0))
        end -= end % _MINUTE
        if end > sim.now_pos:
            return False
        self.act(c.instant(end, True), resumed, counter, _COUNTER)
        self.paused_us = end - begin
        return True

    # ----------------------------------------------------------------- rows
    def emit(self, out: _Rows) -> None:
        plan, tpl, sim, f = self.plan, self.tpl, self.sim, self.fields
        name, id_number, phone, email, address = sim.applicant(tpl)
        code = plan.code
        channel = plan.channel
        if channel is not rules.Channel.POSTAL:
            # Online applicants collect the result at the counter too: a result returned
            # online needs its electronic copy attached, which is not generated.
            return_method, postal = "counter", ""
        else:
            return_method, postal = "post", rules.s10_item_number("EL", sim.rng.randrange(10**8))
        out.dossiers.append(
            (
                self.id,
                code,
                tpl.deciding_id,
                tpl.intake_id,
                tpl.procedure_id,
                tpl.offering_id,
                tpl.process_id,
                channel.value,
                self.status,
                len(self.events),
                name,
                id_number,
                phone,
                email,
                address,
                None,
                tpl.subject,
                postal,
                return_method,
                1,
                plan.submitted,
                f["received_at"],
                f["clock_started_at"],
                tpl.days,
                f["appointment_at"],
                f["new_appointment_at"],
                f["due_at"],
                f["paused_since"],
                f["finished_at"],
                f["returned_at"],
                f["timeliness"],
                f["late_agency_id"],
                f["late_step_name"],
                f["supplement_requests"],
                f["apologies"],
                f["current_agency_id"],
                f["current_unit_id"],
                f["current_role"],
                f["assignee_id"],
                rules.search_text(code, name, phone, id_number),
                plan.submitted,
                self.last_at,
                f["spans_agencies"],
                f.get("return_postal_item_number", ""),
            )
        )
        ids, sources = self.step_ids, tpl.sources
        out.steps.extend(
            (
                ids[s.key],
                self.id,
                sources[s.key],
                s.stage,
                s.branch,
                s.position,
                s.name,
                s.agency_id,
                s.unit_id,
                s.role,
                s.hours,
                s.state,
                s.assignee_id,
                s.started_at,
                s.due_at,
                s.finished_at,
                s.timeliness,
            )
            for s in self.steps
        )
        out.events.extend(self.events)


# --------------------------------------------------------------------------- stories


@dataclass(frozen=True)
class Move:
    """One action of a written story: at ``at``, ``person`` (user id, name, agency id)
    acting as ``actor``; ``step`` is the index (process order) of the step handed over."""

    at: datetime
    action: Action
    actor: Actor
    person: Person
    step: int | None = None
    reason: str = ""
    new_due: datetime | None = None


@dataclass(frozen=True)
class Story:
    """A dossier of ``offering_id`` filed through ``channel`` and the actions it went
    through (the first: ``SUBMIT_ONLINE`` or ``ACCEPT``)."""

    offering_id: int
    channel: rules.Channel
    moves: tuple[Move, ...]


def write_stories(stories: Sequence[Story], *, seed: int = 2025) -> list[int]:
    """Write one dossier per story as :func:`generate_bulk` writes its own; their ids.

    The applicants are drawn from ``seed``; nothing else is random.
    """
    rng = random.Random(seed)  # noqa: S311 (reproducible fake data)
    context = _Context(rng, calendar_for(None))
    now = timezone.now()
    simulator = _Simulator(context, now, context.c.position(now))
    writer: _Writer = _PostgresWriter() if connection.vendor == "postgresql" else _InsertWriter()
    plans = []
    for story in stories:
        first = story.moves[0].at
        received = any(m.action is Action.ACCEPT for m in story.moves)
        plan = _Plan(context.by_offering[story.offering_id], story.channel, first, None, False)
        plan.received_pos = context.c.position(first) if received else None
        plans.append(plan)
    with transaction.atomic():
        _assign_codes(plans, context)
        ids = writer.reserve_ids(Dossier, len(plans))
        rows = _Rows()
        for story, plan, dossier_id in zip(stories, plans, ids, strict=True):
            n = len(plan.tpl.steps) if plan.received_pos is not None else 0
            run = _Run(simulator, plan, dossier_id, writer.reserve_ids(DossierStep, n))
            for move in story.moves:
                run.act(
                    move.at,
                    move.action,
                    move.person,
                    move.actor.value,
                    step=move.step,
                    reason=move.reason,
                    new_due=move.new_due,
                )
            run.emit(rows)
        writer.write(rows)
    return ids
