"""Who may see a dossier, who holds a step, who may act, upload, and what is due soon.

The one home of these rules. Each predicate is a pure function over plain facts — a
:class:`Person` (the user's agency, unit, roles), a step's agency, unit, role, assignee
and state, a dossier's agencies — with its ``Q`` form written right beside it. The
services, the worklists and their counts, the dashboard, the upload check, the API and the
simulation import them; nothing else restates them (``tests/test_policy.py`` holds each
pair equal on random worlds).

The division of work, from Decree 118/2025/NĐ-CP (arts. 15-19: the one-stop unit receives
and returns, the competent agency handles, its head decides) and the internal processes
provinces publish under it (step by step: receive, handle at the unit, sign, return):

- the **counter officer** (bộ phận một cửa) holds the steps of their counter: receive,
  return; at their counter they also record what the applicant does (supplement,
  withdrawal, payment) and refuse or accept online dossiers;
- the **specialist** of the step's unit holds the step (the one assigned to it, else any
  specialist of that unit);
- the **unit head** assigns the unit's specialists, and may take over an unassigned
  step of their own unit instead of assigning it; they hold their own (unit head) steps;
- the **agency leader** signs (the leader's steps), and decides for the agency:
  assignment, refusal, stop, apology with a new date (the deciding agency's leader);
- the **clerk** (văn thư) issues and sends results: the clerk's steps, no more.

"At their agency" means the step sits at the user's agency or at the unit node
(phòng, one-stop unit) the user belongs to; a step of a unit is held by the staff of that
unit, or by staff of the agency who belong to no unit.
"""

from __future__ import annotations

import operator
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from typing import Protocol, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q

from motcua.accounts.access import agency_scope_ids
from motcua.accounts.models import User
from motcua.accounts.roles import Role
from motcua.dossiers import rules
from motcua.dossiers.models import DossierStep
from motcua.dossiers.rules import Action, Actor
from motcua.worktime.rules import WorkCalendar, due_after

AnyUser = AbstractBaseUser | AnonymousUser | None

ACTIVE = DossierStep.State.ACTIVE.value

# --------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class Person:
    """What the rules know of a user."""

    pk: int | None = None
    #: An active staff account (cán bộ, công chức).
    staff: bool = False
    #: An active account that is not staff (a citizen or business).
    applicant: bool = False
    superuser: bool = False
    agency_id: int | None = None
    unit_id: int | None = None
    roles: frozenset[Role] = frozenset()
    #: The agencies whose dossiers the user answers for: their own agency; an agency
    #: administrator's whole subtree (``accounts.access.agency_scope_ids``).
    scope: frozenset[int] = frozenset()

    @property
    def places(self) -> frozenset[int]:
        """Where a step the user holds may sit: their agency and their unit node."""
        return frozenset(pk for pk in (self.agency_id, self.unit_id) if pk is not None)

    def has(self, role: Role) -> bool:
        return role in self.roles

    @property
    def actors(self) -> list[Actor]:
        """The staff actors the user's roles act as, in :class:`Actor` order."""
        if not self.staff:
            return []
        found = {a for r in self.roles if (a := rules.actor_for_role(r)) is not None}
        return [a for a in Actor if a in found]


def person(user: AnyUser) -> Person:
    """The facts of ``user`` (one query for an administrator's subtree, none otherwise
    once the roles are read; kept on the user object for the request)."""
    if not isinstance(user, User) or not user.is_active:
        return Person()
    cached: Person | None = getattr(user, "_policy_person", None)
    if cached is not None:
        return cached
    staff = user.kind == User.Kind.STAFF
    roles = user.role_set() if staff else frozenset()
    scope = agency_scope_ids(user) if staff else set()
    found = Person(
        pk=user.pk,
        staff=staff,
        applicant=not staff,
        superuser=user.is_superuser,
        agency_id=user.agency_id,
        unit_id=user.unit_id,
        roles=roles,
        scope=frozenset(scope or ()),
    )
    user._policy_person = found  # type: ignore[attr-defined]
    return found


class StepFacts(Protocol):
    """A step as the rules read it (a ``DossierStep`` row, or a plain record)."""

    @property
    def agency_id(self) -> int: ...
    @property
    def unit_id(self) -> int | None: ...
    @property
    def role(self) -> str: ...
    @property
    def assignee_id(self) -> int | None: ...
    @property
    def state(self) -> str: ...


