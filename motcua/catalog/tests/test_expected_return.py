"""The procedure page tells a citizen when a dossier filed now would be due."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from motcua.catalog.services import import_procedure_records
from motcua.testing.personas import BIRTH_RECORD

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.django_db
def test_the_page_shows_the_expected_return_date_across_tet(client: Client) -> None:
    import_procedure_records([BIRTH_RECORD], source="test")  # 3 working days
    # Friday 24/1/2025 16:30, after the 15:00 cut-off, right before Tết 2025.
    with time_machine.travel(datetime(2025, 1, 24, 16, 30, tzinfo=VN), tick=False):
        page = client.get("/thu-tuc/2.000986/").content.decode()
    assert "ngày hẹn trả kết quả dự kiến là" in page
    assert "17:00 ngày 05/02/2025" in page


@pytest.mark.django_db
def test_no_date_is_promised_without_a_time_limit(client: Client) -> None:
    record = {**BIRTH_RECORD, "code": "9.999999", "channels": []}
    import_procedure_records([record], source="test")
    page = client.get("/thu-tuc/9.999999/").content.decode()
    assert "dự kiến" not in page
