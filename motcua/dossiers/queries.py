"""Reads of the back office: worklists, the dossier page and the leaders' dashboard.

Every list starts from :func:`motcua.dossiers.access.visible_dossiers`, so a tab can never
show a dossier its user may not open. The instants a page compares deadlines with (now,
"due within one working day", the start of the month) are computed once per request
(:class:`Clock`) and the lists then use plain ``due_at`` comparisons: the number of
queries does not grow with the number of rows.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import reduce
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from motcua.accounts.models import User
from motcua.accounts.roles import Role
from motcua.agencies.models import Agency
from motcua.catalog.models import Procedure, ProcedureOffering
from motcua.catalog.rules import fold, search_words
from motcua.dossiers import policy, rules
from motcua.dossiers.access import pk_in, visible_dossiers
from motcua.dossiers.models import Attachment, Dossier, DossierDocument, DossierEvent, DossierStep
from motcua.dossiers.policy import visibility, visible_q
from motcua.dossiers.printouts import available_forms
from motcua.dossiers.rules import Action, Actor, Status
from motcua.dossiers.services import allowed_actions_for, counter_agency
from motcua.worktime.queries import calendar_for

PAGE_SIZE = 25
ON_TIME = ("early", "on_time")

# --------------------------------------------------------------------------- clock


@dataclass(frozen=True)
class Clock:
    """The instants a request compares deadlines with."""

    now: datetime
    soon: datetime  # one working day from now: due_at <= soon is "due soon"
    month_start: datetime

    def level(self, due: datetime | None) -> str:
        """``overdue``, ``due_soon`` or ``ok`` for a running deadline."""
        return policy.deadline_level(due, self.now, self.soon)


def clock_for(user: User, now: datetime | None = None) -> Clock:
    """Now, the due-soon threshold on the user's agency calendar, the month start.

    ``due_at <= soon`` is the same test as ``rules.warning_level(...) is DUE_SOON``: at
    most one working day (``DEFAULT_DUE_SOON_WORKING_HOURS``) of working time is left.
    """
    now = now or timezone.now()
    soon = policy.due_soon_until(calendar_for(user.agency), now)
    local = timezone.localtime(now)
    month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return Clock(now=now, soon=soon, month_start=month_start)


def end_of_working_day(agency: Agency, day: date) -> datetime:
    """The end of the last working session of ``day`` on ``agency``'s calendar."""
    cal = calendar_for(agency)
    return datetime.combine(day, cal.sessions[-1][1], tzinfo=ZoneInfo(cal.tz))


# --------------------------------------------------------------------------- who holds what


def _held_step_q(user: User) -> Q | None:
    """Active steps this user holds (``policy.held_steps_q``)."""
    return policy.held_steps_q(policy.person(user))


def holds_step(user: User, step: DossierStep) -> bool:
    """Whether ``user`` holds ``step`` (``policy.holds``)."""
    return policy.holds(policy.person(user), step)


def _mine_q(user: User) -> Q:
    """The "mine" tab: held steps with work to do now (``policy.work_q``)."""
    return policy.work_q(policy.person(user))


def _held_q(user: User) -> Q:
    """The dossiers of the steps the user holds, whatever their status."""
    return policy.held_q(policy.person(user))


def _counter_id(user: User) -> int | None:
    if not user.has_role(Role.COUNTER_OFFICER) or user.agency_id is None:
        return None
    return counter_agency(user).pk


def sees_province(user: User) -> bool:
    return user.is_superuser or user.has_role(Role.TTHC_CONTROL)


def _scope_parts(
    user: User, mine: Q, subtree: list[int] | None = None
) -> list[tuple[Q, str | None]]:
    """The parts of :func:`_scope_q`. Each comes with ``None`` when it implies that an
    agency-scoped staff member may see the dossier (``access.visibility``: a step they
    hold sits at their agency or unit, their counter is their unit or agency), else with
    the column it tests (assigned to them, their unit's, their agency subtree's: still to
    be checked). ``subtree``: the ids of a leader's agency subtree, tested as ids instead
    of by path."""
    parts: list[tuple[Q, str | None]] = [(mine, None), (Q(assignee_id=user.pk), "assignee_id")]
    counter_id = _counter_id(user)
    if counter_id is not None:
        parts.append((Q(intake_agency_id=counter_id), None))
    if user.has_role(Role.AGENCY_LEADER) and user.agency is not None:
        if subtree is None:
            path = user.agency.path
            parts += [
                (Q(deciding_agency__path__startswith=path), "deciding_agency_id"),
                (Q(current_agency__path__startswith=path), "current_agency_id"),
            ]
        else:
            parts += [
                (Q(deciding_agency_id__in=subtree), "deciding_agency_id"),
                (Q(current_agency_id__in=subtree), "current_agency_id"),
            ]
    if user.has_role(Role.UNIT_HEAD):
        place = user.unit_id or user.agency_id
        parts += [
            (Q(current_unit_id=place), "current_unit_id"),
            (Q(current_agency_id=place), "current_agency_id"),
        ]
    return parts