class DossierFacts(Protocol):
    """A dossier as the rules read it."""

    @property
    def deciding_agency_id(self) -> int: ...
    @property
    def intake_agency_id(self) -> int: ...
    @property
    def applicant_user_id(self) -> int | None: ...
    @property
    def spans_agencies(self) -> bool: ...


# --------------------------------------------------------------------------- seeing


@dataclass(frozen=True)
class Visibility:
    """Which dossiers a user may read, resolved once.

    Exactly one shape: ``everything`` (superusers, TTHC control), ``agencies`` (other
    staff: the dossiers these agencies decide, received or hold or held a step of),
    ``applicant_id`` (a citizen: their own dossiers), or nothing at all.
    """

    everything: bool = False
    agencies: frozenset[int] = frozenset()
    applicant_id: int | None = None


def visibility_of(who: Person) -> Visibility:
    """Staff see the dossiers their agency decides, received, or holds (or held) a step
    of; an agency administrator those of the agencies below theirs; TTHC-control officers
    and superusers the whole province. Citizens see their own dossiers."""
    if who.superuser:
        return Visibility(everything=True)
    if not who.staff:
        return Visibility(applicant_id=who.pk) if who.applicant else Visibility()
    if who.has(Role.TTHC_CONTROL):
        return Visibility(everything=True)
    if not who.scope:
        return Visibility()
    scope = who.scope
    if who.unit_id is not None:
        # A one-stop unit receives for any agency of the province (Decree 118/2025/NĐ-CP
        # art. 14): what its officers received or hold there is theirs to see.
        scope = scope | {who.unit_id}
    return Visibility(agencies=frozenset(scope))


def visibility(user: AnyUser) -> Visibility:
    return visibility_of(person(user))


def sees(seen: Visibility, dossier: DossierFacts, step_agency_ids: Iterable[int]) -> bool:
    """Whether ``seen`` includes ``dossier``, whose steps are at ``step_agency_ids``.
    The ``Q`` form: :func:`visible_q` (and its disjoint parts, :func:`visible_parts_q`)."""
    if seen.everything:
        return True
    if seen.applicant_id is not None:
        return dossier.applicant_user_id == seen.applicant_id
    agencies = seen.agencies
    return bool(agencies) and (
        dossier.deciding_agency_id in agencies
        or dossier.intake_agency_id in agencies
        or (dossier.spans_agencies and any(agency_id in agencies for agency_id in step_agency_ids))
    )


class _ProbedExists(Exists):
    """``EXISTS (… LIMIT 1 OFFSET 0)``: the ``OFFSET`` keeps PostgreSQL from turning the
    test into a hashed subplan, so it probes the index for each row it reaches."""

    template = "EXISTS(%(subquery)s OFFSET 0)"


def _stepped(ids: list[int], *, probe_each_row: bool = False) -> Q:
    # EXISTS, not ``pk IN (…)``: PostgreSQL probes the steps of each candidate row instead
    # of hashing every step the agency ever held (120,000 rows for a busy commune in a
    # year); on a million dossiers the hashed form cost 20 ms per by-code access.
    steps = DossierStep.objects.filter(dossier_id=OuterRef("pk"), agency_id__in=ids)
    held = _ProbedExists(steps) if probe_each_row else Exists(steps)
    # Only a dossier that spans agencies has steps elsewhere than where it is decided and
    # received: the others are not probed.
    return Q(spans_agencies=True) & Q(held)


def visible_q(agencies: Collection[int], *, probe_each_row: bool = False) -> Q:
    """:func:`sees` for agency-scoped staff, on ``Dossier``: the dossiers ``agencies``
    decide, received, or hold (or held) a step of.

    As a filter of its own this reads the agencies' whole history (the step test cannot
    use an index inside the OR); lists that are narrower anyway (a worklist tab) test it
    on their few candidate rows only, see ``motcua.dossiers.queries``.

    ``probe_each_row``: for a walk that stops early (the newest page of a busy agency's
    dossiers), where PostgreSQL would otherwise hash every step the agencies ever held
    (130,000 for a busy commune: 200 ms) to test the few hundred rows it walks (1 ms).
    """
    ids = sorted(agencies)
    return (
        Q(deciding_agency_id__in=ids)
        | Q(intake_agency_id__in=ids)
        | _stepped(ids, probe_each_row=probe_each_row)
    )


