"""How a dossier moves through its steps (``rules.progress``): plain data, no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from motcua.dossiers.rules import (
    FINISHED,
    TRANSITIONS,
    Action,
    Actor,
    ParallelStage,
    ProcessStep,
    Status,
    progress,
)
from motcua.dossiers.rules.progress import Clock, Step, StepState
from motcua.worktime.holidays_vn import vietnam_calendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = vietnam_calendar(range(2024, 2027))  # sessions 07-11, 13-17; cut-off 15:00
C, S, L = Actor.COUNTER_OFFICER, Actor.SPECIALIST, Actor.AGENCY_LEADER


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=VN)  # March 2025: no holiday


# receive (one-stop 1, 2 h) → (police 2 ∥ insurance 3, then its leader 3) → sign (1, 2 h)
STAGES = [
    ProcessStep("Tiếp nhận", "1", None, C, 2),
    ParallelStage(
        (
            (ProcessStep("Thường trú", "2", "20", S, 6),),
            (ProcessStep("BHYT", "3", None, S, 4), ProcessStep("Duyệt BHYT", "3", None, L, 2)),
        )
    ),
    ProcessStep("Ký", "1", None, L, 2),
]


def _received(day: int = 10, hour: int = 8) -> list[Step]:
    receipt = progress.receive(
        CAL,
        at(day, hour),
        STAGES,
        3,
        apply_cutoff=True,
        intake_agency_id=1,
        deciding_agency_id=1,
    )
    return receipt.steps


def _apply(steps: list[Step], effect: progress.Effect) -> list[Step]:
    return progress.apply_updates(steps, effect.updates)


def test_the_receipt_plans_every_step_and_starts_the_first_stage() -> None:
    receipt = progress.receive(
        CAL, at(10, 16), STAGES, 3, apply_cutoff=True, intake_agency_id=1, deciding_agency_id=1
    )
    # After the 15:00 cut-off: the clock starts on the next working day.
    assert receipt.fields["clock_started_at"] == at(11, 7)
    assert receipt.fields["appointment_at"] == receipt.fields["due_at"] == at(13, 17)
    assert receipt.fields["spans_agencies"] is True
    assert receipt.fields["current_agency_id"] == 1 and receipt.fields["current_role"] == C
    first, police, insurance, insurance_leader, sign = receipt.steps
    assert (first.state, first.started_at, first.due_at) == ("active", at(11, 7), at(11, 9))
    assert police.state == insurance.state == "pending" and police.started_at is None
    assert (police.branch, insurance.branch, insurance_leader.branch) == (0, 1, 1)
    assert police.due_at == at(11, 17)  # planned: 6 h after the receipt step is due
    assert insurance.due_at == at(11, 15) and insurance_leader.due_at == at(11, 17)
    assert sign.due_at == at(12, 9)


def test_branches_start_together_and_join_before_the_next_stage() -> None:
    steps = _received()
    receive, police, insurance, _insurance_leader, _sign = steps
    assert progress.next_steps(steps, receive) == [police, insurance]
    handed = progress.hand_over(CAL, steps, receive, at(10, 9), [], by=7)
    assert handed.updates[0].changes == {
        "state": "done",
        "finished_at": at(10, 9),
        "timeliness": "on_time",
        "assignee_id": 7,
    }
    assert [u.key for u in handed.updates[1:]] == [police.key, insurance.key]
    assert handed.updates[1].changes["due_at"] == at(10, 17)  # 6 working hours later
    assert handed.payload == {"next_steps": ["Thường trú", "BHYT"], "next_agencies": [2, 3]}
    assert handed.to_agency_id == 2
    steps = _apply(steps, handed)

    # The insurance branch goes on with its own second step.
    _r, _police, insurance, insurance_leader, _sign = steps
    assert progress.next_steps(steps, insurance) == [insurance_leader]
    steps = _apply(steps, progress.hand_over(CAL, steps, insurance, at(10, 14), [], by=8))

    # The police end while the insurance leader still holds it: nothing starts, the
    # dossier is with the branch still open.
    police = steps[1]
    ended = progress.hand_over(CAL, steps, police, at(11, 8), [], by=9)
    assert [u.key for u in ended.updates] == [police.key]
    assert ended.updates[0].changes["timeliness"] == "late"  # due 10/3 17:00
    assert ended.fields == {
        "current_agency_id": 3,
        "current_unit_id": None,
        "current_role": L.value,
        "assignee_id": None,
    }
    steps = _apply(steps, ended)

    # The last branch ends: the next stage starts.
    last = steps[3]
    assert progress.next_steps(steps, last) == [steps[4]]
    joined = progress.hand_over(CAL, steps, last, at(11, 9), [], by=10)
    assert joined.fields["current_agency_id"] == 1 and joined.fields["current_role"] == L
    steps = _apply(steps, joined)
    done = progress.hand_over(CAL, steps, steps[4], at(11, 10), [], by=11)
    assert done.fields == {"current_role": "", "assignee_id": None}
    assert done.to_agency_id is None and "next_steps" not in done.payload


def test_a_pause_moves_the_due_instants_of_the_active_steps() -> None:
    steps = _received()
    clock = Clock(
        status=Status.IN_PROGRESS,
        received_at=at(10, 8),
        clock_started_at=at(10, 8),
        appointment_at=at(13, 8),
        due_at=at(13, 8),
    )
    paused = progress.act(
        CAL,
        clock,
        steps,
        Action.REQUEST_SUPPLEMENT,
        Status.SUPPLEMENT_REQUESTED,
        at(10, 9),
        pauses=[],
    )
    assert paused.fields == {"supplement_requests": 1, "paused_since": at(10, 9)}
    clock = replace(clock, status=Status.SUPPLEMENT_REQUESTED, paused_since=at(10, 9))
    clock = replace(clock, supplement_requests=1)
    # Paused from Monday 09:00 to Tuesday 09:00: 8 working hours.
    resumed = progress.act(
        CAL,
        clock,
        steps,
        Action.SUPPLEMENT,
        Status.IN_PROGRESS,
        at(11, 9),
        pauses=[(at(10, 9), None)],
    )
    assert resumed.fields == {"due_at": at(14, 8), "paused_since": None}
    assert resumed.payload == {"paused_working_hours": 8.0}
    assert [(u.key, u.changes) for u in resumed.updates] == [(0, {"due_at": at(11, 10)})]


def test_closing_skips_the_open_steps_and_charges_the_late_one() -> None:
    steps = _received()
    steps = _apply(steps, progress.hand_over(CAL, steps, steps[0], at(10, 9), [], by=1))
    clock = Clock(
        status=Status.IN_PROGRESS,
        received_at=at(10, 8),
        clock_started_at=at(10, 8),
        appointment_at=at(12, 8),
        due_at=at(12, 8),
    )
    # Rejected on Wednesday afternoon, after the appointment: late, and the police step
    # (due Monday 16:00, still open) is charged with it.
    closed = progress.act(CAL, clock, steps, Action.REJECT, Status.REJECTED, at(12, 14), pauses=[])
    assert {u.key: u.changes["state"] for u in closed.updates} == {1: "skipped", 2: "skipped"}
    assert closed.fields["finished_at"] == at(12, 14)
    assert closed.fields["timeliness"] == "late"
    assert closed.fields["late_agency_id"] == 2 and closed.fields["late_step_name"] == "Thường trú"
    assert closed.payload["late_steps"][0] == {"agency_id": 2, "step": "Thường trú"}


def test_an_unanswered_supplement_request_counts_the_dossier_finished_that_day() -> None:
    clock = Clock(
        status=Status.SUPPLEMENT_REQUESTED,
        received_at=at(10, 8),
        clock_started_at=at(10, 8),
        appointment_at=at(12, 8),
        due_at=at(12, 8),
        paused_since=at(10, 9),
        supplement_requests=1,
    )
    stopped = progress.act(
        CAL, clock, [], Action.STOP, Status.STOPPED, at(31, 9), pauses=[(at(10, 9), None)]
    )
    assert stopped.fields["timeliness"] == "early"  # as if finished on 10/3
    assert "late_agency_id" not in stopped.fields


def test_an_apology_keeps_both_appointments_in_the_calendars_zone() -> None:
    clock = Clock(status=Status.IN_PROGRESS, due_at=datetime.fromisoformat("2025-03-13T01:00Z"))
    effect = progress.act(
        CAL,
        clock,
        [],
        Action.ISSUE_APOLOGY,
        Status.IN_PROGRESS,
        at(11, 9),
        pauses=[],
        new_due=at(18, 17),
    )
    assert effect.fields == {"new_appointment_at": at(18, 17), "due_at": at(18, 17), "apologies": 1}
    assert effect.payload == {
        "original_due": "2025-03-13T08:00:00+07:00",
        "new_due": "2025-03-18T17:00:00+07:00",
    }


def test_a_return_to_the_previous_step_starts_it_again_with_its_officer() -> None:
    steps = _received()
    steps = _apply(steps, progress.hand_over(CAL, steps, steps[0], at(10, 9), [], by=5))
    previous = progress.previous_step(steps)
    assert previous is not None and previous.key == 0 and previous.assignee_id == 5
    back = progress.send_back(CAL, steps[1], previous, at(10, 10))
    assert back.updates[0].changes == {"state": "pending", "started_at": None, "assignee_id": None}
    assert back.updates[1].changes["assignee_id"] == 5
    assert back.updates[1].changes["due_at"] == at(10, 14)  # 2 h: 10-11, 13-14
    assert back.finished == steps[1] and back.from_agency_id == 2


def test_the_actions_handled_apart_never_finish_a_dossier() -> None:
    """Receipt, assignment and return to the previous step have their own functions,
    which do not close the dossier: no transition of theirs reaches a finished status."""
    apart = {Action.ACCEPT, Action.ASSIGN, Action.RETURN_TO_PREVIOUS}
    assert all(t.to not in FINISHED for (_s, a), t in TRANSITIONS.items() if a in apart)


def test_the_step_states_are_those_of_the_records() -> None:
    from motcua.dossiers.models import DossierStep

    assert {s.value for s in StepState} == set(DossierStep.State.values)
