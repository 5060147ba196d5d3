"""Fixed cases for the working-time rules and the Vietnam calendar adapter."""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from motcua.worktime.holidays_vn import MAKEUP_WORKDAY_NAME, vietnam_calendar, vietnam_days
from motcua.worktime.rules import (
    DurationUnit,
    InvalidDuration,
    InvalidInstant,
    Timeliness,
    WorkCalendar,
    add_working_days,
    classify_completion,
    due_after,
    due_with_pauses,
    is_working_day,
    is_working_time,
    parse_duration,
    parse_instant,
    working_hours_between,
    working_seconds_between,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = vietnam_calendar(range(2019, 2031))
PLAIN = WorkCalendar()  # weekends only, default sessions 07-11, 13-17, cut-off 15:00


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=VN)


def D(s: str) -> date:
    return date.fromisoformat(s)


# Reference data (Vietnamese public holidays 2020-2027 with official day swaps, generated
# from holidays 0.108), inlined for the years the tests use.
REF_DAYS_OFF = {
    2021: "01-01 02-10 02-11 02-12 02-13 02-14 02-15 02-16 04-21 04-30 05-01 05-03 09-02 09-03",
    2025: "01-01 01-27 01-28 01-29 01-30 01-31 02-01 04-07 04-30 05-01 05-02 09-01 09-02",
    2026: "01-01 02-16 02-17 02-18 02-19 02-20 04-26 04-27 04-30 05-01 08-31 09-01 09-02 11-24",
}
REF_MAKEUP_WORKDAYS = {D("2024-05-04"), D("2025-04-26"), D("2026-08-22")}


# --------------------------------------------------------------------------- adapter


@pytest.mark.parametrize("year", sorted(REF_DAYS_OFF))
def test_it_matches_reference_days_off(year: int) -> None:
    vn = vietnam_days([year])
    expected = {D(f"{year}-{md}") for md in REF_DAYS_OFF[year].split()}
    assert vn.days_off == expected


def test_it_keeps_only_makeup_workdays_of_requested_years() -> None:
    vn = vietnam_days(range(2024, 2027))
    assert vn.extra_working_days == REF_MAKEUP_WORKDAYS
    assert vietnam_days([2025]).extra_working_days == {D("2025-04-26")}
    assert vietnam_days([2021]).extra_working_days == frozenset()


def test_it_names_days_in_vietnamese() -> None:
    vn = vietnam_days(range(2025, 2027))
    assert vn.names[D("2025-01-29")] == "Tết Nguyên Đán"
    assert vn.names[D("2026-11-24")] == "Ngày Văn hóa Việt Nam"
    assert vn.names[D("2026-04-27")] == "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)"
    assert vn.names[D("2025-04-26")] == MAKEUP_WORKDAY_NAME
    assert vn.years == (2025, 2026)


def test_it_applies_provincial_corrections() -> None:
    cal = vietnam_calendar(
        [2025],
        extra_days_off=[D("2025-03-04")],
        extra_working_days=[D("2025-01-27")],
        cutoff=None,
    )
    assert not is_working_day(cal, D("2025-03-04"))
    assert is_working_day(cal, D("2025-01-27"))  # re-opened: extra working day wins
    assert cal.cutoff is None
    with pytest.raises(ValueError, match="year"):
        vietnam_days([])


# --------------------------------------------------------------------------- days


@pytest.mark.parametrize(
    ("day", "worked"),
    [
        ("2021-02-09", True),  # Tết 2021: days off 10-16/2
        ("2021-02-10", False),
        ("2021-02-16", False),
        ("2021-02-17", True),
        ("2025-01-24", True),
        ("2025-01-27", False),  # Tết 2025: 27/1-1/2
        ("2025-01-31", False),
        ("2025-02-03", True),
        ("2025-04-26", True),  # Saturday worked in exchange for Friday 2/5/2025
        ("2025-05-02", False),
        ("2025-05-03", False),
        ("2026-02-13", True),
        ("2026-02-16", False),  # Tết 2026: 14-22/2 = weekends + 16-20/2
        ("2026-02-20", False),
        ("2026-02-23", True),
        ("2026-04-27", False),  # Hùng Kings (Sunday 26/4) observed Monday
        ("2026-08-22", True),  # Saturday worked in exchange for Monday 31/8/2026
        ("2026-08-29", False),
        ("2026-08-31", False),
        ("2026-09-01", False),
        ("2026-09-02", False),
        ("2026-09-03", True),
        ("2026-11-24", False),  # Ngày Văn hóa Việt Nam
        ("2026-11-23", True),
        ("2025-03-08", False),  # ordinary Saturday
        ("2025-03-09", False),  # ordinary Sunday
    ],
)
def test_it_knows_working_days(day: str, worked: bool) -> None:
    assert is_working_day(CAL, D(day)) is worked
    # the compiled table agrees with the direct rule
    assert (add_working_days(CAL, D(day), 0) == D(day)) is worked


