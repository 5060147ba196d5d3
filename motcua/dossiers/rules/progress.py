"""How a dossier moves through the steps of its process, and what that does to its clock.

Pure: no Django, no I/O. Plain data in (:class:`Step`, :class:`Clock`, the calendar,
instants), plain data out (:class:`Effect`: the dossier fields to set, the step changes,
what the event records). The services (:mod:`motcua.dossiers.services`) apply an
effect to the rows they locked; the bulk history writer (``motcua.simulation.bulk``)
applies it to the rows it is about to write. Both therefore move steps, shift deadlines
and classify timeliness the same way.

* at receipt (:func:`receive`): the clock starts, the appointment is set, every step of
  the process is planned with its due instant, the first stage is active;
* a handover (:func:`hand_over`): the step held ends (its timeliness: form 05 of
  Circular 03/2025/TT-VPCP records it per handover) and the next steps start, each due
  its working hours later; parallel branches join before the next stage;
* a pause and its end (:func:`pause`, :func:`resume`): while the applicant must act the
  clock stops; when it runs again the appointment and the active steps' due instants
  move by the working time paused (docs, "The clock");
* the end (:func:`close`): the steps still active are skipped, the dossier gets its
  national on-time classification and, when late, the steps charged with it.

Field names of :class:`Effect.fields` and :class:`StepUpdate.changes` are those of the
dossier and step records (``due_at``, ``current_agency_id``…).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from motcua.dossiers.rules.clock import (
    NewAppointment,
    Pause,
    StepRecord,
    appointment_for,
    clock_minute,
    clock_start,
    current_appointment,
    dossier_timeliness,
    late_charge,
    step_due,
    step_timeliness,
)
from motcua.dossiers.rules.processes import Stage, plan_step_deadlines, spans_agencies
from motcua.dossiers.rules.statuses import FINISHED, Status
from motcua.dossiers.rules.transitions import Action
from motcua.worktime.rules import Timeliness, WorkCalendar, due_after, working_hours_between

__all__ = [
    "ADVANCING",
    "PAUSING",
    "RESUMING",
    "Clock",
    "Effect",
    "Receipt",
    "Step",
    "StepState",
    "StepUpdate",
    "act",
    "apologise",
    "apply_updates",
    "close",
    "hand_over",
    "next_steps",
    "pause",
    "previous_step",
    "receive",
    "resume",
    "send_back",
]

#: Actions that finish the step the actor holds and start the next one (a handover,
#: recorded on the process-control slip).
ADVANCING = frozenset(
    {
        Action.FORWARD,
        Action.SUBMIT_FOR_SIGNATURE,
        Action.SIGN,
        Action.MARK_RESULT_READY,
        Action.RETURN_RESULT,
    }
)
#: Actions that stop the clock (the applicant must act) and that start it again.
PAUSING = frozenset({Action.REQUEST_SUPPLEMENT, Action.REQUEST_PAYMENT})
RESUMING = frozenset({Action.SUPPLEMENT, Action.RECORD_PAYMENT})


class StepState(StrEnum):
    """Where a step of a dossier is (the values of the step records)."""

    PENDING = "pending"  # not reached yet
    ACTIVE = "active"  # holds the dossier
    DONE = "done"  # handed over
    SKIPPED = "skipped"  # the dossier finished while it was active


_PENDING, _ACTIVE, _DONE, _SKIPPED = (s.value for s in StepState)


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a dossier as it stands.

    ``key`` identifies it to the caller (a row id, an index); steps are given in process
    order (stage, branch, position).
    """

    key: int
    stage: int
    branch: int
    position: int
    name: str
    agency_id: int
    unit_id: int | None
    role: str
    hours: int
    state: str = _PENDING
    started_at: datetime | None = None
    due_at: datetime | None = None
    finished_at: datetime | None = None
    assignee_id: int | None = None
    timeliness: str = ""


@dataclass(frozen=True, slots=True)
class StepUpdate:
    """The fields of step ``key`` that change."""

    key: int
    changes: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Clock:
    """The dossier as its clock sees it, before the action."""

    status: str
    received_at: datetime | None = None
    clock_started_at: datetime | None = None
    appointment_at: datetime | None = None
    new_appointment_at: datetime | None = None
    due_at: datetime | None = None
    paused_since: datetime | None = None
    supplement_requests: int = 0
    apologies: int = 0
    #: When the apology setting ``new_appointment_at`` was issued (its event).
    apology_issued_at: datetime | None = None


