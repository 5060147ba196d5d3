"""Working-time rules: working days, working hours, due instants and timeliness.

Pure Python: no Django, no I/O. Everything here takes a :class:`WorkCalendar` (plain,
frozen data) and aware datetimes.

Legal background (see docs, "The clock" and "Channels and intake"):

* Legal time limits are counted in **working days**; provincial internal processes split
  them into steps counted in **working hours, 8 hours per working day**.
* Working week Monday-Friday (QĐ 188/1999/QĐ-TTg). Daily working sessions are set by the
  province (e.g. 07:00-11:00 and 13:00-17:00): configurable.
* Public holidays and the yearly civil-service swaps (make-up Saturdays) come from the
  calendar data (Labour Code 2019 arts. 111-112, yearly notices of the Ministry of Home
  Affairs); see :mod:`motcua.worktime.holidays_vn`.
* A dossier received after the 15:00 cut-off is counted from the next working day
  (Decree 118/2025/NĐ-CP art. 15 practice; Decree 63/2024/NĐ-CP for the interconnected
  birth + residence + insurance group). The cut-off is configurable and may be disabled.

The model
---------
Working time is a single line measured in *session microseconds*: working day number
``k`` (0-based, in a precomputed table of working days) covers positions
``[k * S, (k + 1) * S]`` where ``S`` is the total length of the daily sessions. An instant
maps to a position (time outside sessions maps to the next session start, which has the
same position as the previous session end); a position maps back to an instant. Due
instants are computed by adding the duration to the position of the effective start, so
skipping many days is index arithmetic, not a day-by-day loop.

A working day is worth 8 working hours whatever the sessions total: with 8 h of sessions
one working hour is one clock hour inside a session; otherwise one working hour is
``S / 8`` of session time. Hence ``due_after(d days) == due_after(8 * d hours)`` always.
"""

from __future__ import annotations

import math
import re
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from functools import cached_property, lru_cache
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "DEFAULT_SESSIONS",
    "DEFAULT_TZ",
    "INSTANT_FORMAT",
    "WORKING_HOURS_PER_DAY",
    "CompiledCalendar",
    "DurationUnit",
    "InvalidDuration",
    "InvalidInstant",
    "Timeliness",
    "WorkCalendar",
    "add_working_days",
    "classify_completion",
    "compile_calendar",
    "due_after",
    "due_with_pauses",
    "is_working_day",
    "is_working_time",
    "parse_duration",
    "parse_instant",
    "working_hours_between",
    "working_seconds_between",
]

#: Working hours in one working day (provincial internal processes: 8 h per working day).
WORKING_HOURS_PER_DAY: Final = 8
DEFAULT_TZ: Final = "Asia/Ho_Chi_Minh"
DEFAULT_SESSIONS: Final[tuple[tuple[time, time], ...]] = (
    (time(7, 0), time(11, 0)),
    (time(13, 0), time(17, 0)),
)
#: Years covered by the precomputed working-day table of a compiled calendar (at least;
#: widened to cover every listed day off / extra working day).
TABLE_FIRST_YEAR: Final = 1990
TABLE_LAST_YEAR: Final = 2100

_US: Final = 1_000_000
_WORKING_US_PER_DAY: Final = WORKING_HOURS_PER_DAY * 3600 * _US
_NO_CUTOFF: Final = 1 << 62  # larger than any time of day in microseconds


class InvalidInstant(ValueError):
    """Text that is not an ISO 8601 instant ``YYYY-MM-DDTHH:MM[:SS][±HH:MM]``."""


class InvalidDuration(ValueError):
    """Text that is not a duration such as ``3d`` or ``16h``."""


class Timeliness(StrEnum):
    """Completion against the due instant: trước hạn / đúng hạn / trễ hạn."""

    EARLY = "early"  # trước hạn: completed on a calendar day before the due day
    ON_TIME = "on_time"  # đúng hạn: completed on the due day, not after the due instant
    LATE = "late"  # trễ hạn: completed after the due instant


