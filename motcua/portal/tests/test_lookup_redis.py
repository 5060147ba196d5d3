"""The lookup's failure counts in Redis, the cache production workers share.

Runs against the Redis server at ``MOTCUA_TEST_REDIS_URL`` (default
``redis://127.0.0.1:6379/15``); skipped when none answers, unless
``MOTCUA_REQUIRE_REDIS=1`` (CI), where a missing server fails the run.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import redis
from django.core.cache import cache, caches
from django.test import Client

from motcua.dossiers.models import Dossier
from motcua.dossiers.services import receive_at_counter
from motcua.portal.services import CODE_FAILURE_LIMIT
from motcua.testing.personas import APPLICANT, DOCUMENTS, Province

REDIS_URL = os.environ.get("MOTCUA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


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
            "KEY_PREFIX": f"motcua-test-{os.getpid()}",
        }
    }
    # (pytest-django's ``settings`` resets Django's cache handlers on the change.)
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_failures_are_counted_in_redis_and_lock_the_code(
    province: Province, redis_cache: None
) -> None:
    dossier: Dossier = receive_at_counter(
        acting_user=province.counter,
        offering=province.offering,
        applicant=APPLICANT,
        documents=DOCUMENTS,
    )
    code = dossier.code or ""
    client = Client()
    url = "/api/v1/lookup"
    for _ in range(CODE_FAILURE_LIMIT):
        assert client.get(url, {"code": code, "verifier": "0000"}).status_code == 404
    assert type(caches["default"]).__name__ == "RedisCache"
    # The counts are in the Redis server, where the other workers read them.
    assert redis.Redis.from_url(REDIS_URL).keys(f"motcua-test-{os.getpid()}:*")
    blocked = client.get(url, {"code": code, "verifier": "0000"})
    assert blocked.status_code == 429 and int(blocked["Retry-After"]) > 0
    # A second client address is not blocked by the first one's failures.
    other = client.get(
        url, {"code": code, "verifier": APPLICANT.phone[-4:]}, REMOTE_ADDR="10.0.0.2"
    )
    assert other.status_code == 200
