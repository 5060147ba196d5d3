"""Database helpers shared by the apps."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

from django.db import DatabaseError, connection

F = TypeVar("F", bound=Callable[..., Any])


def ping() -> str:
    """Ask the database for nothing (the health check); the engine's name when it answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return connection.vendor


@contextmanager
def custom_plans() -> Iterator[None]:
    """Plan each statement for its own values while inside (PostgreSQL, prepared statements).

    With prepared statements PostgreSQL may switch a statement to a generic plan after a
    few runs; a generic plan cannot prove that a status list given as a parameter matches a
    partial index's condition, and reads every open row instead (worklists, dashboards:
    20 ms became 100–150 ms). Writes and the lookup keep their generic plans (ADR 0005).
    """
    options = connection.settings_dict.get("OPTIONS", {})
    if connection.vendor != "postgresql" or not options.get("server_side_binding"):
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET plan_cache_mode = force_custom_plan")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET plan_cache_mode")
        except DatabaseError:
            connection.close()  # an aborted transaction: a new session starts clean


def with_custom_plans(view: F) -> F:
    """A view whose reads run under :func:`custom_plans`."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with custom_plans():
            return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