class DurationUnit(StrEnum):
    DAYS = "days"
    HOURS = "hours"


@dataclass(frozen=True)
class WorkCalendar:
    """A working calendar: which days are worked, the daily sessions, time zone and cut-off.

    * ``days_off``: public holidays, days off in lieu, substituted days off and any extra
      provincial days off. Dates falling on a weekend are harmless.
    * ``extra_working_days``: make-up working days (e.g. Saturday 2025-04-26, 2026-08-22).
      **A date listed in both sets is a working day** (``extra_working_days`` wins), so a
      province can re-open a day without editing the national list.
    * ``working_weekdays``: ``date.weekday()`` numbers worked (Mon-Fri, QĐ 188/1999/QĐ-TTg).
    * ``sessions``: local wall-clock sessions, sorted, non-overlapping, start < end.
    * ``tz``: IANA time zone of the sessions.
    * ``cutoff``: receipts at or after this local time on a working day count from the
      next working day (Decree 118/2025/NĐ-CP art. 15 practice); ``None`` disables it.

    Any iterable given for the set fields is stored as a frozenset.
    """

    days_off: frozenset[date] = frozenset()
    extra_working_days: frozenset[date] = frozenset()
    working_weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    sessions: tuple[tuple[time, time], ...] = DEFAULT_SESSIONS
    tz: str = DEFAULT_TZ
    cutoff: time | None = time(15, 0)

    def __post_init__(self) -> None:
        for name in ("days_off", "extra_working_days", "working_weekdays"):
            value = getattr(self, name)
            if not isinstance(value, frozenset):
                object.__setattr__(self, name, frozenset(value))
        for d in self.days_off | self.extra_working_days:
            if isinstance(d, datetime) or not isinstance(d, date):
                raise TypeError(f"calendar days must be dates, got {d!r}")
        if not self.working_weekdays <= frozenset(range(7)):
            raise ValueError("working_weekdays must be weekday numbers 0 (Monday) to 6")
        sessions = tuple((s, e) for s, e in self.sessions)
        object.__setattr__(self, "sessions", sessions)
        if not sessions:
            raise ValueError("a calendar needs at least one working session")
        previous_end: time | None = None
        for start, end in sessions:
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError("sessions are local wall-clock times: no tzinfo")
            if not start < end:
                raise ValueError(f"session {start}-{end}: start must be before end")
            if previous_end is not None and start < previous_end:
                raise ValueError("sessions must be sorted and must not overlap")
            previous_end = end
        if self.cutoff is not None and self.cutoff.tzinfo is not None:
            raise ValueError("cutoff is a local wall-clock time: no tzinfo")

    @cached_property
    def compiled(self) -> CompiledCalendar:
        """The precomputed form (built once per distinct calendar, then cached)."""
        return compile_calendar(self)

    def __getstate__(self) -> dict[str, Any]:
        # Do not pickle the compiled tables; they are rebuilt on first use.
        state = dict(self.__dict__)
        state.pop("compiled", None)
        return state


@lru_cache(maxsize=64)
def _zone(key: str) -> ZoneInfo:
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {key!r}") from exc


