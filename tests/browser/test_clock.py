"""The dossier's clock in a browser: the late apology of an overdue dossier (offered,
issued, form 04 printed), and the paused appointment on the public lookup matching the
back office."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import datetime, time, timedelta
from typing import Any

import pypdf
import pypdfium2 as pdfium
import pytest
from django.core.cache import cache
from django.utils import timezone

from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.rules import Action
from motcua.dossiers.services import perform_action, receive_at_counter
from motcua.testing.personas import APPLICANT, DOCUMENTS, Province
from motcua.testing.stories import citizen, paused_and_finished
from motcua.worktime.queries import calendar_for
from motcua.worktime.rules import add_working_days
from tests.browser.conftest import ARTIFACTS, horizontal_overflow, log_in, save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
REASON = "Công an tỉnh chưa gửi kết quả xác minh nơi thường trú"


def _overdue(p: Province) -> Dossier:
    """Received at 09:00 six working days ago (3 working days allowed): overdue now."""
    cal = calendar_for(p.commune)
    day = add_working_days(cal, timezone.localdate(), -6)
    received = timezone.make_aware(datetime.combine(day, time(9)))
    d = receive_at_counter(
        acting_user=p.counter,
        offering=p.offering,
        applicant=APPLICANT,
        documents=DOCUMENTS,
        at=received,
    )
    d = perform_action(
        d, Action.FORWARD, acting_user=p.counter, at=received + timedelta(minutes=30)
    )
    assert d.due_at is not None and d.due_at < timezone.now()
    return d


def _pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    raw = " ".join(page.extract_text() or "" for page in reader.pages)
    return unicodedata.normalize("NFC", " ".join(raw.split()))


def _save_pdf_page(data: bytes, name: str) -> None:
    """The first page of a PDF as a PNG beside the screenshots, for people to look at."""
    document = pdfium.PdfDocument(data)
    try:
        image = document[0].render(scale=1.5).to_pil()
    finally:
        document.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    image.save(ARTIFACTS / f"{name}.png")


def test_the_leader_apologises_for_an_overdue_dossier_and_prints_form_04(
    live_server: Any, province: Province, desktop_page: Any
) -> None:
    p = province
    d = _overdue(p)
    base = live_server.url
    page = desktop_page
    cal = calendar_for(p.commune)
    new_day = add_working_days(cal, timezone.localdate(), 3)

    log_in(page, base, p.leader.username, f"/can-bo/ho-so/{d.code}/")
    assert "Quá hạn" in page.inner_text(".bo-status")
    actions = page.locator("#thao-tac")
    apology = actions.locator("details.action", has_text="Xin lỗi và hẹn lại ngày trả kết quả")
    assert apology.count() == 1  # offered on the overdue dossier
    apology.locator("summary").click()
    page.fill("#id_issue_apology_reason", REASON)
    page.fill("#id_issue_apology_new_due", new_day.isoformat())
    save_screenshot(page, "late-apology-form-1280")
    apology.locator("button[type=submit]").click()
    page.wait_for_selector(".notice.ok")

    # Issued: the new date, the log says it was sent late, form 04 is offered; once only.
    d.refresh_from_db()
    assert d.apologies == 1 and d.new_appointment_at is not None
    assert timezone.localtime(d.new_appointment_at).date() == new_day
    event = DossierEvent.objects.get(dossier=d, action=Action.ISSUE_APOLOGY.value)
    assert event.payload["notice"] == "overdue"
    shown = f"17:00 {new_day:%d/%m/%Y}"
    assert shown in page.inner_text(".deadline .big")
    assert "Thư xin lỗi gửi khi hồ sơ đã quá hạn trả kết quả" in page.inner_text(".timeline")
    assert "Xin lỗi và hẹn lại ngày trả kết quả" not in page.inner_text("#thao-tac")
    assert horizontal_overflow(page) == 0
    save_screenshot(page, "late-apology-done-1280")

    # Form 04, as the printed link serves it to the leader's browser: a real PDF.
    link = page.locator(".notice.ok a", has_text="mẫu 04")
    response = page.context.request.get(base + link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    data = response.body()
    assert data.startswith(b"%PDF-")
    text = _pdf_text(data)
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
    assert d.code in text and APPLICANT.name in text and REASON in text
    original = timezone.localtime(datetime.fromisoformat(event.payload["original_due"]))
    assert f"{original:%d/%m/%Y}" in text and f"17 giờ 00 phút, ngày {new_day:%d/%m/%Y}" in text
    assert p.leader.full_name in text  # the signer
    _save_pdf_page(data, "late-apology-form-04")


def test_the_public_lookup_shows_the_paused_appointment_the_back_office_shows(
    live_server: Any, province: Province, desktop_page: Any, phone_page: Any
) -> None:
    cache.clear()
    p = province
    applicant = citizen()
    d = paused_and_finished(p, applicant)
    base = live_server.url

    log_in(desktop_page, base, p.counter.username, f"/can-bo/ho-so/{d.code}/")
    back_office = desktop_page.inner_text(".deadline .big").strip()
    assert back_office == "13:54 14/08/2025"
    deadline = desktop_page.inner_text(".deadline")
    assert "Đã cộng thêm thời gian tạm dừng" in deadline and "13:54 13/08/2025" in deadline
    assert "Đúng hạn" in deadline
    save_screenshot(desktop_page, "paused-appointment-backoffice-1280")

    phone_page.goto(f"{base}/tra-cuu/?code={d.code}")
    phone_page.fill("#lookup-verifier", APPLICANT.phone[-4:])
    phone_page.click("button[type=submit]")
    phone_page.wait_for_selector(".lookup-result")
    shown = phone_page.inner_text(".lookup-appointment strong").strip()
    # The same instant as the back office, written "13:54 ngày 14/08/2025".
    assert re.sub(r" ngày ", " ", shown) == back_office
    note = phone_page.inner_text(".lookup-appointment")
    assert "Đã cộng thêm thời gian tạm dừng" in note and "13:54 ngày 13/08/2025" in note
    assert "08:06 ngày 14/08/2025" in phone_page.inner_text(".lookup-result")
    assert horizontal_overflow(phone_page) == 0
    save_screenshot(phone_page, "paused-appointment-lookup-390")

    api = phone_page.context.request.get(
        f"{base}/api/v1/lookup?code={d.code}&verifier={APPLICANT.phone[-4:]}"
    ).json()
    d.refresh_from_db()
    assert datetime.fromisoformat(api["current_appointment_at"]) == d.due_at
    assert api["paused_time_added"] is True

    # The applicant's own list of dossiers shows the same appointment.
    log_in(phone_page, base, applicant.username, "/ho-so-cua-toi/")
    row = phone_page.locator(".my-dossiers tbody tr", has_text=d.code or "")
    cell = row.locator("td").nth(4).inner_text()
    assert "13:54 14/08/2025" in cell and "(đã cộng thời gian tạm dừng)" in cell
    assert horizontal_overflow(phone_page) == 0
    save_screenshot(phone_page, "paused-appointment-my-dossiers-390")