def visible_parts_q(agencies: Collection[int]) -> list[Q]:
    """:func:`visible_q` as three disjoint parts, each served by its own index: decided
    by the agencies; received there and not decided there; a step held there and neither
    (read from the index of the dossiers that span agencies, a few percent)."""
    ids = sorted(agencies)
    decided = Q(deciding_agency_id__in=ids)
    received = Q(intake_agency_id__in=ids)
    return [decided, received & ~decided, _stepped(ids) & ~decided & ~received]


# --------------------------------------------------------------------------- holding

#: The actions that move the step their doer holds (``acts_through`` gives that step).
STEP_ACTIONS = frozenset(
    {
        Action.FORWARD,
        Action.RETURN_TO_PREVIOUS,
        Action.SUBMIT_FOR_SIGNATURE,
        Action.SIGN,
        Action.MARK_RESULT_READY,
        Action.RETURN_RESULT,
    }
)
#: The statuses in which the holder of a step has a step action to take: a held step is
#: work to do ("mine") in these only — not while the applicant must act (supplement,
#: fees), nor once a withdrawal is asked for (the unit then issues the stop notice).
WORK_STATUSES = frozenset(
    status
    for (status, action) in rules.TRANSITIONS
    if status is not None and action in STEP_ACTIONS
)


def has_work(who: Person, status: str, steps: Iterable[StepFacts]) -> bool:
    """Whether the dossier is in ``who``'s "mine" tab: a step of it they hold, in a
    status where they have something to do with it (``Q`` form: :func:`work_q`)."""
    return status in WORK_STATUSES and any(holds(who, s) for s in steps)


def held_q(who: Person) -> Q:
    """On ``Dossier``: those with a step ``who`` holds (:func:`holds`), in any status."""
    held = held_steps_q(who)
    if held is None:
        return Q(pk__in=[])
    return Q(Exists(DossierStep.objects.filter(held, dossier_id=OuterRef("pk"))))


def work_q(who: Person) -> Q:
    """:func:`has_work` on ``Dossier``."""
    return Q(status__in=sorted(WORK_STATUSES)) & held_q(who)


#: The step roles a staff actor holds: their own, and for a unit head the specialists'
#: steps of their unit that nobody was assigned to (they may take one over).
_HELD_ROLES: dict[Actor, frozenset[str]] = {
    Actor.COUNTER_OFFICER: frozenset({Actor.COUNTER_OFFICER.value}),
    Actor.SPECIALIST: frozenset({Actor.SPECIALIST.value}),
    Actor.UNIT_HEAD: frozenset({Actor.UNIT_HEAD.value, Actor.SPECIALIST.value}),
    Actor.AGENCY_LEADER: frozenset({Actor.AGENCY_LEADER.value}),
    Actor.CLERK: frozenset({Actor.CLERK.value}),
}


def _at_place(who: Person, step: StepFacts) -> bool:
    return step.agency_id in who.places and (
        step.unit_id is None or who.unit_id is None or who.unit_id == step.unit_id
    )


def holds_as(who: Person, step: StepFacts, actor: Actor) -> bool:
    """Whether ``who``, acting as ``actor``, holds ``step`` now: an active step at their
    agency or unit node, of their unit, of a role the actor holds (:data:`_HELD_ROLES`),
    assigned to them or to nobody. A unit head takes over only a step of another role
    that nobody was assigned to, or one assigned to them."""
    if not who.staff or actor not in who.actors or step.state != ACTIVE:
        return False
    if not _at_place(who, step) or step.role not in _HELD_ROLES.get(actor, frozenset()):
        return False
    return step.assignee_id is None or step.assignee_id == who.pk


def holds(who: Person, step: StepFacts) -> bool:
    """Whether ``who`` holds ``step`` as any of their actors. ``Q`` form:
    :func:`held_steps_q` (on steps), :func:`holders_q` (on users)."""
    return any(holds_as(who, step, actor) for actor in who.actors)


def held_steps_q(who: Person) -> Q | None:
    """:func:`holds` on ``DossierStep``: the steps ``who`` holds (None: none)."""
    roles = sorted({r for a in who.actors for r in _HELD_ROLES.get(a, frozenset())})
    if not roles or not who.places or who.pk is None:
        return None
    unit_ok = Q() if who.unit_id is None else Q(unit__isnull=True) | Q(unit_id=who.unit_id)
    return (
        Q(state=ACTIVE, agency_id__in=sorted(who.places), role__in=roles)
        & unit_ok
        & (Q(assignee__isnull=True) | Q(assignee_id=who.pk))
    )


