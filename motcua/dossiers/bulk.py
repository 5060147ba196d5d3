"""A province-sized dossier history, written fast (``motcua generate-dossiers --bulk``).

:func:`generate_bulk` writes ``count`` dossiers received over the last ``months`` months
at the receiving points of the agencies present in the database (the demo province:
``motcua demo --no-serve``), with their process steps and event log, as the services
would have left them:

* offerings, their internal process (or the service's default one when none is
  defined), intake agencies and staff come from the database; deadlines come from the
  pure calendar (:mod:`motcua.worktime.rules`): ONE compiled calendar, the province's,
  and working positions (session microseconds) instead of per-row database work;
* most dossiers are finished (result returned), recent ones are open at the step the
  clock says (received, in progress, awaiting signature, result ready, paused for a
  supplement, online ones waiting to be received), some finished late, some open ones
  overdue; a few are refused at intake, rejected, stopped or withdrawn;
* codes follow ``<agency ID>-YYMMDD-XXXX`` (Circular 03/2025 art. 13): the daily
  numbers are *reserved* in ``DossierCodeSequence`` with one ``INSERT … ON CONFLICT …
  DO UPDATE SET last_value = last_value + n RETURNING`` per batch, so codes the services
  issue later (or meanwhile) never clash with these;
* every dossier's events are numbered 1..n and its ``version`` is n; finished steps and
  dossiers carry their timeliness as the services compute it.

PostgreSQL gets ``COPY … FROM STDIN`` (psycopg 3 ``cursor.copy()``) with ids reserved
from the tables' sequences; SQLite gets batched multi-row inserts. Each batch is one
transaction. Event rows carry no ``AuditEvent``: they are history, not acts of a user.

Not generated: documents checklists, attachments, apologies, fee payments.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Final

from django.db import connection, transaction
from django.utils import timezone

from motcua.accounts.models import RoleAssignment, User
from motcua.agencies.models import Agency
from motcua.catalog.models import ProcedureOffering
from motcua.catalog.rules import fold
from motcua.dossiers import rules
from motcua.dossiers.errors import InvalidDossierInput
from motcua.dossiers.models import Dossier, DossierCodeSequence, DossierEvent, DossierStep
from motcua.dossiers.rules import Action, Actor, Status
from motcua.dossiers.services import _stages_for, legal_working_days
from motcua.worktime.queries import calendar_for
from motcua.worktime.rules import CompiledCalendar, Timeliness, WorkCalendar

__all__ = ["ProgressCallback", "generate_bulk"]

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
#: Dossiers rejected by the signing leader.
REJECTED: Final = 0.012
#: Dossiers withdrawn by the applicant while they are processed.
WITHDRAWN: Final = 0.004
#: Dossiers whose handling is slow everywhere (most late dossiers come from these).
SLOW: Final = 0.08

REASON_SUPPLEMENT: Final = "Bổ sung bản sao giấy tờ tùy thân còn hiệu lực."
REASON_STOP: Final = "Quá thời hạn bổ sung hồ sơ nhưng người nộp không bổ sung."
REASON_REJECT: Final = "Hồ sơ không đủ điều kiện giải quyết theo quy định."
REASON_WITHDRAW: Final = "Người nộp hồ sơ yêu cầu rút hồ sơ."

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

_FINISHED: Final = frozenset(rules.FINISHED)
_ADVANCING: Final = (
    Action.FORWARD,
    Action.SUBMIT_FOR_SIGNATURE,
    Action.SIGN,
    Action.MARK_RESULT_READY,
    Action.RETURN_RESULT,
)
_EMPTY: Final = "{}"
_ACTIVE, _PENDING, _DONE, _SKIPPED = (
    DossierStep.State.ACTIVE.value,
    DossierStep.State.PENDING.value,
    DossierStep.State.DONE.value,
    DossierStep.State.SKIPPED.value,
)

DOSSIER_COLUMNS: Final = (
    "id", "code", "deciding_agency_id", "intake_agency_id", "procedure_id", "offering_id",
    "process_id", "channel", "status", "version", "applicant_name", "applicant_id_number",
    "applicant_phone", "applicant_email", "applicant_address", "applicant_user_id", "subject",
    "postal_item_number", "return_method", "sets_count", "submitted_at", "received_at",
    "clock_started_at", "legal_working_days", "appointment_at", "new_appointment_at",
    "due_at", "paused_since", "finished_at", "returned_at", "timeliness", "late_agency_id",
    "late_step_name", "supplement_requests", "apologies", "current_agency_id",
    "current_unit_id", "current_role", "assignee_id", "search_text", "created_at",
    "updated_at",
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
    stage: int
    branch: int
    position: int
    name: str
    agency_id: int
    unit_id: int | None
    role: str
    hours: int
    hours_us: int
    process_step_id: int | None


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
    steps: list[_StepTemplate]
    #: ``stages[i]`` = the branches of stage i, each a list of step indexes.
    stages: list[list[list[int]]]
    first_specialist: int | None
    first_leader: int | None
    address: str
    weight: float = 1.0


@dataclass(frozen=True)
class _Person:
    user_id: int | None
    name: str
    agency_id: int | None


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
        self._cum_weights = _cumulative([t.weight for t in self.templates])
        self.people = self._people(agencies)
        self._fallback_names: dict[tuple[int, str], _Person] = {}

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
                days = int(legal_working_days(offering))
            except InvalidDossierInput:
                continue  # no time limit: the services refuse such dossiers too
            deciding = offering.agency
            intake = _online_intake_agency(deciding, children)
            stages, models_by_id, apply_cutoff = _stages_for(offering, intake, Decimal(days))
            steps: list[_StepTemplate] = []
            layout: list[list[list[int]]] = []
            for order, (stage_index, branch_index, pure) in enumerate(rules.iter_steps(stages)):
                while len(layout) <= stage_index:
                    layout.append([])
                branches = layout[stage_index]
                b = branch_index or 0
                while len(branches) <= b:
                    branches.append([])
                branches[b].append(order)
                model = models_by_id.get(id(pure))
                steps.append(
                    _StepTemplate(
                        stage=stage_index,
                        branch=b,
                        position=order,
                        name=pure.name,
                        agency_id=int(pure.agency_ref),
                        unit_id=int(pure.unit_ref) if pure.unit_ref else None,
                        role=pure.role.value,
                        hours=pure.hours,
                        hours_us=self.c.duration_us(None, pure.hours),
                        process_step_id=model.pk if model is not None else None,
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
            process = getattr(offering, "process", None)
            procedure_rank.setdefault(offering.procedure_id, len(procedure_rank) + 1)
            agency_weight.setdefault(intake.pk, rng.lognormvariate(0, 0.6))
            out.append(
                _OfferingTemplate(
                    offering_id=offering.pk,
                    procedure_id=offering.procedure_id,
                    process_id=process.pk if process is not None else None,
                    deciding_id=deciding.pk,
                    deciding_code=deciding.code,
                    intake_id=intake.pk,
                    subject=offering.procedure.name[:500],
                    days=days,
                    apply_cutoff=apply_cutoff,
                    steps=steps,
                    stages=layout,
                    first_specialist=first_specialist,
                    first_leader=first_leader,
                    address=_address(deciding, agencies),
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
    def _people(self, agencies: dict[int, Agency]) -> dict[tuple[int, str], list[_Person]]:
        people: dict[tuple[int, str], list[_Person]] = defaultdict(list)
        rows = RoleAssignment.objects.filter(
            user__is_active=True, user__kind=User.Kind.STAFF
        ).values_list("role", "user_id", "user__full_name", "user__username", "user__agency_id")
        units = dict(User.objects.filter(kind=User.Kind.STAFF).values_list("pk", "unit_id"))
        for role, user_id, full_name, username, agency_id in rows:
            person = _Person(user_id, full_name or username, agency_id)
            for place in {agency_id, units.get(user_id)}:
                if place is not None:
                    people[(place, role)].append(person)
        return people

    def person(self, agency_id: int, role: str) -> _Person:
        """A staff member holding ``role`` at ``agency_id`` (or a named stand-in)."""
        found = self.people.get((agency_id, role))
        if found:
            return found[0] if len(found) == 1 else self.rng.choice(found)
        key = (agency_id, role)
        stand_in = self._fallback_names.get(key)
        if stand_in is None:
            r = random.Random(f"{agency_id}:{role}")  # noqa: S311 (fictional names)
            name = f"{r.choice(_FAMILY)} {r.choice(_MIDDLE)} {r.choice(_GIVEN)}"
            stand_in = self._fallback_names[key] = _Person(None, name, agency_id)
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


def _online_intake_agency(deciding: Agency, children: dict[int, list[Agency]]) -> Agency:
    """As ``services._online_intake_agency``: the one-stop child of the deciding agency."""
    kinds = (Agency.Kind.ONE_STOP_UNIT, Agency.Kind.SERVICE_CENTER)
    candidates = sorted(
        (a for a in children.get(deciding.pk, []) if a.kind in kinds and a.receives_dossiers),
        key=lambda a: a.pk,
    )
    return candidates[0] if candidates else deciding


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
    atomic against the services' ``allocate_code`` running at the same time.
    """
    if not counts:
        return {}
    table = _table(DossierCodeSequence)
    keys = list(counts)
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