def test_it_lets_extra_working_days_win() -> None:
    cal = WorkCalendar(days_off={D("2025-03-08")}, extra_working_days={D("2025-03-08")})
    assert is_working_day(cal, D("2025-03-08"))
    assert due_after(cal, at(2025, 3, 7, 16), working_days=1) == at(2025, 3, 8, 17)


def test_it_rejects_datetimes_as_days() -> None:
    with pytest.raises(TypeError):
        is_working_day(CAL, at(2025, 3, 3, 9))
    with pytest.raises(TypeError):
        WorkCalendar(days_off={at(2025, 3, 3)})


def test_it_adds_working_days_to_dates() -> None:
    assert add_working_days(CAL, D("2025-01-24"), 1) == D("2025-02-03")
    assert add_working_days(CAL, D("2025-02-03"), -1) == D("2025-01-24")
    assert add_working_days(CAL, D("2025-02-01"), 0) == D("2025-02-03")
    assert add_working_days(CAL, D("2025-02-01"), -1) == D("2025-01-24")
    assert add_working_days(CAL, D("2025-02-01"), 2) == D("2025-02-04")
    assert add_working_days(CAL, D("2025-04-25"), 1) == D("2025-04-26")


@pytest.mark.parametrize(
    ("instant", "inside"),
    [
        (at(2025, 3, 3, 7), True),
        (at(2025, 3, 3, 6, 59, 59), False),
        (at(2025, 3, 3, 10, 59, 59), True),
        (at(2025, 3, 3, 11), False),
        (at(2025, 3, 3, 12), False),
        (at(2025, 3, 3, 13), True),
        (at(2025, 3, 3, 16, 30), True),  # after the cut-off, still working time
        (at(2025, 3, 3, 17), False),
        (at(2025, 3, 8, 9), False),  # Saturday
        (at(2025, 4, 26, 9), True),  # make-up Saturday
        (at(2025, 1, 28, 9), False),  # Tết
        (datetime(2025, 3, 3, 2, tzinfo=UTC), True),  # 09:00 local
        (datetime(2025, 3, 3, 10, tzinfo=UTC), False),  # 17:00 local
    ],
)
def test_it_knows_working_time(instant: datetime, inside: bool) -> None:
    assert is_working_time(CAL, instant) is inside


# --------------------------------------------------------------------------- due_after


