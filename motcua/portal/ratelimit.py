"""Failure counting per client address in Django's cache (local memory or Redis).

A fixed window opens at a client's first failure; once ``limit`` failures are counted in
it, further attempts are refused until the window closes. Successes are not counted.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


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


@dataclass(frozen=True)
class FailureLimiter:
    scope: str
    limit: int
    window_seconds: int

    def _keys(self, client: str) -> tuple[str, str]:
        digest = hashlib.sha256(client.encode("utf-8")).hexdigest()[:32]
        base = f"motcua:{self.scope}:{digest}"
        return f"{base}:n", f"{base}:t"

    def retry_after(self, client: str) -> int | None:
        """Seconds to wait if ``client`` is blocked now, else None."""
        return first_retry_after((self, client))

    def _wait(self, since: float | None) -> int:
        """Seconds left in the window that opened at ``since`` (the whole window if unknown)."""
        if since is None:
            return self.window_seconds
        return max(1, math.ceil(since + self.window_seconds - time.time()))

    def record_failure(self, client: str) -> int:
        """Count one failure; returns the failures in the current window."""
        count_key, since_key = self._keys(client)
        cache.add(since_key, time.time(), self.window_seconds)
        cache.add(count_key, 0, self.window_seconds)
        try:
            return int(cache.incr(count_key))
        except ValueError:  # expired between add and incr
            cache.set(count_key, 1, self.window_seconds)
            return 1

    def reset(self, client: str) -> None:
        cache.delete_many(list(self._keys(client)))


def first_retry_after(*checks: tuple[FailureLimiter, str]) -> int | None:
    """Seconds to wait for the first blocked ``(limiter, client)`` of ``checks``, else None.

    Their counters are read in one cache round trip (one MGET on Redis), as this runs
    before every public lookup; the start of the window only for a blocked one.
    """
    keyed = [(limiter, limiter._keys(client)) for limiter, client in checks]
    counts = cache.get_many([count_key for _, (count_key, _) in keyed])
    for limiter, (count_key, since_key) in keyed:
        if counts.get(count_key, 0) >= limiter.limit:
            return limiter._wait(cache.get(since_key))
    return None
