"""The fast worklist counts, tabs and API list select exactly what the definitions say.

``queries.tab_counts``, ``queries.worklist`` and ``access.count_visible`` no longer filter
``visible_dossiers(user)`` with an OR over every step the agency ever held: each tab keeps
the parts of the user's scope that imply visibility and checks it on the others only, the
list counts visibility in three disjoint parts. Who sees what must not change. Here, over
a varied history (the bulk generator's two months, then assignees, current places, deadlines
and finish dates moved around, odd rows added), for staff of every kind, the results are
compared with a plain reference computed in Python from the rules as written:

* visible: superusers and TTHC control see all; other active staff the dossiers their
  agency (its subtree for an administrator) or unit decides, received, or holds or held a
  step of; a citizen their own; nobody else anything;
* the tabs: ``queries._tab_q`` as documented; counts only over live dossiers (not final,
  or finished this month).

Runs on SQLite and on PostgreSQL (``DATABASE_URL``).
"""

from __future__ import annotations

import importlib
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from motcua.accounts.access import agency_scope_ids
from motcua.accounts.models import User
from motcua.accounts.roles import Role
from motcua.accounts.services import create_staff_user
from motcua.agencies.models import Agency
from motcua.catalog.models import Procedure, ProcedureOffering
from motcua.catalog.services import import_procedure_records
from motcua.dossiers import access, policy, queries, rules
from motcua.dossiers.access import NEWEST, visible_dossiers, visible_values
from motcua.dossiers.models import Dossier, DossierStep
from motcua.dossiers.rules import Action, Status
from motcua.dossiers.services import (
    counter_agency,
    perform_action,
    receive_at_counter,
    submit_online,
)
from motcua.simulation.bulk import generate_bulk
from motcua.testing.personas import APPLICANT, BIRTH_RECORD, DOCUMENTS, PASSWORD, Province

_FLAG_EXISTING = importlib.import_module(
    "motcua.dossiers.migrations.0006_dossier_spans_agencies"
).FLAG_EXISTING
TABS = ["queue", "mine", "open", "due_soon", "overdue", "paused", "results", "done", "all"]


# --------------------------------------------------------------------------- the data


def _staff(username: str, agency: Agency, roles: list[Role], unit: Agency | None = None) -> User:
    return create_staff_user(
        username,
        full_name=username,
        agency=agency,
        unit=unit,
        roles=roles,
        password=PASSWORD,
        password_hash=make_password(PASSWORD),
    )


@dataclass
class World:
    people: dict[str, User]
    agencies: dict[int, Agency]
    clock: queries.Clock