@dataclass
class Effect:
    """What one action does: dossier fields, step changes, and what its event records."""

    fields: dict[str, Any] = field(default_factory=dict)
    updates: list[StepUpdate] = field(default_factory=list)
    #: The step the action ended (the event's step), its agency and timeliness.
    finished: Step | None = None
    from_agency_id: int | None = None
    timeliness: str = ""
    #: The agency the dossier goes to (the first step started).
    to_agency_id: int | None = None
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Receipt:
    """The clock and the steps of a dossier received now (keys: process order, from 0)."""

    fields: dict[str, Any]
    steps: list[Step]


# --------------------------------------------------------------------------- receipt


def receive(
    cal: WorkCalendar,
    received_at: datetime,
    stages: Sequence[Stage],
    legal_working_days: float,
    *,
    apply_cutoff: bool,
    intake_agency_id: int,
    deciding_agency_id: int,
) -> Receipt:
    """The appointment and the step plan at receipt.

    The clock starts at the effective start of ``received_at`` (after the cut-off: the
    next working day, where the procedure applies it — docs, "Channels and intake"); the
    appointment is ``legal_working_days`` later; every step is planned with its due
    instant (:func:`~motcua.dossiers.rules.processes.plan_step_deadlines`) and the steps
    of the first stage hold the dossier from the clock start.
    """
    clock_started = clock_start(cal, received_at, apply_cutoff=apply_cutoff)
    appointment = appointment_for(cal, received_at, legal_working_days, apply_cutoff=apply_cutoff)
    # The steps from the minute of the receipt, as the appointment (the clock counts
    # whole minutes: ``clock_minute``).
    planned = plan_step_deadlines(cal, clock_minute(received_at), stages, apply_cutoff=apply_cutoff)
    first_stage = planned[0].stage_index if planned else 0
    steps = []
    for order, plan in enumerate(planned):
        active = plan.stage_index == first_stage
        steps.append(
            Step(
                key=order,
                stage=plan.stage_index,
                branch=plan.branch_index or 0,
                position=order,
                name=plan.step.name,
                agency_id=int(plan.step.agency_ref),
                unit_id=int(plan.step.unit_ref) if plan.step.unit_ref else None,
                role=plan.step.role.value,
                hours=plan.step.hours,
                state=_ACTIVE if active else _PENDING,
                started_at=clock_started if active else None,
                due_at=plan.due_at,
            )
        )
    first = steps[0] if steps else None
    fields = {
        "received_at": received_at,
        "clock_started_at": clock_started,
        "appointment_at": appointment,
        "due_at": appointment,
        "current_agency_id": first.agency_id if first else intake_agency_id,
        "current_unit_id": first.unit_id if first else None,
        "current_role": first.role if first else "",
        "spans_agencies": spans_agencies(
            (s.agency_id for s in steps), deciding_agency_id, intake_agency_id
        ),
    }
    return Receipt(fields, steps)


# --------------------------------------------------------------------------- steps


def next_steps(steps: Sequence[Step], finishing: Step) -> list[Step]:
    """The steps that become active once ``finishing`` is done.

    The next step of its branch; else, once every branch of its stage has ended (parallel
    branches join), the first step of each branch of the next stage.
    """
    same_branch = [
        s
        for s in steps
        if s.stage == finishing.stage
        and s.branch == finishing.branch
        and s.position > finishing.position
    ]
    if same_branch:
        return [min(same_branch, key=lambda s: s.position)]
    others_open = [
        s
        for s in steps
        if s.stage == finishing.stage and s.key != finishing.key and s.state in (_ACTIVE, _PENDING)
    ]
    if others_open:
        return []  # the other parallel branches have not joined yet
    later = [s for s in steps if s.stage > finishing.stage]
    if not later:
        return []
    next_stage = min(s.stage for s in later)
    firsts: dict[int, Step] = {}
    for s in sorted((s for s in later if s.stage == next_stage), key=lambda s: s.position):
        firsts.setdefault(s.branch, s)
    return list(firsts.values())


