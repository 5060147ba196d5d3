"""CPU time per request by process group, read from ``/proc`` around a load (Linux).

The machine's own accounting rather than a profiler's: what the gunicorn workers (user and
system time), the PostgreSQL backends and everything else spent per request while wrk ran.
On a machine whose cores are all busy, ``cores / total`` bounds the rate.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _groups() -> dict[str, tuple[float, float]]:
    """(user, system) seconds so far of the gunicorn and PostgreSQL processes."""
    out: dict[str, tuple[float, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            name = (entry / "comm").read_text().strip()
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        group = (
            "postgres" if name.startswith("postgres") else "gunicorn" if "gunicorn" in name else ""
        )
        if group:
            user, system = out.get(group, (0.0, 0.0))
            out[group] = (user + int(fields[11]) / _TICK, system + int(fields[12]) / _TICK)
    return out


def _machine() -> float:
    """Busy seconds of all cores so far (``/proc/stat``: all but idle and iowait)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / _TICK


@dataclass
class Snapshot:
    groups: dict[str, tuple[float, float]]
    machine: float


def snapshot() -> Snapshot | None:
    if not Path("/proc/stat").exists():
        return None
    return Snapshot(_groups(), _machine())


def per_request(before: Snapshot | None, requests: int) -> str:
    """``machine 7.5 ms = workers 5.4 + 0.5 sys, PostgreSQL 1.5, other 0.1`` per request."""
    after = snapshot()
    if before is None or after is None or requests <= 0:
        return "CPU per request: not available (no /proc)"

    def ms(seconds: float) -> float:
        return seconds * 1000 / requests

    spent = {
        g: (
            after.groups[g][0] - before.groups.get(g, (0.0, 0.0))[0],
            after.groups[g][1] - before.groups.get(g, (0.0, 0.0))[1],
        )
        for g in after.groups
    }
    total = after.machine - before.machine
    workers = spent.get("gunicorn", (0.0, 0.0))
    pg = sum(spent.get("postgres", (0.0, 0.0)))
    other = total - sum(workers) - pg
    return (
        f"CPU per request: machine {ms(total):.2f} ms = workers {ms(workers[0]):.2f} user + "
        f"{ms(workers[1]):.2f} sys, PostgreSQL {ms(pg):.2f}, other (wrk, kernel) {ms(other):.2f}"
    )