@pytest.fixture
def world(province: Province) -> World:
    p = province
    record: dict[str, Any] = {**BIRTH_RECORD, "code": "1.001193", "name": "Đăng ký khai tử"}
    import_procedure_records([record], source="test")
    ProcedureOffering.objects.create(
        agency=p.other_commune, procedure=Procedure.objects.get(code="1.001193")
    )
    assert generate_bulk(240, seed=11, months=2, batch_size=80) == 240
    root = p.commune.parent
    assert root is not None

    people: dict[str, User] = {
        "counter": p.counter,
        "specialist": p.specialist,
        "unit_head": p.unit_head,
        "leader": p.leader,
        "clerk": p.clerk,
        "police": p.police_officer,
        "insurer": p.insurer,
        "outsider": p.outsider,
        "outsider_counter": p.outsider_counter,
        "outsider_leader": p.outsider_leader,
        "tthc": _staff("ks.tinh", root, [Role.TTHC_CONTROL]),
        "province_leader": _staff("ld.tinh", root, [Role.AGENCY_LEADER]),
        "police_head": _staff("tp.congan", p.police, [Role.UNIT_HEAD], p.police_unit),
        "police_leader": _staff("ld.congan", p.police, [Role.AGENCY_LEADER]),
        # Several roles at once; an administrator sees the agency's subtree.
        "admin_everything": _staff(
            "qt.longxuyen",
            p.commune,
            [Role.ADMINISTRATOR, Role.COUNTER_OFFICER, Role.AGENCY_LEADER, Role.UNIT_HEAD],
        ),
        "counter_head": _staff(
            "tn2.longxuyen", p.commune, [Role.COUNTER_OFFICER, Role.UNIT_HEAD], p.one_stop
        ),
        "commune_counter": _staff("tn3.longxuyen", p.commune, [Role.COUNTER_OFFICER]),
    }
    superuser = User.objects.create_superuser("root", password=PASSWORD)
    citizen = User.objects.create_user("citizen", password=PASSWORD, kind=User.Kind.CITIZEN)
    retired = _staff("nghi.longxuyen", p.commune, [Role.SPECIALIST], p.justice)
    User.objects.filter(pk=retired.pk).update(is_active=False)
    people |= {
        "superuser": superuser,
        "citizen": citizen,
        "retired": User.objects.get(pk=retired.pk),
    }

    clock = queries.clock_for(p.counter)
    _stir(p, people, clock)
    # Fresh work through the services: held at the counter, by the specialist, the police.
    for i in range(4):
        dossier = receive_at_counter(
            acting_user=p.counter, offering=p.offering, applicant=APPLICANT, documents=DOCUMENTS
        )
        for user in [p.counter, p.specialist][:i]:
            perform_action(dossier, Action.FORWARD, acting_user=user)
        if i == 1:  # at the specialist's, late
            Dossier.objects.filter(pk=dossier.pk).update(due_at=clock.now - timedelta(hours=1))
        if i == 2:  # at the police, due within the hour
            Dossier.objects.filter(pk=dossier.pk).update(due_at=clock.now + timedelta(hours=1))
    # Whatever the hour the test runs at: one paused, one finished this month.
    paused, finished = Dossier.objects.filter(deciding_agency=p.commune).order_by("pk")[:2]
    Dossier.objects.filter(pk=paused.pk).update(status=Status.SUPPLEMENT_REQUESTED)
    Dossier.objects.filter(pk=finished.pk).update(
        status=Status.RETURNED, finished_at=clock.now, current_agency=p.commune
    )
    submit_online(offering=p.offering, applicant=APPLICANT)
    # And one whose result waits at the counter, whatever the generated history holds.
    ready = receive_at_counter(
        acting_user=p.counter, offering=p.offering, applicant=APPLICANT, documents=DOCUMENTS
    )
    for user, action in [
        (p.counter, Action.FORWARD),
        (p.specialist, Action.FORWARD),
        (p.police_officer, Action.FORWARD),
        (p.insurer, Action.SUBMIT_FOR_SIGNATURE),
        (p.leader, Action.SIGN),
    ]:
        ready = perform_action(ready, action, acting_user=user)
    assert ready.status == Status.PROCESSED
    clock = queries.clock_for(p.counter)
    agencies = {a.pk: a for a in Agency.objects.all()}
    return World(people=people, agencies=agencies, clock=clock)


