"""The bulk history generator (``generate_bulk``): coherent rows, fresh codes afterwards.

Runs on SQLite and on PostgreSQL (``DATABASE_URL``). The small province of the test
personas offers the interconnected birth procedure (a defined process across three
agencies) and, here, a second procedure without a process (the service's default one).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from motcua.accounts.models import User
from motcua.accounts.roles import Role
from motcua.catalog.models import Procedure, ProcedureOffering
from motcua.catalog.services import import_procedure_records
from motcua.dossiers import rules
from motcua.dossiers.models import Dossier, DossierCodeSequence, DossierEvent, DossierStep
from motcua.dossiers.queries import natural_actions
from motcua.dossiers.rules import Action, Actor, Status
from motcua.dossiers.services import allowed_actions_for, perform_action, receive_at_counter
from motcua.simulation.bulk import generate_bulk
from motcua.testing.personas import APPLICANT, BIRTH_RECORD, Province
from motcua.worktime.queries import calendar_for

COUNT = 360


def _add_plain_offering(p: Province) -> ProcedureOffering:
    """A 5-working-day procedure offered by the other commune, with no process."""
    record: dict[str, Any] = {
        **BIRTH_RECORD,
        "code": "1.001193",
        "name": "Đăng ký khai tử",
        "channels": [
            {
                **BIRTH_RECORD["channels"][0],
                "processing_time": {"value": 5, "unit": "working_day", "text": "5 ngày"},
            }
        ],
    }
    import_procedure_records([record], source="test")
    return ProcedureOffering.objects.create(
        agency=p.other_commune, procedure=Procedure.objects.get(code="1.001193")
    )


@pytest.fixture
def bulk_province(province: Province) -> Province:
    _add_plain_offering(province)
    # Post is sent only for procedures whose page says they take it.
    province.procedure.offers_postal_submission = True
    province.procedure.save(update_fields=["offers_postal_submission"])
    done = generate_bulk(COUNT, seed=7, months=2, batch_size=100)
    assert done == COUNT
    return province


def _history(dossier: Dossier) -> list[tuple[Any, str]]:
    return [
        (e.occurred_at, e.to_status) for e in dossier.events.exclude(to_status="").order_by("seq")
    ]


@pytest.mark.django_db
def test_rows_are_coherent(bulk_province: Province) -> None:
    cal = calendar_for(None)
    dossiers = list(Dossier.objects.select_related("offering__process", "deciding_agency"))
    assert len(dossiers) == COUNT
    events: dict[int, list[DossierEvent]] = defaultdict(list)
    for e in DossierEvent.objects.order_by("dossier_id", "seq"):
        events[e.dossier_id].append(e)
    steps: dict[int, list[DossierStep]] = defaultdict(list)
    for s in DossierStep.objects.order_by("dossier_id", "stage", "branch", "position"):
        steps[s.dossier_id].append(s)

    statuses = {d.status for d in dossiers}
    assert Status.RETURNED in statuses
    assert statuses & {Status.RECEIVED, Status.IN_PROGRESS, Status.AWAITING_SIGNATURE}
    assert {d.channel for d in dossiers} == {c.value for c in rules.Channel}

    codes = [d.code for d in dossiers]
    assert len(set(codes)) == COUNT
    highest: dict[tuple[int, Any], int] = defaultdict(int)
    now = timezone.now()
    for d in dossiers:
        assert d.code is not None
        parsed = rules.parse_dossier_code(d.code)
        assert parsed.agency_code == d.deciding_agency.code
        assert d.submitted_at is not None and d.submitted_at <= now
        assert parsed.received_on == timezone.localtime(d.submitted_at).date()
        key = (d.deciding_agency_id, parsed.received_on)
        highest[key] = max(highest[key], parsed.sequence)
        assert d.search_text == rules.search_text(
            d.code, d.applicant_name, d.applicant_phone, d.applicant_id_number
        )

        # The event log: 1..n, version n, each move allowed by THE table, last = status.
        log = events[d.pk]
        assert [e.seq for e in log] == list(range(1, len(log) + 1))
        assert d.version == len(log)
        previous: str | None = None
        for e in log:
            row = rules.TRANSITIONS[(Status(previous) if previous else None, Action(e.action))]
            assert Actor(e.actor_role) in row.actors, (d.code, e.action, e.actor_role)
            assert e.from_status == (previous or "")
            assert e.to_status == row.to.value
            previous = e.to_status
        assert [e.occurred_at for e in log] == sorted(e.occurred_at for e in log)
        assert d.status == previous
        assert d.created_at == d.submitted_at and d.updated_at == log[-1].occurred_at
        # A result returned by post carries its postal item number, as the service keeps it.
        returned = [e for e in log if e.action == Action.RETURN_RESULT]
        if d.return_method == "post" and returned:
            assert rules.postal_item_problem(d.return_postal_item_number) is None
            assert returned[0].payload["postal_item_number"] == d.return_postal_item_number
        else:
            assert d.return_postal_item_number == ""

        mine = steps[d.pk]
        assert d.spans_agencies == rules.spans_agencies(
            (s.agency_id for s in mine), d.deciding_agency_id, d.intake_agency_id
        ), d.code
        if d.received_at is None:
            assert mine == [] and d.appointment_at is None and d.due_at is None
            assert Status(d.status) in {Status.NEW_ONLINE, Status.REFUSED_INTAKE}
            continue
        process = getattr(d.offering, "process", None)
        assert len(mine) == (process.steps.count() if process else 4)
        apply_cutoff = process.apply_cutoff if process else True
        assert d.appointment_at == rules.appointment_for(
            cal, d.received_at, d.legal_working_days or 0, apply_cutoff=apply_cutoff
        )
        assert d.clock_started_at == rules.clock_start(
            cal, d.received_at, apply_cutoff=apply_cutoff
        )
        history = _history(d)
        pauses = rules.pauses_from_history(history)
        for s in mine:
            if s.state == DossierStep.State.DONE:
                assert s.started_at is not None and s.finished_at is not None
                # The pauses known when the step finished (as the service sees them).
                before = [h for h in history if h[0] <= s.finished_at]
                assert s.timeliness == rules.step_timeliness(
                    cal, s.started_at, s.finished_at, s.hours, rules.pauses_from_history(before)
                ), (d.code, s.name)
            elif s.state == DossierStep.State.PENDING:
                assert s.started_at is None and s.finished_at is None and not s.timeliness
            elif s.state == DossierStep.State.ACTIVE:
                assert s.started_at is not None and s.finished_at is None
        active = [s for s in mine if s.state == DossierStep.State.ACTIVE]
        if Status(d.status) in rules.FINISHED:
            assert d.finished_at is not None and d.paused_since is None
            unanswered = None
            if Status(d.status) is Status.STOPPED and d.supplement_requests:
                unanswered = next(e.occurred_at for e in log if e.action == "request_supplement")
            expected = rules.dossier_timeliness(
                cal,
                due_at=d.appointment_at,
                finished_at=d.finished_at,
                pauses=pauses,
                supplement_requests=d.supplement_requests,
                unanswered_supplement_requested_at=unanswered,
                clock_started_at=d.clock_started_at,
            )
            assert d.timeliness == expected.value, d.code
            assert (d.late_agency_id is not None) == (d.timeliness == "late")
            if d.status == Status.RETURNED:
                assert d.returned_at is not None and not active
        else:
            assert d.finished_at is None and not d.timeliness
            assert active, d.code
            first = active[0]
            assert (d.current_agency_id, d.current_role) == (first.agency_id, first.role)
            paused = Status(d.status) in rules.CLOCK_PAUSED
            assert (d.paused_since is not None) == paused
            if not pauses:
                assert d.due_at == d.appointment_at

    assert any(d.spans_agencies for d in dossiers) and not all(d.spans_agencies for d in dossiers)

    # The daily sequences end at the highest number used, so services continue after it.
    sequences = {(s.agency_id, s.day): s.last_value for s in DossierCodeSequence.objects.all()}
    assert sequences == dict(highest)


@pytest.mark.django_db
def test_a_following_intake_gets_a_fresh_code(bulk_province: Province) -> None:
    p = bulk_province
    sample = (
        Dossier.objects.filter(deciding_agency=p.commune, channel="in_person")
        .order_by("-submitted_at")
        .first()
    )
    assert sample is not None and sample.submitted_at is not None
    day = timezone.localtime(sample.submitted_at).date()
    used = [
        rules.parse_dossier_code(c).sequence
        for c in Dossier.objects.filter(deciding_agency=p.commune).values_list("code", flat=True)
        if c and rules.parse_dossier_code(c).received_on == day
    ]
    fresh = receive_at_counter(
        acting_user=p.counter,
        offering=p.offering,
        applicant=APPLICANT,
        at=sample.submitted_at + timedelta(minutes=1),
    )
    assert fresh.code is not None
    parsed = rules.parse_dossier_code(fresh.code)
    assert parsed.received_on == day
    assert parsed.sequence == max(used) + 1
    assert Dossier.objects.filter(code=fresh.code).count() == 1


def _holder(p: Province, step: DossierStep) -> User | None:
    """The persona who holds ``step`` (at its agency or unit, with its role)."""
    people = (p.counter, p.specialist, p.leader, p.police_officer, p.insurer)
    others = (p.outsider_counter, p.outsider, p.outsider_leader)
    for user in (*people, *others):
        if user.has_role(Role(step.role)) and step.agency_id in (user.agency_id, user.unit_id):
            return user
    return None


@pytest.mark.django_db
def test_a_service_action_works_on_a_bulk_open_dossier(bulk_province: Province) -> None:
    p = bulk_province
    handovers = (Action.FORWARD, Action.SUBMIT_FOR_SIGNATURE, Action.SIGN, Action.RETURN_RESULT)
    acted = 0
    for dossier in Dossier.objects.filter(
        status__in=[Status.RECEIVED, Status.IN_PROGRESS, Status.AWAITING_SIGNATURE]
    ).order_by("pk"):
        step = dossier.steps.filter(state=DossierStep.State.ACTIVE).order_by("stage").first()
        assert step is not None
        user = _holder(p, step)
        if user is None:
            continue
        steps = list(dossier.steps.all())
        allowed = natural_actions(user, dossier, allowed_actions_for(user, dossier), steps)
        possible = [a for a in allowed if a in handovers]
        if not possible:
            continue
        version, events = dossier.version, dossier.events.count()
        updated = perform_action(dossier, possible[0], acting_user=user, expected_version=version)
        assert updated.version == version + 1
        last = updated.events.order_by("-seq").first()
        assert last is not None and last.seq == events + 1 and last.action == possible[0]
        assert last.step_id == step.pk
        assert DossierStep.objects.get(pk=step.pk).state == DossierStep.State.DONE
        acted += 1
        if acted == 3:
            break
    assert acted >= 1


@pytest.mark.django_db(transaction=True)
def test_parallel_writers_on_postgresql(province: Province) -> None:
    """Outside a transaction, PostgreSQL batches are written by forked processes."""
    if connection.vendor != "postgresql":
        pytest.skip("forked writers are used on PostgreSQL only")
    seen: list[int] = []
    done = generate_bulk(
        240, seed=3, months=3, batch_size=60, progress=lambda n, _t: seen.append(n)
    )
    assert done == 240 and seen[-1] == 240
    assert Dossier.objects.count() == 240
    codes = list(Dossier.objects.values_list("code", flat=True))
    assert len(set(codes)) == 240
    for d in Dossier.objects.all():
        assert d.version == d.events.count()


@pytest.mark.django_db
def test_codes_are_reserved_in_key_order(province: Province) -> None:
    """Batches written at once lock the (agency, day) rows they share in one order: in
    the order of their plans, two forked batches deadlocked on PostgreSQL."""
    from datetime import date

    from django.test.utils import CaptureQueriesContext

    from motcua.simulation.bulk import _reserve_codes

    a, b = sorted([province.commune.pk, province.other_commune.pk])
    counts = {(b, date(2026, 3, 2)): 2, (a, date(2026, 3, 3)): 1, (a, date(2026, 3, 2)): 4}
    with CaptureQueriesContext(connection) as ctx:
        first = _reserve_codes(counts)
    assert first == {key: 1 for key in counts}
    (insert,) = [q["sql"] for q in ctx.captured_queries if "INSERT" in q["sql"]]
    positions = [insert.index(f"({agency_id}, '{day}") for agency_id, day in sorted(counts)]
    assert positions == sorted(positions)
    assert _reserve_codes({(a, date(2026, 3, 2)): 3}) == {(a, date(2026, 3, 2)): 5}


@pytest.mark.django_db
def test_the_migration_flags_the_dossiers_spanning_agencies(bulk_province: Province) -> None:
    """Migration 0006's data step gives existing rows the flag the writers give new ones."""
    import importlib

    migration = importlib.import_module("motcua.dossiers.migrations.0006_dossier_spans_agencies")
    written = dict(Dossier.objects.values_list("pk", "spans_agencies"))
    assert any(written.values())
    Dossier.objects.update(spans_agencies=False)
    with connection.cursor() as cursor:
        cursor.execute(migration.FLAG_EXISTING)
    assert dict(Dossier.objects.values_list("pk", "spans_agencies")) == written
