"""The clock of a dossier: appointment, pauses, on-time test, who made it late.

Pure: no Django, no I/O. Instants are aware datetimes; the calendar is
:class:`motcua.worktime.rules.WorkCalendar` data.

A *pause* is ``(begin, end)`` while the applicant must act (supplement requested,
waiting for the financial obligation: :data:`~motcua.dossiers.rules.statuses.CLOCK_PAUSED`);
``end`` is ``None`` while the pause is still open (the clock is stopped now).

The clock of a dossier counts whole minutes (:func:`clock_minute`): the receipt slip and
every notice print times as "hh:mm dd/mm/yyyy" (form 01 of Circular 03/2025/TT-VPCP), so
the receipt, the pauses and the finish are read to the minute. Otherwise the seconds
that the pages do not show move the result: received 13:54:10, paused from 10:00:50 to
10:00:10 the next day — "10:00 to 10:00" on every page — would put the appointment of
13:54 one working day later at 13:53:30, shown "13:53".

*The current appointment* (:func:`current_appointment`) is the one in force: the
receipt's appointment, or the new date of an apology, pushed back by the time the clock
was stopped. The service keeps it in ``Dossier.due_at``; every page, API, printout and
worklist shows that (:class:`AppointmentView`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from motcua.dossiers.rules.statuses import CLOCK_PAUSED, Status
from motcua.worktime.rules import (
    Timeliness,
    WorkCalendar,
    classify_completion,
    due_after,
    due_with_pauses,
)

__all__ = [
    "AppointmentView",
    "NewAppointment",
    "Pause",
    "StepRecord",
    "appointment_for",
    "appointment_view",
    "clock_minute",
    "clock_start",
    "current_appointment",
    "dossier_timeliness",
    "effective_due",
    "late_charge",
    "pauses_from_history",
    "step_due",
    "step_timeliness",
]

Pause = tuple[datetime, datetime | None]


def clock_minute(instant: datetime) -> datetime:
    """``instant`` without its seconds: the minute the forms print and the clock counts."""
    if instant.second == 0 and instant.microsecond == 0:
        return instant
    return instant.replace(second=0, microsecond=0)


def appointment_for(
    cal: WorkCalendar,
    received_at: datetime,
    legal_working_days: float,
    *,
    apply_cutoff: bool = True,
) -> datetime:
    """The appointment (hẹn trả kết quả) on the receipt slip.

    ``legal_working_days`` working days after the receipt. With ``apply_cutoff`` a dossier
    received at or after the calendar's cut-off (15:00 by default) is counted from the
    next working day: docs, "Channels and intake" — a dossier received after 15:00 is
    transferred at the start of the next working day and, for several procedures
    (certification of copies, Decree 23/2015 as amended by Decree 07/2025; the Decree
    63/2024/NĐ-CP interconnected group), its time counts from the next working day. The
    cut-off time itself is the calendar's (``WorkCalendar.cutoff``, configurable); whether
    it applies is the procedure's setting (``apply_cutoff``). The receipt counts from its
    minute (:func:`clock_minute`), as the slip prints it.
    """
    return due_after(
        cal, clock_minute(received_at), working_days=legal_working_days, apply_cutoff=apply_cutoff
    )


def clock_start(cal: WorkCalendar, received_at: datetime, *, apply_cutoff: bool = True) -> datetime:
    """When the clock of a dossier received at ``received_at`` starts counting.

    The effective start of :func:`motcua.worktime.rules.due_after`: ``received_at`` inside
    a session, else the next session start; with ``apply_cutoff``, the first session of the
    next working day for a receipt at or after the cut-off (docs, "Channels and intake").
    Read to the minute (:func:`clock_minute`).
    """
    return due_after(cal, clock_minute(received_at), working_hours=0, apply_cutoff=apply_cutoff)


def _closed_pauses(
    pauses: Iterable[Pause], now: datetime | None, *, what: str = "now"
) -> list[tuple[datetime, datetime]]:
    closed: list[tuple[datetime, datetime]] = []
    for begin, end in pauses:
        if end is None:
            if now is None:
                raise ValueError(f"an open pause (ends None) needs {what}")
            end = max(begin, now)
        if end < begin:
            raise ValueError(
                f"pause ends before it starts: {begin.isoformat()} > {end.isoformat()}"
            )
        closed.append((begin, end))
    return closed


def _minute_pauses(
    pauses: Iterable[tuple[datetime, datetime]],
) -> list[tuple[datetime, datetime]]:
    """Closed pauses read to the minute, as the pages show them (:func:`clock_minute`)."""
    return [(clock_minute(begin), clock_minute(end)) for begin, end in pauses]


def effective_due(
    cal: WorkCalendar,
    appointment: datetime,
    pauses: Iterable[Pause],
    *,
    now: datetime | None = None,
    clock_started_at: datetime | None = None,
) -> datetime:
    """The appointment pushed back by the working time the clock was stopped.

    The time between "supplement requested" and "supplement completed" is not counted
    (national on-time test, docs "The clock"), nor the wait for the financial obligation
    (national status 6). Pauses are merged; a pause counts only if it begins before the
    (already extended) due instant — time paused after the deadline does not make a late
    dossier on time again. Time paused before ``clock_started_at`` (see
    :func:`clock_start`; e.g. a receipt after the cut-off, paused the same afternoon) is
    ignored; without it, every pause is taken to lie after the clock started.

    An open pause (end ``None``) means the clock is stopped now: it is counted up to
    ``now`` (required then), so the result is the due instant *as of now* and keeps
    moving while the pause stays open. Never earlier than ``appointment``; equal when no
    working time was paused. Pauses are read to the minute (:func:`clock_minute`).
    """
    c = cal.compiled
    target = c.position(appointment)
    start = target
    floor = None if clock_started_at is None else c.position(clock_minute(clock_started_at))
    for a, b in c.merged_pauses(_minute_pauses(_closed_pauses(pauses, now))):
        if floor is not None:
            a = max(a, floor)
            if b <= a:
                continue
        if a >= target:
            break
        target += b - a
    if target == start:
        return appointment
    return c.instant(target, True)


class NewAppointment(NamedTuple):
    """An apology's new date (form 04) and when it was issued."""

    issued_at: datetime
    due_at: datetime