def previous_step(steps: Sequence[Step]) -> Step | None:
    """The step handed over last (where a return to the previous step goes), if any."""
    done = [s for s in steps if s.state == _DONE and s.finished_at is not None]
    if not done:
        return None
    return max(done, key=lambda s: (s.finished_at, s.key))


def _step_pauses(pauses: Iterable[Pause], step: Step, now: datetime) -> list[Pause]:
    """The pauses that concern ``step``: those not over before it started."""
    started = step.started_at
    return [p for p in pauses if started and (p[1] or now) > started]


def _finish_step(
    cal: WorkCalendar,
    effect: Effect,
    step: Step,
    now: datetime,
    pauses: Sequence[Pause],
    by: int | None,
) -> None:
    timeliness = step_timeliness(
        cal, step.started_at or now, now, step.hours, _step_pauses(pauses, step, now)
    ).value
    effect.updates.append(
        StepUpdate(
            step.key,
            {
                "state": _DONE,
                "finished_at": now,
                "timeliness": timeliness,
                "assignee_id": step.assignee_id or by,
            },
        )
    )
    effect.finished = step
    effect.from_agency_id = step.agency_id
    effect.timeliness = timeliness


def _start_steps(
    cal: WorkCalendar,
    effect: Effect,
    steps: Sequence[Step],
    now: datetime,
    assignee_id: int | None = None,
) -> None:
    """Each step holds the dossier from ``now``, due its working hours later (no cut-off:
    a handover is not a receipt); the dossier is with the first one."""
    for step in steps:
        changes: dict[str, Any] = {
            "state": _ACTIVE,
            "started_at": now,
            "due_at": step_due(cal, now, step.hours),
            "finished_at": None,
            "timeliness": "",
        }
        if assignee_id is not None:
            changes["assignee_id"] = assignee_id
        effect.updates.append(StepUpdate(step.key, changes))
    if steps:
        first = steps[0]
        effect.to_agency_id = first.agency_id
        effect.fields.update(
            current_agency_id=first.agency_id,
            current_unit_id=first.unit_id,
            current_role=first.role,
            assignee_id=assignee_id,
        )
        effect.payload["next_steps"] = [s.name for s in steps]
        # Parallel branches start at several agencies at once (the control slip).
        effect.payload["next_agencies"] = sorted({s.agency_id for s in steps})


def hand_over(
    cal: WorkCalendar,
    steps: Sequence[Step],
    finishing: Step,
    now: datetime,
    pauses: Sequence[Pause],
    *,
    by: int | None,
    upcoming: Sequence[Step] | None = None,
    assignee_id: int | None = None,
) -> Effect:
    """``finishing`` ends now (handed over by ``by``) and the next steps start.

    ``upcoming`` defaults to :func:`next_steps`; ``assignee_id`` is who the next steps are
    assigned to. When no step starts and another branch is still open, the dossier is
    now with that branch; when none is, nobody holds it.
    """
    if upcoming is None:
        upcoming = next_steps(steps, finishing)
    effect = Effect()
    _finish_step(cal, effect, finishing, now, pauses, by)
    _start_steps(cal, effect, upcoming, now, assignee_id)
    still_open = [s for s in steps if s.state == _ACTIVE and s.key != finishing.key]
    if not upcoming and still_open:
        # A parallel branch ended before the others: the dossier is now with them.
        first = still_open[0]
        effect.fields.update(
            current_agency_id=first.agency_id,
            current_unit_id=first.unit_id,
            current_role=first.role,
            assignee_id=first.assignee_id,
        )
    elif not upcoming:
        effect.fields.update(current_role="", assignee_id=None)
    return effect


def send_back(cal: WorkCalendar, holding: Step, previous: Step, now: datetime) -> Effect:
    """Return to the previous step: ``holding`` waits again, ``previous`` starts anew
    (with the officer who held it)."""
    effect = Effect()
    effect.updates.append(
        StepUpdate(holding.key, {"state": _PENDING, "started_at": None, "assignee_id": None})
    )
    effect.finished = holding
    effect.from_agency_id = holding.agency_id
    _start_steps(cal, effect, [previous], now)
    effect.updates[-1].changes["assignee_id"] = previous.assignee_id
    return effect