def holders_q(step: StepFacts) -> Q:
    """:func:`holds` on ``User``: the staff who hold ``step`` (an active step), whatever
    else they are (the filter does not test ``is_active`` or the kind: add them)."""
    if step.state != ACTIVE:
        return Q(pk__in=[])
    place = Q(agency_id=step.agency_id) | Q(unit_id=step.agency_id)
    unit_ok = Q() if step.unit_id is None else Q(unit__isnull=True) | Q(unit_id=step.unit_id)
    roles = sorted(
        a.value for a, held in _HELD_ROLES.items() if step.role in held
    )  # the roles whose actor holds a step of this role
    who = Q(role_assignments__role__in=roles)
    if step.assignee_id is not None:
        who &= Q(pk=step.assignee_id)
    return place & unit_ok & who


# --------------------------------------------------------------------------- acting

S = TypeVar("S", bound=StepFacts)

#: Actions of the agency's management rather than of whoever holds the current step.
MANAGEMENT = frozenset({Action.ISSUE_APOLOGY, Action.REJECT, Action.STOP, Action.ASSIGN})
#: What a counter officer does at their counter without holding a step: receive or
#: refuse, record what the applicant does (supplement, withdrawal, payment), ask for a
#: supplement before receipt, notify fees, issue the stop notice (Decree 118/2025/NĐ-CP
#: arts. 15-21; the table of ``rules.transitions`` says in which status).
COUNTER_DESK = frozenset(
    {
        Action.ACCEPT,
        Action.REFUSE_INTAKE,
        Action.REQUEST_SUPPLEMENT,
        Action.SUPPLEMENT,
        Action.REQUEST_PAYMENT,
        Action.RECORD_PAYMENT,
        Action.REQUEST_WITHDRAWAL,
        Action.STOP,
    }
)


def candidate_actors(who: Person, dossier: DossierFacts, *, as_system: bool = False) -> list[Actor]:
    """The actors ``who`` may act as on ``dossier``: their staff roles; the applicant on
    their own dossier; the system when nobody acts (``as_system``)."""
    if who.pk is None:
        return [Actor.SYSTEM] if as_system else []
    if not who.staff:
        return [Actor.APPLICANT] if dossier.applicant_user_id == who.pk else []
    return who.actors


def acts_through(
    who: Person, dossier: DossierFacts, actor: Actor, action: Action, active: list[S]
) -> S | bool:
    """Whether ``who`` acting as ``actor`` may do ``action`` on this dossier: the step
    they act through (the one they hold, or for management the one their agency holds),
    ``True`` when no step is involved, ``False`` when they may not. Whether the status
    allows it is the transition table's (``rules.transitions``)."""
    if actor in (Actor.SYSTEM, Actor.APPLICANT):
        return True
    held = next((s for s in active if holds_as(who, s, actor)), None)
    agencies = {dossier.intake_agency_id, dossier.deciding_agency_id}
    if actor is Actor.COUNTER_OFFICER:
        if held is not None:
            return held
        return bool(who.places & agencies) and action in COUNTER_DESK
    if action is Action.ISSUE_APOLOGY:
        # The deciding agency apologises and sets the new date, for the whole dossier
        # (provincial rules under Decree 118/2025/NĐ-CP, as Decree 107/2021 before;
        # article unverified, see rules.transitions._APOLOGY).
        return actor is Actor.AGENCY_LEADER and who.agency_id == dossier.deciding_agency_id
    if action in MANAGEMENT and actor in (Actor.UNIT_HEAD, Actor.AGENCY_LEADER):
        if held is not None:
            return held
        ours = [s for s in active if s.agency_id == who.agency_id and _managed(who, actor, s)]
        if who.agency_id in agencies or ours:
            return ours[0] if ours else True
        return False
    return held if held is not None else False


def acting(
    who: Person, dossier: DossierFacts, status: str, action: Action, active: list[S]
) -> tuple[Actor, S | None] | None:
    """The actor ``who`` would do ``action`` as, in ``status``, and the step they act
    through: the first of their actors the transition table allows that may act
    (:func:`acts_through`), as the service picks it; None when none may."""
    row = rules.TRANSITIONS.get((rules.Status(status), action))
    if row is None:
        return None
    for actor in candidate_actors(who, dossier):
        if actor in row.actors and (through := acts_through(who, dossier, actor, action, active)):
            return actor, (None if through is True else through)
    return None


