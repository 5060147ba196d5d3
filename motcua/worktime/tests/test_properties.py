"""Property-based invariants of the working-time rules (hypothesis)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.worktime.holidays_vn import vietnam_calendar
from motcua.worktime.rules import (
    WorkCalendar,
    add_working_days,
    classify_completion,
    due_after,
    due_with_pauses,
    is_working_day,
    is_working_time,
    working_seconds_between,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NATIONAL = vietnam_calendar(range(2020, 2031))

# ---------------------------------------------------------------- strategies

instants = st.datetimes(
    min_value=datetime(2020, 1, 1),
    max_value=datetime(2029, 12, 31),
    timezones=st.just(VN),
).map(lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000))
minute_instants = st.datetimes(
    min_value=datetime(2024, 12, 1),
    max_value=datetime(2027, 1, 31),
    timezones=st.just(VN),
).map(lambda d: d.replace(second=0, microsecond=0))
hours = st.integers(min_value=0, max_value=400)
days = st.integers(min_value=0, max_value=60)


@st.composite
def calendars(draw: st.DrawFn) -> WorkCalendar:
    """Random calendars: 1-3 sessions on a 5-minute grid, any weekdays, random days off."""
    n = draw(st.integers(min_value=1, max_value=3))
    marks = sorted(draw(st.sets(st.integers(1, 23 * 12 - 1), min_size=2 * n, max_size=2 * n)))
    as_time = [time(m // 12, m % 12 * 5) for m in marks]
    sessions = tuple((as_time[2 * i], as_time[2 * i + 1]) for i in range(n))
    weekdays = draw(st.frozensets(st.integers(0, 6), min_size=1))
    span = st.dates(min_value=date(2024, 12, 1), max_value=date(2027, 12, 31))
    days_off = draw(st.frozensets(span, max_size=40))
    extra = draw(st.frozensets(span, max_size=10))
    cutoff = draw(st.none() | st.sampled_from(as_time) | st.just(time(15)))
    return WorkCalendar(
        days_off=days_off,
        extra_working_days=extra,
        working_weekdays=weekdays,
        sessions=sessions,
        cutoff=cutoff,
    )


any_calendar = st.just(NATIONAL) | calendars()


def _us(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


def slow_due(cal: WorkCalendar, start: datetime, hours_: int, apply_cutoff: bool) -> datetime:
    """Independent day-by-day, session-by-session reference implementation."""
    zone = ZoneInfo(cal.tz)
    total = sum(_us(e) - _us(s) for s, e in cal.sessions)
    remaining, rest = divmod(hours_ * total, 8)
    assert rest == 0
    lt = start.astimezone(zone)
    day, now = lt.date(), _us(lt.time())
    cut = apply_cutoff and cal.cutoff is not None and now >= _us(cal.cutoff)
    if cut and is_working_day(cal, day):
        day, now = day + timedelta(days=1), 0
    while True:
        if is_working_day(cal, day):
            for s, e in cal.sessions:
                begin = max(now, _us(s))
                if begin >= _us(e):
                    continue
                if remaining == 0 or remaining <= _us(e) - begin:
                    midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
                    return midnight + timedelta(microseconds=begin + remaining)
                remaining -= _us(e) - begin
        day, now = day + timedelta(days=1), 0


def is_session_end(cal: WorkCalendar, instant: datetime) -> bool:
    lt = instant.astimezone(ZoneInfo(cal.tz))
    return is_working_day(cal, lt.date()) and any(
        lt.time().replace(tzinfo=None) == e for _, e in cal.sessions
    )


# ---------------------------------------------------------------- properties


@settings(max_examples=300)
@given(instants, hours, st.booleans())
def test_it_matches_a_day_by_day_reference(start: datetime, h: int, cutoff: bool) -> None:
    assert due_after(NATIONAL, start, working_hours=h, apply_cutoff=cutoff) == slow_due(
        NATIONAL, start, h, cutoff
    )


@settings(max_examples=150, deadline=None)
@given(calendars(), minute_instants, st.integers(0, 60), st.booleans())
def test_it_matches_the_reference_on_any_calendar(
    cal: WorkCalendar, start: datetime, h: int, cutoff: bool
) -> None:
    assert due_after(cal, start, working_hours=h, apply_cutoff=cutoff) == slow_due(
        cal, start, h, cutoff
    )


@settings(deadline=None)
@given(any_calendar, minute_instants, minute_instants, st.integers(0, 80))
def test_it_is_monotonic_in_start(cal: WorkCalendar, a: datetime, b: datetime, h: int) -> None:
    a, b = min(a, b), max(a, b)
    assert due_after(cal, a, working_hours=h) <= due_after(cal, b, working_hours=h)


@settings(deadline=None)
@given(any_calendar, minute_instants, st.integers(0, 80), st.integers(0, 80))
def test_it_is_monotonic_in_duration(cal: WorkCalendar, s: datetime, h1: int, h2: int) -> None:
    h1, h2 = min(h1, h2), max(h1, h2)
    assert due_after(cal, s, working_hours=h1) <= due_after(cal, s, working_hours=h2)
    if h2 > h1:
        assert due_after(cal, s, working_hours=h1) < due_after(cal, s, working_hours=h2)


@settings(deadline=None)
@given(any_calendar, minute_instants, st.integers(0, 80), st.integers(1, 80), st.booleans())
def test_it_is_additive(cal: WorkCalendar, s: datetime, a: int, b: int, cutoff: bool) -> None:
    # The second leg starts at the first due instant and must not re-apply the cut-off
    # (that instant is not a receipt). With b == 0 the second leg would return the next
    # session start instead of a session end, so b >= 1.
    first = due_after(cal, s, working_hours=a, apply_cutoff=cutoff)
    second = due_after(cal, first, working_hours=b, apply_cutoff=False)
    assert second == due_after(cal, s, working_hours=a + b, apply_cutoff=cutoff)


@settings(deadline=None)
@given(any_calendar, minute_instants, days, st.booleans())
def test_it_counts_a_day_as_eight_hours(cal: WorkCalendar, s: datetime, d: int, c: bool) -> None:
    assert due_after(cal, s, working_days=d, apply_cutoff=c) == due_after(
        cal, s, working_hours=8 * d, apply_cutoff=c
    )


@given(instants, st.floats(min_value=0, max_value=100, allow_nan=False))
def test_it_counts_fractional_days_as_eight_hours(s: datetime, d: float) -> None:
    assert due_after(NATIONAL, s, working_days=d) == due_after(NATIONAL, s, working_hours=8 * d)


@settings(deadline=None)
@given(any_calendar, minute_instants, st.integers(0, 80), st.booleans())
def test_it_lands_in_working_time_or_at_a_session_end(
    cal: WorkCalendar, s: datetime, h: int, cutoff: bool
) -> None:
    due = due_after(cal, s, working_hours=h, apply_cutoff=cutoff)
    assert due.tzinfo is not None and due.utcoffset() == timedelta(hours=7)
    assert due >= s
    if h == 0:
        assert is_working_time(cal, due)  # the effective start
    else:
        assert due > s
        assert is_working_time(cal, due) != is_session_end(cal, due)


@settings(deadline=None)
@given(any_calendar, minute_instants, st.integers(0, 200))
def test_it_measures_back_what_it_added(cal: WorkCalendar, s: datetime, h: int) -> None:
    due = due_after(cal, s, working_hours=h, apply_cutoff=False)
    assert working_seconds_between(cal, s, due) == h * 3600


@given(instants, instants, instants)
def test_it_adds_up_elapsed_time(a: datetime, b: datetime, c: datetime) -> None:
    a, b, c = sorted((a, b, c))
    ab = working_seconds_between(NATIONAL, a, b)
    bc = working_seconds_between(NATIONAL, b, c)
    assert ab >= 0 and bc >= 0
    assert abs(working_seconds_between(NATIONAL, a, c) - (ab + bc)) < 1e-6
    assert working_seconds_between(NATIONAL, c, a) == -working_seconds_between(NATIONAL, a, c)


pause_lists = st.lists(st.tuples(minute_instants, minute_instants).map(sorted), max_size=4)


@settings(deadline=None)
@given(any_calendar, minute_instants, st.integers(0, 120), pause_lists, st.booleans())
def test_it_never_shortens_with_pauses(
    cal: WorkCalendar, s: datetime, h: int, pauses: list[list[datetime]], cutoff: bool
) -> None:
    spans = [(p[0], p[1]) for p in pauses]
    plain = due_after(cal, s, working_hours=h, apply_cutoff=cutoff)
    paused = due_with_pauses(cal, s, working_hours=h, pauses=spans, apply_cutoff=cutoff)
    assert paused >= plain
    assert due_with_pauses(cal, s, working_hours=h, apply_cutoff=cutoff) == plain
    # defining property: working time from the effective start, pauses excluded
    effective = due_after(cal, s, working_hours=0, apply_cutoff=cutoff)
    assert working_seconds_between(cal, effective, paused, spans) == h * 3600
    if h:
        assert is_working_time(cal, paused) or is_session_end(cal, paused)


@given(instants, st.integers(0, 200))
def test_it_accepts_any_zone_for_the_same_instant(s: datetime, h: int) -> None:
    assert due_after(NATIONAL, s.astimezone(UTC), working_hours=h) == due_after(
        NATIONAL, s, working_hours=h
    )


@given(instants, instants)
def test_it_classifies_consistently(completed: datetime, due: datetime) -> None:
    result = classify_completion(NATIONAL, completed, due)
    assert (result == "late") == (completed > due)
    if completed.date() < due.date():
        assert result == "early"
    assert classify_completion(NATIONAL, due, due) == "on_time"


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)), st.integers(-40, 40))
def test_it_steps_over_working_days(d: date, n: int) -> None:
    got = add_working_days(NATIONAL, d, n)
    assert is_working_day(NATIONAL, got)
    lo, hi = (d, got) if n >= 0 else (got, d)
    between = sum(
        is_working_day(NATIONAL, lo + timedelta(days=i)) for i in range((hi - lo).days + 1)
    )
    if n > 0:
        assert got > d and between - is_working_day(NATIONAL, d) == n
    elif n < 0:
        assert got < d and between - is_working_day(NATIONAL, d) == -n
    else:
        assert got >= d and between == 1