# --------------------------------------------------------------------------- clock


def pause(clock: Clock, action: Action, now: datetime) -> Effect:
    """The clock of a received dossier stops: the applicant must act (supplement
    requested — counted, one request only: Decree 118/2025/NĐ-CP art. 11 —, or the
    financial obligation: national status 6)."""
    effect = Effect()
    if action is Action.REQUEST_SUPPLEMENT:
        effect.fields["supplement_requests"] = clock.supplement_requests + 1
    if clock.received_at is not None:
        effect.fields["paused_since"] = now
    return effect


def resume(
    cal: WorkCalendar,
    clock: Clock,
    steps: Sequence[Step],
    now: datetime,
    pauses: Sequence[Pause],
) -> Effect:
    """The clock runs again: the due instant is the appointment in force
    (:func:`~motcua.dossiers.rules.clock.current_appointment`: the receipt's pushed back
    by every pause, or the apology's pushed back by the pauses after it), and each active
    step is due later by the working time of this pause, read to the minute (docs, "The
    clock").

    ``pauses`` are those of the history up to now (this one still open).
    """
    effect = Effect()
    started = clock.paused_since
    if started is None:
        return effect
    paused_hours = working_hours_between(cal, clock_minute(started), clock_minute(now))
    closed = [p for p in pauses if p[1] is not None]
    if clock.appointment_at is not None:
        effect.fields["due_at"] = _in_force(cal, clock, [*closed, (started, now)], now)
    if paused_hours > 0:
        for step in steps:
            if step.state == _ACTIVE and step.due_at is not None:
                shifted = due_after(
                    cal, step.due_at, working_hours=paused_hours, apply_cutoff=False
                )
                effect.updates.append(StepUpdate(step.key, {"due_at": shifted}))
    effect.fields["paused_since"] = None
    effect.payload["paused_working_hours"] = round(paused_hours, 2)
    return effect


def _in_force(
    cal: WorkCalendar,
    clock: Clock,
    pauses: Sequence[Pause],
    now: datetime,
    apology: NewAppointment | None = None,
) -> datetime:
    """The appointment in force (``Dossier.due_at``) after ``pauses``."""
    assert clock.appointment_at is not None
    if apology is None and clock.new_appointment_at is not None:
        issued = clock.apology_issued_at or now
        apology = NewAppointment(issued, clock.new_appointment_at)
    return current_appointment(
        cal,
        clock.appointment_at,
        pauses,
        new_appointment=apology,
        clock_started_at=clock.clock_started_at,
    )


def apologise(
    cal: WorkCalendar,
    clock: Clock,
    new_due: datetime,
    now: datetime,
    pauses: Sequence[Pause],
    notice: str = "",
) -> Effect:
    """The deciding agency apologises and sets a new appointment (checked beforehand
    with :func:`~motcua.dossiers.rules.late.check_new_appointment`, which says how much
    ``notice`` it gives). Only the pauses after it push the new date back. The event
    keeps both appointments, in the calendar's time zone (form 04 prints them)."""
    assert clock.due_at is not None
    effect = Effect()
    closed = [p for p in pauses if p[1] is not None]
    due = (
        new_due
        if clock.appointment_at is None
        else _in_force(cal, clock, closed, now, NewAppointment(now, new_due))
    )
    effect.fields.update(new_appointment_at=new_due, due_at=due, apologies=clock.apologies + 1)
    local = cal.compiled.local
    effect.payload.update(
        original_due=local(clock.due_at).isoformat(), new_due=local(new_due).isoformat()
    )
    if notice:
        # In time, on short notice or after the deadline (a late apology).
        effect.payload["notice"] = notice
    return effect