def _managed(who: Person, actor: Actor, step: StepFacts) -> bool:
    """A leader manages every step of their agency, a unit head those of their unit."""
    if actor is Actor.AGENCY_LEADER or who.unit_id is None:
        return True
    return step.unit_id in (None, who.unit_id)


def may_assign(who: Person, actor: Actor, assignee: Person) -> bool:
    """A unit head assigns the specialists of their own unit; a leader and a counter
    officer handing over those of the agency that holds the step (the service checks the
    agency). ``Q`` form: :func:`assignees_q`."""
    if not assignee.staff or not assignee.has(Role.SPECIALIST):
        return False
    if actor is Actor.UNIT_HEAD and who.unit_id is not None:
        return assignee.unit_id == who.unit_id
    return True


def assignees_q(who: Person, actor: Actor) -> Q:
    """:func:`may_assign` on ``User`` (active staff only)."""
    q = Q(kind=User.Kind.STAFF, is_active=True, role_assignments__role=Role.SPECIALIST.value)
    if actor is Actor.UNIT_HEAD and who.unit_id is not None:
        q &= Q(unit_id=who.unit_id)
    return q


# --------------------------------------------------------------------------- files


def may_upload(who: Person, dossier: DossierFacts, steps: Iterable[StepFacts]) -> bool:
    """Who adds files to a dossier they can see: the counter where it was filed, whoever
    holds one of its steps now, and the clerks and leaders of the deciding agency (the
    result's electronic copy). Seeing a dossier alone is not enough."""
    if not who.staff:
        return False
    if who.has(Role.COUNTER_OFFICER) and dossier.intake_agency_id in who.places:
        return True
    if any(holds(who, step) for step in steps):
        return True
    deciding = dossier.deciding_agency_id == who.agency_id
    return deciding and (who.has(Role.CLERK) or who.has(Role.AGENCY_LEADER))


# --------------------------------------------------------------------------- deadlines


def due_soon_until(cal: WorkCalendar, now: datetime) -> datetime:
    """The instant up to which a running deadline is "due soon": one working day
    (``rules.DEFAULT_DUE_SOON_WORKING_HOURS``) of the calendar from ``now``. The same
    test as ``rules.warning_level(...) is DUE_SOON``. Read it on the calendar of the
    user's agency (``queries.clock_for``) wherever a list says "due soon"."""
    return due_after(
        cal, now, working_hours=rules.DEFAULT_DUE_SOON_WORKING_HOURS, apply_cutoff=False
    )


def deadline_level(due: datetime | None, now: datetime, soon: datetime) -> str:
    """``overdue``, ``due_soon`` or ``ok`` for a running deadline (``Q``:
    :func:`deadline_q`)."""
    if due is None:
        return "ok"
    if due < now:
        return "overdue"
    return "due_soon" if due <= soon else "ok"


def deadline_q(level: str, now: datetime, soon: datetime) -> Q:
    """:func:`deadline_level` on running dossiers' ``due_at``."""
    running = Q(status__in=[s.value for s in rules.CLOCK_RUNNING])
    if level == "overdue":
        return running & Q(due_at__lt=now)
    if level == "due_soon":
        return running & Q(due_at__gte=now, due_at__lte=soon)
    raise ValueError(level)


def any_of(parts: Iterable[Q]) -> Q:
    """The OR of ``parts`` (none: nothing)."""
    found = list(parts)
    return reduce(operator.or_, found) if found else Q(pk__in=[])


__all__ = [
    "COUNTER_DESK",
    "MANAGEMENT",
    "STEP_ACTIONS",
    "WORK_STATUSES",
    "DossierFacts",
    "Person",
    "StepFacts",
    "Visibility",
    "acting",
    "acts_through",
    "any_of",
    "assignees_q",
    "candidate_actors",
    "deadline_level",
    "deadline_q",
    "due_soon_until",
    "has_work",
    "held_q",
    "held_steps_q",
    "holders_q",
    "holds",
    "holds_as",
    "may_assign",
    "may_upload",
    "person",
    "sees",
    "visibility",
    "visibility_of",
    "visible_parts_q",
    "visible_q",
    "work_q",
]
