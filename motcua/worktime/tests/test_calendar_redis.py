"""Calendar changes reach every worker through Redis, the cache production workers share.

Runs against the Redis server at ``MOTCUA_TEST_REDIS_URL`` (default
``redis://127.0.0.1:6379/15``); skipped when none answers, unless
``MOTCUA_REQUIRE_REDIS=1`` (CI), where a missing server fails the run.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import pytest
import redis
from django.core.cache import cache, caches

from motcua.worktime.models import CalendarDay
from motcua.worktime.queries import calendar_for, forget_calendar_version
from motcua.worktime.rules import is_working_day

REDIS_URL = os.environ.get("MOTCUA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PREFIX = f"motcua-test-{os.getpid()}"
#: A Wednesday of an ordinary week: a working day unless the province says otherwise.
DAY = date(2026, 11, 25)


def _answers(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 1):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_cache(settings: Any) -> Iterator[None]:
    if not _answers(REDIS_URL):
        if os.environ.get("MOTCUA_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis does not answer at {REDIS_URL}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": PREFIX,
        }
    }
    # (pytest-django's ``settings`` resets Django's cache handlers on the change.)
    cache.clear()
    forget_calendar_version()
    yield
    cache.clear()
    forget_calendar_version()


@pytest.mark.django_db
def test_a_day_off_saved_by_another_worker_is_seen_here(redis_cache: None) -> None:
    assert type(caches["default"]).__name__ == "RedisCache"
    assert is_working_day(calendar_for(), DAY)  # built and kept by this worker

    # Another worker saves a day off: the row in the database, the version in Redis.
    CalendarDay.objects.create(date=DAY, kind=CalendarDay.Kind.DAY_OFF, name="Nghỉ bù")
    server = redis.Redis.from_url(REDIS_URL)
    (version_key,) = server.keys(f"{PREFIX}:*calendar-version")
    forget_calendar_version()  # this worker's one-second reuse of the version is over
    assert is_working_day(calendar_for(), DAY), "no new version yet: the kept calendar"

    server.incr(version_key)
    forget_calendar_version()
    assert not is_working_day(calendar_for(), DAY)