def _scope_q(user: User) -> Q:
    """The dossiers a user answers for: held, assigned, received at their counter, at
    their unit (unit head), decided by or sitting in their agency (leader)."""
    if sees_province(user):
        return Q()
    return reduce(operator.or_, [q for q, _ in _scope_parts(user, _held_q(user))])


# --------------------------------------------------------------------------- worklist tabs


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    hint: str


TABS: dict[str, Tab] = {
    t.key: t
    for t in (
        Tab("queue", "Chờ tiếp nhận", "Hồ sơ nộp trực tuyến chờ bộ phận một cửa tiếp nhận"),
        Tab("mine", "Việc của tôi", "Hồ sơ đang ở bước xử lý của tôi"),
        Tab("open", "Đang giải quyết", "Hồ sơ đã tiếp nhận, chưa có kết quả"),
        Tab("due_soon", "Sắp đến hạn", "Còn không quá 01 ngày làm việc"),
        Tab("overdue", "Quá hạn", "Đã quá hạn trả kết quả"),
        Tab("paused", "Tạm dừng", "Chờ bổ sung hồ sơ hoặc thực hiện nghĩa vụ tài chính"),
        Tab("results", "Chờ trả kết quả", "Đã có kết quả, chờ trả cho người nộp"),
        Tab("done", "Hoàn thành trong tháng", "Đã có kết quả, từ chối hoặc dừng trong tháng"),
        Tab("all", "Tra cứu", "Mọi hồ sơ tôi được xem"),
    )
}
PAUSED = rules.WAITING_FOR_APPLICANT


def tabs_for(user: User) -> list[Tab]:
    """The tabs that make sense for the user's roles, in display order."""
    counter = user.has_role(Role.COUNTER_OFFICER)
    manager = sees_province(user) or any(
        user.has_role(r) for r in (Role.AGENCY_LEADER, Role.UNIT_HEAD)
    )
    keys = ["queue"] if counter else []
    keys += ["mine"]
    keys += ["open"] if counter or manager else []
    keys += ["due_soon", "overdue", "paused"]
    keys += ["results"] if counter else []
    keys += ["done"] if manager else []
    keys += ["all"]
    return [TABS[k] for k in keys]


def _when_q(key: str, clock: Clock) -> Q:
    """The status and deadline condition of a tab of the user's scope."""
    if key == "open":
        return Q(status__in=list(rules.OPEN))
    if key in ("due_soon", "overdue"):
        return policy.deadline_q(key, clock.now, clock.soon)
    if key == "paused":
        return Q(status__in=list(PAUSED))
    if key == "done":
        return Q(status__in=list(rules.FINISHED), finished_at__gte=clock.month_start)
    raise KeyError(key)


def _tab_q(user: User, key: str, clock: Clock) -> Q:
    """What a tab holds, among the dossiers the user may see (the definition; the lists
    and counts use the equivalent :func:`_tab_dossiers`)."""
    counter_id = _counter_id(user)
    if key == "queue":
        return Q(status=Status.NEW_ONLINE, intake_agency_id=counter_id)
    if key == "results":
        return Q(status=Status.PROCESSED, intake_agency_id=counter_id)
    if key == "mine":
        # Work to do now (``policy.work_q``): not while the applicant must act.
        return _mine_q(user)
    if key == "all":
        return Q()
    return _scope_q(user) & _when_q(key, clock)


@dataclass(frozen=True)
class _Reach:
    """What a user's tabs are made of, resolved once per request (two small queries):
    the dossiers holding an active step of theirs, and their scope as plain column tests
    an index can serve.

    ``visible_dossiers(user).filter(_tab_q(…))`` ORs an EXISTS over every step the user's
    agency ever held with the tab's test: PostgreSQL can only read it row by row over the
    whole history (1.5-2 s at a million dossiers). Each tab is narrower than visibility:
    the dossiers a user holds a step of or received at their counter are visible by
    definition, and the other parts of the scope (assigned to them, their unit's, their
    agency subtree's) are few enough to check visibility row by row. The tab then becomes
    an OR of indexed columns (``pk IN held``, ``intake_agency_id``, ``assignee_id``,
    ``current_agency_id``…) combined with its status and deadline test, which PostgreSQL
    serves with a BitmapOr of index scans whatever the size of the history.
    """

    mine: Q  # the user's held dossiers, as ``pk_in(ids)``
    scope: Q  # visible AND _scope_q(user), with index-friendly tests


