"""Benchmark of the dossier API on a province-sized history, served as in production.

Run from the repository root (PostgreSQL at 127.0.0.1:5432, wrk installed)::

    python bench/bench_dossiers.py                     # 1,000,000 dossiers (about 15 min)
    python bench/bench_dossiers.py --dossiers 100000   # a quick run
    python bench/bench_dossiers.py --reuse-db --keep-db  # load again, same data

Steps: create the database ``motcua_bench_dossiers`` (dropped first), load the demo
province (``motcua demo --no-serve`` in a subprocess), write ``--dossiers`` dossiers with
:func:`motcua.simulation.bulk.generate_bulk`, ``VACUUM ANALYZE``, issue API tokens (service
accounts of counters and of the staff holding the open dossiers' steps), start gunicorn
(``--workers``, default 2 × cores + 1; ``DB_CONN_MAX_AGE=600``, ``DJANGO_DEBUG=0``) on a
free port of 127.0.0.1 and load it from wrk (a second process, same machine):

a. counter intake   ``POST /api/v1/dossiers`` (new applicants at the busiest counters);
b. actions          ``POST /api/v1/dossiers/{code}/actions``: the next handover of open
                    dossiers (forward, submit for signature, sign, return the result),
                    each dossier moved up to four times in rounds;
c. worklists        ``GET /api/v1/dossiers?…`` for a counter and a specialist token (one
                    connection: latency), and the back office's ORM queries
                    (``queries.worklist`` page + ``tab_counts``) timed in this process;
d. public lookup    ``GET /api/v1/lookup?code=&verifier=`` against ``/healthz`` (same
                    middleware and one ``SELECT 1``) at 32 connections, one after the other.

Prints the figures with ``os.cpu_count()``, the worker count and the dataset, then for
each missed target a py-spy profile of the workers under that load and ``EXPLAIN
(ANALYZE, BUFFERS)`` of the queries concerned. Stops gunicorn and drops the database
(unless ``--keep-db``). Every load runs for a bounded time against 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from _cpu import per_request as cpu_per_request  # noqa: E402
from _cpu import snapshot as cpu_snapshot  # noqa: E402
from _profile import INSTALL_HINT as PYSPY_HINT  # noqa: E402
from _profile import profile_during, py_spy_path, summarise  # noqa: E402
from _server import Server, redis_answers, start_gunicorn, warm_up  # noqa: E402
from _wrk import INSTALL_HINT as WRK_HINT  # noqa: E402
from _wrk import Request, WrkResult, run_wrk, wrk_path  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/motcua_bench_dossiers"
SEED = 20250701

# Targets of the issue (printed, never asserted).
INTAKE_TARGET = 300.0  # requests/s
ACTIONS_TARGET = 400.0  # requests/s
WORKLIST_TARGET_MS = 50.0
LOOKUP_RATIO_TARGET = 0.70
LOOKUP_P99_TARGET_MS = 50.0
SCENARIOS = ("intake", "actions", "worklist", "lookup")


# --------------------------------------------------------------------------- database


def _admin_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name:
        raise SystemExit("--database-url must name a database")
    return urlunsplit(parts._replace(path="/postgres")), name


def recreate_database(url: str, *, drop_only: bool = False) -> None:
    import psycopg
    from psycopg import sql

    admin, name = _admin_url(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        if not drop_only:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def vacuum_analyze(url: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as c:
        c.execute("VACUUM ANALYZE")


def _motcua(url: str, data_dir: str, *args: str) -> None:
    """``motcua <args>`` in a subprocess on the benchmark's database."""
    env = {**os.environ, "DATABASE_URL": url, "MOTCUA_DATA_DIR": data_dir}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(
        [sys.executable, "-m", "motcua.cli", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def load_demo(url: str, data_dir: str) -> None:
    _motcua(url, data_dir, "demo", "--no-serve")


def migrate(url: str, data_dir: str) -> None:
    """Bring a kept database to the current schema (``--reuse-db``)."""
    _motcua(url, data_dir, "migrate", "--no-input")


# --------------------------------------------------------------------------- helpers


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def loadavg() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f}"


@dataclass
class Row:
    scenario: str
    figure: str
    target: str
    met: bool | None
    note: str = ""


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    def add(self, row: Row, miss_key: str = "") -> None:
        self.rows.append(row)
        if row.met is False and miss_key and miss_key not in self.misses:
            self.misses.append(miss_key)


def wrk_line(r: WrkResult) -> str:
    return (
        f"{r.rate:7.1f}/s  p50 {r.p50_ms:6.1f}  p95 {r.p95_ms:6.1f}  p99 {r.p99_ms:6.1f} ms"
        f"  ({r.requests} req, {r.bad_status} non-2xx, {r.errors} errors)"
    )


# --------------------------------------------------------------------------- tokens


class Tokens:
    """API tokens (service accounts) issued for the run, one per (agency, unit, role)."""

    def __init__(self) -> None:
        self._issued: dict[tuple[int, int | None, str], tuple[Any, str]] = {}

    def get(self, agency: Any, unit: Any, role: str) -> tuple[Any, str]:
        """``(service account, secret)``."""
        from motcua.integrations.services import issue_token

        key = (agency.pk, unit.pk if unit else None, role)
        found = self._issued.get(key)
        if found is None:
            token, secret = issue_token(
                agency=agency, unit=unit, roles=[role], name=f"bench {role} {agency.code}"
            )
            found = self._issued[key] = (token.user, secret)
        return found

    def counter(self, intake: Any) -> tuple[Any, str]:
        """A counter officer receiving at ``intake`` (a one-stop unit: its parent's staff)."""
        from motcua.agencies.models import Agency

        kinds = (Agency.Kind.ONE_STOP_UNIT, Agency.Kind.SERVICE_CENTER)
        if intake.kind in kinds and intake.parent_id:
            return self.get(intake.parent, intake, "counter_officer")
        return self.get(intake, None, "counter_officer")

    def holder(self, agency_id: int, role: str) -> tuple[Any, str]:
        """Staff holding any ``role`` step at ``agency_id``."""
        from motcua.agencies.models import Agency

        return self.get(Agency.objects.get(pk=agency_id), None, role)

    def __len__(self) -> int:
        return len(self._issued)


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


# --------------------------------------------------------------------------- scenarios


def busiest_intakes(count: int) -> list[Any]:
    from django.db.models import Count

    from motcua.agencies.models import Agency
    from motcua.dossiers.models import Dossier

    rows = (
        Dossier.objects.filter(channel="in_person")
        .values("intake_agency_id")
        .annotate(n=Count("pk"))
        .order_by("-n")[:count]
    )
    ids = [r["intake_agency_id"] for r in rows]
    by_id = Agency.objects.select_related("parent").in_bulk(ids)
    return [by_id[i] for i in ids]


def intake_requests(tokens: Tokens, intakes: list[Any], n: int) -> list[Request]:
    """New in-person dossiers spread over the counters and the procedures they receive."""
    from motcua.dossiers.models import Dossier

    rng = random.Random(SEED)
    per_counter: list[tuple[str, list[int]]] = []
    for intake in intakes:
        _, secret = tokens.counter(intake)
        offerings = list(
            Dossier.objects.filter(intake_agency=intake, channel="in_person")
            .order_by()
            .values_list("offering_id", flat=True)
            .distinct()[:40]
        )
        if offerings:
            per_counter.append((secret, offerings))
    given = ("Minh Anh", "Thu Hà", "Quốc Bảo", "Ngọc Lan", "Văn Tâm", "Thị Hồng", "Gia Huy")
    family = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng")
    out = []
    for i in range(n):
        secret, offerings = per_counter[i % len(per_counter)]
        body = {
            "offering_id": rng.choice(offerings),
            "applicant": {
                "name": f"{rng.choice(family)} {rng.choice(given)}",
                "phone": f"09{rng.randrange(10**8):08d}",
                "id_number": f"0891{rng.randrange(10**8):08d}",
                "address": "tỉnh An Giang",
            },
            "documents": [
                {"name": "Tờ khai theo mẫu", "original_count": 1},
                {"name": "Bản sao giấy tờ tùy thân", "copy_count": 1},
            ],
            "channel": "in_person",
        }
        out.append(
            Request(
                "POST", "/api/v1/dossiers", bearer(secret), json.dumps(body, ensure_ascii=False)
            )
        )
    return out


def _next_actions(status: str, steps: list[Any], active: int) -> list[tuple[str, Any]]:
    """The handovers that take a sequential dossier from its active step to the end."""
    from motcua.dossiers import rules
    from motcua.dossiers.rules import Action, Actor, Status

    out: list[tuple[str, Any]] = []
    current = Status(status)
    for j in range(active, len(steps)):
        step = steps[j]
        upcoming = steps[j + 1] if j + 1 < len(steps) else None
        if current is Status.RECEIVED:
            action = Action.FORWARD
        elif current is Status.IN_PROGRESS:
            if upcoming is None:
                break
            to_leader = upcoming.role == Actor.AGENCY_LEADER.value
            action = Action.SUBMIT_FOR_SIGNATURE if to_leader else Action.FORWARD
        elif current is Status.AWAITING_SIGNATURE:
            action = Action.SIGN
        elif current is Status.PROCESSED:
            action = Action.FORWARD if upcoming is not None else Action.RETURN_RESULT
        else:
            break
        row = rules.TRANSITIONS.get((current, action))
        if row is None or Actor(step.role) not in row.actors:
            break
        out.append((action.value, step))
        current = row.to
    return out


def action_requests(tokens: Tokens, intakes: list[Any], limit: int) -> tuple[list[Request], str]:
    """Rounds of handovers on open dossiers at the given counters (newest first)."""
    from collections import Counter

    from motcua.dossiers.models import Dossier, DossierStep
    from motcua.dossiers.rules import s10_item_number

    open_statuses = ["received", "in_progress", "awaiting_signature", "processed"]
    dossiers = list(
        Dossier.objects.filter(intake_agency__in=intakes, status__in=open_statuses)
        .order_by("-pk")
        .values_list("pk", "code", "status", "version", "return_method")[:limit]
    )
    steps: dict[int, list[Any]] = {}
    for s in DossierStep.objects.filter(dossier_id__in=[d[0] for d in dossiers]).order_by(
        "dossier_id", "stage", "branch", "position"
    ):
        steps.setdefault(s.dossier_id, []).append(s)
    rounds: list[list[Request]] = []
    mix: Counter[str] = Counter()
    for pk, code, status, version, return_method in dossiers:
        mine = steps.get(pk, [])
        if len({s.stage for s in mine}) != len(mine):
            continue  # parallel branches: not driven here
        active = next((i for i, s in enumerate(mine) if s.state == "active"), None)
        if active is None:
            continue
        moves = _next_actions(status, mine, active)
        if return_method == "online":  # the result's electronic copy is not uploaded here
            moves = [(action, step) for action, step in moves if action != "return_result"]
        for k, (action, step) in enumerate(moves):
            _, secret = tokens.holder(step.agency_id, step.role)
            fields: dict[str, Any] = {"action": action, "expected_version": version + k}
            if action == "return_result" and return_method == "post":
                fields["postal_item_number"] = s10_item_number("RR", pk)  # the item's number
            body = json.dumps(fields)
            while len(rounds) <= k:
                rounds.append([])
            rounds[k].append(
                Request("POST", f"/api/v1/dossiers/{quote(code)}/actions", bearer(secret), body)
            )
            mix[action] += 1
    flat = [r for rnd in rounds for r in rnd]
    return flat, ", ".join(f"{a} {n}" for a, n in mix.most_common())


def lookup_requests(n: int) -> list[Request]:
    from motcua.dossiers.models import Dossier

    rows = list(
        Dossier.objects.exclude(applicant_phone="")
        .order_by("?")
        .values_list("code", "applicant_phone")[:n]
    )
    return [
        Request("GET", f"/api/v1/lookup?code={quote(code)}&verifier={phone[-4:]}", {})
        for code, phone in rows
    ]


def time_orm(
    fn: Callable[[], object], runs: int, budget_s: float = 15.0
) -> tuple[float, float, float, int]:
    """p50, p95, max in ms over ``runs`` calls (fewer if ``budget_s`` runs out)."""
    fn()
    from motcua.core.db import custom_plans

    timings: list[float] = []
    started = time.perf_counter()
    while len(timings) < runs and time.perf_counter() - started < budget_s:
        t0 = time.perf_counter()
        with custom_plans():  # as the back office's worklist view runs them
            fn()
        timings.append((time.perf_counter() - t0) * 1000)
    return statistics.median(timings), percentile(timings, 0.95), max(timings), len(timings)


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--keep-db", action="store_true", help="keep the database at the end")
    parser.add_argument(
        "--reuse-db", action="store_true", help="use the database as it is (no demo, no bulk)"
    )
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--seconds", type=float, default=20.0, help="per load scenario")
    parser.add_argument("--write-connections", type=int, default=16, help="for (a) and (b)")
    parser.add_argument("--counters", type=int, default=12, help="counters sending intakes")
    parser.add_argument("--no-profile", action="store_true", help="skip py-spy and EXPLAIN")
    parser.add_argument(
        "--only",
        default=",".join(SCENARIOS),
        help=f"comma-separated scenarios to run (default: all of {','.join(SCENARIOS)})",
    )
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/0",
        help="the shared cache of the workers, as in production (skipped if it does not answer)",
    )
    args = parser.parse_args()

    if wrk_path() is None:
        print(WRK_HINT)
        return 2
    if not args.no_profile and py_spy_path() is None:
        print(f"note: {PYSPY_HINT} (profiles are skipped without it)")
    only = {name.strip() for name in args.only.split(",") if name.strip()}
    if not only or only - set(SCENARIOS):
        raise SystemExit(f"--only takes names among {', '.join(SCENARIOS)}")
    url = args.database_url
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("this benchmark runs on PostgreSQL: --database-url postgres://…")

    data_dir = tempfile.mkdtemp(prefix="motcua-bench-dossiers-")
    os.environ["DATABASE_URL"] = url
    os.environ["MOTCUA_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "motcua.config.settings"
    server: Server | None = None
    report = Report()
    timings: dict[str, str] = {}
    try:
        print(
            f"{platform.python_implementation()} {platform.python_version()}, "
            f"os.cpu_count() = {os.cpu_count()}, {loadavg()}",
            flush=True,
        )
        if args.reuse_db:
            migrate(url, data_dir)
        else:
            recreate_database(url)
            t0 = time.perf_counter()
            load_demo(url, data_dir)
            timings["demo"] = f"{time.perf_counter() - t0:.1f} s"
            print(f"demo province loaded in {timings['demo']}", flush=True)

        import django

        django.setup()
        from django.db import connection

        from motcua.dossiers.models import Dossier, DossierEvent, DossierStep
        from motcua.simulation.bulk import generate_bulk

        if not args.reuse_db:
            step = max(1, args.dossiers // 10)
            marks = {"next": step}

            def progress(done: int, total: int) -> None:
                if done >= marks["next"] or done == total:
                    rate = done / (time.perf_counter() - t0)
                    print(f"  bulk {done:>9,}/{total:,}  {rate:,.0f} dossiers/s", flush=True)
                    marks["next"] = done + step

            t0 = time.perf_counter()
            made = generate_bulk(args.dossiers, seed=SEED, progress=progress)
            seconds = time.perf_counter() - t0
            timings["bulk"] = f"{seconds:.0f} s ({made / seconds:,.0f} dossiers/s)"
            print(f"bulk history: {made:,} dossiers in {timings['bulk']}", flush=True)
            connection.close()
            t0 = time.perf_counter()
            vacuum_analyze(url)
            timings["vacuum"] = f"{time.perf_counter() - t0:.0f} s"
            print(f"VACUUM ANALYZE in {timings['vacuum']}", flush=True)

        n_dossiers = Dossier.objects.count()
        n_steps = DossierStep.objects.count()
        n_events = DossierEvent.objects.count()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            size = cursor.fetchone()[0]
        dataset = f"{n_dossiers:,} dossiers, {n_steps:,} steps, {n_events:,} events ({size})"
        print(f"dataset: {dataset}", flush=True)

        # ------------------------------------------------------------ tokens and requests
        tokens = Tokens()
        intakes = busiest_intakes(args.counters)
        intake_reqs = intake_requests(tokens, intakes, int(args.seconds * 1500))
        lookups = lookup_requests(5000)
        counter_user, counter_secret = tokens.counter(intakes[0])
        busiest = Dossier.objects.filter(intake_agency=intakes[0]).first()
        assert busiest is not None
        specialist_user, specialist_secret = tokens.holder(busiest.deciding_agency_id, "specialist")
        print(f"{len(tokens)} API tokens issued; {len(intakes)} counters", flush=True)
        connection.close()

        # ------------------------------------------------------------ the server
        log = Path(data_dir) / "gunicorn.log"
        # As in production: the workers share Redis (rate limits, calendar versions).
        extra_env = {"REDIS_URL": args.redis_url} if redis_answers(args.redis_url) else {}
        print(f"cache: {'Redis ' + args.redis_url if extra_env else 'local memory'}", flush=True)
        server = start_gunicorn(url, args.workers, log, extra_env)
        list_paths = {
            "counter, received + in progress": (
                "/api/v1/dossiers?status=received,in_progress&limit=20",
                counter_secret,
            ),
            "counter, all visible": ("/api/v1/dossiers?limit=20", counter_secret),
            "specialist, overdue": ("/api/v1/dossiers?due=overdue&limit=20", specialist_secret),
        }
        warm_up(
            server,
            [("/healthz", {}), (lookups[0].path, {})]
            + [(p, bearer(s)) for p, s in list_paths.values()],
        )
        print(f"gunicorn: {server.workers} workers at {server.base_url}; {loadavg()}", flush=True)
        base = server.base_url
        seconds = args.seconds
        wc = args.write_connections

        # (a) counter intake
        res_a: WrkResult | None = None
        if "intake" in only:
            before = cpu_snapshot()
            res_a = run_wrk(base, intake_reqs, connections=wc, seconds=seconds)
            cpu_a = cpu_per_request(before, res_a.requests)
            print(f"(a) intake       {wrk_line(res_a)}; {loadavg()}\n    {cpu_a}", flush=True)
            report.add(
                Row(
                    "(a) counter intake POST /api/v1/dossiers",
                    wrk_line(res_a),
                    f">= {INTAKE_TARGET:.0f}/s",
                    res_a.rate >= INTAKE_TARGET,
                    f"{wc} connections, {len(intakes)} counters\n         {cpu_a}",
                ),
                "intake",
            )

        # (b) actions on open dossiers (those just received first)
        res_b: WrkResult | None = None
        action_reqs: list[Request] = []
        if "actions" in only:
            action_reqs, mix = action_requests(tokens, intakes, int(seconds * 1200))
            connection.close()
            before = cpu_snapshot()
            res_b = run_wrk(base, action_reqs, connections=wc, seconds=seconds)
            cpu_b = cpu_per_request(before, res_b.requests)
            wrapped = res_b.requests > len(action_reqs)
            print(f"(b) actions      {wrk_line(res_b)}; {loadavg()}\n    {cpu_b}", flush=True)
            report.add(
                Row(
                    "(b) actions POST …/{code}/actions",
                    wrk_line(res_b),
                    f">= {ACTIONS_TARGET:.0f}/s",
                    res_b.rate >= ACTIONS_TARGET,
                    f"{wc} connections; mix: {mix}"
                    + ("; list exhausted (409s)" if wrapped else "")
                    + f"\n         {cpu_b}",
                ),
                "actions",
            )

        # (c) worklists: the API (one connection) and the ORM queries
        if "worklist" in only:
            for label, (path, secret) in list_paths.items():
                res = run_wrk(
                    base, [Request("GET", path, bearer(secret))], connections=1, seconds=5
                )
                print(f"(c) list {label:32} {wrk_line(res)}", flush=True)
                report.add(
                    Row(
                        f"(c) API list: {label}",
                        wrk_line(res),
                        f"p95 <= {WORKLIST_TARGET_MS:.0f} ms",
                        res.p95_ms <= WORKLIST_TARGET_MS,
                        "1 connection",
                    ),
                    "worklist",
                )
            from motcua.dossiers.queries import (
                PAGE_SIZE,
                WorklistFilter,
                clock_for,
                tab_counts,
                tabs_for,
                worklist,
            )

            orm_users = {"counter": counter_user, "specialist": specialist_user}
            for who, user in orm_users.items():
                user.refresh_from_db()
                clock = clock_for(user)
                for tab in ("mine", "open", "overdue"):
                    f = WorklistFilter(tab=tab)
                    p50, p95, worst, runs = time_orm(
                        lambda u=user, f=f, c=clock: list(worklist(u, f, c)[:PAGE_SIZE]), 200
                    )
                    figure = f"p50 {p50:6.1f}  p95 {p95:6.1f}  max {worst:6.1f} ms"
                    print(f"(c) ORM worklist {who:10} {tab:8} {figure}", flush=True)
                    report.add(
                        Row(
                            f"(c) ORM queries.worklist {who} tab={tab}",
                            figure,
                            f"p95 <= {WORKLIST_TARGET_MS:.0f} ms",
                            p95 <= WORKLIST_TARGET_MS,
                            f"{runs} runs, page of 25",
                        ),
                        "worklist",
                    )
                tabs = tabs_for(user)
                p50, p95, worst, runs = time_orm(
                    lambda u=user, t=tabs, c=clock: tab_counts(u, t, c), 200
                )
                figure = f"p50 {p50:6.1f}  p95 {p95:6.1f}  max {worst:6.1f} ms"
                print(f"(c) ORM tab_counts {who:10} {figure}", flush=True)
                report.add(
                    Row(
                        f"(c) ORM queries.tab_counts {who} ({len(tabs)} tabs)",
                        figure,
                        f"p95 <= {WORKLIST_TARGET_MS:.0f} ms",
                        p95 <= WORKLIST_TARGET_MS,
                        f"{runs} runs",
                    ),
                    "worklist",
                )
            connection.close()

        # (d) public lookup against the bare endpoint, same server, same connections
        if "lookup" in only:
            before = cpu_snapshot()
            bare = run_wrk(base, [Request("GET", "/healthz", {})], connections=32, seconds=seconds)
            cpu_bare = cpu_per_request(before, bare.requests)
            print(f"(d) /healthz     {wrk_line(bare)}; {loadavg()}\n    {cpu_bare}", flush=True)
            before = cpu_snapshot()
            res_d = run_wrk(base, lookups, connections=32, seconds=seconds)
            cpu_d = cpu_per_request(before, res_d.requests)
            print(f"(d) lookup       {wrk_line(res_d)}; {loadavg()}\n    {cpu_d}", flush=True)
            ratio = res_d.rate / bare.rate if bare.rate else 0.0
            report.add(
                Row(
                    "(d) /healthz (middleware + SELECT 1)",
                    wrk_line(bare),
                    "reference",
                    None,
                    f"32 connections\n         {cpu_bare}",
                )
            )
            report.add(
                Row(
                    "(d) public lookup GET /api/v1/lookup",
                    wrk_line(res_d),
                    f">= {LOOKUP_RATIO_TARGET:.0%} of /healthz, "
                    f"p99 <= {LOOKUP_P99_TARGET_MS:.0f} ms",
                    ratio >= LOOKUP_RATIO_TARGET and res_d.p99_ms <= LOOKUP_P99_TARGET_MS,
                    f"{ratio:.0%} of /healthz; 32 connections, {len(lookups)} codes"
                    f"\n         {cpu_d}",
                ),
                "lookup",
            )

        # ------------------------------------------------------------ the table
        print()
        print(
            f"=== bench_dossiers — {time.strftime('%Y-%m-%d')} — os.cpu_count() = "
            f"{os.cpu_count()}, gunicorn --workers {server.workers}, wrk on the same "
            f"machine ==="
        )
        print(f"dataset: {dataset}")
        for key, value in timings.items():
            print(f"{key}: {value}")
        for row in report.rows:
            mark = {True: "met ", False: "MISS", None: "    "}[row.met]
            print(f"[{mark}] {row.scenario}")
            print(f"         {row.figure}   target {row.target}")
            if row.note:
                print(f"         {row.note}")

        # ------------------------------------------------------------ where the time goes
        if args.no_profile:
            return 0
        done_a = res_a.requests if res_a is not None else 0
        done_b = res_b.requests if res_b is not None else 0
        remaining_actions = action_reqs[min(done_b, len(action_reqs)) :]
        loads: dict[str, Callable[[], object]] = {
            "intake": lambda: run_wrk(base, intake_reqs[done_a:], connections=wc, seconds=8),
            "actions": lambda: run_wrk(
                base, remaining_actions or action_reqs, connections=wc, seconds=8
            ),
            "worklist": lambda: run_wrk(
                base,
                [Request("GET", p, bearer(s)) for p, s in list_paths.values()],
                connections=2,
                seconds=8,
            ),
            "lookup": lambda: run_wrk(base, lookups, connections=32, seconds=8),
        }
        for key in report.misses:
            print(f"\n--- profile: {key} (py-spy, all workers, 8 s under the same load)")
            stacks = profile_during(server.process.pid, 8, loads[key])
            print(summarise(stacks) if stacks else f"  ({PYSPY_HINT})")
        explain_queries(report.misses, counter_user, specialist_user, lookups)
        return 0
    finally:
        if server is not None:
            server.stop()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 (Django may not be set up yet)
            pass
        if not args.keep_db:
            recreate_database(url, drop_only=True)


def explain_queries(misses: list[str], counter: Any, specialist: Any, lookups: list[Any]) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the queries behind the missed targets."""
    from urllib.parse import parse_qs, unquote, urlsplit

    from motcua.dossiers.access import visible_dossiers
    from motcua.dossiers.models import Dossier
    from motcua.dossiers.queries import PAGE_SIZE, WorklistFilter, clock_for, worklist

    def show(title: str, qs: Any) -> None:
        print(f"\n--- EXPLAIN (ANALYZE, BUFFERS): {title}")
        plan = qs.explain(analyze=True, buffers=True)
        print("\n".join("  " + line for line in plan.splitlines()[:40]))

    if "worklist" in misses:
        for who, user in (("counter", counter), ("specialist", specialist)):
            clock = clock_for(user)
            show(
                f"queries.worklist {who} tab=mine (page)",
                worklist(user, WorklistFilter(tab="mine"), clock)[:PAGE_SIZE],
            )
            show(
                f"API list {who}: visible_dossiers(...).order_by(-submitted_at)[:20]",
                visible_dossiers(user).order_by("-submitted_at", "-pk")[:20],
            )
    if "lookup" in misses:
        query = parse_qs(urlsplit(lookups[0].path).query)
        code = unquote(query["code"][0])
        show(
            "lookup: the dossier by code",
            Dossier.objects.select_related("procedure", "current_agency").filter(code=code),
        )
        dossier = Dossier.objects.get(code=code)
        show("lookup: its events", dossier.events.select_related("actor_agency").order_by("seq"))


if __name__ == "__main__":
    raise SystemExit(main())
