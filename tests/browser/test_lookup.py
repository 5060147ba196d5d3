"""The public dossier lookup on a phone: the QR link, the verifier, the status."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from motcua.dossiers.rules import Action
from motcua.dossiers.services import perform_action, receive_at_counter
from motcua.testing.personas import APPLICANT, DOCUMENTS, build_province
from tests.browser.conftest import horizontal_overflow, save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_lookup_by_code_and_verifier_on_a_phone(live_server, phone_page) -> None:  # type: ignore[no-untyped-def]
    cache.clear()
    p = build_province()
    dossier = receive_at_counter(
        acting_user=p.counter,
        offering=p.offering,
        applicant=APPLICANT,
        documents=DOCUMENTS,
        at=datetime(2025, 3, 3, 9, tzinfo=VN),
    )
    perform_action(
        dossier, Action.FORWARD, acting_user=p.counter, at=datetime(2025, 3, 3, 9, 30, tzinfo=VN)
    )

    # The receipt's QR code opens the page with the code filled in.
    phone_page.goto(f"{live_server.url}/tra-cuu/?code={dossier.code}")
    assert phone_page.input_value("#lookup-code") == dossier.code
    assert horizontal_overflow(phone_page) == 0

    phone_page.fill("#lookup-verifier", "0000")
    phone_page.click("button[type=submit]")
    assert "Không tìm thấy hồ sơ khớp" in phone_page.locator(".lookup-error").inner_text()
    assert phone_page.locator(".lookup-result").count() == 0

    phone_page.fill("#lookup-verifier", APPLICANT.phone[-4:])
    phone_page.click("button[type=submit]")
    status = phone_page.locator(".lookup-status").inner_text()
    assert "Đang xử lý" in status and "Mã trạng thái quốc gia 4" in status
    page_text = phone_page.locator("main").inner_text()
    assert "09:00 ngày 06/03/2025" in page_text  # the appointment
    assert "UBND phường Long Xuyên" in page_text
    assert "Trần Thị Thu" not in page_text and APPLICANT.name not in page_text
    save_screenshot(phone_page, "lookup-390")
    assert horizontal_overflow(phone_page) == 0