def _reach(user: User) -> _Reach | None:
    """The user's reach; None when the generic form is as good (no staff scope)."""
    seen = visibility(user)
    if not seen.everything and not seen.agencies:
        return None  # a citizen, or nothing visible: the generic filters are cheap
    held = _held_step_q(user)
    ids = (
        set()
        if held is None
        else set(DossierStep.objects.filter(held).order_by().values_list("dossier_id", flat=True))
    )
    mine = pk_in(ids)
    if seen.everything:
        # Only superusers and TTHC control see everything, and they answer for it all.
        return _Reach(mine=mine, scope=Q())
    visible = visible_q(seen.agencies)
    subtree = None
    if user.has_role(Role.AGENCY_LEADER) and user.agency is not None:
        # The same agencies as ``deciding_agency__path__startswith``, as indexed ids.
        subtree = sorted(
            Agency.objects.filter(path__startswith=user.agency.path).values_list("pk", flat=True)
        )
    parts = []
    for q, column in _scope_parts(user, mine, subtree):
        if column is not None:
            # ``column IS NOT NULL`` first: on a NULL column ``column = 42`` is NULL, not
            # false, and ``NULL AND visible`` still runs the visibility test (its EXISTS).
            q = Q(**{f"{column}__isnull": False}) & q & visible
        parts.append(q)
    return _Reach(mine=mine, scope=reduce(operator.or_, parts))


def _tab_dossiers(user: User, key: str, clock: Clock) -> QuerySet[Dossier]:
    """``visible_dossiers(user).filter(_tab_q(user, key, clock))``, as tests an index can
    serve (see :class:`_Reach`)."""
    seen = visibility(user)
    if key == "all" or not (seen.everything or seen.agencies):
        return visible_dossiers(user).filter(_tab_q(user, key, clock))
    if key in ("queue", "results", "mine"):
        # Their own counter (their unit or agency), a step they hold (at their agency or
        # unit): visible. "mine" stays a semi-join on the held steps (``_mine_q``): with
        # the ids, PostgreSQL may walk the whole due date index looking for them (due
        # dates are NULL before receipt, last in that order); its count uses the ids.
        return Dossier.objects.filter(_tab_q(user, key, clock))
    reach = _reach(user)
    assert reach is not None  # seen as above
    return Dossier.objects.filter(reach.scope & _when_q(key, clock))


#: Tabs whose count would read the agency's whole history: shown without a badge.
UNCOUNTED_TABS = frozenset({"all"})


def tab_counts(user: User, tabs: Sequence[Tab], clock: Clock) -> dict[str, int | None]:
    """The count of every tab (None for the history tab).

    Only dossiers that can sit in a counted tab are read — not yet in a final status, or
    finished this month — so the cost follows the open work, not years of history. The
    counts are those of ``visible_dossiers(user)``, live, filtered by :func:`_tab_q`;
    they are read from the indexes of each tab's own test (:class:`_Reach`), in four
    queries at most after the reach's: the held dossiers, the counter's queue and
    results, the open work of the user's scope (one row, a column per tab), what it
    finished this month.
    """
    counted = [tab.key for tab in tabs if tab.key not in UNCOUNTED_TABS]
    live = ~Q(status__in=list(rules.TERMINAL)) | Q(finished_at__gte=clock.month_start)
    counts: dict[str, int | None] = {tab.key: None for tab in tabs}
    reach = _reach(user) if counted else None
    if reach is None:
        aggregates: dict[str, Any] = {}
        for key in counted:
            q = _tab_q(user, key, clock)
            aggregates[key] = Count("pk", filter=q) if q else Count("pk")
        if aggregates:
            counts.update(visible_dossiers(user).filter(live).aggregate(**aggregates))
        return counts
    # Every test below but "mine" implies ``live`` (a status that is not final, or
    # finished this month): it is left out.
    if "mine" in counted:
        held = reach.mine & Q(status__in=sorted(policy.WORK_STATUSES))  # held steps' work
        counts["mine"] = Dossier.objects.filter(held, live).count()
    at_counter = [k for k in ("queue", "results") if k in counted]
    if at_counter:
        # The user's own counter (their unit or agency): visible by definition.
        wanted = {key: _tab_q(user, key, clock) for key in at_counter}
        counts.update(
            Dossier.objects.filter(reduce(operator.or_, wanted.values())).aggregate(
                **{key: Count("pk", filter=q) for key, q in wanted.items()}
            )
        )
    open_work = [k for k in ("open", "due_soon", "overdue", "paused") if k in counted]
    if open_work:
        # One pass over the open dossiers of the user's scope; the status list lets each
        # part of the scope be read from an index on (its column, status).
        wanted = {key: _when_q(key, clock) for key in open_work}
        statuses = sorted({s for key in open_work for s in _OPEN_WORK_STATUSES[key]})
        counts.update(
            Dossier.objects.filter(reach.scope, status__in=statuses).aggregate(
                **{key: Count("pk", filter=q) for key, q in wanted.items()}
            )
        )
    if "done" in counted:
        counts["done"] = Dossier.objects.filter(reach.scope & _when_q("done", clock)).count()
    return counts