@pytest.mark.parametrize(
    ("start", "kw", "due"),
    [
        # domain examples
        (at(2025, 1, 24, 16, 30), {"working_days": 3}, at(2025, 2, 5, 17)),
        (at(2025, 3, 3, 9), {"working_days": 3}, at(2025, 3, 6, 9)),
        # a day ends at a session end, not at the next morning
        (at(2025, 3, 3, 7), {"working_days": 1}, at(2025, 3, 3, 17)),
        (at(2025, 3, 3, 7), {"working_hours": 4}, at(2025, 3, 3, 11)),
        # Tết 2021 (10-16/2)
        (at(2021, 2, 9, 9), {"working_days": 1}, at(2021, 2, 17, 9)),
        (at(2021, 2, 12, 10), {"working_days": 1}, at(2021, 2, 17, 17)),
        # Tết 2025 before / after 15:00
        (at(2025, 1, 24, 14, 59), {"working_days": 1}, at(2025, 2, 3, 14, 59)),
        (at(2025, 1, 24, 15), {"working_days": 1}, at(2025, 2, 3, 17)),
        # Tết 2026 (16-20/2)
        (at(2026, 2, 13, 10), {"working_days": 2}, at(2026, 2, 24, 10)),
        (at(2026, 2, 18, 10), {"working_days": 1}, at(2026, 2, 23, 17)),
        # 2025 swap: Saturday 26/4 worked, 30/4, 1/5, 2/5 off
        (at(2025, 4, 25, 14), {"working_days": 1}, at(2025, 4, 26, 14)),
        (at(2025, 4, 26, 16), {"working_days": 1}, at(2025, 4, 28, 17)),
        (at(2025, 4, 29, 9), {"working_days": 2}, at(2025, 5, 6, 9)),
        # 2026 swap: Saturday 22/8 worked; Monday 31/8, 1/9, 2/9 off
        (at(2026, 8, 21, 10), {"working_days": 1}, at(2026, 8, 22, 10)),
        (at(2026, 8, 28, 9), {"working_days": 1}, at(2026, 9, 3, 9)),
        # Ngày Văn hóa Việt Nam, Tuesday 24/11/2026
        (at(2026, 11, 23, 10), {"working_days": 1}, at(2026, 11, 25, 10)),
        # weekends
        (at(2025, 3, 7, 10), {"working_days": 1}, at(2025, 3, 10, 10)),
        (at(2025, 3, 9, 10), {"working_days": 1}, at(2025, 3, 10, 17)),
        (at(2025, 3, 8, 23, 59), {"working_hours": 1}, at(2025, 3, 10, 8)),
        # lunch break, before opening, after closing
        (at(2025, 3, 3, 12), {"working_days": 1}, at(2025, 3, 4, 11)),
        (at(2025, 3, 3, 12), {"working_hours": 1}, at(2025, 3, 3, 14)),
        (at(2025, 3, 3, 6), {"working_days": 1}, at(2025, 3, 3, 17)),
        (at(2025, 3, 3, 0), {"working_hours": 2}, at(2025, 3, 3, 9)),
        (at(2025, 3, 3, 17, 30), {"working_hours": 2}, at(2025, 3, 4, 9)),
        # hours
        (at(2025, 3, 3, 9), {"working_hours": 4}, at(2025, 3, 3, 15)),
        (at(2025, 3, 3, 9), {"working_hours": 16}, at(2025, 3, 5, 9)),
        (at(2025, 3, 3, 10, 30), {"working_hours": 1}, at(2025, 3, 3, 13, 30)),
        (at(2025, 3, 3, 9), {"working_hours": 0.5}, at(2025, 3, 3, 9, 30)),
        (at(2025, 3, 3, 9), {"working_days": 0.5}, at(2025, 3, 3, 15)),
        (at(2025, 3, 3, 9), {"working_hours": 112}, at(2025, 3, 21, 9)),  # 14 days
        # zero durations return the effective start
        (at(2025, 3, 3, 9), {"working_days": 0}, at(2025, 3, 3, 9)),
        (at(2025, 3, 3, 12), {"working_hours": 0}, at(2025, 3, 3, 13)),
        (at(2025, 3, 3, 15, 30), {"working_hours": 0}, at(2025, 3, 4, 7)),
        (at(2025, 3, 9, 10), {"working_days": 0}, at(2025, 3, 10, 7)),
    ],
)
def test_it_computes_due_instants(start: datetime, kw: dict[str, float], due: datetime) -> None:
    got = due_after(CAL, start, **kw)  # type: ignore[arg-type]
    assert got == due
    assert got.tzinfo is VN
    assert got.isoformat() == due.isoformat()


def test_it_can_skip_the_cutoff() -> None:
    start = at(2025, 3, 3, 15)
    assert due_after(CAL, start, working_days=1) == at(2025, 3, 4, 17)
    assert due_after(CAL, start, working_days=1, apply_cutoff=False) == at(2025, 3, 4, 15)
    no_cutoff = vietnam_calendar([2025], cutoff=None)
    assert due_after(no_cutoff, start, working_days=1) == at(2025, 3, 4, 15)
    assert due_after(CAL, start, working_hours=0, apply_cutoff=False) == start


