"""Benchmark of the working-time rules (motcua.worktime.rules.due_after).

Run from the repository root: ``python bench/bench_worktime.py [N]``.

Prints due-date computations per second (best of 3) for start instants given in the
calendar's zone and in UTC (as read from a database), then numpy's ``busday_offset`` on
the same inputs for scale. numpy computes a simpler thing: whole dates only, no make-up
Saturdays, no working hours, sessions or 15:00 cut-off.
"""

from __future__ import annotations

import os
import platform
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from motcua.worktime.holidays_vn import vietnam_calendar
from motcua.worktime.rules import due_after

SEED = 20250124
REPEATS = 3


def best_of(fn: object, repeats: int = REPEATS) -> float:
    assert callable(fn)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    t0 = time.perf_counter()
    cal = vietnam_calendar(range(2020, 2031))
    t1 = time.perf_counter()
    compiled = cal.compiled  # build the working-day tables once
    t2 = time.perf_counter()
    zone = compiled.zone

    rng = random.Random(SEED)
    first = datetime(2020, 1, 1, tzinfo=zone)
    span_minutes = (datetime(2030, 6, 30, tzinfo=zone) - first) // timedelta(minutes=1)
    starts = [first + timedelta(minutes=rng.randrange(span_minutes)) for _ in range(n)]
    days = [rng.randint(1, 30) for _ in range(n)]
    pairs = list(zip(starts, days, strict=True))
    utc_pairs = [(s.astimezone(UTC), d) for s, d in pairs]

    def run_local() -> None:
        for s, d in pairs:
            due_after(cal, s, working_days=d)

    def run_utc() -> None:
        for s, d in utc_pairs:
            due_after(cal, s, working_days=d)

    def run_hours() -> None:
        for s, d in pairs:
            due_after(cal, s, working_hours=d * 3)

    print(
        f"python {platform.python_version()} ({platform.python_implementation()}), "
        f"os.cpu_count() = {os.cpu_count()}, single thread"
    )
    print(
        f"calendar: Vietnam 2020-2030 from the holidays package in {(t1 - t0) * 1000:.0f} ms; "
        f"tables ({len(compiled.ordinals)} working days) built in {(t2 - t1) * 1000:.0f} ms"
    )
    print(f"inputs: {n} random (start, working_days in 1..30), seed {SEED}")
    for label, fn in (
        ("due_after, days, local-zone starts", run_local),
        ("due_after, days, UTC starts", run_utc),
        ("due_after, hours (3..90 h), local", run_hours),
    ):
        best = best_of(fn)
        print(f"{label:38s} {n / best:12,.0f} /s   ({best * 1e6 / n:.2f} us per call)")

    # numpy: dates only, rolled forward; weekmask from the calendar; holidays = days off
    # that are not make-up working days. No make-up Saturdays, hours or cut-off.
    weekmask = [1 if wd in cal.working_weekdays else 0 for wd in range(7)]
    hol = np.array(sorted(cal.days_off - cal.extra_working_days), dtype="datetime64[D]")
    bdc = np.busdaycalendar(weekmask=weekmask, holidays=hol)
    np_dates = np.array([s.date() for s in starts], dtype="datetime64[D]")
    np_days = np.array(days, dtype=np.int64)

    def run_numpy() -> None:
        np.busday_offset(np_dates, np_days, roll="forward", busdaycal=bdc)

    best = best_of(run_numpy)
    label = "numpy.busday_offset (vectorised)"
    print(f"{label:38s} {n / best:12,.0f} /s   (simpler: dates only, see docstring)")

    def run_numpy_scalar() -> None:
        for d, k in zip(np_dates[:20_000], np_days[:20_000], strict=True):
            np.busday_offset(d, k, roll="forward", busdaycal=bdc)

    best = best_of(run_numpy_scalar)
    label = "numpy.busday_offset (one call each)"
    print(f"{label:38s} {20_000 / best:12,.0f} /s   (20,000 calls)")


if __name__ == "__main__":
    main()