#: The statuses a dossier of each open-work tab may have (:func:`_when_q`).
_OPEN_WORK_STATUSES: dict[str, frozenset[Status]] = {
    "open": rules.OPEN,
    "due_soon": rules.CLOCK_RUNNING,
    "overdue": rules.CLOCK_RUNNING,
    "paused": PAUSED,
}


_PHONE_LIKE = re.compile(r"[\d\s+.()-]+")


def search_fold(query: str) -> str:
    """The worklist search as stored (``fold``); a phone number as typed — spaces, dots,
    ``+84`` — becomes its digits with the leading 0."""
    text = query.strip()
    if _PHONE_LIKE.fullmatch(text) and sum(ch.isdigit() for ch in text) >= 9:
        digits = "".join(ch for ch in text if ch.isdigit())
        if text.startswith("+84") or (digits.startswith("84") and len(digits) >= 11):
            digits = "0" + digits[2:]
        return digits
    return fold(text)


@dataclass(frozen=True)
class WorklistFilter:
    tab: str = "mine"
    q: str = ""
    procedure_id: int | None = None
    status: str = ""
    place_id: int | None = None  # where the dossier is now (unit, or agency without unit)
    officer_id: int | None = None  # 0: not assigned; NO_ACTIVE_STEP: no step held
    result: str = ""  # "on_time" / "late" (finished dossiers)
    sort: str = "due"


#: ``officer_id`` of the dossiers no active step holds: online ones waiting to be
#: completed before receipt, those of a procedure without an internal process.
NO_ACTIVE_STEP = -1
NO_ACTIVE_STEP_LABEL = "Không ở bước xử lý nào"


SORTS: dict[str, tuple[str, list[Any]]] = {
    "due": ("Hạn xử lý gần nhất", [F("due_at").asc(nulls_last=True), "pk"]),
    "received": ("Mới tiếp nhận", [F("received_on").desc(nulls_last=True), "-pk"]),
    "code": ("Mã hồ sơ", ["code", "pk"]),
}


def worklist(user: User, f: WorklistFilter, clock: Clock) -> QuerySet[Dossier]:
    """The dossiers of one tab with the filters, search and sort applied."""
    qs = _tab_dossiers(user, f.tab, clock)
    if f.q.strip():
        qs = qs.filter(search_text__contains=search_fold(f.q))
    if f.procedure_id:
        qs = qs.filter(procedure_id=f.procedure_id)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.place_id:
        qs = qs.filter(
            Q(current_unit_id=f.place_id)
            | Q(current_unit__isnull=True, current_agency_id=f.place_id)
        )
    if f.officer_id == NO_ACTIVE_STEP:
        active = DossierStep.objects.filter(
            dossier_id=OuterRef("pk"), state=DossierStep.State.ACTIVE
        )
        qs = qs.filter(~Exists(active))
    elif f.officer_id is not None:
        # As the dashboard counts them: a step the officer holds now (0: nobody yet).
        held = DossierStep.objects.filter(
            dossier_id=OuterRef("pk"),
            state=DossierStep.State.ACTIVE,
            assignee_id=f.officer_id or None,
        )
        qs = qs.filter(Exists(held))
    if f.result == "on_time":
        qs = qs.filter(timeliness__in=ON_TIME)
    elif f.result == "late":
        qs = qs.filter(timeliness="late")
    ordering = SORTS.get(f.sort, SORTS["due"])[1]
    # The page's rows first, then what they refer to: joined in the query, PostgreSQL joins
    # every row of the tab before sorting and keeping a page (thousands after an intake
    # rush, the planner's statistics not yet aware of them).
    return (
        qs.annotate(received_on=Coalesce("received_at", "submitted_at"))
        .prefetch_related("procedure", "current_agency", "current_unit", "assignee")
        .order_by(*ordering)
    )


@dataclass(frozen=True)
class WorkRow:
    dossier: Dossier
    level: str  # overdue / due_soon / ok / paused / waiting / finished / closed
    appointment: datetime | None


def dossier_level(dossier: Dossier, clock: Clock) -> str:
    """The deadline column of the worklist and the dossier page (``rules.DEADLINE_LEVEL``;
    the deadline decides while the clock runs)."""
    level = rules.DEADLINE_LEVEL[Status(dossier.status)]
    return clock.level(dossier.due_at) if level is None else level