def test_it_accepts_any_zone_and_answers_in_the_calendar_zone() -> None:
    start_utc = datetime(2025, 1, 24, 9, 30, tzinfo=UTC)  # 16:30 local
    assert due_after(CAL, start_utc, working_days=3) == at(2025, 2, 5, 17)
    start_other = datetime(2025, 3, 3, 11, tzinfo=timezone(timedelta(hours=9)))  # 09:00
    assert due_after(CAL, start_other, working_days=3).isoformat() == "2025-03-06T09:00:00+07:00"


def test_it_scales_working_hours_for_other_sessions() -> None:
    # 8.5 h of sessions: one working hour = 63.75 minutes of session time
    cal = WorkCalendar(sessions=((time(7), time(11, 30)), (time(13), time(17))))
    start = at(2025, 3, 3, 7)
    assert due_after(cal, start, working_days=1) == at(2025, 3, 3, 17)
    assert due_after(cal, start, working_hours=8) == at(2025, 3, 3, 17)
    assert due_after(cal, start, working_hours=4) == at(2025, 3, 3, 11, 15)
    assert working_hours_between(cal, start, at(2025, 3, 3, 17)) == 8
    # 07:30-11:30 and 13:30-17:30 is 8 h: plain clock hours
    cal2 = WorkCalendar(sessions=((time(7, 30), time(11, 30)), (time(13, 30), time(17, 30))))
    assert due_after(cal2, at(2025, 3, 3, 9), working_hours=4) == at(2025, 3, 3, 15)


def test_it_supports_a_single_session_and_saturdays() -> None:
    cal = WorkCalendar(
        working_weekdays=frozenset(range(6)), sessions=((time(8), time(12)),), cutoff=None
    )
    # 4 h of sessions = 8 working hours: one working hour = 30 minutes
    assert due_after(cal, at(2025, 3, 8, 8), working_hours=1) == at(2025, 3, 8, 8, 30)
    assert due_after(cal, at(2025, 3, 7, 10), working_days=1) == at(2025, 3, 8, 10)


@pytest.mark.parametrize(
    ("kw", "exc"),
    [
        ({}, TypeError),
        ({"working_days": 1, "working_hours": 8}, TypeError),
        ({"working_days": -1}, ValueError),
        ({"working_hours": float("nan")}, ValueError),
        ({"working_hours": float("inf")}, ValueError),
        ({"working_days": True}, TypeError),
        ({"working_days": "3"}, TypeError),
    ],
)
def test_it_rejects_bad_durations(kw: dict[str, object], exc: type[Exception]) -> None:
    with pytest.raises(exc):
        due_after(CAL, at(2025, 3, 3, 9), **kw)  # type: ignore[arg-type]


def test_it_rejects_naive_and_non_datetimes() -> None:
    naive = datetime(2025, 3, 3, 9)
    with pytest.raises(ValueError, match="naive"):
        due_after(CAL, naive, working_days=1)
    with pytest.raises(ValueError, match="naive"):
        working_seconds_between(CAL, naive, at(2025, 3, 4))
    with pytest.raises(ValueError, match="naive"):
        is_working_time(CAL, naive)
    with pytest.raises(TypeError):
        due_after(CAL, D("2025-03-03"), working_days=1)  # type: ignore[arg-type]


def test_it_refuses_instants_outside_the_table() -> None:
    with pytest.raises(ValueError, match="outside"):
        due_after(CAL, at(2150, 1, 2, 9), working_days=1)
    with pytest.raises(ValueError, match="outside"):
        due_after(CAL, at(2100, 12, 30, 9), working_days=30)


def test_it_validates_calendars() -> None:
    with pytest.raises(ValueError):
        WorkCalendar(sessions=())
    with pytest.raises(ValueError):
        WorkCalendar(sessions=((time(11), time(7)),))
    with pytest.raises(ValueError):
        WorkCalendar(sessions=((time(7), time(12)), (time(11), time(17))))
    with pytest.raises(ValueError):
        WorkCalendar(working_weekdays=frozenset({7}))
    with pytest.raises(ValueError, match="time zone"):
        due_after(WorkCalendar(tz="Mars/Olympus"), at(2025, 3, 3), working_days=1)
    with pytest.raises(ValueError, match="no working day"):
        due_after(WorkCalendar(working_weekdays=frozenset()), at(2025, 3, 3), working_days=1)


