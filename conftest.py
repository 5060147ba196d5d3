"""Fixtures shared by every app's tests: the personas of a small province."""

from __future__ import annotations

from typing import Any

import pytest

from motcua.testing.personas import Province, build_province


@pytest.fixture
def province(db: None, settings: Any) -> Province:
    # Personas log in often in tests: skip the slow password hashing rounds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return build_province()
