"""Work in other threads, each with its own database connection, as separate requests do.

SQLite's test database lives in memory, shared between connections through SQLite's
shared cache, whose table locks fail at once instead of waiting for the busy timeout: it
cannot show how the production file behaves. So on SQLite :func:`share_test_database`
copies it to a file that new connections open (WAL, ``BEGIN IMMEDIATE``, the settings'
timeout); the main thread keeps the in-memory one. The ``threads_database`` fixture (root
``conftest.py``) calls it and restores the settings afterwards.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from django.db import connection

T = TypeVar("T")


def in_own_connection(work: Callable[[], T]) -> Callable[[], T]:
    """Run ``work`` in the calling thread's own connection, closed at the end."""

    def run() -> T:
        try:
            return work()
        finally:
            connection.close()

    return run


def in_a_thread(work: Callable[[], T]) -> T:
    """``work()`` in another thread with its own connection (reads what the threads wrote)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(in_own_connection(work)).result(timeout=60)


def share_test_database(directory: Path, saved: dict[str, Any]) -> None:
    """Let new connections (other threads) open the test database the way production does;
    what it changes in the settings is put in ``saved`` for the caller to restore."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        return
    connection.ensure_connection()
    path = directory / "threads.sqlite3"
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    # WAL is kept by the file, as in production: the connections' own
    # "PRAGMA journal_mode=WAL" is then a no-op, not a race to convert the file.
    target.execute("PRAGMA journal_mode=WAL")
    target.close()
    saved["NAME"] = connection.settings_dict["NAME"]
    connection.settings_dict["NAME"] = str(path)  # shared with every new connection
