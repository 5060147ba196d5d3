"""The back office in a browser: a counter officer receives a dossier at the counter, sees
its code, then the worklist and the dossier page; fits a 390-px phone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from motcua.dossiers.models import Dossier
from motcua.dossiers.rules import Action
from motcua.dossiers.services import ApplicantData, DocumentData, perform_action
from motcua.dossiers.services import receive_at_counter as receive
from motcua.testing.personas import APPLICANT, Province
from tests.browser.conftest import ARTIFACTS, horizontal_overflow, log_in, save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"%" * 6000
OTHERS = [
    ("Trần Văn Bình", "0987654321", 9),
    ("Lê Thị Cúc", "0901234567", 6),
    ("Phạm Minh Đức", "0934567890", 3),
    ("Huỳnh Ngọc Hân", "0976543210", 1),
    ("Võ Thành Long", "0911222333", 0),
]


def some_dossiers(p: Province) -> None:
    """A few dossiers in different states, so the worklist looks like a real day."""
    now = timezone.localtime()
    for i, (name, phone, days_ago) in enumerate(OTHERS):
        when = (now - timedelta(days=days_ago)).replace(hour=9, minute=15 + i)
        dossier = receive(
            acting_user=p.counter,
            offering=p.offering,
            applicant=ApplicantData(name=name, phone=phone),
            documents=[DocumentData("Tờ khai đăng ký khai sinh", original_count=1)],
            at=when,
        )
        if i % 2 == 0:
            perform_action(dossier, Action.FORWARD, acting_user=p.counter, at=when)


def fill_intake(page: Any, base: str, username: str, search: str) -> None:
    """Log in at the counter, pick the procedure found by ``search`` and fill the intake
    form for the persona applicant: every document ticked, a scan of the first."""
    log_in(page, base, username, "/can-bo/tiep-nhan/")
    page.fill("#q", search)
    page.wait_for_selector(".offer-list a")
    page.click(".offer-list a")
    page.wait_for_selector("form.intake")
    page.fill("#id_applicant_name", APPLICANT.name)
    page.fill("#id_applicant_id_number", APPLICANT.id_number)
    page.fill("#id_applicant_phone", APPLICANT.phone)
    page.fill("#id_applicant_address", APPLICANT.address)
    for box in page.query_selector_all("td.tick input[type=checkbox]"):
        box.check()
    page.set_input_files(
        "td.scan input[type=file] >> nth=0",
        files=[{"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )


def test_a_counter_officer_receives_a_dossier_and_follows_it(
    live_server: Any, province: Province, phone_page: Any, desktop_page: Any
) -> None:
    p = province
    some_dossiers(p)
    base = live_server.url

    # At the counter (phone width): pick the procedure, fill the form, attach a scan.
    fill_intake(phone_page, base, p.counter.username, "khai sinh")
    save_screenshot(phone_page, "intake-390")
    assert horizontal_overflow(phone_page) == 0
    phone_page.click("form.intake button[type=submit]")
    phone_page.wait_for_selector("#ma-ho-so")
    code = phone_page.inner_text("#ma-ho-so").strip()
    dossier = Dossier.objects.get(code=code)
    assert dossier.applicant_name == "Nguyễn Thị Hồng Nhung"
    assert dossier.attachments.count() == 1
    assert horizontal_overflow(phone_page) == 0
    save_screenshot(phone_page, "intake-done-390")

    # At the desk: the worklist, a search without accents, the dossier page.
    log_in(desktop_page, base, p.counter.username, "/can-bo/")
    assert code in desktop_page.inner_text("#worklist")
    save_screenshot(desktop_page, "worklist-1280")
    desktop_page.fill("input[name=q]", "hong nhung")
    desktop_page.wait_for_function(
        "() => document.querySelectorAll('#worklist tbody tr').length === 1"
    )
    assert code in desktop_page.inner_text("#worklist")
    desktop_page.click(f"text={code}")
    desktop_page.wait_for_url(f"**/can-bo/ho-so/{code}/")
    assert "Chuyển bước tiếp theo" in desktop_page.inner_text(".actions")
    assert "Trần Thị Thu" in desktop_page.inner_text(".timeline")
    save_screenshot(desktop_page, "dossier-1280")

    # The same page on the phone, then the first hand-over through its button.
    phone_page.goto(f"{base}/can-bo/ho-so/{code}/")
    assert horizontal_overflow(phone_page) == 0
    save_screenshot(phone_page, "dossier-390")
    phone_page.click(".action.direct button")
    phone_page.wait_for_selector(".messages")
    dossier.refresh_from_db()
    assert dossier.status == "in_progress"


def test_a_counter_officer_prints_the_register_in_vietnamese(
    live_server: Any, province: Province, desktop_page: Any
) -> None:
    """Form 07: the date pickers show the month so far (ISO values, not 01/03/2025), and
    «In sổ (PDF)» opens a real PDF listing today's dossier."""
    import io
    import unicodedata

    from pypdf import PdfReader

    p = province
    dossier = receive(
        acting_user=p.counter,
        offering=p.offering,
        applicant=ApplicantData(name="Nguyễn Thị Hồng Nhung", phone="0912345678"),
        documents=[DocumentData("Tờ khai đăng ký khai sinh", original_count=1)],
    )
    page = desktop_page
    log_in(page, live_server.url, p.counter.username, "/can-bo/so-theo-doi/")
    assert page.get_attribute("html", "lang") == "vi"
    today = timezone.localdate()
    assert page.input_value("#id_tu") == today.replace(day=1).isoformat()
    assert page.input_value("#id_den") == today.isoformat()
    save_screenshot(page, "register-1280")
    with page.context.expect_page(timeout=15_000) as opened:
        page.get_by_role("button", name="In sổ (PDF)").click()
    tab = opened.value  # the form opens the PDF in a new tab
    tab.wait_for_load_state()
    assert f"tu={today.replace(day=1).isoformat()}" in tab.url
    assert f"den={today.isoformat()}" in tab.url
    # The tab shows the browser's PDF viewer; the same request, made with the tab's
    # session, gives the file itself.
    response = page.context.request.get(tab.url)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(body))
    raw = " ".join(pg.extract_text() or "" for pg in reader.pages)
    text = unicodedata.normalize("NFC", " ".join(raw.split()))
    assert "SỔ THEO DÕI HỒ SƠ" in text.upper()
    assert dossier.code in text and "0912345678" in text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "register.pdf").write_bytes(body)  # for people to look at
