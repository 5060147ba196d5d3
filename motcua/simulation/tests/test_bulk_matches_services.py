"""The bulk writer leaves the rows the services leave, for the same actions.

Each scenario is a story: who does what, when, on a dossier of the personas' province.
It runs once through the services (``receive_at_counter`` / ``submit_online`` /
``perform_action`` with ``at=``) and once through the bulk writer (``write_stories``),
and the rows are compared field by field: the dossier (status, clock, place,
timeliness, late charge, code), its steps (agency, unit, role, state, instants,
timeliness) and its events (action, actor, statuses, agencies, step, payload).

Runs on SQLite and on PostgreSQL (``DATABASE_URL``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from motcua.accounts.models import User
from motcua.catalog.models import ProcedureOffering
from motcua.dossiers import rules
from motcua.dossiers.models import Dossier, DossierEvent, DossierStep
from motcua.dossiers.process_services import StepSpec, define_process
from motcua.dossiers.rules import Action, Actor, Channel
from motcua.dossiers.services import perform_action, receive_at_counter, submit_online
from motcua.simulation.bulk import Move, Story, write_stories
from motcua.simulation.tests.test_bulk import _add_plain_offering
from motcua.testing.personas import APPLICANT, Province

VN = ZoneInfo("Asia/Ho_Chi_Minh")
C, S, L, Y = Actor.COUNTER_OFFICER, Actor.SPECIALIST, Actor.AGENCY_LEADER, Actor.SYSTEM


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant of March 2025 (no public holiday: working days Monday to Friday)."""
    return datetime(2025, 3, day, hour, minute, tzinfo=VN)


@dataclass(frozen=True)
class Act:
    """One action: ``who`` (a persona of the province, None: the system) as ``actor``;
    ``step``: the index (process order) of the step handed over."""

    at: datetime
    action: Action
    who: str | None
    actor: Actor
    step: int | None = None
    reason: str = ""
    new_due: datetime | None = None


@dataclass(frozen=True)
class Scenario:
    channel: Channel
    acts: tuple[Act, ...]
    #: Prepares the province; returns the offering of the dossier (default: the
    #: interconnected birth procedure of the commune).
    offering: Callable[[Province], ProcedureOffering] = lambda p: p.offering


# Persona process (3 working days): 0 receive (one-stop unit, 2 h) → 1 birth (commune,
# 6 h) → 2 residence (police, 6 h) → 3 health insurance (4 h) → 4 sign (2 h) → 5 return
# (4 h). Received on Monday 10/03 08:00, the appointment is Thursday 13/03 08:00.
RECEIVE = Act(at(10, 8), Action.ACCEPT, "counter", C)
TO_JUSTICE = Act(at(10, 9), Action.FORWARD, "counter", C, step=0)


def _journey(*middle: Act, start: tuple[Act, ...] = (RECEIVE, TO_JUSTICE)) -> tuple[Act, ...]:
    return (*start, *middle)


def _finish_from_police(day: int) -> tuple[Act, ...]:
    """Police, insurance, signature and return, from ``day`` on."""
    return (
        Act(at(day, 9, 30), Action.FORWARD, "police_officer", S, step=2),
        Act(at(day, 15), Action.SUBMIT_FOR_SIGNATURE, "insurer", S, step=3),
        Act(at(day + 1, 8, 30), Action.SIGN, "leader", L, step=4),
        Act(at(day + 1, 10), Action.RETURN_RESULT, "counter", C, step=5),
    )


def _parallel_offering(p: Province) -> ProcedureOffering:
    define_process(
        p.offering,
        name="Khai sinh → (thường trú ∥ BHYT) → ký → trả",
        legal_working_days=3,
        steps=[
            StepSpec(0, "Tiếp nhận hồ sơ", p.one_stop, C, 2),
            StepSpec(1, "Đăng ký khai sinh", p.commune, S, 6, unit=p.justice),
            StepSpec(2, "Đăng ký thường trú", p.police, S, 8, p.police_unit, branch=1),
            StepSpec(2, "Cấp thẻ BHYT", p.insurance, S, 8, p.insurance_unit, branch=2),
            StepSpec(3, "Ký, phê duyệt kết quả", p.commune, L, 4),
            StepSpec(4, "Trả kết quả", p.one_stop, C, 4),
        ],
    )
    return ProcedureOffering.objects.get(pk=p.offering.pk)