def work_rows(dossiers: Iterable[Dossier], clock: Clock) -> list[WorkRow]:
    return [WorkRow(d, dossier_level(d, clock), d.appointment.current) for d in dossiers]


def procedures_in_view(user: User) -> list[tuple[int, str]]:
    """(id, "code · name") of the procedures of the dossiers the user may see."""
    ids = visible_dossiers(user).values("procedure_id")
    return [
        (pk, f"{code} · {name}")
        for pk, code, name in Procedure.objects.filter(pk__in=ids)
        .order_by("name")
        .values_list("pk", "code", "name")
    ]


def place_name(place_id: int | None) -> str:
    if not place_id:
        return ""
    return Agency.objects.filter(pk=place_id).values_list("name", flat=True).first() or ""


def officer_name(officer_id: int | None) -> str:
    if officer_id is None:
        return ""
    if officer_id == 0:
        return "Chưa phân công"
    if officer_id == NO_ACTIVE_STEP:
        return NO_ACTIVE_STEP_LABEL
    user = User.objects.filter(pk=officer_id).first()
    return (user.get_full_name() or user.username) if user else ""


# --------------------------------------------------------------------------- dossier page


@dataclass(frozen=True)
class StepRow:
    step: DossierStep
    level: str  # early / on_time / late / overdue / due_soon / running / pending / skipped


@dataclass
class DossierPage:
    dossier: Dossier
    documents: list[DossierDocument]
    loose_attachments: list[Attachment]
    events: list[DossierEvent]
    steps: list[StepRow]
    actions: list[Action]
    forms: list[tuple[str, str]]
    level: str
    specialists: list[User] = field(default_factory=list)
    #: Documents of the procedure's checklist the dossier lacks (online, before receipt:
    #: what the counter officer checks before accepting or asking for a supplement).
    missing: list[str] = field(default_factory=list)


def _step_level(step: DossierStep, clock: Clock, paused: bool) -> str:
    if step.state == DossierStep.State.DONE:
        return step.timeliness or "on_time"
    if step.state == DossierStep.State.SKIPPED:
        return "skipped"
    if step.state == DossierStep.State.PENDING:
        return "pending"
    if paused:
        return "paused"
    level = clock.level(step.due_at)
    return "running" if level == "ok" else level


def next_steps(steps: Sequence[DossierStep], finishing: DossierStep) -> list[DossierStep]:
    """The steps that become active when ``finishing`` is done (the rule:
    :func:`motcua.dossiers.rules.progress.next_steps`, which the service applies)."""
    by_pk = {s.pk: s for s in steps}
    upcoming = rules.progress.next_steps(
        [s.as_progress_step() for s in steps], finishing.as_progress_step()
    )
    return [by_pk[s.key] for s in upcoming]


def natural_actions(
    user: User, dossier: Dossier, allowed: Sequence[Action], steps: Sequence[DossierStep]
) -> list[Action]:
    """The allowed actions with the one the process expects: «Trình ký» when the next
    step is the agency leader's, «Chuyển bước tiếp theo» otherwise (never both)."""
    actions = sorted(allowed, key=lambda a: ACTION_ORDER.index(a) if a in ACTION_ORDER else 99)
    if Status(dossier.status) is not Status.IN_PROGRESS:
        return actions
    active = [s for s in steps if s.state == DossierStep.State.ACTIVE]
    who = policy.person(user)
    found = policy.acting(who, dossier, dossier.status, Action.FORWARD, active) or (
        policy.acting(who, dossier, dossier.status, Action.SUBMIT_FOR_SIGNATURE, active)
    )
    held = found[1] if found else None
    if held is None:
        return actions
    upcoming = next_steps(steps, held)
    to_leader = bool(upcoming) and all(s.role == Actor.AGENCY_LEADER.value for s in upcoming)
    drop = Action.FORWARD if to_leader else Action.SUBMIT_FOR_SIGNATURE
    return [a for a in actions if a is not drop]


#: The order of the buttons: moving the dossier on first, refusals last.
ACTION_ORDER = [
    Action.ACCEPT,
    Action.SIGN,
    Action.SUBMIT_FOR_SIGNATURE,
    Action.FORWARD,
    Action.RETURN_RESULT,
    Action.MARK_RESULT_READY,
    Action.ASSIGN,
    Action.SUPPLEMENT,
    Action.RECORD_PAYMENT,
    Action.REQUEST_SUPPLEMENT,
    Action.REQUEST_PAYMENT,
    Action.RETURN_TO_PREVIOUS,
    Action.ISSUE_APOLOGY,
    Action.REQUEST_WITHDRAWAL,
    Action.STOP,
    Action.REFUSE_INTAKE,
    Action.REJECT,
]