class _Writer:
    def reserve_ids(self, model: Any, n: int) -> list[int]:
        raise NotImplementedError

    def write(self, rows: _Rows) -> None:
        raise NotImplementedError


class _PostgresWriter(_Writer):
    """Ids from the tables' sequences; rows through ``COPY … FROM STDIN``."""

    def reserve_ids(self, model: Any, n: int) -> list[int]:
        if n == 0:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, n],
            )
            return [int(r[0]) for r in cursor.fetchall()]

    def write(self, rows: _Rows) -> None:
        connection.ensure_connection()
        raw = connection.connection
        assert raw is not None
        with raw.cursor() as cursor:
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
    ``seed`` and database content. ``progress(done, count)`` is called after each batch.
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
    writer: _Writer = _PostgresWriter() if connection.vendor == "postgresql" else _InsertWriter()
    simulator = _Simulator(context, now, now_pos)
    done = 0
    batch_size = max(1, batch_size)
    for i in range(0, count, batch_size):
        plans = [simulator.plan(p) for p in positions[i : i + batch_size]]
        plans.sort(key=lambda p: p.submitted)
        with transaction.atomic():
            _assign_codes(plans, context)
            dossier_ids = writer.reserve_ids(Dossier, len(plans))
            step_count = sum(len(p.tpl.steps) for p in plans if p.received_pos is not None)
            step_ids = writer.reserve_ids(DossierStep, step_count)
            rows = _Rows()
            at = 0
            for plan, dossier_id in zip(plans, dossier_ids, strict=True):
                n = len(plan.tpl.steps) if plan.received_pos is not None else 0
                simulator.build(plan, dossier_id, step_ids[at : at + n], rows)
                at += n
            writer.write(rows)
        done += len(plans)
        if progress is not None:
            progress(done, count)
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
        self.zone = context.c.zone
        self._folded: dict[str, str] = {}

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
            channel = rules.Channel.POSTAL
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
    def _applicant(self, tpl: _OfferingTemplate) -> tuple[str, str, str, str, str]:
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
            email = f"{fold(name).replace(' ', '')[-12:]}{rng.randrange(100, 999)}@gmail.com"
        return name, id_number, phone, email, tpl.address

    def _search_text(self, code: str, name: str, phone: str, id_number: str) -> str:
        folded = self._folded.get(name)
        if folded is None:
            folded = self._folded[name] = fold(name)
        # fold(" ".join(...)) of services._search_text: codes and digits fold to themselves.
        parts = [code.lower(), folded, phone, id_number]
        return " ".join(p for p in parts if p)

    def _factor(self, slow: bool) -> float:
        """Share of its budget a step takes."""
        r = self.rng.random()
        if slow:
            r = r * 0.5 + 0.5
        if r < 0.80:
            return 0.12 + 0.78 * self.rng.random()
        if r < 0.95:
            return 0.85 + 0.4 * self.rng.random()
        return 1.2 + 1.8 * self.rng.random()

    def build(self, plan: _Plan, dossier_id: int, step_ids: list[int], out: _Rows) -> None:
        _Run(self, plan, dossier_id, step_ids, out).run()