def current_appointment(
    cal: WorkCalendar,
    appointment: datetime,
    pauses: Iterable[Pause],
    *,
    new_appointment: NewAppointment | None = None,
    now: datetime | None = None,
    clock_started_at: datetime | None = None,
) -> datetime:
    """The appointment in force: what the applicant is told and the officers work to.

    The receipt's ``appointment`` pushed back by the working time the clock was stopped
    (:func:`effective_due`: supplement requested → completed, waiting for the financial
    obligation). After an apology the ``new_appointment`` replaces it: its date was set
    with the pauses until then behind it, so only the pauses after the apology push it
    back. Open pauses need ``now`` (see :func:`effective_due`).
    """
    if new_appointment is None:
        return effective_due(cal, appointment, pauses, now=now, clock_started_at=clock_started_at)
    issued = new_appointment.issued_at
    later = [(max(begin, issued), end) for begin, end in pauses if end is None or end > issued]
    return effective_due(cal, new_appointment.due_at, later, now=now)


@dataclass(frozen=True)
class AppointmentView:
    """A dossier's appointment as pages, APIs and printouts show it.

    ``current`` is the appointment in force (``Dossier.due_at``,
    :func:`current_appointment`); ``original`` the receipt's; ``rescheduled`` the new date
    of an apology, if any.
    """

    current: datetime | None
    original: datetime | None
    rescheduled: datetime | None = None

    @property
    def base(self) -> datetime | None:
        """The appointment before the paused time was added: the apology's, else the
        receipt's."""
        return self.rescheduled or self.original

    @property
    def paused_time_added(self) -> bool:
        """Whether time the clock was stopped has moved the appointment."""
        return self.current is not None and self.base is not None and self.current != self.base


def appointment_view(
    appointment_at: datetime | None,
    new_appointment_at: datetime | None,
    due_at: datetime | None,
) -> AppointmentView:
    """The :class:`AppointmentView` of a dossier's stored fields (``due_at`` is the
    current appointment; before it is set, the receipt's or the apology's)."""
    current = due_at or new_appointment_at or appointment_at
    return AppointmentView(current=current, original=appointment_at, rescheduled=new_appointment_at)


def pauses_from_history(
    changes: Iterable[tuple[datetime, Status | str]],
) -> list[Pause]:
    """Clock pauses from a status history ``[(at, new_status), ...]`` sorted by time.

    A pause begins when the dossier enters a :data:`CLOCK_PAUSED` status and ends when it
    leaves the paused statuses; the last one is open (end ``None``) if the dossier is
    still paused. Moving between two paused statuses keeps one pause.
    """
    pauses: list[Pause] = []
    began: datetime | None = None
    previous: datetime | None = None
    for at, status in changes:
        if previous is not None and at < previous:
            raise ValueError("the status history must be sorted by time")
        previous = at
        paused = Status(status) in CLOCK_PAUSED
        if paused and began is None:
            began = at
        elif not paused and began is not None:
            pauses.append((began, at))
            began = None
    if began is not None:
        pauses.append((began, None))
    return pauses


