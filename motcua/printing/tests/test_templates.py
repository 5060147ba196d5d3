"""Province overrides of a form: validated before they are saved, audited, previewed."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from motcua.audit.models import AuditEvent
from motcua.printing import samples
from motcua.printing.models import FormTemplate
from motcua.printing.render import active_source, packaged_source, render_form
from motcua.printing.services import (
    deactivate_form_template,
    delete_form_template,
    save_form_template,
)

from .helpers import one_line, pdf_text

pytestmark = pytest.mark.django_db

OVERRIDE = packaged_source("01").replace(
    "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "GIẤY BIÊN NHẬN HỒ SƠ TỈNH AN GIANG"
)


def _receipt_text() -> str:
    return one_line(pdf_text(render_form("01", samples.receipt())))


def test_a_province_override_changes_the_output_and_is_audited() -> None:
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in _receipt_text()
    row = save_form_template(code="01", body=OVERRIDE, name="Giấy biên nhận của tỉnh")
    text = _receipt_text()
    assert "GIẤY BIÊN NHẬN HỒ SƠ TỈNH AN GIANG" in text
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" not in text
    event = AuditEvent.objects.get(action="printing.template_saved")
    assert event.target_id == str(row.pk)
    assert event.payload["code"] == "01" and event.payload["is_active"] is True
    # Other forms keep their packaged default.
    assert active_source("02") == packaged_source("02")


def test_a_new_active_override_retires_the_previous_one() -> None:
    first = save_form_template(code="01", body=OVERRIDE)
    second_body = packaged_source("01").replace(
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "PHIÊN BẢN HAI"
    )
    second = save_form_template(code="01", body=second_body)
    first.refresh_from_db()
    assert not first.is_active and second.is_active
    assert "PHIÊN BẢN HAI" in _receipt_text()
    deactivate_form_template(second)
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in _receipt_text()
    delete_form_template(first)
    actions = list(AuditEvent.objects.values_list("action", flat=True).order_by("id"))
    assert actions == [
        "printing.template_saved",
        "printing.template_saved",
        "printing.template_deactivated",
        "printing.template_deleted",
    ]


BROKEN = {
    "syntax": ("<p>{% if dossier_code %}chưa đóng</p>", "Lỗi cú pháp mẫu"),
    "unknown filter": ("<p>{{ dossier_code|khong_co }}</p>", "Lỗi cú pháp mẫu"),
    "render": ("<p>{{ applicant.name|vn_datetime }}</p>", "Lỗi khi điền dữ liệu"),
    "unknown variable": ("<p>{{ aplicant.name }}</p>", "aplicant.name"),
    "markup": ("<p>{{ dossier_code }}<script></script></p>", "bố cục không hợp lệ"),
    "layout": ('<p align="giua">{{ dossier_code }}</p>', "bố cục không hợp lệ"),
    "empty": ("   ", "để trống"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_override_is_refused_and_the_previous_template_stays(case: str) -> None:
    body, message = BROKEN[case]
    good = save_form_template(code="01", body=OVERRIDE)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        save_form_template(code="01", body=body)
    text = " ".join(refused.value.messages)
    assert message in text
    assert "chưa được lưu" in text or case == "empty"
    # Nothing saved: the same single row, still active, and no new audit event.
    assert list(FormTemplate.objects.values_list("pk", "is_active")) == [(good.pk, True)]
    assert AuditEvent.objects.count() == events
    assert "GIẤY BIÊN NHẬN HỒ SƠ TỈNH AN GIANG" in _receipt_text()
    # Changing the good row itself to the broken body is refused too.
    with pytest.raises(ValidationError):
        save_form_template(code="01", body=body, template=good)
    good.refresh_from_db()
    assert good.body == OVERRIDE


def test_every_packaged_template_passes_its_own_validation() -> None:
    for code in samples.SAMPLES:
        save_form_template(code=code, body=packaged_source(code))
    assert FormTemplate.objects.filter(is_active=True).count() == 7


@pytest.fixture
def staff_client(django_user_model: type) -> Client:
    user = django_user_model.objects.create_superuser(
        username="quantri", email="quantri@example.vn", password="mat-khau-thu-nghiem-123"
    )
    client = Client()
    client.force_login(user)
    return client


def test_the_admin_refuses_a_broken_template_with_the_message(staff_client: Client) -> None:
    response = staff_client.post(
        "/quan-tri/printing/formtemplate/add/",
        {"code": "01", "name": "Hỏng", "body": "<p>{% if %}</p>", "is_active": "on"},
    )
    assert response.status_code == 200
    assert "chưa được lưu" in response.content.decode()
    assert not FormTemplate.objects.exists()


def test_the_admin_saves_through_the_service_and_previews(staff_client: Client) -> None:
    add = staff_client.get("/quan-tri/printing/formtemplate/add/?code=01")
    assert add.status_code == 200
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in add.content.decode()
    response = staff_client.post(
        "/quan-tri/printing/formtemplate/add/",
        {"code": "01", "name": "Của tỉnh", "body": OVERRIDE, "is_active": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row = FormTemplate.objects.get()
    event = AuditEvent.objects.get(action="printing.template_saved")
    assert event.actor_id is not None
    preview = staff_client.get(f"/quan-tri/printing/formtemplate/{row.pk}/xem-truoc/")
    assert preview["Content-Type"] == "application/pdf"
    assert "GIẤY BIÊN NHẬN HỒ SƠ TỈNH AN GIANG" in pdf_text(preview.content)
    default = staff_client.get("/quan-tri/printing/formtemplate/mau-mac-dinh/06/")
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in pdf_text(default.content)
    action = staff_client.post(
        "/quan-tri/printing/formtemplate/",
        {"action": "preview_selected", "_selected_action": [row.pk]},
    )
    assert action["Content-Type"] == "application/pdf"


def test_the_command_writes_a_sample_pdf(tmp_path: Path) -> None:
    out = tmp_path / "mau-06.pdf"
    call_command("render_form", "06", str(out))
    assert "PHIẾU KIỂM SOÁT" in pdf_text(out.read_bytes())
    save_form_template(code="07", body=packaged_source("07").replace("SỔ THEO DÕI", "SỔ RIÊNG"))
    call_command("render_form", "7", str(out))
    assert "SỔ RIÊNG HỒ SƠ" in pdf_text(out.read_bytes())
    call_command("render_form", "07", str(out), "--default")
    assert "SỔ THEO DÕI HỒ SƠ" in pdf_text(out.read_bytes())
    with pytest.raises(CommandError, match="Không có biểu mẫu"):
        call_command("render_form", "12", str(out))
