"""Fixtures shared by every app's tests: the personas of a small province."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from motcua.testing.personas import Province, build_province


@pytest.fixture
def province(db: None, settings: Any) -> Province:
    # Personas log in often in tests: skip the slow password hashing rounds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return build_province()


@pytest.fixture(scope="session", autouse=True)
def _uploads_elsewhere(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Files the tests store (scans, results) go to a temporary folder, never the data
    directory of the checkout."""
    from django.conf import settings

    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _forget_kept_rows() -> None:
    """Each test starts without what workers keep briefly (offerings, checked tokens, the
    calendar version): a rolled-back test may leave ids that SQLite gives again to the
    next test's rows."""
    from motcua.dossiers.intake_offerings import forget_offerings
    from motcua.integrations.services import forget_checked_tokens
    from motcua.worktime.queries import forget_calendar_version

    forget_offerings()
    forget_checked_tokens()
    forget_calendar_version()


@pytest.fixture
def threads_database(tmp_path: Path) -> Iterator[Callable[[], None]]:
    """Call it after the set-up: new connections (other threads) then use the database
    the way production does (``motcua.testing.threads``)."""
    from django.db import connection

    from motcua.testing.threads import share_test_database

    saved: dict[str, Any] = {}
    yield lambda: share_test_database(tmp_path, saved)
    if saved:
        connection.settings_dict["NAME"] = saved["NAME"]
