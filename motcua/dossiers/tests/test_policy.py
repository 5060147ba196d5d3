"""``dossiers.policy``: each predicate equals its ``Q`` form on random worlds, and what the
"mine" tab lists is exactly what its user may act on.

The worlds are drawn by hypothesis: agencies and units of the test province, users with
random role sets and places, dossiers with steps in every state at random agencies, units,
roles and assignees, parallel branches included. Each example is rolled back.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.db.models import Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.accounts.models import User
from motcua.accounts.roles import Role
from motcua.accounts.services import create_staff_user
from motcua.agencies.models import Agency
from motcua.agencies.services import save_agency
from motcua.dossiers import policy, queries, rules
from motcua.dossiers.access import visible_dossiers, visible_values
from motcua.dossiers.errors import DossierPermissionDenied, InvalidDossierInput
from motcua.dossiers.models import Dossier, DossierEvent, DossierStep
from motcua.dossiers.rules import Action, Status
from motcua.dossiers.services import allowed_actions_for, perform_action, receive_at_counter
from motcua.portal.applications import Registration, register_citizen
from motcua.testing.personas import APPLICANT, DOCUMENTS, PASSWORD, Province

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=VN)
STEP_ROLES = [r.value for r in (Role.COUNTER_OFFICER, Role.SPECIALIST, Role.UNIT_HEAD)] + [
    Role.AGENCY_LEADER.value,
    Role.CLERK.value,
]
STATES = [s.value for s in DossierStep.State]


def _places(p: Province) -> list[Agency]:
    return [
        p.commune,
        p.one_stop,
        p.justice,
        p.police,
        p.police_unit,
        p.insurance,
        p.insurance_unit,
        p.other_commune,
    ]


def _units(p: Province) -> list[Agency | None]:
    return [None, p.justice, p.one_stop, p.police_unit, p.insurance_unit]


def _posts(p: Province) -> list[tuple[Agency, Agency | None]]:
    """Where a staff member may work: an agency, and a unit of it or none."""
    return [
        (p.commune, None),
        (p.commune, p.justice),
        (p.commune, p.one_stop),
        (p.police, None),
        (p.police, p.police_unit),
        (p.insurance, p.insurance_unit),
        (p.other_commune, None),
    ]


# A person: (post index, roles). A dossier: (deciding, intake, status,
# steps); a step: (agency, unit, role, state, assignee index or None, stage, branch).
person_st = st.tuples(
    st.integers(0, 6),
    st.frozensets(st.sampled_from(list(Role)), max_size=3),
)
step_st = st.tuples(
    st.integers(0, 7),
    st.integers(0, 4),
    st.sampled_from(STEP_ROLES),
    st.sampled_from(STATES),
    st.one_of(st.none(), st.integers(0, 5)),
    st.integers(0, 3),
    st.integers(0, 2),
)
dossier_st = st.tuples(
    st.integers(0, 7),
    st.integers(0, 7),
    st.sampled_from([s.value for s in Status]),
    st.lists(step_st, max_size=5),
    st.one_of(st.none(), st.integers(-30, 30)),  # due: hours from NOW
)
world_st = st.tuples(st.lists(person_st, min_size=1, max_size=5), st.lists(dossier_st, max_size=5))

_codes = itertools.count(1)


def _clone(template: Dossier, **fields: Any) -> Dossier:
    values = {
        f.attname: getattr(template, f.attname)
        for f in Dossier._meta.concrete_fields
        if not f.primary_key and f.attname not in ("created_at", "updated_at")
    }
    values.update(code=f"TEST-{next(_codes):06d}", **fields)
    return Dossier.objects.create(**values)


def _build(p: Province, template: Dossier, world: Any) -> tuple[list[User], list[Dossier]]:
    people_spec, dossier_spec = world
    places, units = _places(p), _units(p)
    people: list[User] = []
    posts = _posts(p)
    for post_i, roles in people_spec:
        agency, unit = posts[post_i]
        user = create_staff_user(
            f"u{next(_codes)}",
            full_name="Cán Bộ Thử",
            agency=agency,
            unit=unit,
            roles=sorted(roles),
            password=PASSWORD,
        )
        people.append(user)
    citizen = register_citizen(
        Registration("Người Nộp Thử", f"0891{next(_codes):08d}", "", "", PASSWORD)
    )
    people.append(citizen)
    dossiers = []
    for deciding_i, intake_i, status, steps, due in dossier_spec:
        d = _clone(
            template,
            deciding_agency=places[deciding_i],
            intake_agency=places[intake_i],
            status=status,
            due_at=None if due is None else NOW + timedelta(hours=due),
            applicant_user=citizen if deciding_i % 2 else None,
        )
        spans = False
        for i, (agency_i, unit_i, role, state, assignee_i, stage, branch) in enumerate(steps):
            assignee = None if assignee_i is None else people[assignee_i % len(people)]
            DossierStep.objects.create(
                dossier=d,
                stage=stage,
                branch=branch,
                position=i,
                name=f"Bước {i}",
                agency=places[agency_i],
                unit=units[unit_i],
                role=role,
                hours=4,
                state=state,
                assignee=assignee,
            )
            spans = spans or places[agency_i].pk not in (d.deciding_agency_id, d.intake_agency_id)
        Dossier.objects.filter(pk=d.pk).update(spans_agencies=spans)
        d.spans_agencies = spans
        dossiers.append(d)
    return people, dossiers


def _rolled_back(check: Callable[[], None]) -> None:
    with transaction.atomic():
        check()
        transaction.set_rollback(True)


@pytest.fixture
def template(province: Province) -> Dossier:
    return receive_at_counter(
        acting_user=province.counter,
        offering=province.offering,
        applicant=APPLICANT,
        documents=DOCUMENTS,
        at=NOW,
    )


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=world_st)
def test_each_predicate_equals_its_query_on_random_worlds(
    province: Province, template: Dossier, world: Any
) -> None:
    def check() -> None:
        _build(province, template, world)
        steps = list(DossierStep.objects.all())
        by_dossier: dict[int, list[DossierStep]] = {}
        for s in steps:
            by_dossier.setdefault(s.dossier_id, []).append(s)
        every = list(User.objects.all())
        for user in every:
            who = policy.person(user)
            held_q = policy.held_steps_q(who)
            held_ids = (
                set()
                if held_q is None
                else set(DossierStep.objects.filter(held_q).values_list("pk", flat=True))
            )
            assert held_ids == {s.pk for s in steps if policy.holds(who, s)}, user
            seen = policy.visibility(user)
            listed = set(visible_dossiers(user).values_list("pk", flat=True))
            parts = {row["pk"] for row in visible_values(user, Q())}
            worked = set(Dossier.objects.filter(policy.work_q(who)).values_list("pk", flat=True))
            for d in Dossier.objects.all():
                ds = by_dossier.get(d.pk, [])
                assert policy.sees(seen, d, (s.agency_id for s in ds)) == (d.pk in listed), (
                    user,
                    d,
                )
                assert (d.pk in listed) == (d.pk in parts), (user, d)
                assert policy.has_work(who, d.status, ds) == (d.pk in worked), (user, d)
        for step in steps:
            holders = set(
                User.objects.filter(policy.holders_q(step), kind=User.Kind.STAFF, is_active=True)
                .distinct()
                .values_list("pk", flat=True)
            )
            assert holders == {u.pk for u in every if policy.holds(policy.person(u), step)}, step
        soon = NOW + timedelta(hours=8)
        for level in ("overdue", "due_soon"):
            matched = set(
                Dossier.objects.filter(policy.deadline_q(level, NOW, soon)).values_list(
                    "pk", flat=True
                )
            )
            expected = {
                d.pk
                for d in Dossier.objects.all()
                if Status(d.status) in rules.CLOCK_RUNNING
                and policy.deadline_level(d.due_at, NOW, soon) == level
            }
            assert matched == expected, level

    _rolled_back(check)


# --------------------------------------------------------------------------- mine = may act


def _personas(p: Province) -> dict[str, User]:
    police_head = create_staff_user(
        "tp.congan", full_name="Trưởng Phòng Công An", agency=p.police, unit=p.police_unit,
        roles=[Role.UNIT_HEAD], password=PASSWORD,
    )  # fmt: skip
    both = create_staff_user(
        "kiem.longxuyen", full_name="Kiêm Nhiệm", agency=p.commune, unit=p.justice,
        roles=[Role.SPECIALIST, Role.CLERK], password=PASSWORD,
    )  # fmt: skip
    return {
        "counter": p.counter,
        "specialist": p.specialist,
        "unit_head": p.unit_head,
        "leader": p.leader,
        "clerk": p.clerk,
        "police": p.police_officer,
        "police_head": police_head,
        "insurer": p.insurer,
        "outsider": p.outsider,
        "outsider_counter": p.outsider_counter,
        "outsider_leader": p.outsider_leader,
        "specialist_and_clerk": both,
    }


def _mine(user: User) -> set[int]:
    clock = queries.clock_for(user)
    tab = queries.WorklistFilter(tab="mine")
    return set(queries.worklist(user, tab, clock).values_list("pk", flat=True))


def _offered(user: User, d: Dossier) -> list[Action]:
    d = Dossier.objects.get(pk=d.pk)
    steps = list(d.steps.all())
    return queries.natural_actions(user, d, allowed_actions_for(user, d), steps)


def _inputs(user: User, d: Dossier, action: Action) -> dict[str, Any] | None:
    """What the page would send with ``action``; None when it offers no way to do it."""
    if action is Action.ASSIGN:
        steps = list(Dossier.objects.get(pk=d.pk).steps.all())
        choices = queries.assignable_specialists(user, d, steps)
        return {"assignee": choices[0]} if choices else None
    if action is Action.ISSUE_APOLOGY:
        return None  # depends on the time left; its own tests cover it
    if action in rules.ACTIONS_NEEDING_REASON:
        return {"reason": "Lý do thử nghiệm"}
    return {}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_mine_tab_lists_exactly_what_its_user_may_act_on(
    province: Province, data: st.DataObject
) -> None:
    """A random walk through the services on the interconnected process (parallel police
    and insurance steps): at every point, for every persona, the dossier is in their
    "mine" tab exactly when they are offered an action on a step they hold, and every
    action offered succeeds."""
    p = province

    def walk() -> None:
        people = _personas(p)
        d = receive_at_counter(
            acting_user=p.counter, offering=p.offering, applicant=APPLICANT, documents=DOCUMENTS
        )
        for _ in range(data.draw(st.integers(3, 20), label="moves")):
            offers: list[tuple[str, Action]] = []
            for name, user in people.items():
                offered = _offered(user, d)
                step_actions = set(offered) & policy.STEP_ACTIONS
                assert (d.pk in _mine(user)) == bool(step_actions), (name, d.status, offered)
                offers += [(name, a) for a in offered if _inputs(user, d, a) is not None]
            if not offers:
                break
            # Mostly move the dossier on, so that walks reach the later steps.
            onward = [(n, a) for n, a in offers if a in policy.STEP_ACTIONS]
            if onward and data.draw(st.integers(0, 9), label="onward") < 7:
                offers = onward
            name, action = data.draw(st.sampled_from(offers), label="move")
            user = people[name]
            d = perform_action(d, action, acting_user=user, **(_inputs(user, d, action) or {}))

    _rolled_back(walk)


# --------------------------------------------------------------------------- the named case


def _snapshot(d: Dossier) -> tuple[Any, ...]:
    d = Dossier.objects.get(pk=d.pk)
    steps = tuple(d.steps.values_list("pk", "state", "assignee_id").order_by("pk"))
    return (d.version, d.status, steps, DossierEvent.objects.filter(dossier=d).count())


def test_after_the_counter_forwards_the_clerk_may_not_move_the_specialists_step(
    province: Province,
) -> None:
    """The dossier waits at the specialist's step of the justice unit: the agency's clerk
    may neither forward it nor register its result, and does not see it as theirs."""
    p = province
    d = receive_at_counter(
        acting_user=p.counter, offering=p.offering, applicant=APPLICANT, documents=DOCUMENTS
    )
    d = perform_action(d, Action.FORWARD, acting_user=p.counter)
    before = _snapshot(d)
    assert _offered(p.clerk, d) == []
    for action in (Action.FORWARD, Action.MARK_RESULT_READY):
        with pytest.raises((rules.ActionNotAllowed, DossierPermissionDenied)):
            perform_action(d, action, acting_user=p.clerk)
    assert _snapshot(d) == before
    assert d.pk not in _mine(p.clerk)


def test_the_unit_head_takes_over_the_unassigned_step_their_mine_tab_lists(
    province: Province,
) -> None:
    """The unit head of the step's unit may act on the unassigned step (take it over):
    their "mine" tab lists it, they may add files, and the handover goes through them.
    Once a specialist is assigned, the step is the specialist's alone."""
    from motcua.backoffice.access import may_upload

    p = province
    d = receive_at_counter(
        acting_user=p.counter, offering=p.offering, applicant=APPLICANT, documents=DOCUMENTS
    )
    d = perform_action(d, Action.FORWARD, acting_user=p.counter)
    assert d.pk in _mine(p.unit_head)
    assert Action.FORWARD in _offered(p.unit_head, d)
    assert may_upload(p.unit_head, d, d.steps.all())
    d = perform_action(d, Action.ASSIGN, acting_user=p.unit_head, assignee=p.specialist)
    assert d.pk not in _mine(p.unit_head)
    assert d.pk in _mine(p.specialist)
    assert policy.STEP_ACTIONS.isdisjoint(_offered(p.unit_head, d))
    before = _snapshot(d)
    with pytest.raises((rules.ActionNotAllowed, DossierPermissionDenied)):
        perform_action(d, Action.FORWARD, acting_user=p.unit_head)
    assert _snapshot(d) == before
    d = perform_action(d, Action.FORWARD, acting_user=p.specialist)
    assert d.pk in _mine(p.police_officer)


def test_a_unit_head_assigns_only_the_specialists_of_their_unit(province: Province) -> None:
    p = province
    civil = save_agency(
        Agency(code="H01.30307.9", name="Phòng Kinh tế", kind=Agency.Kind.UNIT, parent=p.commune)
    )
    other_specialist = create_staff_user(
        "cv2.longxuyen", full_name="Chuyên Viên Khác", agency=p.commune, unit=civil,
        roles=[Role.SPECIALIST], password=PASSWORD,
    )  # fmt: skip
    d = receive_at_counter(
        acting_user=p.counter, offering=p.offering, applicant=APPLICANT, documents=DOCUMENTS
    )
    d = perform_action(d, Action.FORWARD, acting_user=p.counter)
    offered = queries.assignable_specialists(p.unit_head, d, list(d.steps.all()))
    assert other_specialist not in offered and p.specialist in offered
    before = _snapshot(d)
    with pytest.raises(InvalidDossierInput, match="của phòng mình"):
        perform_action(d, Action.ASSIGN, acting_user=p.unit_head, assignee=other_specialist)
    assert _snapshot(d) == before
