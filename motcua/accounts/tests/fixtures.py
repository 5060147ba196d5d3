"""Personas for access and admin tests, built with the demo services.

- ``admin``: the superuser.
- ``quantri.angiang``: administrator of the whole province (UBND tỉnh An Giang subtree).
- ``longxuyen.quantri``: administrator of UBND phường Long Xuyên and its offices.
- ``longxuyen.chuyenvien``: a specialist there (no admin site).
- ``chaudoc.*``: the neighbouring ward: outside Long Xuyên's scope.
"""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.accounts.models import User
from motcua.agencies.services import EnsureResult
from motcua.simulation.staff import DEMO_PASSWORD, create_demo_staff

LONG_XUYEN = "H01.30307"
CHAU_DOC = "H01.30316"


@pytest.fixture
def demo_logins(demo_province: EnsureResult) -> list[tuple[str, str, str]]:
    return create_demo_staff()


@pytest.fixture
def persona(demo_logins: list[tuple[str, str, str]]) -> dict[str, User]:
    return {u.username: u for u in User.objects.select_related("agency", "unit")}


def login(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client
