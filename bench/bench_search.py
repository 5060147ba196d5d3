"""Benchmark of procedure search (motcua.catalog.queries.search_procedures).

Run from the repository root::

    python bench/bench_search.py                      # a fresh SQLite file in a temp folder
    python bench/bench_search.py --database-url postgres://user@host:5432/motcua_bench_search

Migrates a fresh database (for PostgreSQL the named database is dropped and created, and
dropped again at the end unless ``--keep``), imports the full packaged catalog, then runs
``--searches`` searches (default 500) drawn from a fixed list of realistic queries — with
and without diacritics, one to four words, codes, empty queries with filters — and prints
the median, p95 and p99 latency in milliseconds. Each search is timed end to end: the
ranked query plus loading the page's procedures with their field and channels.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SEED = 20260701
WARMUP = 20

# (query, filters): what people type in the search box, and the filters the page offers.
QUERIES: list[tuple[str, dict[str, str]]] = [
    ("dang ky khai sinh", {}),
    ("Đăng ký khai sinh", {}),
    ("đăng ký kết hôn", {}),
    ("dang ky ket hon", {}),
    ("khai tu", {}),
    ("khai tử", {"level": "commune"}),
    ("thuong tru", {}),
    ("đăng ký thường trú", {}),
    ("tam tru", {"level": "commune"}),
    ("căn cước", {}),
    ("cap doi the can cuoc", {}),
    ("chứng thực", {}),
    ("chung thuc ban sao", {}),
    ("hộ kinh doanh", {}),
    ("dang ky ho kinh doanh", {"online_level": "full_online"}),
    ("giấy phép xây dựng", {}),
    ("giay phep", {}),
    ("đất đai", {"level": "province"}),
    ("quyen su dung dat", {}),
    ("thuế", {}),
    ("hoan thue", {}),
    ("hải quan", {}),
    ("thu tuc hai quan", {}),
    ("nuôi con nuôi", {}),
    ("ly hon", {}),
    ("trợ cấp xã hội", {}),
    ("bao hiem y te", {}),
    ("lien thong", {}),
    ("hòa giải", {}),
    ("đăng kí", {}),
    ("xac nhan tinh trang hon nhan", {}),
    ("trich luc ho tich", {}),
    ("1.001193", {}),
    ("1.000894", {}),
    ("2.000", {}),
    ("", {}),
    ("", {"level": "commune"}),
    ("", {"online_level": "full_online"}),
    ("", {"field": "ho-tich"}),
    ("ho tich", {"field": "ho-tich"}),
    ("cấp lại", {"level": "commune"}),
    ("dang ky xe", {}),
    ("giay phep lai xe", {}),
    ("moi truong", {"level": "province"}),
    ("tàu cá", {}),
    ("khoang san", {}),
    ("cong chung", {}),
    ("ngan hang", {}),
    ("ngoại hối", {}),
    ("dang ky khai sinh cho tre em", {}),
]


def percentile(sorted_values: list[float], fraction: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


def _postgres_admin_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name:
        raise SystemExit("--database-url must name a database")
    return urlunsplit(parts._replace(path="/postgres")), name


def _recreate_postgres(
    url: str, *, drop_only: bool = False, random_page_cost: float | None = None
) -> None:
    import psycopg
    from psycopg import sql

    admin_url, name = _postgres_admin_url(url)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        if drop_only:
            return
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        if random_page_cost is not None:
            conn.execute(
                sql.SQL("ALTER DATABASE {} SET random_page_cost = {}").format(
                    sql.Identifier(name), sql.Literal(random_page_cost)
                )
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="default: a temporary SQLite file")
    parser.add_argument("--searches", type=int, default=500)
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument(
        "--random-page-cost",
        type=float,
        default=None,
        help="PostgreSQL only: set it on the bench database (1.1 is the usual SSD value; "
        "with the default 4 the planner scans the small table instead of the trigram index)",
    )
    args = parser.parse_args()

    temp_dir = tempfile.TemporaryDirectory(prefix="motcua-bench-search-")
    url = args.database_url or f"sqlite:///{Path(temp_dir.name) / 'bench.sqlite3'}"
    is_postgres = url.startswith(("postgres://", "postgresql://"))
    if is_postgres:
        _recreate_postgres(url, random_page_cost=args.random_page_cost)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("MOTCUA_DATA_DIR", temp_dir.name)
    os.environ["DJANGO_SETTINGS_MODULE"] = "motcua.config.settings"

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from motcua.catalog.queries import search_procedures
    from motcua.catalog.services import PACKAGED_CATALOG, import_procedures_file

    try:
        t0 = time.perf_counter()
        call_command("migrate", verbosity=0)
        t1 = time.perf_counter()
        report = import_procedures_file(PACKAGED_CATALOG)
        t2 = time.perf_counter()

        rng = random.Random(SEED)
        plan = [rng.choice(QUERIES) for _ in range(args.searches)]
        for query, filters in QUERIES[:WARMUP]:
            search_procedures(query, **filters)
        timings: list[float] = []
        slowest: dict[str, float] = {}
        for query, filters in plan:
            start = time.perf_counter()
            results, _total = search_procedures(query, **filters)
            elapsed = (time.perf_counter() - start) * 1000
            timings.append(elapsed)
            key = f"{query!r} {filters or ''}".strip()
            slowest[key] = max(slowest.get(key, 0.0), elapsed)
            assert results or filters or not query, f"no result for {query!r}"
        timings.sort()

        print(f"database      {connection.vendor} ({connection.settings_dict['NAME']})")
        if is_postgres:
            with connection.cursor() as cursor:
                cursor.execute("SHOW random_page_cost")
                print(f"random_page_cost {cursor.fetchone()[0]}")
        print(
            f"machine       {platform.python_implementation()} {platform.python_version()}, "
            f"{os.cpu_count()} cores"
        )
        print(f"migrate       {t1 - t0:.1f} s")
        print(f"import        {t2 - t1:.1f} s ({report.created} procedures)")
        print(f"searches      {len(timings)} over {len(QUERIES)} distinct queries")
        print(f"p50           {statistics.median(timings):.2f} ms")
        print(f"p95           {percentile(timings, 0.95):.2f} ms")
        print(f"p99           {percentile(timings, 0.99):.2f} ms")
        print(f"max           {timings[-1]:.2f} ms")
        print("slowest queries (worst run):")
        for key, value in sorted(slowest.items(), key=lambda kv: -kv[1])[:5]:
            print(f"  {value:7.2f} ms  {key}")
    finally:
        connection.close()
        if is_postgres and not args.keep:
            _recreate_postgres(url, drop_only=True)
        temp_dir.cleanup()


if __name__ == "__main__":
    main()