def close(
    cal: WorkCalendar,
    clock: Clock,
    to: Status,
    steps: Sequence[Step],
    now: datetime,
    pauses: Sequence[Pause],
    effect: Effect,
) -> Effect:
    """The dossier reaches a finished status now (after the step changes of ``effect``).

    The steps still active are skipped; the dossier gets the national on-time
    classification (:func:`~motcua.dossiers.rules.clock.dossier_timeliness`, against
    the appointment of the receipt slip; a supplement request never answered counts the
    dossier finished on the day of the request) and, when late, the agency and step
    charged with it (:func:`~motcua.dossiers.rules.clock.late_charge`). A dossier
    refused at intake was never received: no classification.
    """
    touched = {u.key for u in effect.updates}
    for step in steps:
        if step.state == _ACTIVE and step.key not in touched:
            effect.updates.append(StepUpdate(step.key, {"state": _SKIPPED, "finished_at": now}))
    effect.fields["finished_at"] = now
    effect.fields["paused_since"] = None
    if to is Status.REFUSED_INTAKE or clock.appointment_at is None:
        return effect
    unanswered = clock.paused_since if clock.status == Status.SUPPLEMENT_REQUESTED else None
    timeliness = dossier_timeliness(
        cal,
        due_at=clock.appointment_at,
        finished_at=now,
        pauses=pauses,
        supplement_requests=clock.supplement_requests,
        unanswered_supplement_requested_at=unanswered,
        clock_started_at=clock.clock_started_at,
    )
    effect.fields["timeliness"] = timeliness.value
    if timeliness is Timeliness.LATE:
        _charge_late(effect, steps, now)
    return effect


def _charge_late(effect: Effect, steps: Sequence[Step], now: datetime) -> None:
    changed: dict[int, dict[str, Any]] = {}
    for update in effect.updates:
        changed.setdefault(update.key, {}).update(update.changes)
    started = sorted(
        (s for s in steps if s.started_at is not None), key=lambda s: (s.started_at, s.key)
    )
    records = [
        StepRecord(
            agency_ref=str(step.agency_id),
            step_name=step.name,
            due_at=step.due_at or now,
            finished_at=changed.get(step.key, {}).get("finished_at", step.finished_at),
        )
        for step in started
    ]
    charged = late_charge(records, dossier_late=True, now=now)
    if charged:
        worst = charged[0]
        effect.fields["late_agency_id"] = int(worst.agency_ref)
        effect.fields["late_step_name"] = worst.step_name
        effect.payload["late_steps"] = [
            {"agency_id": int(r.agency_ref), "step": r.step_name} for r in charged
        ]


# --------------------------------------------------------------------------- actions


def act(
    cal: WorkCalendar,
    clock: Clock,
    steps: Sequence[Step],
    action: Action,
    to: Status,
    now: datetime,
    *,
    pauses: Sequence[Pause],
    finishing: Step | None = None,
    by: int | None = None,
    new_due: datetime | None = None,
    notice: str = "",
) -> Effect:
    """The effect of ``action`` (allowed: it leads to ``to``) on the steps and the clock.

    Handovers (:data:`ADVANCING`) end ``finishing`` (``None``: nothing left to hand over,
    e.g. the counter returns a result the process has no step for); pauses, resumptions
    and apologies (``new_due``) move the clock; reaching a finished status closes the
    dossier (:func:`close`). Receipt, assignment and the return to the previous step
    have their own functions (:func:`receive`, :func:`hand_over`, :func:`send_back`).
    ``pauses``: the clock pauses of the history before this action
    (:func:`~motcua.dossiers.rules.clock.pauses_from_history`).
    """
    if action in ADVANCING:
        effect = (
            hand_over(cal, steps, finishing, now, pauses, by=by)
            if finishing is not None
            else Effect()
        )
        if action is Action.RETURN_RESULT:
            effect.fields["returned_at"] = now
    elif action in PAUSING:
        effect = pause(clock, action, now)
    elif action in RESUMING:
        effect = resume(cal, clock, steps, now, pauses)
    elif action is Action.ISSUE_APOLOGY:
        assert new_due is not None
        effect = apologise(cal, clock, new_due, now, pauses, notice)
    else:
        effect = Effect()
    if to in FINISHED and Status(clock.status) not in FINISHED:
        close(cal, clock, to, steps, now, pauses, effect)
    return effect


def apply_updates(steps: Sequence[Step], updates: Iterable[StepUpdate]) -> list[Step]:
    """``steps`` with ``updates`` applied (in order)."""
    by_key: dict[int, dict[str, Any]] = {}
    for update in updates:
        by_key.setdefault(update.key, {}).update(update.changes)
    return [replace(s, **by_key[s.key]) if s.key in by_key else s for s in steps]