def _time_us(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * _US + t.microsecond


@lru_cache(maxsize=32)
def compile_calendar(cal: WorkCalendar) -> CompiledCalendar:
    """Build (or fetch from the cache) the compiled form of ``cal``."""
    return CompiledCalendar(cal)


class CompiledCalendar:
    """Precomputed tables for one calendar; all computations run on this object.

    ``rank[i]`` is the number of working days strictly before ``first + i`` (a date
    ordinal offset), so it is also the index of that day (if worked) or of the next
    working day; ``ordinals[k]`` is the ordinal of working day ``k``.
    """

    __slots__ = (
        "_base",
        "_cutoff_us",
        "_days",
        "_is_work",
        "_last",
        "_rank",
        "_sess",
        "_sess_ends",
        "calendar",
        "ordinals",
        "session_us",
        "zone",
    )

    def __init__(self, cal: WorkCalendar) -> None:
        self.calendar = cal
        self.zone = _zone(cal.tz)
        listed = cal.days_off | cal.extra_working_days
        first_year = min([TABLE_FIRST_YEAR, *(d.year for d in listed)])
        last_year = max([TABLE_LAST_YEAR, *(d.year for d in listed)])
        base = date(first_year, 1, 1).toordinal()
        last = date(last_year, 12, 31).toordinal()
        extra = {d.toordinal() for d in cal.extra_working_days}
        off = {d.toordinal() for d in cal.days_off} - extra
        weekdays = cal.working_weekdays
        is_work = bytearray(last - base + 2)
        rank = array("l", [0]) * (last - base + 2)
        ordinals = array("l")
        for o in range(base, last + 1):
            rank[o - base] = len(ordinals)
            # date.fromordinal(o).weekday() == (o + 6) % 7
            if o in extra or ((o + 6) % 7 in weekdays and o not in off):
                is_work[o - base] = 1
                ordinals.append(o)
        rank[last - base + 1] = len(ordinals)
        if not ordinals:
            raise ValueError("the calendar has no working day")
        self._base = base
        self._last = last
        self._is_work = bytes(is_work)
        self._rank = rank
        self.ordinals = ordinals
        self._days: list[date | None] = [None] * len(ordinals)

        sess: list[tuple[int, int, int]] = []  # (start_us, end_us, cumulated before)
        cum = 0
        for s, e in cal.sessions:
            su, eu = _time_us(s), _time_us(e)
            sess.append((su, eu, cum))
            cum += eu - su
        self._sess = tuple(sess)
        self.session_us = cum
        # position-in-day -> time-of-day: first session whose cumulated end is >= (left)
        # or > (right) the offset; time = offset + (start - cumulated before).
        self._sess_ends = tuple((c + e - s, s - c) for s, e, c in sess)
        self._cutoff_us = _NO_CUTOFF if cal.cutoff is None else _time_us(cal.cutoff)

    # ----------------------------------------------------------------- conversions
    def local(self, instant: datetime) -> datetime:
        """``instant`` in the calendar's zone; rejects naive datetimes."""
        try:
            tz = instant.tzinfo
        except AttributeError:
            tz = None
        if tz is self.zone:
            return instant
        if not isinstance(instant, datetime):
            raise TypeError(f"expected an aware datetime, got {type(instant).__name__}")
        if tz is None or instant.utcoffset() is None:
            raise ValueError(f"naive datetime {instant.isoformat()}: pass an aware datetime")
        return instant.astimezone(self.zone)

    def _out_of_range(self, what: object) -> ValueError:
        first = date.fromordinal(self._base)
        last = date.fromordinal(self._last)
        return ValueError(f"{what} is outside the calendar table {first}..{last}")

    def position(self, instant: datetime, cutoff: bool = False) -> int:
        """Working position (session microseconds) of ``instant``.

        Time outside the sessions maps to the next session start. With ``cutoff``, an
        instant at or after the cut-off on a working day maps to the next working day.
        """
        lt = self.local(instant)
        i = lt.toordinal() - self._base
        if i < 0 or i > self._last - self._base:
            raise self._out_of_range(lt.date())
        k = self._rank[i]
        su = self.session_us
        if not self._is_work[i]:
            return k * su
        t = ((lt.hour * 60 + lt.minute) * 60 + lt.second) * _US + lt.microsecond
        if cutoff and t >= self._cutoff_us:
            return (k + 1) * su
        for start, end, before in self._sess:
            if t < start:
                return k * su + before
            if t < end:
                return k * su + before + t - start
        return (k + 1) * su

    def instant(self, pos: int, left: bool) -> datetime:
        """The instant at working position ``pos``.

        A position on a session boundary is the end of the earlier session when ``left``
        (used for due instants) and the start of the later session otherwise.
        """
        su = self.session_us
        k, o = divmod(pos, su)
        if left and o == 0:
            k -= 1
            o = su
        t = o
        if left:
            for cum_end, shift in self._sess_ends:
                if o <= cum_end:
                    t = o + shift
                    break
        else:
            for cum_end, shift in self._sess_ends:
                if o < cum_end:
                    t = o + shift
                    break
        if k < 0 or k >= len(self.ordinals):
            raise self._out_of_range(f"working position {pos}")
        d = self._days[k]
        if d is None:
            d = self._days[k] = date.fromordinal(self.ordinals[k])
        s, us = divmod(t, _US)
        m, s = divmod(s, 60)
        h, m = divmod(m, 60)
        return datetime(d.year, d.month, d.day, h, m, s, us, tzinfo=self.zone)

    def duration_us(self, working_days: float | None, working_hours: float | None) -> int:
        """A duration in session microseconds (exactly one of days / hours)."""
        su = self.session_us
        if working_hours is None:
            if working_days is None:
                raise TypeError("give working_days or working_hours")
            n = working_days
            if type(n) is int and n >= 0:
                return n * su
            _check_amount(n, "working_days")
            return n * su if isinstance(n, int) else round(n * su)
        if working_days is not None:
            raise TypeError("give working_days or working_hours, not both")
        n = working_hours
        _check_amount(n, "working_hours")
        if isinstance(n, int):
            q, r = divmod(n * su, WORKING_HOURS_PER_DAY)
            return q if r == 0 else round(n * su / WORKING_HOURS_PER_DAY)
        return round(n * su / WORKING_HOURS_PER_DAY)

    def to_working_seconds(self, pos_delta: int) -> float:
        """Session microseconds -> working seconds (8 working hours per working day)."""
        return pos_delta * (_WORKING_US_PER_DAY // _US) / self.session_us

    def merged_pauses(self, pauses: Iterable[tuple[datetime, datetime]]) -> list[tuple[int, int]]:
        """Pause intervals as sorted, disjoint working-position intervals."""
        spans: list[tuple[int, int]] = []
        for begin, end in pauses:
            if end < begin:
                raise ValueError(
                    f"pause ends before it starts: {begin.isoformat()} > {end.isoformat()}"
                )
            pa, pb = self.position(begin), self.position(end)
            if pb > pa:
                spans.append((pa, pb))
        spans.sort()
        merged: list[tuple[int, int]] = []
        for a, b in spans:
            if merged and a <= merged[-1][1]:
                if b > merged[-1][1]:
                    merged[-1] = (merged[-1][0], b)
            else:
                merged.append((a, b))
        return merged


def _check_amount(n: object, name: str) -> None:
    if isinstance(n, bool) or not isinstance(n, int | float):
        raise TypeError(f"{name} must be a number, got {n!r}")
    if not math.isfinite(n) or n < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {n!r}")


# --------------------------------------------------------------------------- days


def is_working_day(cal: WorkCalendar, d: date) -> bool:
    """Whether ``d`` is a working day (``extra_working_days`` win over everything)."""
    if isinstance(d, datetime):
        raise TypeError("is_working_day takes a date; use is_working_time for instants")
    if d in cal.extra_working_days:
        return True
    return d.weekday() in cal.working_weekdays and d not in cal.days_off


def is_working_time(cal: WorkCalendar, instant: datetime) -> bool:
    """Whether ``instant`` (aware, any zone) falls inside a session of a working day.

    Session start inclusive, end exclusive, in the calendar's local time.
    """
    lt = cal.compiled.local(instant)
    if not is_working_day(cal, lt.date()):
        return False
    t = lt.time().replace(tzinfo=None, fold=0)
    return any(s <= t < e for s, e in cal.sessions)


def add_working_days(cal: WorkCalendar, d: date, n: int) -> date:
    """Date arithmetic on working days.

    ``n > 0``: the n-th working day after ``d``; ``n < 0``: the |n|-th working day before
    ``d``; ``n == 0``: ``d`` if it is a working day, else the next working day. E.g. the
    "inform at least one working day before the deadline" date is
    ``add_working_days(cal, due_local_date, -1)``.
    """
    c = cal.compiled
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError("add_working_days takes a date")
    i = d.toordinal() - c._base
    if i < 0 or i > c._last - c._base:
        raise c._out_of_range(d)
    k = c._rank[i + 1] + n - 1 if n > 0 else c._rank[i] + n
    if k < 0 or k >= len(c.ordinals):
        raise c._out_of_range(f"{d} {n:+d} working days")
    return date.fromordinal(c.ordinals[k])


# --------------------------------------------------------------------------- due


def due_after(
    cal: WorkCalendar,
    start: datetime,
    *,
    working_days: float | None = None,
    working_hours: float | None = None,
    apply_cutoff: bool = True,
) -> datetime:
    """The due instant ``working_days`` / ``working_hours`` of working time after ``start``.

    Give exactly one of ``working_days`` (1 day = 8 working hours) and ``working_hours``;
    numbers must be >= 0. Returns an aware datetime in the calendar's zone.

    Counting starts at the *effective start*:

    * ``start`` inside a session: ``start`` itself;
    * in a break between sessions of a working day: the next session start;
    * before the first session: the first session start of that day;
    * after the last session, on a non-working day, or (``apply_cutoff`` and the calendar
      has a cut-off and the local time is >= the cut-off, on a working day): the first
      session start of the next working day. Docs, "Channels and intake": a dossier
      received after 15:00 is counted from the next working day (Decree 118/2025/NĐ-CP
      art. 15 practice; Decree 63/2024/NĐ-CP for the interconnected group).

    The duration is then advanced through working time only. A zero duration returns the
    effective start; a positive one lands in ``(session start, session end]``, so Monday
    07:00 + 1 working day is Monday 17:00, not Tuesday 07:00.

    With sessions totalling 8 h a working hour is a clock hour in session; otherwise it
    is the sessions' total / 8, so ``due_after(d days) == due_after(8 * d hours)``.
    """
    c = cal.compiled
    dur = c.duration_us(working_days, working_hours)
    pos = c.position(start, apply_cutoff)
    if dur:
        return c.instant(pos + dur, True)
    return c.instant(pos, False)


def due_with_pauses(
    cal: WorkCalendar,
    start: datetime,
    *,
    working_days: float | None = None,
    working_hours: float | None = None,
    pauses: Iterable[tuple[datetime, datetime]] = (),
    apply_cutoff: bool = True,
) -> datetime:
    """The due instant when the clock stops during ``pauses`` (closed intervals).

    The first instant ``t`` such that the working time from the effective start to ``t``,
    minus the working time covered by pauses, equals the duration. Pauses may overlap
    (they are merged) and may start before the effective start (the part before it is
    ignored). Used when the applicant must act (supplement, fees: national statuses 5, 6).
    Never earlier than :func:`due_after` with the same arguments.
    """
    c = cal.compiled
    dur = c.duration_us(working_days, working_hours)
    p0 = c.position(start, apply_cutoff)
    if not dur:
        return c.instant(p0, False)
    target = p0 + dur
    for a, b in c.merged_pauses(pauses):
        a = max(a, p0)
        if b <= a:
            continue
        if a >= target:
            break
        target += b - a
    return c.instant(target, True)


# --------------------------------------------------------------------------- elapsed


def working_seconds_between(
    cal: WorkCalendar,
    start: datetime,
    end: datetime,
    pauses: Iterable[tuple[datetime, datetime]] = (),
) -> float:
    """Working time between two instants, in working seconds (8 working hours per day).

    Time outside sessions and on non-working days does not count; pause intervals are
    merged and clipped to ``[start, end]`` and excluded. No cut-off is applied. Negative
    when ``end`` is before ``start``.
    """
    c = cal.compiled
    c.local(start)
    c.local(end)
    if end < start:
        return -working_seconds_between(cal, end, start, pauses)
    ps, pe = c.position(start), c.position(end)
    elapsed = pe - ps
    for a, b in c.merged_pauses(pauses):
        a, b = max(a, ps), min(b, pe)
        if b > a:
            elapsed -= b - a
    return c.to_working_seconds(elapsed)


def working_hours_between(
    cal: WorkCalendar,
    start: datetime,
    end: datetime,
    pauses: Iterable[tuple[datetime, datetime]] = (),
) -> float:
    """:func:`working_seconds_between` in working hours."""
    return working_seconds_between(cal, start, end, pauses) / 3600


# --------------------------------------------------------------------------- classify


def classify_completion(cal: WorkCalendar, completed: datetime, due: datetime) -> Timeliness:
    """Trước hạn / đúng hạn / trễ hạn.

    LATE if ``completed > due``; EARLY if the local date of ``completed`` is before the
    local date of ``due``; otherwise ON_TIME (completed on the due day, not after it).
    """
    c = cal.compiled
    lc, ld = c.local(completed), c.local(due)
    if completed > due:
        return Timeliness.LATE
    if lc.date() < ld.date():
        return Timeliness.EARLY
    return Timeliness.ON_TIME


# --------------------------------------------------------------------------- parsing

INSTANT_FORMAT: Final = "YYYY-MM-DDTHH:MM[:SS][±HH:MM]"
_INSTANT_RE: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})?",
    re.ASCII | re.IGNORECASE,
)
_DURATION_RE: Final = re.compile(
    r"(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>d|days?|ngày|h|hours?|giờ)", re.IGNORECASE
)
_DAY_UNITS: Final = frozenset({"d", "day", "days", "ngày"})