def assignable_specialists(
    user: User, dossier: Dossier, steps: Sequence[DossierStep]
) -> list[User]:
    """Specialists who may be assigned, as the service checks it: of the next step's
    agency when the user hands over from their own step (a counter officer, a unit
    head's step), else of their agency (a unit head: of their unit) where it holds an
    active step."""
    who = policy.person(user)
    active = [s for s in steps if s.state == DossierStep.State.ACTIVE]
    found = policy.acting(who, dossier, dossier.status, Action.ASSIGN, active)
    if found is None:
        return []
    actor, held = found
    if held is not None and held.role != Actor.SPECIALIST.value:
        targets = next_steps(steps, held)
    else:  # the steps the user's own agency holds now
        targets = [s for s in active if s.agency_id in who.places]
    if not targets:
        return []
    where = policy.any_of(
        Q(agency_id=s.agency_id)
        & (Q() if s.unit_id is None else Q(unit__isnull=True) | Q(unit_id=s.unit_id))
        for s in targets
    )
    return list(
        User.objects.filter(where, policy.assignees_q(who, actor))
        .distinct()
        .order_by("full_name", "username")
    )


def dossier_page(user: User, dossier: Dossier, clock: Clock) -> DossierPage:
    """Everything the dossier page shows, in a fixed number of queries."""
    documents = list(dossier.documents.prefetch_related("attachments").order_by("order", "pk"))
    loose = list(dossier.attachments.filter(document__isnull=True).order_by("uploaded_at", "pk"))
    events = list(
        dossier.events.select_related("actor", "actor_agency", "to_agency", "step").order_by("seq")
    )
    steps = list(dossier.steps.select_related("agency", "unit", "assignee"))
    status = Status(dossier.status)
    paused = status in PAUSED
    rows = [StepRow(s, _step_level(s, clock, paused)) for s in steps]
    allowed = natural_actions(user, dossier, allowed_actions_for(user, dossier), steps)
    page = DossierPage(
        dossier=dossier,
        documents=documents,
        loose_attachments=loose,
        events=events,
        steps=rows,
        actions=allowed,
        forms=available_forms(dossier),
        level=dossier_level(dossier, clock),
    )
    if Action.ASSIGN in allowed:
        page.specialists = assignable_specialists(user, dossier, steps)
    if status in rules.PRE_INTAKE:
        have = {d.required_document_id for d in documents}
        to_send, _remarks = dossier.procedure.checklist()
        page.missing = [d.name for d in to_send if d.pk not in have]
    return page


# --------------------------------------------------------------------------- intake


def receivable_offerings(user: User, q: str = "", limit: int = 30) -> list[ProcedureOffering]:
    """Offerings the user's counter may receive (the service's ``_may_receive_for``):
    a service center or one-stop unit receives any procedure of its province
    (Decree 118/2025/NĐ-CP art. 14); another counter its own agency's, its parent's,
    its ancestors' and its subtree's. Own agency first; ``q`` is accent-insensitive."""
    if _counter_id(user) is None:
        return []
    intake = counter_agency(user)
    qs = ProcedureOffering.objects.filter(
        is_active=True, procedure__status=Procedure.Status.IN_FORCE
    )
    ancestors = intake.ancestor_ids() or [intake.pk]
    if intake.kind in (Agency.Kind.SERVICE_CENTER, Agency.Kind.ONE_STOP_UNIT):
        qs = qs.filter(agency__path__startswith=f"/{ancestors[0]}/")
    else:
        qs = qs.filter(
            Q(agency_id__in=ancestors)
            | Q(agency__path__startswith=intake.path)
            | Q(agency__parent_id=intake.pk)
        )
    text = q.strip()
    if text:
        words = Q()
        # The stored search text is ``search_key``: folded, ký/kí spelled alike.
        for word in search_words(text):
            words &= Q(procedure__search_text__contains=word)
        qs = qs.filter(Q(procedure__code__startswith=text) | words)
    own = [pk for pk in (user.agency_id, intake.pk, intake.parent_id) if pk]
    return list(
        qs.select_related("procedure", "agency")
        .annotate(own=Case(When(agency_id__in=own, then=0), default=1, output_field=IntegerField()))
        .order_by("own", "procedure__search_name", "pk")[:limit]
    )


def receivable_offering(user: User, offering_id: int) -> ProcedureOffering | None:
    """One offering the user may receive, with its procedure's required documents."""
    if _counter_id(user) is None:
        return None
    offering = (
        ProcedureOffering.objects.select_related("procedure", "agency")
        .prefetch_related("procedure__documents")
        .filter(pk=offering_id, is_active=True)
        .first()
    )
    if offering is None:
        return None
    allowed = {o.pk for o in receivable_offerings(user, offering.procedure.code, limit=200)}
    return offering if offering.pk in allowed else None