def _stir(p: Province, people: dict[str, User], clock: queries.Clock) -> None:
    """Move assignees, places, deadlines and finish dates around; add odd rows."""
    rng = random.Random(5)
    places = list(Agency.objects.exclude(parent=None))
    staff = [u for u in people.values() if u.kind == User.Kind.STAFF]
    dossiers = list(Dossier.objects.order_by("pk"))
    instants = [
        clock.now - timedelta(seconds=1),
        clock.now,
        clock.now + timedelta(hours=2),
        clock.soon,
        clock.soon + timedelta(seconds=1),
        clock.month_start - timedelta(seconds=1),
        clock.month_start,
        clock.month_start + timedelta(days=1),
    ]
    for d in dossiers:
        changes: dict[str, Any] = {}
        roll = rng.random()
        if roll < 0.2:
            changes["assignee"] = rng.choice(staff)
        elif roll < 0.25:
            changes["assignee"] = None
        if rng.random() < 0.2:
            place = rng.choice(places)
            changes["current_agency"] = place if rng.random() < 0.5 else place.parent
            changes["current_unit"] = place if rng.random() < 0.5 else None
        if rng.random() < 0.25:
            changes["due_at"] = rng.choice([*instants, None])
        if Status(d.status) in rules.FINISHED | rules.TERMINAL and rng.random() < 0.3:
            changes["finished_at"] = rng.choice([*instants, None])
        if rng.random() < 0.05:
            changes["applicant_user"] = people["citizen"]
        if changes:
            Dossier.objects.filter(pk=d.pk).update(**changes)

    # Odd rows: decided by units (a leader's subtree, beyond what they may see), received
    # at a counter for another agency, an active step left on final dossiers, a step
    # held (done) far from the deciding agency.
    for d in rng.sample(dossiers, 12):
        Dossier.objects.filter(pk=d.pk).update(
            deciding_agency=rng.choice([p.justice, p.one_stop, p.police_unit, p.insurance_unit])
        )
    for d in rng.sample(dossiers, 8):
        Dossier.objects.filter(pk=d.pk).update(
            intake_agency=rng.choice([p.one_stop, p.other_commune]),
            status=rng.choice([Status.NEW_ONLINE, Status.PROCESSED, Status.RECEIVED]),
        )
    finals = [d for d in dossiers if Status(d.status) in rules.TERMINAL]
    for d in rng.sample(finals, min(6, len(finals))):
        DossierStep.objects.create(
            dossier=d,
            stage=9,
            name="Bước còn treo",
            agency=rng.choice([p.commune, p.police, p.other_commune]),
            unit=rng.choice([None, p.justice, p.police_unit]),
            role=rng.choice(["specialist", "unit_head", "agency_leader", "counter_officer"]),
            hours=4,
            state=DossierStep.State.ACTIVE,
            assignee=rng.choice([None, p.specialist, p.police_officer]),
        )
    for d in rng.sample(dossiers, 10):
        DossierStep.objects.create(
            dossier=d,
            stage=8,
            name="Phối hợp",
            agency=rng.choice([p.police, p.insurance, p.other_commune, p.justice]),
            role="specialist",
            hours=4,
            state=rng.choice([DossierStep.State.DONE, DossierStep.State.ACTIVE]),
        )
    # The services keep ``spans_agencies`` true to the steps; rows changed by hand here get
    # it again as migration 0006 gave it to existing rows.
    Dossier.objects.update(spans_agencies=False)
    with connection.cursor() as cursor:
        cursor.execute(_FLAG_EXISTING)


# --------------------------------------------------------------------------- the reference


@dataclass
class Row:
    d: Dossier
    steps: list[DossierStep]


def _rows() -> list[Row]:
    steps: dict[int, list[DossierStep]] = defaultdict(list)
    for s in DossierStep.objects.all():
        steps[s.dossier_id].append(s)
    return [Row(d, steps[d.pk]) for d in Dossier.objects.all()]


def ref_visible(user: User, row: Row) -> bool:
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    if user.kind != User.Kind.STAFF:
        return row.d.applicant_user_id == user.pk
    if user.has_role(Role.TTHC_CONTROL):
        return True
    scope = set(agency_scope_ids(user) or ())
    if not scope:
        return False
    if user.unit_id is not None:
        scope.add(user.unit_id)
    d = row.d
    return (
        d.deciding_agency_id in scope
        or d.intake_agency_id in scope
        or any(s.agency_id in scope for s in row.steps)
    )