def test_it_pickles_calendars_without_their_tables() -> None:
    due_after(CAL, at(2025, 3, 3, 9), working_days=1)
    assert "compiled" in CAL.__dict__
    copy = pickle.loads(pickle.dumps(CAL))  # noqa: S301 (our own bytes)
    assert copy == CAL
    assert "compiled" not in copy.__dict__
    assert due_after(copy, at(2025, 1, 24, 16, 30), working_days=3) == at(2025, 2, 5, 17)


# --------------------------------------------------------------------------- elapsed


def test_it_measures_working_time() -> None:
    assert working_hours_between(CAL, at(2025, 3, 3, 9), at(2025, 3, 3, 15)) == 4
    assert working_hours_between(CAL, at(2025, 3, 7, 15), at(2025, 3, 10, 9)) == 4
    assert working_hours_between(CAL, at(2025, 3, 3, 9), at(2025, 3, 5, 9)) == 16
    assert working_seconds_between(CAL, at(2025, 3, 3, 9), at(2025, 3, 3, 9, 0, 1)) == 1
    # no cut-off when measuring elapsed time
    assert working_hours_between(CAL, at(2025, 3, 3, 16), at(2025, 3, 3, 17)) == 1
    # across Tết 2025: Friday 24/1 16:00 -> Monday 3/2 08:00 = 1 h + 1 h
    assert working_hours_between(CAL, at(2025, 1, 24, 16), at(2025, 2, 3, 8)) == 2
    # reversed interval is negative
    assert working_hours_between(CAL, at(2025, 3, 5, 9), at(2025, 3, 3, 9)) == -16


def test_it_excludes_pauses() -> None:
    start, end = at(2025, 3, 3, 9), at(2025, 3, 5, 9)  # 16 h
    one = [(at(2025, 3, 3, 13), at(2025, 3, 4, 13))]  # Mon 13-17 + Tue 07-11 = 8 h
    assert working_hours_between(CAL, start, end, one) == 8
    overlapping = [
        (at(2025, 3, 3, 13), at(2025, 3, 3, 15)),
        (at(2025, 3, 3, 14), at(2025, 3, 3, 16)),
    ]
    assert working_hours_between(CAL, start, end, overlapping) == 13
    clipped = [(at(2025, 3, 2, 10), at(2025, 3, 3, 10)), (at(2025, 3, 5, 8), at(2025, 3, 6, 8))]
    assert working_hours_between(CAL, start, end, clipped) == 14  # Mon 07-10, Wed 07-09
    outside = [(at(2025, 3, 8, 9), at(2025, 3, 9, 9))]  # a weekend
    assert working_hours_between(CAL, start, end, outside) == 16
    with pytest.raises(ValueError, match="pause"):
        working_hours_between(CAL, start, end, [(at(2025, 3, 4), at(2025, 3, 3))])


def test_it_stops_the_clock_during_pauses() -> None:
    start = at(2025, 3, 3, 9)  # Monday; 3 days -> Thursday 09:00 without pauses
    supplement = [(at(2025, 3, 4, 9), at(2025, 3, 5, 9))]  # 8 working hours
    assert due_with_pauses(CAL, start, working_days=3, pauses=supplement) == at(2025, 3, 7, 9)
    assert due_with_pauses(CAL, start, working_days=3) == at(2025, 3, 6, 9)
    before = [(at(2025, 3, 1, 9), at(2025, 3, 3, 10))]  # counts only from 09:00: 1 h
    assert due_with_pauses(CAL, start, working_days=3, pauses=before) == at(2025, 3, 6, 10)
    after = [(at(2025, 3, 6, 9), at(2025, 3, 7, 9))]  # starts at the due instant
    assert due_with_pauses(CAL, start, working_days=3, pauses=after) == at(2025, 3, 6, 9)
    # a pause running over Tết 2025: Friday 24/1 14:00 to Tuesday 4/2 10:00
    tet = [(at(2025, 1, 24, 14), at(2025, 2, 4, 10))]
    got = due_with_pauses(CAL, at(2025, 1, 24, 9), working_hours=8, pauses=tet)
    assert got == at(2025, 2, 4, 17)  # Fri 09-11, 13-14 (3 h), then Tue 10-11, 13-17 (5 h)
    assert working_hours_between(CAL, at(2025, 1, 24, 9), got, tet) == 8
    assert due_with_pauses(CAL, start, working_hours=0, pauses=supplement) == start