# --------------------------------------------------------------------------- dashboard


@dataclass
class DashRow:
    key: int
    name: str
    open: int = 0
    due_soon: int = 0
    overdue: int = 0
    paused: int = 0
    steps_on_time: int = 0
    steps_late: int = 0


@dataclass
class Dashboard:
    title: str
    totals: dict[str, int]
    by_place: list[DashRow]
    by_officer: list[DashRow]


def may_see_dashboard(user: User) -> bool:
    return sees_province(user) or any(
        user.has_role(r) for r in (Role.AGENCY_LEADER, Role.UNIT_HEAD)
    )


def _open_counts(clock: Clock, *, dossier: str = "", counted: str = "pk") -> dict[str, Any]:
    """Open / due soon / overdue / paused dossiers (by the dossier's deadline, as the
    headline and the worklist tabs count them), counting ``counted``; ``dossier``: the
    path to the dossier's fields (``"dossier__"`` from its steps)."""
    status, due = f"{dossier}status__in", f"{dossier}due_at"
    running = Q(**{status: list(rules.CLOCK_RUNNING)})
    due_soon = Q(**{f"{due}__gte": clock.now, f"{due}__lte": clock.soon})
    overdue = Q(**{f"{due}__lt": clock.now})
    distinct = bool(dossier)
    return {
        "open": Count(counted, filter=Q(**{status: list(rules.OPEN)}), distinct=distinct),
        "due_soon": Count(counted, filter=running & due_soon, distinct=distinct),
        "overdue": Count(counted, filter=running & overdue, distinct=distinct),
        "paused": Count(counted, filter=Q(**{status: list(PAUSED)}), distinct=distinct),
    }


def dashboard(user: User, clock: Clock, officer_limit: int = 50) -> Dashboard:
    """Counts for a leader's agency (a unit head's unit; the province for TTHC control):
    by where the dossiers are now, by officer, and steps finished this month."""
    base = visible_dossiers(user).filter(_scope_q(user))
    done = Q(status__in=list(rules.FINISHED), finished_at__gte=clock.month_start)
    totals = dict(
        base.aggregate(
            **_open_counts(clock),
            done_on_time=Count("pk", filter=done & Q(timeliness__in=ON_TIME)),
            done_late=Count("pk", filter=done & Q(timeliness="late")),
        )
    )
    current = base.filter(status__in=list(rules.OPEN | PAUSED))
    places: dict[int, DashRow] = {}
    for row in current.values("current_unit_id", "current_agency_id").annotate(
        **_open_counts(clock)
    ):
        key = row["current_unit_id"] or row["current_agency_id"]
        if key is None:
            continue
        target = places.setdefault(key, DashRow(key, ""))
        for name in ("open", "due_soon", "overdue", "paused"):
            setattr(target, name, getattr(target, name) + row[name])
    officers: dict[int, DashRow] = {}
    # By the steps each officer holds now (parallel branches: several holders of one
    # dossier); 0: steps nobody has been assigned yet.
    held = DossierStep.objects.filter(
        dossier__in=current.values("pk"), state=DossierStep.State.ACTIVE
    )
    for row in held.values("assignee_id").annotate(
        **_open_counts(clock, dossier="dossier__", counted="dossier")
    ):
        key = row["assignee_id"] or 0
        officers[key] = DashRow(
            key, "", row["open"], row["due_soon"], row["overdue"], row["paused"]
        )
    # Dossiers no active step holds have a row too: the table counts what the tiles do.
    unheld = current.exclude(pk__in=held.values("dossier_id")).aggregate(**_open_counts(clock))
    if any(unheld.values()):
        officers[NO_ACTIVE_STEP] = DashRow(
            NO_ACTIVE_STEP,
            NO_ACTIVE_STEP_LABEL,
            unheld["open"],
            unheld["due_soon"],
            unheld["overdue"],
            unheld["paused"],
        )
    finished = DossierStep.objects.filter(
        dossier__in=base.values("pk"),
        state=DossierStep.State.DONE,
        finished_at__gte=clock.month_start,
    )
    step_counts = {
        "ok": Count("pk", filter=Q(timeliness__in=ON_TIME)),
        "late": Count("pk", filter=Q(timeliness="late")),
    }
    for row in finished.values("unit_id", "agency_id").annotate(**step_counts):
        key = row["unit_id"] or row["agency_id"]
        target = places.setdefault(key, DashRow(key, ""))
        target.steps_on_time += row["ok"]
        target.steps_late += row["late"]
    for row in finished.exclude(assignee=None).values("assignee_id").annotate(**step_counts):
        target = officers.setdefault(row["assignee_id"], DashRow(row["assignee_id"], ""))
        target.steps_on_time += row["ok"]
        target.steps_late += row["late"]
    names = dict(Agency.objects.filter(pk__in=places).values_list("pk", "name"))
    for place in places.values():
        place.name = names.get(place.key, "")
    people = {u.pk: u.get_full_name() or u.username for u in User.objects.filter(pk__in=officers)}
    for officer in officers.values():
        officer.name = people.get(officer.key) or officer.name or "Chưa phân công cán bộ"
    # The officers by their open dossiers; then the steps nobody was assigned, and the
    # dossiers at no step, kept whatever the limit.
    named = sorted((r for r in officers.values() if r.key > 0), key=lambda r: (-r.open, r.name))
    by_officer = named[:officer_limit] + [officers[k] for k in (0, NO_ACTIVE_STEP) if k in officers]
    if sees_province(user):
        title = "Toàn tỉnh"
    elif user.has_role(Role.AGENCY_LEADER) and user.agency is not None:
        title = user.agency.name
    else:
        title = (user.unit or user.agency or Agency(name="")).name
    return Dashboard(
        title=title,
        totals=totals,
        by_place=sorted(places.values(), key=lambda r: (-r.open, r.name)),
        by_officer=by_officer,
    )


