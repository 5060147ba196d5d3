"""CPU per request, in process: where the hot endpoints spend their time.

Run from the repository root against a database the dossier benchmark kept::

    python bench/profile_requests.py --database-url postgres://…/motcua_bench_dossiers
    python bench/profile_requests.py --database-url … --cprofile action   # top functions

Replays the benchmark's own requests (``bench_dossiers.py``: intake, actions, lookup and
``/healthz``) through Django's test client in this one process, one request after the
other, and prints per request: the Python CPU time of this process, the CPU time of the
PostgreSQL backend serving it (read from ``/proc``, so the server must be on this
machine), and the number of SQL statements. No wrk, no gunicorn: the figures are what one
request costs, without the queueing a loaded server adds. The writes are real (new
dossiers, moved dossiers): use a kept benchmark database, never a production one.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

SCENARIOS = ("healthz", "lookup", "intake", "action")


def _backend_cpu_seconds(pid: int) -> float:
    """utime + stime of a process, in seconds (Linux ``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("-n", type=int, default=300, help="requests per scenario")
    parser.add_argument("--only", choices=SCENARIOS, action="append")
    parser.add_argument("--cprofile", choices=SCENARIOS, help="print the top functions")
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DB_CONN_MAX_AGE", "600")
    import django

    django.setup()
    from bench_dossiers import (
        Tokens,
        action_requests,
        busiest_intakes,
        intake_requests,
        lookup_requests,
    )
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    tokens = Tokens()
    intakes = busiest_intakes(4)
    n = args.n
    requests: dict[str, list[Any]] = {
        "healthz": [],
        "lookup": lookup_requests(n),
        "intake": intake_requests(tokens, intakes, n),
        "action": action_requests(tokens, intakes, n)[0][:n],
    }
    from _wrk import Request

    requests["healthz"] = [Request("GET", "/healthz", {})] * n
    client = Client(raise_request_exception=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]

    def send(req: Any) -> int:
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in req.headers.items()}
        if req.method == "GET":
            return client.get(req.path, **extra).status_code
        return client.post(
            req.path, data=req.body, content_type="application/json", **extra
        ).status_code

    print(f"os.cpu_count() = {os.cpu_count()}; {n} requests per scenario, one at a time")
    print(f"{'scenario':10} {'python ms':>10} {'postgres ms':>12} {'queries':>8}  statuses")
    for name in args.only or SCENARIOS:
        reqs = requests[name]
        if not reqs:
            print(f"{name:10} (no requests could be built)")
            continue
        for req in reqs[:5]:  # warm the caches and the prepared statements
            send(req)
        timed, counted = reqs[5:-10], reqs[-10:]
        profiler = cProfile.Profile() if args.cprofile == name else None
        statuses: dict[int, int] = {}
        cpu0, pg0 = time.process_time(), _backend_cpu_seconds(backend)
        for req in timed:
            if profiler is not None:
                profiler.enable()
            code = send(req)
            if profiler is not None:
                profiler.disable()
            statuses[code] = statuses.get(code, 0) + 1
        cpu = (time.process_time() - cpu0) / len(timed) * 1000
        pg = (_backend_cpu_seconds(backend) - pg0) / len(timed) * 1000
        counts = []
        for req in counted:  # apart: capturing the SQL costs time of its own
            with CaptureQueriesContext(connection) as captured:
                send(req)
            counts.append(len(captured.captured_queries))
        print(
            f"{name:10} {cpu:10.2f} {pg:12.2f} {statistics.mean(counts):8.1f}  "
            + ", ".join(f"{k}×{v}" for k, v in sorted(statuses.items()))
        )
        if profiler is not None:
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("cumulative").print_stats(args.top)
            stats.sort_stats("tottime").print_stats(args.top)
            print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