def ref_tab(user: User, key: str, row: Row, w: World) -> bool:
    d, clock = row.d, w.clock
    status = Status(d.status)
    held = any(queries.holds_step(user, s) for s in row.steps)
    counter_id = None
    if user.has_role(Role.COUNTER_OFFICER) and user.agency_id is not None:
        counter_id = counter_agency(user).pk

    def in_scope() -> bool:
        if user.is_superuser or user.has_role(Role.TTHC_CONTROL):
            return True
        if held or d.assignee_id == user.pk:
            return True
        if counter_id is not None and d.intake_agency_id == counter_id:
            return True
        if user.has_role(Role.AGENCY_LEADER) and user.agency is not None:
            path = user.agency.path
            current = w.agencies.get(d.current_agency_id or 0)
            if w.agencies[d.deciding_agency_id].path.startswith(path) or (
                current is not None and current.path.startswith(path)
            ):
                return True
        if user.has_role(Role.UNIT_HEAD):
            place = user.unit_id or user.agency_id
            if place in (d.current_unit_id, d.current_agency_id):
                return True
        return False

    running = status in rules.CLOCK_RUNNING
    due = d.due_at
    if key == "queue":
        return status == Status.NEW_ONLINE and d.intake_agency_id == counter_id
    if key == "results":
        return status == Status.PROCESSED and d.intake_agency_id == counter_id
    if key == "mine":
        return held and status in policy.WORK_STATUSES
    if key == "all":
        return True
    if key == "open":
        return status in rules.OPEN and in_scope()
    if key == "due_soon":
        return running and due is not None and clock.now <= due <= clock.soon and in_scope()
    if key == "overdue":
        return running and due is not None and due < clock.now and in_scope()
    if key == "paused":
        return status in queries.PAUSED and in_scope()
    if key == "done":
        finished = d.finished_at
        return (
            status in rules.FINISHED
            and finished is not None
            and finished >= clock.month_start
            and in_scope()
        )
    raise KeyError(key)


def ref_live(row: Row, clock: queries.Clock) -> bool:
    d = row.d
    if Status(d.status) not in rules.TERMINAL:
        return True
    return d.finished_at is not None and d.finished_at >= clock.month_start


# --------------------------------------------------------------------------- the tests


@pytest.mark.django_db
def test_the_data_is_varied(world: World) -> None:
    rows = _rows()
    statuses = {Status(r.d.status) for r in rows}
    assert len(statuses) >= 8
    people = world.people
    expected = {
        "counter": {"queue", "mine", "open", "results"},
        "specialist": {"mine", "overdue"},
        "leader": {"open", "done"},
        "unit_head": {"open"},
        "police": {"mine"},
        "tthc": {"open", "due_soon", "overdue", "paused", "done"},
    }
    for name, keys in expected.items():
        user = people[name]
        for key in keys:
            found = [r for r in rows if ref_visible(user, r) and ref_tab(user, key, r, world)]
            assert found, (name, key)
    # Some of what the scope names is not visible: the visibility test matters.
    hidden = [
        r
        for r in rows
        if r.d.assignee_id == people["outsider"].pk and not ref_visible(people["outsider"], r)
    ]
    assert hidden


@pytest.mark.django_db
def test_tab_counts_match_the_reference(world: World) -> None:
    rows = _rows()
    clock = world.clock
    for name, user in world.people.items():
        tabs = [queries.TABS[k] for k in TABS]
        counts = queries.tab_counts(user, tabs, clock)
        expected: dict[str, int | None] = {
            key: sum(
                1
                for r in rows
                if ref_visible(user, r) and ref_live(r, clock) and ref_tab(user, key, r, world)
            )
            for key in TABS
            if key not in queries.UNCOUNTED_TABS
        }
        expected["all"] = None
        assert counts == expected, name
        # The tabs a user really has, as the page asks for them.
        own = queries.tabs_for(user)
        assert queries.tab_counts(user, own, clock) == {t.key: expected[t.key] for t in own}


@pytest.mark.django_db
def test_tab_counts_match_the_single_query_they_replace(world: World) -> None:
    """The former single aggregate over ``visible_dossiers`` gives the same counts."""
    from django.db.models import Count

    clock = world.clock
    live = ~Q(status__in=list(rules.TERMINAL)) | Q(finished_at__gte=clock.month_start)
    for name, user in world.people.items():
        counted = [k for k in TABS if k not in queries.UNCOUNTED_TABS]
        before = (
            visible_dossiers(user)
            .filter(live)
            .aggregate(**{k: Count("pk", filter=queries._tab_q(user, k, clock)) for k in counted})
        )
        counts = queries.tab_counts(user, [queries.TABS[k] for k in counted], clock)
        assert counts == before, name


