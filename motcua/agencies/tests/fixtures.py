"""Shared fixtures for the organisation tree: the imported units of An Giang and the demo tree.

Data is built by calling the services (import, build_demo_province), never by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from motcua.agencies.models import Agency
from motcua.agencies.services import (
    EnsureResult,
    UnitImportResult,
    import_administrative_units,
    save_agency,
)
from motcua.agencies.unit_sources import load_units
from motcua.simulation.province import build_demo_province


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> Iterator[None]:
    # The demo staff and admin tests log in dozens of accounts: skip PBKDF2's rounds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield


@pytest.fixture
def units_91(db: None) -> UnitImportResult:
    """Administrative units of new An Giang (2025) and of old An Giang + Kiên Giang."""
    return import_administrative_units(load_units(province="91"), label="tỉnh 91")


@pytest.fixture
def demo_province(units_91: UnitImportResult) -> EnsureResult:
    return build_demo_province()


def make_agency(code: str, parent: Agency | None = None, **fields: object) -> Agency:
    values: dict[str, object] = {
        "name": f"Cơ quan {code}",
        "kind": Agency.Kind.DEPARTMENT,
        "level": Agency.Level.PROVINCE,
    }
    values.update(fields)
    return save_agency(Agency(code=code, parent=parent, **values))  # type: ignore[arg-type]


@pytest.fixture
def small_tree(db: None) -> dict[str, Agency]:
    """root H01 → a H01.1 → b H01.1.1 → c H01.1.1.1, and d H01.2 beside a."""
    root = make_agency("H01", kind=Agency.Kind.PEOPLES_COMMITTEE)
    a = make_agency("H01.1", root)
    b = make_agency("H01.1.1", a, kind=Agency.Kind.UNIT)
    c = make_agency("H01.1.1.1", b, kind=Agency.Kind.UNIT)
    d = make_agency("H01.2", root)
    return {"root": root, "a": a, "b": b, "c": c, "d": d}
