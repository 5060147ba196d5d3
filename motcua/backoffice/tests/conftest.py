"""Fixtures of the back-office tests: a frozen clock, uploads in a temporary folder,
logged-in clients for the personas of ``motcua.testing.personas``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from motcua.accounts.models import User
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import receive_at_counter
from motcua.testing.personas import APPLICANT, DOCUMENTS, PASSWORD, Province

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant of March 2025 (Monday 3 is a working day) in Vietnam."""
    return datetime(2025, 3, day, hour, minute, tzinfo=VN)


@pytest.fixture
def clock() -> Iterator[Any]:
    """Frozen at Monday 3 March 2025, 08:00; ``clock.move_to(at(...))`` moves it."""
    with time_machine.travel(at(3, 8), tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


@pytest.fixture
def login(province: Province) -> Callable[[User], Client]:
    def make(user: User) -> Client:
        client = Client()
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return make


@pytest.fixture
def received(province: Province, clock: Any) -> Dossier:
    """A dossier received at the commune's one-stop unit on Monday 3 March, 08:00."""
    return receive_at_counter(
        acting_user=province.counter,
        offering=province.offering,
        applicant=APPLICANT,
        documents=DOCUMENTS,
    )
