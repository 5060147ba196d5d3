"""A citizen files online on a phone: sign up from the procedure page, attach the files,
see the dossier; the counter officer then finds it in the queue and accepts it."""

from __future__ import annotations

from pathlib import Path

import pytest

from motcua.catalog.models import OnlineLevel
from motcua.dossiers.models import Dossier
from motcua.dossiers.rules import Status
from motcua.testing.personas import PASSWORD, build_province
from tests.browser.conftest import accessibility_problems, horizontal_overflow, save_screenshot

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


def _apply_for_birth_registration(live_server, page, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The real birth registration record (1.001193: eight papers, 25 remarks) offered
    online by the commune; a citizen logged in on ``page`` at its form."""
    import json

    from motcua.catalog.models import Procedure, ProcedureOffering
    from motcua.catalog.services import PACKAGED_DEMO, import_procedure_records
    from motcua.portal.applications import Registration, register_citizen

    p = build_province()
    records = json.loads(PACKAGED_DEMO.read_text(encoding="utf-8"))["procedures"]
    import_procedure_records([r for r in records if r["code"] == "1.001193"], source="test")
    procedure = Procedure.objects.get(code="1.001193")
    assert procedure.online_level == OnlineLevel.FULL_ONLINE
    offering = ProcedureOffering.objects.create(agency=p.commune, procedure=procedure)
    register_citizen(Registration("Trương Mỹ Hạnh", "089190004321", "0987654321", "", PASSWORD))
    page.goto(f"{live_server.url}/dang-nhap/?next=/nop-truc-tuyen/{offering.pk}/")
    page.fill("#id_username", "089190004321")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith(f"/nop-truc-tuyen/{offering.pk}/")
    return procedure


def _submit_top(page) -> float:  # type: ignore[no-untyped-def]
    """Where the submit button starts, in CSS pixels from the top of the page."""
    return float(
        page.evaluate(
            "() => document.querySelector('.apply-form button[type=submit]')"
            ".getBoundingClientRect().top + window.scrollY"
        )
    )


#: The submit button of a form with eight documents fits in a few phone screens (844 px).
MAX_SUBMIT_TOP_390 = 4 * 844


def test_the_form_of_a_long_procedure_is_usable_on_a_phone(  # type: ignore[no-untyped-def]
    live_server, phone_page, desktop_page, tmp_path: Path, settings
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    page = phone_page
    procedure = _apply_for_birth_registration(live_server, page, tmp_path)
    top = _submit_top(page)
    assert top < MAX_SUBMIT_TOP_390, f"the submit button starts {top:.0f} px down"
    assert horizontal_overflow(page) == 0
    assert accessibility_problems(page) == []
    # The remarks are there, folded: one click opens them.
    notes = page.locator("details.apply-notes").first
    assert notes.is_visible() and not notes.evaluate("d => d.open")
    notes.locator("summary").click()
    assert notes.evaluate("d => d.open")
    save_screenshot(page, "apply-long-390")

    # Sent without the required papers: each is named at its input, nothing saved.
    page.check("#id_confirm")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    errors = page.locator(".apply-docs .errorlist").all_inner_texts()
    assert any("Mẫu hộ tịch điện tử tương tác đăng ký khai sinh" in e for e in errors), errors
    assert not Dossier.objects.exists()
    assert accessibility_problems(page) == []
    assert _submit_top(page) < MAX_SUBMIT_TOP_390 + 844
    save_screenshot(page, "apply-long-errors-390")

    wide = desktop_page
    wide.context.add_cookies(page.context.cookies())
    wide.goto(page.url)
    wide.wait_for_load_state()
    assert accessibility_problems(wide) == []
    assert procedure.name in wide.locator("main").inner_text()
    save_screenshot(wide, "apply-long-1280")