# --------------------------------------------------------------------------- classify


@pytest.mark.parametrize(
    ("completed", "due", "expected"),
    [
        (at(2025, 3, 5, 16), at(2025, 3, 6, 9), Timeliness.EARLY),
        (at(2025, 3, 6, 8), at(2025, 3, 6, 9), Timeliness.ON_TIME),
        (at(2025, 3, 6, 9), at(2025, 3, 6, 9), Timeliness.ON_TIME),
        (at(2025, 3, 6, 9, 0, 1), at(2025, 3, 6, 9), Timeliness.LATE),
        (at(2025, 3, 7, 8), at(2025, 3, 6, 17), Timeliness.LATE),
        # 18:00 UTC on the 5th is 01:00 local on the 6th: same local day as the due
        (datetime(2025, 3, 5, 18, tzinfo=UTC), at(2025, 3, 6, 17), Timeliness.ON_TIME),
    ],
)
def test_it_classifies_completion(completed: datetime, due: datetime, expected: Timeliness) -> None:
    assert classify_completion(CAL, completed, due) is expected
    assert str(expected) in {"early", "on_time", "late"}


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-01-24T16:30", at(2025, 1, 24, 16, 30)),
        ("2025-01-24T16:30:05", at(2025, 1, 24, 16, 30, 5)),
        (" 2025-01-24 16:30 ", at(2025, 1, 24, 16, 30)),
        ("2025-01-24T16:30+07:00", at(2025, 1, 24, 16, 30)),
        ("2025-01-24T09:30:00Z", at(2025, 1, 24, 16, 30)),
        ("2025-01-24T09:30:00.5+00:00", at(2025, 1, 24, 16, 30) + timedelta(seconds=0.5)),
    ],
)
def test_it_parses_instants(text: str, expected: datetime) -> None:
    got = parse_instant(text)
    assert got == expected
    assert got.utcoffset() is not None


def test_it_parses_naive_text_in_the_given_zone() -> None:
    got = parse_instant("2025-01-24T16:30", tz="UTC")
    assert got == datetime(2025, 1, 24, 16, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "24/01/2025 16:30",
        "2025-01-24",
        "2025-13-01T10:00",
        "2025-01-24T25:00",
        "2025-01-24T16:30+7",
        "tomorrow",
        "2025-01-24T16:30:00+07:00junk",
    ],
)
def test_it_rejects_bad_instants(text: str) -> None:
    with pytest.raises(InvalidInstant, match=r"YYYY-MM-DDTHH:MM\[:SS\]\[±HH:MM\]") as info:
        parse_instant(text)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3d", (DurationUnit.DAYS, 3)),
        ("16h", (DurationUnit.HOURS, 16)),
        ("16H", (DurationUnit.HOURS, 16)),
        (" 0h ", (DurationUnit.HOURS, 0)),
        ("1.5h", (DurationUnit.HOURS, 1.5)),
        ("3 days", (DurationUnit.DAYS, 3)),
        ("3 ngày", (DurationUnit.DAYS, 3)),
        ("16 giờ", (DurationUnit.HOURS, 16)),
    ],
)
def test_it_parses_durations(text: str, expected: tuple[DurationUnit, float]) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "3", "d", "-1d", "3w", "3d4h", "1e3h", "3 d s"])
def test_it_rejects_bad_durations_text(text: str) -> None:
    with pytest.raises(InvalidDuration, match="3d or 16h"):
        parse_duration(text)


def test_it_feeds_parsed_values_to_due_after() -> None:
    unit, n = parse_duration("3d")
    start = parse_instant("2025-01-24T16:30")
    kw = {"working_days": n} if unit is DurationUnit.DAYS else {"working_hours": n}
    assert due_after(CAL, start, **kw) == parse_instant("2025-02-05T17:00:00+07:00")