class _Run:
    """One dossier from submission to now: steps, events and the final dossier row."""

    def __init__(
        self, sim: _Simulator, plan: _Plan, dossier_id: int, step_ids: list[int], out: _Rows
    ) -> None:
        self.sim = sim
        self.ctx = sim.ctx
        self.c = sim.c
        self.plan = plan
        self.tpl = plan.tpl
        self.id = dossier_id
        self.step_ids = step_ids
        self.out = out
        self.events: list[tuple[Any, ...]] = []
        n = len(step_ids)
        self.state: list[str] = [_PENDING] * n
        self.start: list[int | None] = [None] * n
        self.due: list[int] = [0] * n
        self.finish: list[int | None] = [None] * n
        self.timeliness: list[str] = [""] * n
        self.assignee: list[int | None] = [None] * n
        self.skipped_at: list[datetime | None] = [None] * n
        self.status: Status = Status.NEW_ONLINE
        self.fields: dict[str, Any] = {}
        self.pauses: list[tuple[int, int | None]] = []  # working positions
        self.last_at: datetime = plan.submitted
        self.clock = 0  # working position where the clock started (set at receipt)
        self._paused_us = 0

    # ----------------------------------------------------------------- events
    def _event(
        self,
        at: datetime,
        action: Action,
        person: _Person | None,
        actor: Actor,
        to: Status,
        *,
        step: int | None = None,
        from_agency: int | None = None,
        to_agency: int | None = None,
        timeliness: str = "",
        reason: str = "",
        payload: str = _EMPTY,
    ) -> None:
        from_status = "" if not self.events else self.status.value
        if person is None:
            name = "Người nộp hồ sơ" if actor is Actor.APPLICANT else "Hệ thống"
            person = _Person(None, name, None)
        elif actor is Actor.APPLICANT:
            person = _Person(person.user_id, "Người nộp hồ sơ", person.agency_id)
        self.events.append(
            (
                self.id,
                len(self.events) + 1,
                at,
                action.value,
                person.user_id,
                person.name,
                actor.value,
                person.agency_id,
                from_status,
                to.value,
                from_agency,
                to_agency,
                self.step_ids[step] if step is not None else None,
                timeliness,
                reason,
                payload,
            )
        )
        self.status = to
        self.last_at = at

    def _at(self, pos: int) -> datetime:
        return self.c.instant(pos, True)

    # ----------------------------------------------------------------- the story
    def run(self) -> None:
        plan, tpl, ctx = self.plan, self.tpl, self.ctx
        name, id_number, phone, email, address = self.sim._applicant(tpl)
        intake = tpl.intake_id
        counter = ctx.person(intake, Actor.COUNTER_OFFICER)
        received_at: datetime | None = None
        if plan.channel is rules.Channel.ONLINE:
            self._event(
                plan.submitted,
                Action.SUBMIT_ONLINE,
                None,
                Actor.APPLICANT,
                Status.NEW_ONLINE,
                to_agency=intake,
            )
            if plan.refused:
                at = self._at(self.c.position(plan.submitted) + int(self.sim.su * 0.5))
                self._event(
                    min(at, self.sim.now),
                    Action.REFUSE_INTAKE,
                    counter,
                    Actor.COUNTER_OFFICER,
                    Status.REFUSED_INTAKE,
                    reason="Thủ tục không thuộc thẩm quyền giải quyết; hồ sơ không hợp lệ.",
                )
        if plan.received_pos is not None:
            received_at = (
                plan.submitted
                if plan.channel is not rules.Channel.ONLINE
                else self.c.instant(plan.received_pos, False)
            )
            self._receive(received_at, counter)
        self._emit(name, id_number, phone, email, address, received_at)

    def _receive(self, received_at: datetime, counter: _Person) -> None:
        tpl, c, sim = self.tpl, self.c, self.sim
        clock = c.position(received_at, tpl.apply_cutoff)
        dur = tpl.days * sim.su
        appointment = c.instant(clock + dur, True) if dur else c.instant(clock, False)
        self.clock = clock
        self.fields.update(
            received_at=received_at,
            clock_started_at=c.instant(clock, False),
            appointment_at=appointment,
            due_at=appointment,
        )
        # The plan the services write at receipt: every step with its planned due instant.
        cursor = clock
        for stage in tpl.stages:
            ends = []
            for branch in stage:
                at = cursor
                for i in branch:
                    at += tpl.steps[i].hours_us
                    self.due[i] = at
                ends.append(at)
            cursor = max(ends)
        # As _start_clock: every step of the first stage is active from the clock start.
        for i, step in enumerate(tpl.steps):
            if step.stage == 0:
                self.state[i] = _ACTIVE
                self.start[i] = clock
        first = tpl.steps[0] if tpl.steps else None
        self._set_current(first)
        if self.plan.channel is rules.Channel.ONLINE:
            self._event(
                received_at,
                Action.ACCEPT,
                counter,
                Actor.COUNTER_OFFICER,
                Status.RECEIVED,
                to_agency=tpl.intake_id,
            )
        else:
            payload = json.dumps(
                {"channel": self.plan.channel.value, "appointment_at": appointment.isoformat()}
            )
            self._event(
                received_at,
                Action.ACCEPT,
                counter,
                Actor.COUNTER_OFFICER,
                Status.RECEIVED,
                to_agency=tpl.intake_id,
                payload=payload,
            )
        self._process()

    def _set_current(self, step: _StepTemplate | None) -> None:
        if step is None:
            self.fields.update(
                current_agency_id=self.tpl.intake_id, current_unit_id=None, current_role=""
            )
            return
        self.fields.update(
            current_agency_id=step.agency_id,
            current_unit_id=step.unit_id,
            current_role=step.role,
            assignee_id=None,
        )

    def _process(self) -> None:
        """Run the stages: each step takes a share of its budget; stop at now."""
        sim, tpl, rng = self.sim, self.tpl, self.sim.rng
        slow = rng.random() < SLOW
        scenario = ""
        r = rng.random()
        if r < SUPPLEMENT and tpl.first_specialist is not None:
            scenario = "supplement"
        elif r < SUPPLEMENT + REJECTED and tpl.first_leader is not None:
            scenario = "reject"
        elif r < SUPPLEMENT + REJECTED + WITHDRAWN and tpl.first_specialist is not None:
            scenario = "withdraw"
        now_pos = sim.now_pos
        for stage in tpl.stages:
            finishes: list[tuple[int, int]] = []
            for branch in stage:
                for k, i in enumerate(branch):
                    s = self.start[i]
                    if s is None:
                        # A later step of a parallel branch starts when the previous ends.
                        prev = self.finish[branch[k - 1]] if k else None
                        if prev is None:
                            break
                        s = prev
                    d = max(60_000_000, int(tpl.steps[i].hours_us * sim._factor(slow)))
                    if i == tpl.first_specialist and scenario in ("supplement", "withdraw"):
                        if not self._interrupt(i, s, d, scenario):
                            return
                        if scenario == "withdraw":
                            return
                        d += self._paused_us
                    f = s + d
                    if len(stage) > 1:
                        # Parallel: the branch's next step starts at this finish.
                        self.finish[i] = f
                        finishes.append((f, i))
                        continue
                    if f > now_pos:
                        return
                    if i == tpl.first_leader and scenario == "reject":
                        self._reject(i, f)
                        return
                    if not self._advance(i, f):
                        return
            if finishes:
                ordered = sorted(finishes)
                for k, (f, i) in enumerate(ordered):
                    if f > now_pos:
                        self._parallel_open(ordered, k)
                        return
                    if not self._advance(i, f):
                        return

    def _parallel_open(self, finishes: list[tuple[int, int]], k: int) -> None:
        """Steps of a parallel stage not finished by now stay active (or pending)."""
        for _f, i in finishes[k:]:
            self.finish[i] = None

    # ----------------------------------------------------------------- actions
    def _upcoming(self, i: int) -> list[int]:
        tpl = self.tpl
        step = tpl.steps[i]
        branch = tpl.stages[step.stage][step.branch]
        k = branch.index(i)
        if k + 1 < len(branch):
            return [branch[k + 1]]
        stage = tpl.stages[step.stage]
        others_open = any(self.state[j] in (_ACTIVE, _PENDING) and j != i for b in stage for j in b)
        if others_open:
            return []
        if step.stage + 1 >= len(tpl.stages):
            return []
        return [b[0] for b in tpl.stages[step.stage + 1] if b]

    def _choose(self, i: int, upcoming: list[int]) -> tuple[Action, Actor] | None:
        """The action the holder of step ``i`` takes to hand over, as the UI offers it."""
        tpl = self.tpl
        role = Actor(tpl.steps[i].role)
        to_leader = bool(upcoming) and all(
            tpl.steps[j].role == Actor.AGENCY_LEADER for j in upcoming
        )
        status = self.status
        preferred: list[Action] = []
        if status is Status.RECEIVED:
            preferred = [Action.FORWARD]
        elif status is Status.IN_PROGRESS:
            preferred = [Action.SUBMIT_FOR_SIGNATURE] if to_leader else [Action.FORWARD]
            if not upcoming:
                preferred.append(Action.MARK_RESULT_READY)
        elif status is Status.AWAITING_SIGNATURE:
            preferred = [Action.SIGN]
        elif status is Status.PROCESSED:
            preferred = [Action.FORWARD] if upcoming else [Action.RETURN_RESULT]
        for actor in (role, Actor.SYSTEM):
            for action in preferred:
                row = rules.TRANSITIONS.get((status, action))
                if row is not None and actor in row.actors:
                    return action, actor
        return None

    def _advance(self, i: int, f: int) -> bool:
        """Step ``i`` finishes at position ``f``: its holder hands the dossier over."""
        tpl = self.tpl
        step = tpl.steps[i]
        upcoming = self._upcoming(i)
        chosen = self._choose(i, upcoming)
        if chosen is None:
            return False
        action, actor = chosen
        at = self._at(f)
        person = self.ctx.person(step.agency_id, step.role) if actor is not Actor.SYSTEM else None
        timeliness = self._step_timeliness(i, f)
        self.state[i] = _DONE
        self.finish[i] = f
        self.timeliness[i] = timeliness
        self.assignee[i] = person.user_id if person is not None else None
        to = rules.TRANSITIONS[(self.status, action)].to
        payload: dict[str, Any] = {}
        if upcoming:
            payload["next_steps"] = [tpl.steps[j].name for j in upcoming]
        if action is Action.RETURN_RESULT:
            self.fields["returned_at"] = at
        if to in _FINISHED and self.status not in _FINISHED:
            # Before the next steps start: only the steps active until now are skipped.
            self._finish(at, f, payload, finishing=i)
        for j in upcoming:
            self.state[j] = _ACTIVE
            self.start[j] = f
            self.due[j] = f + tpl.steps[j].hours_us
        if upcoming:
            self._set_current(tpl.steps[upcoming[0]])
        elif not any(state == _ACTIVE for state in self.state):
            self.fields.update(current_role="", assignee_id=None)
        self._event(
            at,
            action,
            person,
            actor,
            to,
            step=i,
            from_agency=step.agency_id,
            to_agency=tpl.steps[upcoming[0]].agency_id if upcoming else None,
            timeliness=timeliness,
            payload=json.dumps(payload, ensure_ascii=False) if payload else _EMPTY,
        )
        if action is Action.SIGN and not upcoming:
            # No return step in the process: the counter returns the result.
            ret = f + int(self.sim.su * self.sim.rng.uniform(0.1, 2.0))
            if ret <= self.sim.now_pos:
                ret_at = self._at(ret)
                self.fields["returned_at"] = ret_at
                counter = self.ctx.person(tpl.intake_id, Actor.COUNTER_OFFICER)
                self._event(ret_at, Action.RETURN_RESULT, counter, Actor.COUNTER_OFFICER,
                            Status.RETURNED)  # fmt: skip
        return True

    def _step_timeliness(self, i: int, f: int) -> str:
        s = self.start[i]
        assert s is not None
        target = s + self.tpl.steps[i].hours_us
        for a, b in self.pauses:
            end = f if b is None else b
            a = max(a, s)
            if end <= a:
                continue
            if a >= target:
                break
            target += end - a
        if f > target:
            return Timeliness.LATE.value
        su = self.sim.su
        if (f - 1) // su < (target - 1) // su:
            return Timeliness.EARLY.value
        return Timeliness.ON_TIME.value

    def _finish(
        self,
        at: datetime,
        pos: int,
        payload: dict[str, Any],
        *,
        finishing: int | None,
        unanswered: datetime | None = None,
    ) -> None:
        """The dossier reaches a finished status at ``at`` (as ``_Handler._finish``)."""
        for j, state in enumerate(self.state):
            if state == _ACTIVE and j != finishing:
                self.state[j] = _SKIPPED
                self.skipped_at[j] = at
        self.fields.update(finished_at=at, paused_since=None)
        pauses = [(self._at(a), self._at(b) if b is not None else None) for a, b in self.pauses]
        clock_started = self.fields["clock_started_at"]
        timeliness = rules.dossier_timeliness(
            self.sim.cal,
            due_at=self.fields["appointment_at"],
            finished_at=at,
            pauses=pauses,
            supplement_requests=self.fields.get("supplement_requests", 0),
            unanswered_supplement_requested_at=unanswered,
            clock_started_at=clock_started,
        )
        self.fields["timeliness"] = timeliness.value
        if timeliness is Timeliness.LATE:
            records = []
            order = sorted((s, j) for j, s in enumerate(self.start) if s is not None and s <= pos)
            for _s, j in order:
                finished = self.finish[j] if j != finishing else pos
                if self.state[j] == _SKIPPED:
                    finished = pos
                records.append(
                    rules.StepRecord(
                        agency_ref=str(self.tpl.steps[j].agency_id),
                        step_name=self.tpl.steps[j].name,
                        due_at=self._at(self.due[j]),
                        finished_at=self._at(finished) if finished is not None else None,
                    )
                )
            charged = rules.late_charge(records, dossier_late=True, now=at)
            if charged:
                self.fields["late_agency_id"] = int(charged[0].agency_ref)
                self.fields["late_step_name"] = charged[0].step_name
                payload["late_steps"] = [
                    {"agency_id": int(r.agency_ref), "step": r.step_name} for r in charged
                ]

    def _interrupt(self, i: int, s: int, d: int, scenario: str) -> bool:
        """A supplement request (the clock stops) or a withdrawal during step ``i``.

        Returns False when the story ends inside (now reached, or the dossier stopped).
        """
        sim, tpl, rng = self.sim, self.tpl, self.sim.rng
        step = tpl.steps[i]
        begin = s + int(d * rng.uniform(0.1, 0.6))
        if begin > sim.now_pos:
            return False
        begin_at = self._at(begin)
        specialist = self.ctx.person(step.agency_id, step.role)
        counter = self.ctx.person(tpl.intake_id, Actor.COUNTER_OFFICER)
        if scenario == "withdraw":
            self._event(begin_at, Action.REQUEST_WITHDRAWAL, counter, Actor.COUNTER_OFFICER,
                        Status.WITHDRAWAL_REQUESTED)  # fmt: skip
            stop = begin + int(sim.su * rng.uniform(0.2, 2.0))
            if stop > sim.now_pos:
                return False
            at = self._at(stop)
            payload: dict[str, Any] = {}
            self._finish(at, stop, payload, finishing=None)
            self._event(
                at,
                Action.STOP,
                counter,
                Actor.COUNTER_OFFICER,
                Status.WITHDRAWN,
                reason=REASON_WITHDRAW,
                payload=json.dumps(payload, ensure_ascii=False) if payload else _EMPTY,
            )
            return False
        self.fields["supplement_requests"] = 1
        self.fields["paused_since"] = begin_at
        self._event(begin_at, Action.REQUEST_SUPPLEMENT, specialist, Actor(step.role),
                    Status.SUPPLEMENT_REQUESTED, reason=REASON_SUPPLEMENT)  # fmt: skip
        if rng.random() < SUPPLEMENT_UNANSWERED:
            self.pauses.append((begin, None))
            stop = begin + 15 * sim.su
            if stop > sim.now_pos:
                return False
            at = self._at(stop)
            leader = self.ctx.person(tpl.deciding_id, Actor.AGENCY_LEADER)
            payload = {}
            self._finish(at, stop, payload, finishing=None, unanswered=begin_at)
            self._event(
                at,
                Action.STOP,
                leader,
                Actor.AGENCY_LEADER,
                Status.STOPPED,
                reason=REASON_STOP,
                payload=json.dumps(payload, ensure_ascii=False) if payload else _EMPTY,
            )
            return False
        end = begin + int(sim.su * rng.uniform(0.5, 10.0))
        if end > sim.now_pos:
            self.pauses.append((begin, None))
            return False
        end_at = self._at(end)
        self.pauses.append((begin, end))
        # As _Handler._resume: the due instant moves by the working time paused.
        paused_hours = self.c.to_working_seconds(end - begin) / 3600
        shift = self.c.duration_us(None, paused_hours)
        pauses = [(self._at(a), self._at(b)) for a, b in self.pauses if b is not None]
        self.fields["due_at"] = rules.effective_due(
            sim.cal,
            self.fields["appointment_at"],
            pauses,
            clock_started_at=self.fields["clock_started_at"],
        )
        for j, state in enumerate(self.state):
            if state == _ACTIVE:
                self.due[j] += shift
        self.fields["paused_since"] = None
        self._paused_us = end - begin
        self._event(
            end_at,
            Action.SUPPLEMENT,
            counter,
            Actor.COUNTER_OFFICER,
            Status.IN_PROGRESS,
            payload=json.dumps({"paused_working_hours": round(paused_hours, 2)}),
        )
        return True

    def _reject(self, i: int, f: int) -> None:
        at = self._at(f)
        leader = self.ctx.person(self.tpl.steps[i].agency_id, Actor.AGENCY_LEADER)
        payload: dict[str, Any] = {}
        self._finish(at, f, payload, finishing=None)
        self._event(
            at,
            Action.REJECT,
            leader,
            Actor.AGENCY_LEADER,
            Status.REJECTED,
            reason=REASON_REJECT,
            payload=json.dumps(payload, ensure_ascii=False) if payload else _EMPTY,
        )

    # ----------------------------------------------------------------- rows
    def _emit(
        self,
        name: str,
        id_number: str,
        phone: str,
        email: str,
        address: str,
        received_at: datetime | None,
    ) -> None:
        plan, tpl, f, c = self.plan, self.tpl, self.fields, self.c
        code = plan.code
        channel = plan.channel
        return_method = (
            "post"
            if channel is rules.Channel.POSTAL
            else ("online" if channel is rules.Channel.ONLINE else "counter")
        )
        postal = f"EL{self.sim.rng.randrange(10**8, 10**9)}VN" if return_method == "post" else ""
        if received_at is None:
            f.setdefault("current_agency_id", tpl.intake_id)
        self.out.dossiers.append(
            (
                self.id,
                code,
                tpl.deciding_id,
                tpl.intake_id,
                tpl.procedure_id,
                tpl.offering_id,
                tpl.process_id,
                channel.value,
                self.status.value,
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
                received_at,
                f.get("clock_started_at"),
                tpl.days,
                f.get("appointment_at"),
                None,
                f.get("due_at"),
                f.get("paused_since"),
                f.get("finished_at"),
                f.get("returned_at"),
                f.get("timeliness", ""),
                f.get("late_agency_id"),
                f.get("late_step_name", ""),
                f.get("supplement_requests", 0),
                0,
                f.get("current_agency_id"),
                f.get("current_unit_id"),
                f.get("current_role", ""),
                f.get("assignee_id"),
                self.sim._search_text(code, name, phone, id_number),
                plan.submitted,
                self.last_at,
            )
        )
        if received_at is None:
            self.out.events.extend(self.events)
            return
        instant = c.instant
        for i, step in enumerate(tpl.steps):
            state = self.state[i]
            start = self.start[i]
            finish = self.finish[i] if state == _DONE else None
            self.out.steps.append(
                (
                    self.step_ids[i],
                    self.id,
                    step.process_step_id,
                    step.stage,
                    step.branch,
                    step.position,
                    step.name,
                    step.agency_id,
                    step.unit_id,
                    step.role,
                    step.hours,
                    state,
                    self.assignee[i],
                    (
                        None
                        if start is None or state == _PENDING
                        else instant(start, start != self.clock)
                    ),
                    instant(self.due[i], True),
                    instant(finish, True) if finish is not None else self.skipped_at[i],
                    self.timeliness[i],
                )
            )
        self.out.events.extend(self.events)
