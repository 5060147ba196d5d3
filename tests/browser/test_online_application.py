"""A citizen files online on a phone: sign up from the procedure page, attach the files,
see the dossier; the counter officer then finds it in the queue and accepts it."""

from __future__ import annotations

from pathlib import Path

import pytest

from motcua.catalog.models import OnlineLevel
from motcua.dossiers.models import Dossier
from motcua.dossiers.rules import Status
from motcua.testing.personas import PASSWORD, build_province
from tests.browser.conftest import horizontal_overflow, save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_citizen_files_online_and_the_counter_accepts(  # type: ignore[no-untyped-def]
    live_server, phone_page, desktop_page, tmp_path: Path, settings
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    p = build_province()
    p.procedure.online_level = OnlineLevel.FULL_ONLINE
    p.procedure.save(update_fields=["online_level"])
    declaration = tmp_path / "to-khai.pdf"
    declaration.write_bytes(PDF)
    bad = tmp_path / "anh.gif"
    bad.write_bytes(b"GIF89a....")

    page = phone_page
    page.goto(f"{live_server.url}/thu-tuc/{p.procedure.code}/")
    save_screenshot(page, "procedure-apply-390")
    page.click(".apply-box a.button")
    # Not logged in: the login page, then sign up, and back to the form.
    assert "/dang-nhap/" in page.url
    page.click("text=Đăng ký >> nth=-1")
    page.fill("#id_full_name", "Trương Mỹ Hạnh")
    page.fill("#id_id_number", "089190004321")
    page.fill("#id_phone", "0987654321")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("button[type=submit]")
    assert f"/nop-truc-tuyen/{p.offering.pk}/" in page.url
    assert page.input_value("#id_applicant_name") == "Trương Mỹ Hạnh"
    assert horizontal_overflow(page) == 0

    # A file that is not a PDF, JPEG or PNG: refused, nothing saved, what was typed kept.
    docs = list(p.procedure.documents.order_by("pk"))
    page.set_input_files(f"#id_doc_{docs[0].pk}", str(bad))
    page.fill("#id_subject", "Đăng ký khai sinh cho con thứ hai")
    page.check("#id_confirm")
    page.click("button[type=submit]")
    assert "chỉ nhận tệp PDF, JPEG hoặc PNG" in page.locator(".form-error").inner_text()
    assert page.input_value("#id_subject") == "Đăng ký khai sinh cho con thứ hai"
    assert not Dossier.objects.exists()
    save_screenshot(page, "citizen-apply-error-390")
    assert horizontal_overflow(page) == 0

    page.set_input_files(f"#id_doc_{docs[0].pk}", str(declaration))
    page.set_input_files(f"#id_doc_{docs[1].pk}", str(declaration))
    page.check("#id_confirm")
    page.click("button[type=submit]")
    dossier = Dossier.objects.get()
    assert page.url.endswith(f"/ho-so-cua-toi/{dossier.code}/")
    text = page.locator("main").inner_text()
    assert f"Đã nộp hồ sơ {dossier.code}" in text
    assert "Mới đăng ký trực tuyến" in text and "to-khai.pdf" in text
    save_screenshot(page, "citizen-dossier-390")
    assert horizontal_overflow(page) == 0

    # The counter officer's queue has it; accepting it gives the appointment.
    office = desktop_page
    office.goto(f"{live_server.url}/dang-nhap/?next=/can-bo/%3Ftab%3Dqueue")
    office.fill("#id_username", p.counter.username)
    office.fill("#id_password", PASSWORD)
    office.click("button[type=submit]")
    office.click(f"#worklist >> text={dossier.code}")
    assert "to-khai.pdf" in office.locator("main").inner_text()
    save_screenshot(office, "online-dossier-counter-1280")
    office.click(".action.direct button:has-text('Tiếp nhận hồ sơ')")
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED and dossier.appointment_at is not None

    page.reload()
    assert "Ngày hẹn trả kết quả" in page.locator("main").inner_text()
    page.goto(f"{live_server.url}/ho-so-cua-toi/")
    assert dossier.code in page.locator("table").inner_text()
    save_screenshot(page, "citizen-dossiers-390")