@pytest.mark.django_db
def test_worklist_tabs_hold_exactly_the_visible_dossiers_of_the_tab(world: World) -> None:
    rows = _rows()
    for name, user in world.people.items():
        for key in TABS:
            listed = list(
                queries.worklist(user, queries.WorklistFilter(tab=key), world.clock).values_list(
                    "pk", flat=True
                )
            )
            expected = {
                r.d.pk for r in rows if ref_visible(user, r) and ref_tab(user, key, r, world)
            }
            assert len(listed) == len(set(listed)), (name, key)  # no duplicates
            assert set(listed) == expected, (name, key)


@pytest.mark.django_db
def test_the_list_finds_each_visible_dossier_once_and_counts_up_to_a_cap(world: World) -> None:
    rows = _rows()
    now = world.clock.now
    running = [s.value for s in rules.CLOCK_RUNNING]
    filters = {
        "none": (Q(), lambda d: True),
        "received": (
            Q(status__in=["received", "in_progress"]),
            lambda d: d.status in ("received", "in_progress"),
        ),
        "overdue": (
            Q(status__in=running, due_at__lt=now),
            lambda d: d.status in running and d.due_at is not None and d.due_at < now,
        ),
        "returned": (Q(status="returned"), lambda d: d.status == "returned"),
    }
    for name, user in world.people.items():
        for label, (where, test) in filters.items():
            matching = [r.d for r in rows if ref_visible(user, r) and test(r.d)]
            newest = [
                d.pk for d in sorted(matching, key=lambda d: (d.submitted_at, d.pk), reverse=True)
            ]
            listed = visible_dossiers(user).filter(where).order_by("-submitted_at", "-pk")
            assert list(listed.values_list("pk", flat=True)) == newest, (name, label)
            probed = visible_dossiers(user, probe_each_row=True).filter(where)
            assert list(probed.order_by(*NEWEST).values_list("pk", flat=True)) == newest
            ids = visible_values(user, where)
            found = [row["pk"] for row in ids]
            assert sorted(found) == sorted(newest), (name, label)  # each once: disjoint parts
            total = len(newest)
            for cap in {0, 1, 7, max(total - 1, 0), total, total + 1}:
                counted = visible_values(user, where)[: cap + 1].count()
                assert counted == min(total, cap + 1), (name, label, cap)
            values = visible_values(user, where, "pk", "submitted_at")
            ordered = values.order_by("-submitted_at", "-pk")
            assert [row["pk"] for row in ordered] == newest, (name, label)
            assert [row["pk"] for row in ordered[2:5]] == newest[2:5], (name, label)
            top = visible_values(user, where, "pk", "submitted_at", newest=5)
            assert [row["pk"] for row in top.order_by(*NEWEST)[2:5]] == newest[2:5]
            in_subquery = Dossier.objects.filter(pk__in=ids).values_list("pk", flat=True)
            assert sorted(in_subquery) == sorted(newest), (name, label)


@pytest.mark.django_db
def test_tab_counts_take_a_fixed_number_of_queries(world: World) -> None:
    tabs = [queries.TABS[k] for k in TABS]
    for user in world.people.values():
        queries.tab_counts(user, tabs, world.clock)  # roles, agency: cached on the user
        with CaptureQueriesContext(connection) as ctx:
            queries.tab_counts(user, tabs, world.clock)
        assert len(ctx) <= 7, [q["sql"][:80] for q in ctx.captured_queries]


def test_the_row_rule_of_an_action_matches_the_reference_and_the_query(world: World) -> None:
    """``access.sees`` (an action tests the row it locked) = the reference = the query."""
    rows = _rows()
    for name, user in world.people.items():
        seen = policy.visibility(user)
        listed = set(access.visible_dossiers(user).values_list("pk", flat=True))
        for r in rows:
            verdict = policy.sees(seen, r.d, (s.agency_id for s in r.steps))
            assert verdict == ref_visible(user, r), (name, r.d.code)
            assert verdict == (r.d.pk in listed), (name, r.d.code)