def parse_instant(text: str, tz: str = DEFAULT_TZ) -> datetime:
    """Parse ``YYYY-MM-DDTHH:MM[:SS][±HH:MM]`` (``Z`` and fractional seconds accepted).

    Text without an offset is local time in ``tz``. Raises :class:`InvalidInstant`.
    """
    s = text.strip() if isinstance(text, str) else None
    if s is None or not _INSTANT_RE.fullmatch(s):
        raise InvalidInstant(
            f"invalid instant {text!r}: expected ISO 8601 {INSTANT_FORMAT}, "
            "e.g. 2025-01-24T16:30 or 2025-01-24T16:30:00+07:00"
        )
    try:
        value = datetime.fromisoformat(s[:-1] + "+00:00" if s[-1] in "zZ" else s)
    except ValueError as exc:
        raise InvalidInstant(
            f"invalid instant {text!r}: {exc} (expected ISO 8601 {INSTANT_FORMAT})"
        ) from exc
    if value.tzinfo is None:
        value = value.replace(tzinfo=_zone(tz))
    return value


def parse_duration(text: str) -> tuple[DurationUnit, int | float]:
    """Parse ``3d`` / ``16h`` (also ``3 days``, ``16 hours``, ``3 ngày``, ``16 giờ``).

    Returns ``(DurationUnit.DAYS | DurationUnit.HOURS, amount)``; the amount is an int
    unless written with a decimal point. Raises :class:`InvalidDuration`.
    """
    m = _DURATION_RE.fullmatch(text.strip()) if isinstance(text, str) else None
    if m is None:
        raise InvalidDuration(
            f"invalid duration {text!r}: expected a number of working days or hours "
            "such as 3d or 16h"
        )
    raw = m["n"]
    n: int | float = float(raw) if "." in raw else int(raw)
    unit = DurationUnit.DAYS if m["unit"].lower() in _DAY_UNITS else DurationUnit.HOURS
    return unit, n
