"""Vietnamese public days off and make-up working days, from the ``holidays`` package.

Pure adapter: no Django, no I/O of our own; returns plain data. The package's Vietnam
module follows Labour Code 2019 arts. 111-112 and the yearly civil-service notices
(Tết days, days off in lieu, swapped days off and the Saturdays worked in exchange,
Vietnamese Culture Day 24/11 from 2026). Its coverage of future years is computed, not
announced: a province must check the yearly notice of the Ministry of Home Affairs and add
or correct days itself (``extra_days_off`` / ``extra_working_days``).

Weekends around Tết are not listed by the package (e.g. the 9-day Tết 2026, 14-22/2, is
listed as the weekdays 16-20/2); they are weekend days anyway.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from types import MappingProxyType
from typing import Any

import holidays

from motcua.worktime.rules import WorkCalendar

__all__ = ["MAKEUP_WORKDAY_NAME", "VietnamDays", "vietnam_calendar", "vietnam_days"]

#: Display name for a Saturday (or Sunday) worked in exchange for a day off.
MAKEUP_WORKDAY_NAME = "Ngày làm việc bù"


@dataclass(frozen=True)
class VietnamDays:
    """National days off and make-up working days for a set of years.

    ``names`` maps every day off (and every make-up working day) to a display name in
    the requested language (Vietnamese by default).
    """

    years: tuple[int, ...]
    days_off: frozenset[date]
    extra_working_days: frozenset[date]
    names: Mapping[date, str]


def vietnam_days(years: Iterable[int], *, language: str = "vi") -> VietnamDays:
    """Days off and make-up working days of Vietnam for ``years`` (e.g. ``range(2020, 2031)``)."""
    year_list = tuple(sorted(set(years)))
    if not year_list:
        raise ValueError("give at least one year")
    return _vietnam_days(year_list, language)


@lru_cache(maxsize=16)
def _vietnam_days(year_list: tuple[int, ...], language: str) -> VietnamDays:
    """Computed once per process for the same years: the ``holidays`` package takes about
    10 ms for a dozen years, and every agency's calendar starts from these days."""
    vn = holidays.country_holidays("VN", years=year_list, language=language)
    wanted = set(year_list)
    days_off = frozenset(vn.keys())
    # ``weekend_workdays`` is not limited to the requested years: keep only those inside.
    workdays = frozenset(d for d in getattr(vn, "weekend_workdays", ()) if d.year in wanted)
    names: dict[date, str] = {d: str(vn[d]) for d in sorted(days_off)}
    for d in sorted(workdays):
        names.setdefault(d, MAKEUP_WORKDAY_NAME)
    return VietnamDays(
        years=year_list,
        days_off=days_off,
        extra_working_days=workdays,
        names=MappingProxyType(names),
    )


def vietnam_calendar(
    years: Iterable[int],
    *,
    extra_days_off: Iterable[date] = (),
    extra_working_days: Iterable[date] = (),
    **kw: Any,
) -> WorkCalendar:
    """The national working calendar for ``years``, plus provincial corrections.

    ``extra_days_off`` are added to the national days off (e.g. a provincial day off);
    ``extra_working_days`` are added to the national make-up working days and win over
    any day off (a date in both sets is a working day). Other keyword arguments go to
    :class:`WorkCalendar` (``sessions``, ``cutoff``, ``tz``, ``working_weekdays``).

    Outside ``years`` the calendar only knows weekends: compute due dates with a range
    of years that covers them.
    """
    vn = vietnam_days(years)
    return WorkCalendar(
        days_off=vn.days_off | frozenset(extra_days_off),
        extra_working_days=vn.extra_working_days | frozenset(extra_working_days),
        **kw,
    )