SCENARIOS: dict[str, Scenario] = {
    "counter intake, handovers, signature, return": Scenario(
        Channel.IN_PERSON,
        _journey(
            Act(at(10, 14), Action.FORWARD, "specialist", S, step=1), *_finish_from_police(11)
        ),
    ),
    "supplement requested, then completed": Scenario(
        Channel.IN_PERSON,
        _journey(
            Act(at(10, 10), Action.REQUEST_SUPPLEMENT, "specialist", S, reason="Thiếu tờ khai."),
            Act(at(11, 9), Action.SUPPLEMENT, "counter", C),
            Act(at(11, 14), Action.FORWARD, "specialist", S, step=1),
            *_finish_from_police(12),
        ),
    ),
    "waiting for the financial obligation": Scenario(
        Channel.POSTAL,
        _journey(
            Act(at(10, 10), Action.REQUEST_PAYMENT, "specialist", S),
            Act(at(10, 15, 30), Action.RECORD_PAYMENT, "counter", C),
            Act(at(11, 8), Action.FORWARD, "specialist", S, step=1),
            *_finish_from_police(11),
        ),
    ),
    "rejected at the signature": Scenario(
        Channel.IN_PERSON,
        _journey(
            Act(at(10, 14), Action.FORWARD, "specialist", S, step=1),
            *_finish_from_police(11)[:2],
            Act(at(12, 8, 30), Action.REJECT, "leader", L, reason="Không đủ điều kiện."),
        ),
    ),
    "refused at intake (online)": Scenario(
        Channel.ONLINE,
        (
            Act(at(10, 20), Action.SUBMIT_ONLINE, None, Y),
            Act(at(11, 8), Action.REFUSE_INTAKE, "counter", C, reason="Không đúng thẩm quyền."),
        ),
    ),
    "received online, open at the police": Scenario(
        Channel.ONLINE,
        _journey(
            Act(at(10, 15, 30), Action.FORWARD, "specialist", S, step=1),
            start=(
                Act(at(7, 21), Action.SUBMIT_ONLINE, None, Y),
                Act(at(10, 8, 15), Action.ACCEPT, "counter", C),
                Act(at(10, 9), Action.FORWARD, "counter", C, step=0),
            ),
        ),
    ),
    "withdrawn": Scenario(
        Channel.IN_PERSON,
        _journey(
            Act(at(10, 10), Action.REQUEST_WITHDRAWAL, "counter", C),
            Act(at(10, 14), Action.STOP, "counter", C, reason="Người nộp rút hồ sơ."),
        ),
    ),
    "supplement never answered, stopped": Scenario(
        Channel.IN_PERSON,
        _journey(
            Act(at(10, 10), Action.REQUEST_SUPPLEMENT, "specialist", S, reason="Thiếu tờ khai."),
            Act(at(31, 9), Action.STOP, "leader", L, reason="Quá hạn bổ sung."),
        ),
    ),
    "interconnected, parallel branches": Scenario(
        Channel.IN_PERSON,
        _journey(
            Act(at(10, 14), Action.FORWARD, "specialist", S, step=1),
            # The police end first: the dossier is then with the insurance only.
            Act(at(11, 9), Action.FORWARD, "police_officer", S, step=2),
            Act(at(11, 16), Action.SUBMIT_FOR_SIGNATURE, "insurer", S, step=3),
            Act(at(12, 9), Action.SIGN, "leader", L, step=4),
            Act(at(12, 10), Action.RETURN_RESULT, "counter", C, step=5),
        ),
        offering=_parallel_offering,
    ),
    "finished late": Scenario(
        Channel.IN_PERSON,
        _journey(
            Act(at(10, 14), Action.FORWARD, "specialist", S, step=1), *_finish_from_police(13)
        ),
    ),
    "apology and new appointment, then late": Scenario(
        Channel.IN_PERSON,
        _journey(
            Act(at(10, 14), Action.FORWARD, "specialist", S, step=1),
            Act(
                at(11, 9),
                Action.ISSUE_APOLOGY,
                "leader",
                L,
                reason="Cần xác minh nơi cư trú.",
                new_due=at(18, 17),
            ),
            *_finish_from_police(13),
        ),
    ),
    "default process (no process defined)": Scenario(
        Channel.IN_PERSON,
        (
            Act(at(10, 8), Action.ACCEPT, "outsider_counter", C),
            Act(at(10, 9), Action.FORWARD, "outsider_counter", C, step=0),
            Act(at(12, 10), Action.SUBMIT_FOR_SIGNATURE, "outsider", S, step=1),
            Act(at(13, 9), Action.SIGN, "outsider_leader", L, step=2),
            Act(at(17, 8), Action.RETURN_RESULT, "outsider_counter", C, step=3),
        ),
        offering=_add_plain_offering,
    ),
}


def _user(p: Province, who: str | None) -> User | None:
    return None if who is None else getattr(p, who)


def _through_services(p: Province, offering: ProcedureOffering, s: Scenario) -> int:
    first, *rest = s.acts
    if first.action is Action.SUBMIT_ONLINE:
        dossier = submit_online(offering=offering, applicant=APPLICANT, at=first.at)
    else:
        counter = _user(p, first.who)
        assert counter is not None
        if s.channel is Channel.POSTAL:  # the procedure's page must say it takes post
            offering.procedure.offers_postal_submission = True
            offering.procedure.save(update_fields=["offers_postal_submission"])
        dossier = receive_at_counter(
            acting_user=counter,
            offering=offering,
            applicant=APPLICANT,
            channel=s.channel,
            postal_item_number="EL123456785VN" if s.channel is Channel.POSTAL else "",
            # A postal dossier is answered by post, as the bulk writer does it.
            return_method="post" if s.channel is Channel.POSTAL else "counter",
            at=first.at,
        )
    for act in rest:
        user = _user(p, act.who)
        dossier = perform_action(
            dossier.pk,
            act.action,
            acting_user=user,
            as_system=user is None,
            reason=act.reason,
            new_due=act.new_due,
            postal_item_number=_RETURN_ITEM if act.action is Action.RETURN_RESULT else "",
            at=act.at,
        )
    return int(dossier.pk)