def dossier_timeliness(
    cal: WorkCalendar,
    *,
    due_at: datetime,
    finished_at: datetime | None,
    pauses: Iterable[Pause],
    supplement_requests: int,
    unanswered_supplement_requested_at: datetime | None = None,
    clock_started_at: datetime | None = None,
) -> Timeliness:
    """Early / on time / late for a finished dossier: the national on-time test.

    Docs, "The clock" (the rule of the national service index, Decision 766/QĐ-TTg):

    * finished on time if it finishes at or before the appointment, the time between
      "supplement requested" and "supplement completed" not counted (and the wait for the
      financial obligation, national status 6) — see :func:`effective_due`;
    * **more than one** supplement request -> LATE, whatever the dates (a second request
      breaks Decree 118/2025/NĐ-CP art. 11);
    * a single supplement request never answered -> the dossier counts as finished on
      the request date: pass ``unanswered_supplement_requested_at`` (``finished_at`` is
      then ignored and may be ``None``).

    ``due_at`` is the appointment on the receipt slip. A new appointment after an apology
    does not make a late dossier on time in our reading (the apology is issued because
    the dossier will be late); which one to pass is the caller's decision [unverified].
    EARLY means finished on a calendar day before the due day
    (:func:`motcua.worktime.rules.classify_completion`). ``clock_started_at``: see
    :func:`effective_due`. The finish is read to the minute (:func:`clock_minute`): a
    dossier finished at 13:54:40 is on time for an appointment of 13:54.
    """
    if supplement_requests < 0:
        raise ValueError("supplement_requests cannot be negative")
    if unanswered_supplement_requested_at is not None and supplement_requests == 0:
        raise ValueError("an unanswered supplement request implies supplement_requests >= 1")
    if supplement_requests > 1:
        return Timeliness.LATE
    if unanswered_supplement_requested_at is not None:
        finish = clock_minute(unanswered_supplement_requested_at)
        closed = _minute_pauses(_closed_pauses(pauses, finish, what="a finish instant"))
        counted = [(b, min(e, finish)) for b, e in closed if b < finish]
    else:
        if finished_at is None:
            raise ValueError("finished_at is required unless the supplement went unanswered")
        finish = clock_minute(finished_at)
        counted = _closed_pauses(pauses, finish, what="a finish instant")
    due = effective_due(cal, due_at, counted, clock_started_at=clock_started_at)
    return classify_completion(cal, finish, due)


def step_due(
    cal: WorkCalendar,
    started_at: datetime,
    budget_hours: float,
    pauses: Iterable[Pause] = (),
    *,
    now: datetime | None = None,
) -> datetime:
    """Due instant of a step: ``budget_hours`` working hours after it started, pauses excluded.

    No cut-off (handovers between officers are not receipts). Open pauses need ``now``.
    Pauses are read to the minute, as the dossier's (:func:`clock_minute`).
    """
    closed = _minute_pauses(_closed_pauses(pauses, now))
    return due_with_pauses(
        cal, started_at, working_hours=budget_hours, pauses=closed, apply_cutoff=False
    )


def step_timeliness(
    cal: WorkCalendar,
    started_at: datetime,
    finished_at: datetime,
    budget_hours: float,
    pauses: Iterable[Pause] = (),
) -> Timeliness:
    """Early / on time / late of one step (the process-control slip, form 05 of Circular
    03/2025/TT-VPCP, records it per handover). Open pauses are closed at ``finished_at``;
    the finish is read to the minute (:func:`clock_minute`).
    """
    due = step_due(cal, started_at, budget_hours, pauses, now=finished_at)
    return classify_completion(cal, clock_minute(finished_at), due)


@dataclass(frozen=True)
class StepRecord:
    """A step as it happened: which agency and step held the dossier and until when.

    ``finished_at`` is ``None`` while the step still holds the dossier.
    """

    agency_ref: str
    step_name: str
    due_at: datetime
    finished_at: datetime | None


def late_charge(
    steps: Sequence[StepRecord],
    *,
    dossier_late: bool = True,
    now: datetime | None = None,
) -> list[StepRecord]:
    """The steps (agency + step) that made the dossier late, in the order given.

    Docs, "The clock": keep which agency and step made a dossier late (the process-control
    slip records it per handover). Every step finished after its due instant is charged;
    a step still open is charged if ``now`` is after its due instant. If the dossier is
    late but no step is (e.g. time lost between handovers, or a budget shorter than the
    legal limit was never exceeded), the lateness is charged to the last step in
    ``steps`` — the agency that held the dossier last. ``steps`` must be in handover
    order. A dossier that is not late (``dossier_late=False``) charges nobody; late steps
    still show in :func:`step_timeliness`.
    """
    if not dossier_late:
        return []
    late: list[StepRecord] = []
    for record in steps:
        end = record.finished_at if record.finished_at is not None else now
        if end is not None and end > record.due_at:
            late.append(record)
    if not late and steps:
        late.append(steps[-1])
    return late
