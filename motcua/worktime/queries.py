"""The working calendar of an agency, built from the national days and the province's table.

Layers, later ones winning for the same date: national days off and make-up working
days (``holidays`` package) → province-wide ``CalendarDay`` rows → rows of the agency's
ancestors, top-down → rows of the agency itself. Sessions and cut-off come from the
nearest ``WorkSchedule`` up the tree, else the province's, else the defaults.
"""

from __future__ import annotations

from datetime import date

from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from motcua.agencies.models import Agency
from motcua.core.kept import Kept
from motcua.worktime.holidays_vn import vietnam_days
from motcua.worktime.models import CalendarDay, WorkSchedule
from motcua.worktime.rules import WorkCalendar

#: National holidays are loaded for this many years around today.
YEARS_BACK = 8
YEARS_AHEAD = 4
_VERSION_KEY = "worktime:calendar-version"
_memo: dict[tuple[int | None, int, int], WorkCalendar] = {}


#: The version read from the shared cache is reused for this long in a worker: every
#: intake and action asks for a calendar, and with Redis each ask is a round trip.
VERSION_REUSE_SECONDS = 1.0
_version_seen: Kept[int] = Kept(max_entries=1)


def forget_calendar_version() -> None:
    """Read the version from the shared cache on the next call (tests, after a restore)."""
    _version_seen.clear()


def calendar_version() -> int:
    seen = _version_seen.get(_VERSION_KEY)
    if seen is not None:
        return seen
    version = cache.get(_VERSION_KEY)
    if version is None:
        version = 1
        cache.add(_VERSION_KEY, version, timeout=None)
    _version_seen.keep(_VERSION_KEY, int(version), VERSION_REUSE_SECONDS)
    return int(version)


def bump_calendar_version() -> None:
    """Invalidate every cached calendar (called by the services that edit the tables)."""
    try:
        cache.incr(_VERSION_KEY)
    except ValueError:
        cache.set(_VERSION_KEY, 2, timeout=None)
    _memo.clear()
    forget_calendar_version()  # this worker reads the new version at once


def calendar_for(agency: Agency | None = None) -> WorkCalendar:
    """The working calendar that applies to ``agency`` (or the province's, for None)."""
    year = timezone.localdate().year
    key = (agency.pk if agency else None, calendar_version(), year)
    cached = _memo.get(key)
    if cached is None:
        cached = _build_calendar(agency, _years(year))
        _memo[key] = cached
    return cached


def national_calendar() -> WorkCalendar:
    """The national days alone, with the default sessions: what applies before the
    province's tables exist (no database is read)."""
    national = vietnam_days(_years(timezone.localdate().year))
    return WorkCalendar(days_off=national.days_off, extra_working_days=national.extra_working_days)


def calendar_tables_exist() -> bool:
    """Whether the database has the tables the calendar reads (``motcua migrate`` ran)."""
    needed = {m._meta.db_table for m in (Agency, CalendarDay, WorkSchedule)}
    return needed <= set(connection.introspection.table_names())


def _years(year: int) -> range:
    return range(year - YEARS_BACK, year + YEARS_AHEAD + 1)


def _build_calendar(agency: Agency | None, years: range) -> WorkCalendar:
    national = vietnam_days(years)
    kinds: dict[date, str] = {d: CalendarDay.Kind.DAY_OFF for d in national.days_off}
    kinds.update({d: CalendarDay.Kind.WORKING_DAY for d in national.extra_working_days})

    chain: list[int | None] = [None]
    if agency is not None:
        chain += agency.ancestor_ids() or [agency.pk]
    rows = CalendarDay.objects.filter(
        Q(agency__isnull=True) | Q(agency_id__in=[a for a in chain if a is not None])
    )
    depth = {agency_id: i for i, agency_id in enumerate(chain)}
    for row in sorted(rows, key=lambda r: depth.get(r.agency_id, 0)):
        kinds[row.date] = row.kind

    days_off = frozenset(d for d, k in kinds.items() if k == CalendarDay.Kind.DAY_OFF)
    working = frozenset(d for d, k in kinds.items() if k == CalendarDay.Kind.WORKING_DAY)
    schedule = _nearest_schedule(chain)
    if schedule is None:
        return WorkCalendar(days_off=days_off, extra_working_days=working)
    return WorkCalendar(
        days_off=days_off,
        extra_working_days=working,
        sessions=(
            (schedule.morning_start, schedule.morning_end),
            (schedule.afternoon_start, schedule.afternoon_end),
        ),
        cutoff=schedule.cutoff,
    )


def _nearest_schedule(chain: list[int | None]) -> WorkSchedule | None:
    schedules = {s.agency_id: s for s in WorkSchedule.objects.filter(agency_id__in=chain[1:])}
    for agency_id in reversed(chain[1:]):
        if agency_id in schedules:
            return schedules[agency_id]
    return WorkSchedule.objects.filter(agency__isnull=True).first()
