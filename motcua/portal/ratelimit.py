"""Failure counting per client, in the database (``LookupFailure``), shared by all workers.

A fixed window opens at a client's first failure; once ``limit`` failures are counted in
it, further attempts are refused until the window closes. Successes are not counted.

Reading the counts is meant to ride along with the query the guarded endpoint runs anyway
(the public lookup reads them in its own SQL statement: one round trip per lookup, see
``portal.queries.lookup_dossier``). Recording a failure is one
upsert, portable between SQLite and PostgreSQL; concurrent failures of one client are
counted by the database, none is lost.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.http import HttpRequest

from motcua.portal.models import LookupFailure

# One statement: a new row, a failure more in the open window, or a new window over an
# expired one. (SET expressions read the row as it was, on both databases.)
_RECORD_SQL = """
INSERT INTO portal_lookupfailure (key, failures, window_start) VALUES (%s, 1, %s)
ON CONFLICT (key) DO UPDATE SET
  failures = CASE WHEN portal_lookupfailure.window_start <= %s THEN 1
                  ELSE portal_lookupfailure.failures + 1 END,
  window_start = CASE WHEN portal_lookupfailure.window_start <= %s THEN excluded.window_start
                      ELSE portal_lookupfailure.window_start END
RETURNING failures
"""
_PURGE_SQL = "DELETE FROM portal_lookupfailure WHERE key LIKE %s AND window_start <= %s"


def client_ip(request: HttpRequest) -> str:
    """The client's address: the connection's, or the one our trusted proxies saw.

    With ``MOTCUA_TRUSTED_PROXIES = n`` the n-th address from the right of
    ``X-Forwarded-For`` is used (entries further left can be forged by the client).
    """
    remote = str(request.META.get("REMOTE_ADDR", "") or "")
    hops = int(getattr(settings, "MOTCUA_TRUSTED_PROXIES", 0) or 0)
    if hops <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
        if part.strip()
    ]
    if not forwarded:
        return remote
    return forwarded[-hops] if len(forwarded) >= hops else forwarded[0]


def now_seconds() -> int:
    return int(time.time())


@dataclass(frozen=True)
class Counted:
    """A client's failures in its open window."""

    failures: int
    window_start: int


@dataclass(frozen=True)
class FailureLimiter:
    scope: str
    limit: int
    window_seconds: int

    def key(self, client: str) -> str:
        digest = hashlib.sha256(client.encode("utf-8")).hexdigest()[:32]
        return f"{self.scope}:{digest}"

    def cutoff(self, now: int) -> int:
        """Windows that started at or before this instant have closed."""
        return now - self.window_seconds

    def retry_after(self, counted: Counted | None, now: int) -> int | None:
        """Seconds to wait if the client with ``counted`` failures is blocked, else None."""
        if counted is None or counted.failures < self.limit:
            return None
        return max(1, math.ceil(counted.window_start + self.window_seconds - now))

    def record_failure(self, client: str) -> int:
        """Count one failure; returns the failures in the current window."""
        return record_failures([(self, client)])[0]

    def reset(self, client: str) -> None:
        LookupFailure.objects.filter(key=self.key(client)).delete()


def first_retry_after(
    counts: Mapping[str, Counted], checks: Iterable[tuple[FailureLimiter, str]], now: int
) -> int | None:
    """Seconds to wait for the first blocked ``(limiter, client)`` of ``checks``, else None."""
    for limiter, client in checks:
        wait = limiter.retry_after(counts.get(limiter.key(client)), now)
        if wait is not None:
            return wait
    return None


def record_failures(checks: Iterable[tuple[FailureLimiter, str]]) -> list[int]:
    """Count one failure for each ``(limiter, client)``; returns the failures in each one's
    window. When a window opens, the limiter's closed windows (of every client) are
    deleted."""
    now = now_seconds()
    counts: list[int] = []
    with connection.cursor() as cursor:
        for limiter, client in checks:
            cutoff = limiter.cutoff(now)
            cursor.execute(_RECORD_SQL, [limiter.key(client), now, cutoff, cutoff])
            counts.append(int(cursor.fetchone()[0]))
            if counts[-1] == 1:
                cursor.execute(_PURGE_SQL, [f"{limiter.scope}:%", cutoff])
    return counts
