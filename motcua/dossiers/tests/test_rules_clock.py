"""The clock of a dossier: appointment, pauses, the national on-time test, late charge."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.dossiers.rules import (
    AppointmentView,
    NewAppointment,
    Status,
    StepRecord,
    Timeliness,
    appointment_for,
    appointment_view,
    clock_minute,
    clock_start,
    current_appointment,
    dossier_timeliness,
    effective_due,
    late_charge,
    pauses_from_history,
    step_due,
    step_timeliness,
)
from motcua.worktime.holidays_vn import vietnam_calendar
from motcua.worktime.rules import WorkCalendar, due_with_pauses

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = vietnam_calendar(range(2020, 2031))  # sessions 07-11, 13-17; cut-off 15:00


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=VN)


# Tết 2025: days off Mon 27/1 - Fri 31/1, with the weekends 25-26/1 and 1-2/2 around it.


# --------------------------------------------------------------------------- appointment


@pytest.mark.parametrize(
    ("received", "days", "cutoff", "expected"),
    [
        (at(2025, 1, 23, 10), 3, True, at(2025, 2, 4, 10)),  # Thu -> Fri, Mon 3/2, Tue 4/2
        (at(2025, 1, 24, 14, 59), 3, True, at(2025, 2, 5, 14, 59)),
        (at(2025, 1, 24, 15), 3, True, at(2025, 2, 5, 17)),  # 15:00 -> from Mon 3/2
        (at(2025, 1, 24, 16), 3, True, at(2025, 2, 5, 17)),
        (at(2025, 1, 24, 16), 3, False, at(2025, 2, 5, 16)),
        (at(2025, 1, 25, 9), 1, True, at(2025, 2, 3, 17)),  # Saturday before Tết
        (at(2025, 1, 28, 9), 1, True, at(2025, 2, 3, 17)),  # during Tết
        (at(2025, 4, 25, 10), 3, True, at(2025, 4, 29, 10)),  # Saturday 26/4 is worked
        (at(2025, 4, 29, 16), 1, True, at(2025, 5, 5, 17)),  # 30/4, 1/5, 2/5 off
        (at(2026, 8, 21, 10), 1, True, at(2026, 8, 22, 10)),  # Saturday 22/8/2026 worked
    ],
)
def test_appointment(received: datetime, days: int, cutoff: bool, expected: datetime) -> None:
    assert appointment_for(CAL, received, days, apply_cutoff=cutoff) == expected


def test_appointment_cutoff_is_the_calendars() -> None:
    no_cutoff = vietnam_calendar(range(2024, 2027), cutoff=None)
    assert appointment_for(no_cutoff, at(2025, 1, 24, 16), 3) == at(2025, 2, 5, 16)


# --------------------------------------------------------------------------- pauses


APPOINTMENT = at(2025, 2, 5, 17)  # Wednesday


def test_no_pause_keeps_the_appointment() -> None:
    assert effective_due(CAL, APPOINTMENT, []) == APPOINTMENT
    # A pause outside working time pauses nothing.
    weekend = [(at(2025, 2, 8, 8), at(2025, 2, 9, 20))]
    assert effective_due(CAL, APPOINTMENT, weekend) == APPOINTMENT


def test_a_pause_pushes_the_due_by_the_working_time_paused() -> None:
    one_day = [(at(2025, 2, 3, 9), at(2025, 2, 4, 9))]
    assert effective_due(CAL, APPOINTMENT, one_day) == at(2025, 2, 6, 17)


def test_a_pause_over_tet_counts_only_working_time() -> None:
    # Fri 24/1 16:00 -> Mon 3/2 08:00 = 1 h + 1 h of working time.
    pauses = [(at(2025, 1, 24, 16), at(2025, 2, 3, 8))]
    assert effective_due(CAL, APPOINTMENT, pauses) == at(2025, 2, 6, 9)


def test_overlapping_pauses_are_merged() -> None:
    pauses = [
        (at(2025, 2, 3, 9), at(2025, 2, 3, 15)),
        (at(2025, 2, 3, 13), at(2025, 2, 4, 9)),
    ]
    assert effective_due(CAL, APPOINTMENT, pauses) == at(2025, 2, 6, 17)


def test_a_pause_after_the_deadline_does_not_help() -> None:
    pauses = [(at(2025, 2, 6, 9), at(2025, 2, 10, 9))]
    assert effective_due(CAL, APPOINTMENT, pauses) == APPOINTMENT


def test_a_pause_across_the_deadline_counts_whole() -> None:
    # Paused Wed 5/2 15:00 (2 h before the deadline) until Fri 7/2 15:00: 16 h paused.
    pauses = [(at(2025, 2, 5, 15), at(2025, 2, 7, 15))]
    assert effective_due(CAL, APPOINTMENT, pauses) == at(2025, 2, 7, 17)


def test_an_open_pause_stops_the_clock_now() -> None:
    pauses = [(at(2025, 2, 3, 9), None)]
    with pytest.raises(ValueError, match="open pause"):
        effective_due(CAL, APPOINTMENT, pauses)
    assert effective_due(CAL, APPOINTMENT, pauses, now=at(2025, 2, 4, 9)) == at(2025, 2, 6, 17)
    assert effective_due(CAL, APPOINTMENT, pauses, now=at(2025, 2, 5, 9)) == at(2025, 2, 7, 17)
    # "now" before the pause began: nothing paused yet.
    assert effective_due(CAL, APPOINTMENT, pauses, now=at(2025, 2, 1, 9)) == APPOINTMENT


def test_time_paused_before_the_clock_started_is_ignored() -> None:
    # Received Fri 24/1/2025 16:00 (after the cut-off): the clock starts Mon 3/2 07:00.
    received = at(2025, 1, 24, 16)
    started = clock_start(CAL, received)
    assert started == at(2025, 2, 3, 7)
    appointment = appointment_for(CAL, received, 3)
    pauses = [(at(2025, 1, 24, 16, 15), at(2025, 2, 3, 8))]
    assert effective_due(CAL, appointment, pauses, clock_started_at=started) == at(2025, 2, 6, 8)
    assert effective_due(CAL, appointment, pauses) == at(2025, 2, 6, 8, 45)
    assert clock_start(CAL, received, apply_cutoff=False) == received


def test_a_pause_ending_before_it_begins_is_an_error() -> None:
    with pytest.raises(ValueError, match="ends before"):
        effective_due(CAL, APPOINTMENT, [(at(2025, 2, 4), at(2025, 2, 3))])


aware = st.datetimes(
    min_value=datetime(2024, 12, 1),
    max_value=datetime(2025, 6, 30),
).map(lambda d: d.replace(tzinfo=VN))


@settings(max_examples=150, deadline=None)
@given(
    received=aware,
    days=st.integers(1, 30),
    pauses=st.lists(
        st.tuples(st.integers(0, 60 * 24 * 40), st.integers(0, 60 * 24 * 10)), max_size=4
    ),
)
def test_effective_due_invariants(
    received: datetime, days: int, pauses: list[tuple[int, int]]
) -> None:
    appointment = appointment_for(CAL, received, days)
    spans = [
        (received + timedelta(minutes=a), received + timedelta(minutes=a + b)) for a, b in pauses
    ]
    started = clock_start(CAL, received)
    due = effective_due(CAL, appointment, spans, clock_started_at=started)
    assert due >= appointment
    # Same as computing the due from the receipt with the clock stopped during the pauses,
    # all read to the minute (the clock counts the minutes the forms print).
    minutes = [(clock_minute(a), clock_minute(b)) for a, b in spans]
    assert due == due_with_pauses(CAL, clock_minute(received), working_days=days, pauses=minutes)
    # More pause never gives less time; ignoring the clock start never gives less either.
    if spans:
        assert effective_due(CAL, appointment, spans[:-1], clock_started_at=started) <= due
    assert effective_due(CAL, appointment, spans) >= due


# --------------------------------------------------------------------------- whole minutes


def test_the_clock_counts_the_minutes_the_pages_show() -> None:
    # Received Fri 8/8/2025 13:54:10 ("13:54"), 3 working days: appointment Wed 13/8 13:54.
    received = datetime(2025, 8, 8, 13, 54, 10, tzinfo=VN)
    appointment = appointment_for(CAL, received, 3)
    assert appointment == at(2025, 8, 13, 13, 54)
    assert clock_start(CAL, received) == at(2025, 8, 8, 13, 54)
    # Supplement asked Mon 11/8 10:00:50, completed Tue 12/8 10:00:10: "10:00 to 10:00",
    # one working day. The appointment moves one working day: 13:54, not 13:53:30.
    pause = [
        (datetime(2025, 8, 11, 10, 0, 50, tzinfo=VN), datetime(2025, 8, 12, 10, 0, 10, tzinfo=VN))
    ]
    assert effective_due(CAL, appointment, pause) == at(2025, 8, 14, 13, 54)
    assert current_appointment(CAL, appointment, pause) == at(2025, 8, 14, 13, 54)


def test_a_dossier_finished_within_the_appointments_minute_is_on_time() -> None:
    due = at(2025, 2, 5, 13, 54)
    finished = datetime(2025, 2, 5, 13, 54, 40, tzinfo=VN)  # shown "13:54"
    timeliness = dossier_timeliness(
        CAL, due_at=due, finished_at=finished, pauses=[], supplement_requests=0
    )
    assert timeliness is Timeliness.ON_TIME
    late = at(2025, 2, 5, 13, 55)
    assert (
        dossier_timeliness(CAL, due_at=due, finished_at=late, pauses=[], supplement_requests=0)
        is Timeliness.LATE
    )


def test_a_step_counts_the_same_minutes() -> None:
    started = datetime(2025, 8, 8, 14, 0, 20, tzinfo=VN)  # Fri; 6 h: Mon 11/8 10:00:20
    pause = [
        (datetime(2025, 8, 11, 10, 0, 50, tzinfo=VN), datetime(2025, 8, 12, 10, 0, 10, tzinfo=VN))
    ]
    due = step_due(CAL, started, 6, pause)
    assert due == datetime(2025, 8, 12, 10, 0, 20, tzinfo=VN)  # one working day later
    finished = datetime(2025, 8, 12, 10, 0, 40, tzinfo=VN)  # "10:00", as the due
    assert step_timeliness(CAL, started, finished, 6, pause) is Timeliness.ON_TIME
    assert step_timeliness(CAL, started, at(2025, 8, 12, 10, 1), 6, pause) is Timeliness.LATE


# --------------------------------------------------------------------------- current appointment


def test_the_current_appointment_after_an_apology_counts_only_later_pauses() -> None:
    # Paused one working day (Mon 3/2 09:00 -> Tue 4/2 09:00): due Thu 6/2 17:00. The leader
    # then sets a new date, Mon 10/2 17:00, on Wed 5/2; a later pause of 2 working hours
    # (Fri 7/2 09:00 -> 11:00) pushes the new date back by those 2 hours only.
    before = (at(2025, 2, 3, 9), at(2025, 2, 4, 9))
    after = (at(2025, 2, 7, 9), at(2025, 2, 7, 11))
    assert current_appointment(CAL, APPOINTMENT, [before]) == at(2025, 2, 6, 17)
    apology = NewAppointment(issued_at=at(2025, 2, 5, 10), due_at=at(2025, 2, 10, 17))
    assert current_appointment(CAL, APPOINTMENT, [before], new_appointment=apology) == (
        at(2025, 2, 10, 17)
    )
    assert current_appointment(CAL, APPOINTMENT, [before, after], new_appointment=apology) == (
        at(2025, 2, 11, 9)
    )
    # An open pause after the apology counts up to now.
    open_pause = (at(2025, 2, 7, 9), None)
    assert current_appointment(
        CAL, APPOINTMENT, [before, open_pause], new_appointment=apology, now=at(2025, 2, 7, 10)
    ) == at(2025, 2, 11, 8)


def test_the_appointment_view_says_when_paused_time_was_added() -> None:
    view = appointment_view(APPOINTMENT, None, at(2025, 2, 6, 17))
    assert view == AppointmentView(at(2025, 2, 6, 17), APPOINTMENT, None)
    assert view.paused_time_added and view.base == APPOINTMENT
    plain = appointment_view(APPOINTMENT, None, APPOINTMENT)
    assert not plain.paused_time_added and plain.current == APPOINTMENT
    rescheduled = appointment_view(APPOINTMENT, at(2025, 2, 10, 17), at(2025, 2, 10, 17))
    assert rescheduled.current == at(2025, 2, 10, 17) and not rescheduled.paused_time_added
    assert appointment_view(None, None, None).current is None


# --------------------------------------------------------------------------- history


def test_pauses_from_history() -> None:
    history = [
        (at(2025, 2, 3, 8), Status.RECEIVED),
        (at(2025, 2, 3, 9), Status.IN_PROGRESS),
        (at(2025, 2, 3, 10), Status.SUPPLEMENT_REQUESTED),
        (at(2025, 2, 4, 10), Status.IN_PROGRESS),
        (at(2025, 2, 5, 10), Status.AWAITING_PAYMENT),
        (at(2025, 2, 5, 11), Status.WITHDRAWAL_REQUESTED),  # clock runs again
        (at(2025, 2, 6, 10), Status.WITHDRAWN),
    ]
    assert pauses_from_history(history) == [
        (at(2025, 2, 3, 10), at(2025, 2, 4, 10)),
        (at(2025, 2, 5, 10), at(2025, 2, 5, 11)),
    ]
    still_paused = [(at(2025, 2, 3, 9), "in_progress"), (at(2025, 2, 3, 10), "awaiting_payment")]
    assert pauses_from_history(still_paused) == [(at(2025, 2, 3, 10), None)]
    # Payment requested right after the supplement: one pause.
    chained = [
        (at(2025, 2, 3, 10), Status.SUPPLEMENT_REQUESTED),
        (at(2025, 2, 4, 10), Status.AWAITING_PAYMENT),
        (at(2025, 2, 5, 10), Status.IN_PROGRESS),
    ]
    assert pauses_from_history(chained) == [(at(2025, 2, 3, 10), at(2025, 2, 5, 10))]
    with pytest.raises(ValueError, match="sorted"):
        pauses_from_history(list(reversed(history)))


# --------------------------------------------------------------------------- on-time test

# Received Thursday 23/1/2025 10:00, 3 working days: due Tuesday 4/2/2025 10:00 (over Tết).
DUE = at(2025, 2, 4, 10)


def test_due_over_tet() -> None:
    assert appointment_for(CAL, at(2025, 1, 23, 10), 3) == DUE


@pytest.mark.parametrize(
    ("finished", "expected"),
    [
        (at(2025, 1, 24, 16), Timeliness.EARLY),
        (at(2025, 2, 3, 16), Timeliness.EARLY),
        (at(2025, 2, 4, 8), Timeliness.ON_TIME),
        (at(2025, 2, 4, 10), Timeliness.ON_TIME),
        (at(2025, 2, 4, 10, 1), Timeliness.LATE),
    ],
)
def test_no_supplement_request(finished: datetime, expected: Timeliness) -> None:
    got = dossier_timeliness(
        CAL, due_at=DUE, finished_at=finished, pauses=[], supplement_requests=0
    )
    assert got == expected


def test_one_answered_supplement_request_does_not_count_the_paused_time() -> None:
    # Paused Fri 24/1 10:00 -> Mon 3/2 10:00: 5 h + 3 h = one working day.
    pauses = [(at(2025, 1, 24, 10), at(2025, 2, 3, 10))]
    finished = at(2025, 2, 5, 9)
    kw = {"due_at": DUE, "finished_at": finished}
    assert dossier_timeliness(CAL, **kw, pauses=[], supplement_requests=0) == Timeliness.LATE
    assert dossier_timeliness(CAL, **kw, pauses=pauses, supplement_requests=1) == (
        Timeliness.ON_TIME
    )
    late = at(2025, 2, 5, 10, 1)
    assert dossier_timeliness(
        CAL, due_at=DUE, finished_at=late, pauses=pauses, supplement_requests=1
    ) == (Timeliness.LATE)


def test_one_unanswered_supplement_request_counts_as_finished_on_the_request_date() -> None:
    # Requested Mon 3/2 09:00, never answered; the dossier was stopped weeks later.
    got = dossier_timeliness(
        CAL,
        due_at=DUE,
        finished_at=at(2025, 3, 3, 9),
        pauses=[(at(2025, 2, 3, 9), None)],
        supplement_requests=1,
        unanswered_supplement_requested_at=at(2025, 2, 3, 9),
    )
    assert got == Timeliness.EARLY
    # Requested on the due day, before the deadline: on time; after it: late.
    got = dossier_timeliness(
        CAL,
        due_at=DUE,
        finished_at=None,
        pauses=[(at(2025, 2, 4, 9), at(2025, 2, 20, 9))],
        supplement_requests=1,
        unanswered_supplement_requested_at=at(2025, 2, 4, 9),
    )
    assert got == Timeliness.ON_TIME
    got = dossier_timeliness(
        CAL,
        due_at=DUE,
        finished_at=None,
        pauses=[],
        supplement_requests=1,
        unanswered_supplement_requested_at=at(2025, 2, 5, 9),
    )
    assert got == Timeliness.LATE


def test_earlier_pauses_still_count_for_an_unanswered_request() -> None:
    # Waited for fees Fri 24/1 10:00 -> Mon 3/2 10:00 (1 working day), then a supplement
    # request on Wed 5/2 09:00 that was never answered: due moved to Wed 5/2 10:00.
    got = dossier_timeliness(
        CAL,
        due_at=DUE,
        finished_at=None,
        pauses=[(at(2025, 1, 24, 10), at(2025, 2, 3, 10)), (at(2025, 2, 5, 9), None)],
        supplement_requests=1,
        unanswered_supplement_requested_at=at(2025, 2, 5, 9),
    )
    assert got == Timeliness.ON_TIME


def test_two_supplement_requests_are_late_whatever_the_dates() -> None:
    got = dossier_timeliness(
        CAL, due_at=DUE, finished_at=at(2025, 1, 24, 9), pauses=[], supplement_requests=2
    )
    assert got == Timeliness.LATE


def test_on_time_test_input_errors() -> None:
    with pytest.raises(ValueError):
        dossier_timeliness(CAL, due_at=DUE, finished_at=DUE, pauses=[], supplement_requests=-1)
    with pytest.raises(ValueError):
        dossier_timeliness(
            CAL,
            due_at=DUE,
            finished_at=DUE,
            pauses=[],
            supplement_requests=0,
            unanswered_supplement_requested_at=DUE,
        )
    with pytest.raises(ValueError):
        dossier_timeliness(CAL, due_at=DUE, finished_at=None, pauses=[], supplement_requests=1)


def test_an_open_pause_is_closed_at_the_finish() -> None:
    # The dossier was withdrawn while waiting for fees: the wait is not counted.
    got = dossier_timeliness(
        CAL,
        due_at=DUE,
        finished_at=at(2025, 2, 5, 9),
        pauses=[(at(2025, 1, 24, 10), None)],
        supplement_requests=0,
    )
    assert got == Timeliness.EARLY


# --------------------------------------------------------------------------- steps


def test_step_due_and_timeliness_over_tet() -> None:
    start = at(2025, 1, 24, 16)  # no cut-off for handovers
    assert step_due(CAL, start, 8) == at(2025, 2, 3, 16)
    assert step_timeliness(CAL, start, at(2025, 1, 24, 16, 30), 8) == Timeliness.EARLY
    assert step_timeliness(CAL, start, at(2025, 2, 3, 15), 8) == Timeliness.ON_TIME
    assert step_timeliness(CAL, start, at(2025, 2, 3, 16, 30), 8) == Timeliness.LATE
    pauses = [(at(2025, 2, 3, 7), at(2025, 2, 3, 9))]
    assert step_due(CAL, start, 8, pauses) == at(2025, 2, 4, 8)
    assert step_timeliness(CAL, start, at(2025, 2, 3, 16, 30), 8, pauses) == Timeliness.EARLY
    open_pause = [(at(2025, 2, 3, 7), None)]
    # Closed at the finish (Mon 09:00): 2 h paused, due Tue 08:00.
    assert step_timeliness(CAL, start, at(2025, 2, 3, 9), 8, open_pause) == Timeliness.EARLY
    with pytest.raises(ValueError):
        step_due(CAL, start, 8, open_pause)


def test_step_timeliness_with_a_non_eight_hour_day() -> None:
    # Sessions 07:00-11:30 and 13:00-17:00: 8.5 h of session time per working day.
    cal = WorkCalendar(sessions=((time(7), time(11, 30)), (time(13), time(17))))
    start = at(2025, 3, 3, 7)
    assert step_due(cal, start, 8) == at(2025, 3, 3, 17)
    assert step_due(cal, start, 4) == at(2025, 3, 3, 11, 15)


# --------------------------------------------------------------------------- late charge


COMMUNE = StepRecord("H01.12", "Tiếp nhận", at(2025, 2, 3, 11), at(2025, 2, 3, 10))
POLICE = StepRecord("H01.12.CA", "Đăng ký thường trú", at(2025, 2, 4, 10), at(2025, 2, 5, 9))
INSURANCE = StepRecord("H01.BHXH", "Cấp thẻ BHYT", at(2025, 2, 4, 8), at(2025, 2, 4, 9))
RETURNING = StepRecord("H01.12", "Trả kết quả", at(2025, 2, 5, 16), at(2025, 2, 5, 17))


def test_every_late_step_is_charged() -> None:
    steps = [COMMUNE, POLICE, INSURANCE, RETURNING]
    assert late_charge(steps) == [POLICE, INSURANCE, RETURNING]


def test_late_without_a_late_step_is_charged_to_the_last_holder() -> None:
    on_time = [COMMUNE, StepRecord("H01.BHXH", "Cấp thẻ", at(2025, 2, 4, 8), at(2025, 2, 4, 8))]
    assert late_charge(on_time) == [on_time[-1]]
    assert late_charge([]) == []


def test_a_dossier_on_time_charges_nobody() -> None:
    assert late_charge([COMMUNE, POLICE], dossier_late=False) == []


def test_an_open_step_is_charged_once_past_due() -> None:
    open_step = StepRecord("H01.12.CA", "Đăng ký thường trú", at(2025, 2, 4, 10), None)
    assert late_charge([COMMUNE, open_step], now=at(2025, 2, 4, 11)) == [open_step]
    # Not yet past due (or no "now"): the last holder, which is the same step here.
    assert late_charge([COMMUNE, open_step], now=at(2025, 2, 4, 9)) == [open_step]
    assert late_charge([open_step, COMMUNE]) == [COMMUNE]
