"""The procedure page and counter intake promise the same date: the interconnected birth +
residence + health-insurance procedure (2.000986) on the shipped demo catalog, whose
national record still says 20 days while the commune's process gives the 3 working days
of Decree 63/2024/NĐ-CP."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from motcua.catalog.services import PACKAGED_DEMO, import_procedures_file
from motcua.dossiers.models import Dossier
from motcua.testing.personas import Province
from tests.browser.conftest import horizontal_overflow, save_screenshot
from tests.browser.test_backoffice import fill_intake

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Tuesday 8/12/2026 before the morning session, so that the minutes the test takes do
#: not move the date: counting starts at 07:00 for the page and for the counter alike.
TUESDAY_EARLY = datetime(2026, 12, 8, 6, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def test_the_procedure_page_promises_the_date_the_counter_gives(
    live_server: Any, province: Province, phone_page: Any
) -> None:
    import_procedures_file(PACKAGED_DEMO)  # the real 2.000986 record: "20 Ngày"
    base = live_server.url
    with time_machine.travel(TUESDAY_EARLY):
        phone_page.goto(f"{base}/thu-tuc/2.000986/")
        promise = phone_page.locator("#expected-return")
        assert "3 ngày làm việc" in promise.inner_text()
        promised = promise.locator("strong").inner_text().strip()
        assert promised == "17:00 ngày 10/12/2026"
        assert "3 ngày làm việc" in phone_page.locator(".offerings").inner_text()
        save_screenshot(phone_page, "procedure-2.000986-390")
        assert horizontal_overflow(phone_page) == 0

        fill_intake(phone_page, base, province.counter.username, "2.000986")
        phone_page.click("form.intake button[type=submit]")
        phone_page.wait_for_selector("#ma-ho-so")
        save_screenshot(phone_page, "intake-2.000986-390")
    code = phone_page.inner_text("#ma-ho-so").strip()
    dossier = Dossier.objects.get(code=code)
    assert dossier.appointment_at is not None
    given = timezone.localtime(dossier.appointment_at).strftime("%H:%M ngày %d/%m/%Y")
    assert given == promised
    # The receipt page shows the same appointment.
    assert "17:00 10/12/2026" in phone_page.inner_text("body")
