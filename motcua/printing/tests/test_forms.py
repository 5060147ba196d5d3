"""Every form renders from its sample context, reads back, and the receipt's QR decodes."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest
import zxingcpp

from motcua.printing import samples
from motcua.printing.context import ReceiptContext
from motcua.printing.render import FORMS, FormTemplateError, render_form

from .helpers import one_line, page_count, page_image, pdf_text, without_missing_glyphs

pytestmark = pytest.mark.django_db

NAME = "Nguyễn Thị Hồng Nhung"
TITLES = {
    "01": "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    "02": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
    "03": "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
    "04": "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
    "05": "THÔNG BÁO",
    "06": "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
    "07": "SỔ THEO DÕI HỒ SƠ",
}


def _render(code: str, context: object | None = None) -> tuple[bytes, str]:
    ctx = context if context is not None else samples.sample_context(code)
    data = without_missing_glyphs(lambda: render_form(code, ctx))  # type: ignore[arg-type]
    return data, one_line(pdf_text(data))


@pytest.mark.parametrize("code", list(FORMS))
def test_every_form_renders_with_its_agency_header_and_title(
    code: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="fpdf"):
        data, text = _render(code)
    assert not [r for r in caplog.records if "missing" in r.getMessage()]
    assert data.startswith(b"%PDF-")
    assert page_count(data) == 1
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "UBND TỈNH AN GIANG" in text
    assert "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG" in text
    assert TITLES[code] in text


@pytest.mark.parametrize("code", ["01", "02", "03", "04", "05", "06"])
def test_dossier_forms_name_the_dossier_applicant_and_procedure(code: str) -> None:
    _, text = _render(code)
    assert samples.DOSSIER_CODE in text
    assert NAME in text
    assert samples.PROCEDURE in text


def test_the_receipt_shows_times_documents_and_the_register_entry() -> None:
    _, text = _render("01")
    assert "Thời gian nhận hồ sơ: 16 giờ 30 phút, ngày 24/01/2025." in text
    assert "Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 05/02/2025." in text
    assert "An Giang, ngày 24 tháng 01 năm 2025" in text
    assert "03 ngày làm việc" in text
    assert "089300001234" in text  # addressed to the applicant: personal data allowed
    for document in samples.receipt().documents:
        assert document.name in text
    assert "Bản sao có chứng thực" in text and "Bản chụp" in text
    assert "Quyển số 01/2025, số thứ tự 0001" in text
    assert "Trần Văn Đức" in text
    assert samples.LOOKUP_URL in text.replace(" ", "")


def test_the_receipt_qr_code_decodes_to_the_lookup_url() -> None:
    data, _ = _render("01")
    found = zxingcpp.read_barcodes(page_image(data, scale=3.0))
    assert [b.text for b in found if b.format == zxingcpp.BarcodeFormat.QRCode] == [
        samples.LOOKUP_URL
    ]


def test_a_lookup_url_with_an_ampersand_survives_escaping() -> None:
    url = "https://motcua.example.vn/tra-cuu?code=H01.12-250124-0001&lang=vi"
    data, _ = _render("01", replace(samples.receipt(), lookup_url=url))
    assert [b.text for b in zxingcpp.read_barcodes(page_image(data))] == [url]


def test_the_supplement_request_lists_items_and_reasons() -> None:
    _, text = _render("02")
    for item in samples.supplement().items:
        assert item.document in text
        assert item.reason in text
    assert "0296 3 123 456" in text
    assert "16 giờ 30 phút, ngày 24/01/2025" in text


def test_the_refusal_lists_every_reason() -> None:
    _, text = _render("03")
    for i, reason in enumerate(samples.refusal().reasons, start=1):
        assert f"{i}. {reason}" in text


def test_the_apology_gives_the_old_and_new_dates_and_the_signer() -> None:
    _, text = _render("04")
    assert "17 giờ 00 phút, ngày 05/02/2025" in text
    assert "16 giờ 00 phút, ngày 07/02/2025" in text
    assert "Cần xác minh thông tin về địa điểm kinh doanh" in text
    assert "GIÁM ĐỐC" in text and "Phạm Quốc Việt" in text
    assert "Số: 15/TB-TTPVHCC" in text


def test_the_stop_notice_gives_the_request_time_and_reason() -> None:
    _, text = _render("05")
    assert "Dừng giải quyết hồ sơ" in text
    assert "10 giờ 15 phút, ngày 03/02/2025" in text
    assert samples.stop_notice().reason in text


def test_the_control_slip_lists_every_handover_with_its_timeliness() -> None:
    _, text = _render("06")
    slip = samples.control_slip()
    for h in slip.handovers:
        for value in (h.from_unit, h.to_unit, h.giver, h.receiver):
            assert value in text
    assert "07:45 ngày 03/02/2025" in text
    assert "15:30 ngày 04/02/2025" in text
    assert "08:10 ngày 06/02/2025" in text
    order = [text.index(label) for label in ("Trước hạn", "Đúng hạn", "Trễ hạn")]
    assert order == sorted(order)
    assert "Chờ xác minh địa điểm kinh doanh" in text
    assert "089300001234" not in text  # internal paper: no personal data beyond the name


def test_the_register_lists_every_row() -> None:
    _, text = _render("07")
    register = samples.register()
    assert "Từ ngày 20/01/2025 đến ngày 24/01/2025" in text
    for row in register.rows:
        assert row.dossier_code in text
        assert row.applicant in text
        assert row.procedure in text
    assert f"Tổng số: {len(register.rows)} hồ sơ." in text
    assert "16:30 24/01/2025" in text


def test_a_long_register_runs_over_pages_with_numbers_and_headings() -> None:
    base = samples.register()
    rows = [replace(base.rows[i % len(base.rows)], seq=i + 1) for i in range(60)]
    data, text = _render("07", replace(base, rows=rows))
    pages = page_count(data)
    assert pages >= 3
    assert f"Trang {pages}/{pages}" in text
    assert text.count("Mã hồ sơ") == pages
    assert "Tổng số: 60 hồ sơ." in text


def test_a_context_of_the_wrong_form_is_refused() -> None:
    with pytest.raises(TypeError, match="ReceiptContext"):
        render_form("01", samples.refusal())  # type: ignore[arg-type]
    with pytest.raises(FormTemplateError, match="Không có biểu mẫu"):
        render_form("09", samples.receipt())


def test_a_naive_datetime_is_refused_when_building_a_context() -> None:
    from datetime import datetime

    with pytest.raises(ValueError, match="múi giờ"):
        replace(samples.receipt(), received_at=datetime(2025, 1, 24, 16, 30))
    assert isinstance(samples.receipt(), ReceiptContext)
    assert isinstance(samples.receipt().documents, tuple)