# --------------------------------------------------------------------------- deadline warnings


@dataclass(frozen=True)
class DeadlineWarning:
    dossier: Dossier
    step: DossierStep | None
    kind: str  # due_soon / overdue
    due: datetime


def deadline_warnings(now: datetime, horizon_days: int = 14) -> list[DeadlineWarning]:
    """Open dossiers (clock running) and their active steps due within one working day
    of ``now`` (on the deciding agency's calendar) or overdue.

    ``horizon_days`` calendar days bound the candidates read (one working day is never
    longer, even across Tết); each is then checked with ``rules.warning_level``.
    """
    bound = now + timedelta(days=horizon_days)
    running = list(rules.CLOCK_RUNNING)
    found: list[DeadlineWarning] = []
    dossiers = Dossier.objects.filter(status__in=running, due_at__lte=bound).select_related(
        "deciding_agency"
    )
    for d in dossiers:
        assert d.due_at is not None
        kind = _warning_kind(d.deciding_agency, now, d.due_at)
        if kind:
            found.append(DeadlineWarning(d, None, kind, d.due_at))
    steps = DossierStep.objects.filter(
        state=DossierStep.State.ACTIVE, dossier__status__in=running, due_at__lte=bound
    ).select_related("dossier__deciding_agency", "agency", "unit")
    for s in steps:
        assert s.due_at is not None
        kind = _warning_kind(s.dossier.deciding_agency, now, s.due_at)
        if kind:
            found.append(DeadlineWarning(s.dossier, s, kind, s.due_at))
    return found


def _warning_kind(agency: Agency, now: datetime, due: datetime) -> str:
    level = rules.warning_level(calendar_for(agency), now, due)
    return "" if level is rules.WarningLevel.OK else level.value


def step_holders(step: DossierStep) -> list[User]:
    """Who holds a step now (``policy.holders_q``)."""
    return list(
        User.objects.filter(policy.holders_q(step), kind=User.Kind.STAFF, is_active=True)
        .distinct()
        .order_by("pk")
    )


def agency_leaders(agency: Agency) -> list[User]:
    """Leaders of ``agency`` (of its parent when it is a unit or one-stop unit)."""
    ids = [agency.pk]
    if agency.kind in (Agency.Kind.UNIT, Agency.Kind.ONE_STOP_UNIT) and agency.parent_id:
        ids.append(agency.parent_id)
    return list(
        User.objects.filter(
            agency_id__in=ids,
            kind=User.Kind.STAFF,
            is_active=True,
            role_assignments__role=Role.AGENCY_LEADER.value,
        ).distinct()
    )


def local_text(instant: datetime) -> str:
    """ "HH:MM dd/mm/yyyy" in local time."""
    return timezone.localtime(instant).strftime("%H:%M %d/%m/%Y")


__all__ = [
    "PAGE_SIZE",
    "SORTS",
    "TABS",
    "Clock",
    "Dashboard",
    "DossierPage",
    "Tab",
    "WorkRow",
    "WorklistFilter",
    "agency_leaders",
    "clock_for",
    "dashboard",
    "deadline_warnings",
    "dossier_page",
    "end_of_working_day",
    "holds_step",
    "local_text",
    "may_see_dashboard",
    "natural_actions",
    "procedures_in_view",
    "receivable_offering",
    "receivable_offerings",
    "step_holders",
    "tab_counts",
    "tabs_for",
    "work_rows",
    "worklist",
]