#: The item a result goes back in, through the services (the bulk writer numbers its own
#: from the dossier's id: :func:`_item` compares that both are real item numbers).
_RETURN_ITEM = "RR000000028VN"


def _item(name: str, value: Any) -> Any:
    """A postal item number as "a valid one": the two writers number their items apart."""
    if name.endswith("postal_item_number") and isinstance(value, str) and value:
        return "<valid>" if rules.postal_item_problem(value) is None else value
    return value


def _through_the_bulk_writer(p: Province, offering: ProcedureOffering, s: Scenario) -> int:
    moves = []
    for act in s.acts:
        user = _user(p, act.who)
        person = (
            (None, "Hệ thống", None)
            if user is None
            else (user.pk, user.get_full_name() or user.get_username(), user.agency_id)
        )
        moves.append(Move(act.at, act.action, act.actor, person, act.step, act.reason, act.new_due))
    (dossier_id,) = write_stories([Story(offering.pk, s.channel, tuple(moves))])
    return dossier_id


DOSSIER_FIELDS = (
    "status", "version", "channel", "deciding_agency_id", "intake_agency_id", "procedure_id",
    "offering_id", "process_id", "subject", "sets_count", "submitted_at", "received_at",
    "clock_started_at", "legal_working_days", "appointment_at", "new_appointment_at",
    "due_at", "paused_since", "finished_at", "returned_at", "timeliness", "late_agency_id",
    "late_step_name", "supplement_requests", "apologies", "current_agency_id",
    "current_unit_id", "current_role", "assignee_id", "spans_agencies",
    "return_postal_item_number",
)  # fmt: skip
STEP_FIELDS = (
    "process_step_id", "stage", "branch", "position", "name", "agency_id", "unit_id", "role",
    "hours", "state", "assignee_id", "started_at", "due_at", "finished_at", "timeliness",
)  # fmt: skip
EVENT_FIELDS = (
    "seq", "occurred_at", "action", "actor_id", "actor_name", "actor_role", "actor_agency_id",
    "from_status", "to_status", "from_agency_id", "to_agency_id", "timeliness", "reason",
)  # fmt: skip


def _rows(dossier_id: int) -> dict[str, Any]:
    dossier = Dossier.objects.get(pk=dossier_id)
    steps = list(
        DossierStep.objects.filter(dossier=dossier).order_by("stage", "branch", "position")
    )
    where = {s.pk: (s.stage, s.branch, s.position) for s in steps}
    events = DossierEvent.objects.filter(dossier=dossier).order_by("seq")
    return {
        "dossier": {f: _item(f, getattr(dossier, f)) for f in DOSSIER_FIELDS},
        "updated_at": dossier.updated_at if dossier.version > 1 else None,
        "code": dossier.code,
        "steps": [{f: getattr(s, f) for f in STEP_FIELDS} for s in steps],
        "events": [
            {
                **{f: getattr(e, f) for f in EVENT_FIELDS},
                "step": where.get(e.step_id) if e.step_id else None,
                "payload": {k: _item(k, v) for k, v in _payload(e.payload).items()},
            }
            for e in events
        ],
    }


def _payload(payload: Any) -> dict[str, Any]:
    return dict(json.loads(payload) if isinstance(payload, str) else payload)


def _differences(ours: Any, theirs: Any, where: str = "") -> list[str]:
    if isinstance(ours, dict) and isinstance(theirs, dict):
        return [
            d
            for key in sorted(set(ours) | set(theirs), key=str)
            for d in _differences(ours.get(key), theirs.get(key), f"{where}.{key}")
        ]
    if isinstance(ours, list) and isinstance(theirs, list):
        if len(ours) != len(theirs):
            return [f"{where}: {len(ours)} rows by the services, {len(theirs)} by the bulk writer"]
        return [
            d
            for i, pair in enumerate(zip(ours, theirs, strict=True))
            for d in _differences(*pair, f"{where}[{i}]")
        ]
    return [] if ours == theirs else [f"{where}: services {ours!r}, bulk writer {theirs!r}"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_the_bulk_writer_leaves_the_rows_of_the_services(province: Province, name: str) -> None:
    scenario = SCENARIOS[name]
    offering = scenario.offering(province)
    services = _rows(_through_services(province, offering, scenario))
    bulk = _rows(_through_the_bulk_writer(province, offering, scenario))

    # The codes: the same agency and day, the bulk writer's number reserved after.
    ours, theirs = services.pop("code"), bulk.pop("code")
    assert ours is not None and theirs is not None
    a, b = rules.parse_dossier_code(ours), rules.parse_dossier_code(theirs)
    assert (b.agency_code, b.received_on) == (a.agency_code, a.received_on)
    assert b.sequence == a.sequence + 1

    assert _differences(services, bulk) == []
    assert services["events"][-1]["to_status"] == services["dossier"]["status"]
