"""Every notice a dossier produces prints, with the data of the action that produced it."""

from __future__ import annotations

import io
import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from motcua.dossiers.models import Dossier
from motcua.dossiers.printouts import available_forms, render_dossier_form
from motcua.dossiers.rules import Action
from motcua.dossiers.services import perform_action, receive_at_counter, submit_online
from motcua.testing.personas import APPLICANT, DOCUMENTS, Province

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=VN)


def text(dossier: Dossier, code: str) -> str:
    pdf = PdfReader(io.BytesIO(render_dossier_form(dossier, code)))
    raw = " ".join(page.extract_text() or "" for page in pdf.pages)
    return unicodedata.normalize("NFC", " ".join(raw.split()))


@pytest.mark.django_db
def test_supplement_apology_refusal_and_stop_notices_print(province: Province) -> None:
    p = province
    d = receive_at_counter(
        acting_user=p.counter,
        offering=p.offering,
        applicant=APPLICANT,
        documents=DOCUMENTS,
        at=at(3, 9),
    )
    d = perform_action(d, Action.FORWARD, acting_user=p.counter, at=at(3, 9, 30))
    d = perform_action(
        d,
        Action.REQUEST_SUPPLEMENT,
        acting_user=p.specialist,
        reason="Bản sao giấy chứng nhận kết hôn của cha mẹ",
        at=at(3, 10),
    )
    supplement = text(d, "02")
    assert "Bản sao giấy chứng nhận kết hôn của cha mẹ" in supplement
    assert d.code in supplement and "Nguyễn Thị Hồng Nhung" in supplement
    d = perform_action(d, Action.SUPPLEMENT, acting_user=p.counter, at=at(4, 9))
    d = perform_action(
        d,
        Action.ISSUE_APOLOGY,
        acting_user=p.leader,
        reason="Chờ xác minh nơi cư trú",
        new_due=at(10, 17),
        at=at(4, 10),
    )
    apology = text(d, "04")
    assert "Chờ xác minh nơi cư trú" in apology and "10/03/2025" in apology
    d = perform_action(d, Action.REQUEST_WITHDRAWAL, acting_user=p.counter, at=at(4, 11))
    d = perform_action(
        d, Action.STOP, acting_user=p.counter, reason="Người nộp rút hồ sơ", at=at(4, 14)
    )
    assert "Người nộp rút hồ sơ" in text(d, "05")
    assert [code for code, _ in available_forms(d)] == ["01", "02", "04", "05", "06"]

    online = submit_online(offering=p.offering, applicant=APPLICANT, at=at(5, 8))
    online = perform_action(
        online,
        Action.REFUSE_INTAKE,
        acting_user=p.counter,
        reason="Thủ tục không thuộc thẩm quyền của phường",
        at=at(5, 9),
    )
    refusal = text(online, "03")
    assert "Thủ tục không thuộc thẩm quyền của phường" in refusal
    assert [code for code, _ in available_forms(online)] == ["03"]


@pytest.mark.django_db
def test_the_receipt_says_how_documents_came_and_where_the_result_goes(
    province: Province,
) -> None:
    from motcua.dossiers.services import DocumentData

    p = province
    counter = receive_at_counter(
        acting_user=p.counter,
        offering=p.offering,
        applicant=APPLICANT,
        documents=[DocumentData("Giấy chứng sinh", original_count=1, copy_count=2)],
        return_method="post",
        at=at(3, 9),
    )
    receipt = text(counter, "01")
    assert "Giấy chứng sinh Bản chính 01" in receipt and "Giấy chứng sinh Bản sao 02" in receipt
    assert "có chứng thực" not in receipt
    assert f"Dịch vụ bưu chính công ích, đến địa chỉ: {APPLICANT.address}" in receipt

    online = submit_online(
        offering=p.offering,
        applicant=APPLICANT,
        documents=[DocumentData("Tờ khai đăng ký khai sinh", copy_count=1)],
        at=at(3, 8),
    )
    online = perform_action(online, Action.ACCEPT, acting_user=p.counter, at=at(3, 10))
    receipt = text(online, "01")
    assert "Tờ khai đăng ký khai sinh Bản điện tử 01" in receipt
    assert "Cổng Dịch vụ công (bản điện tử của kết quả)" in receipt

    online = perform_action(online, Action.FORWARD, acting_user=p.counter, at=at(3, 11))
    online = perform_action(
        online,
        Action.REQUEST_SUPPLEMENT,
        acting_user=p.specialist,
        reason="Tờ khai: thiếu chữ ký của người yêu cầu\nGiấy chứng sinh",
        at=at(3, 14),
    )
    notice = text(online, "02")
    assert "Tờ khai thiếu chữ ký của người yêu cầu" in notice
    assert "Giấy chứng sinh" in notice and "hoàn thiện hồ sơ ." not in notice
    # The specialist who asked is reached at their own unit, not at the counter.
    assert "liên hệ Lê Văn Minh, Phòng Văn hóa - Xã hội" in notice


@pytest.mark.django_db
def test_a_late_apology_prints_on_form_04_and_on_the_control_slip(province: Province) -> None:
    p = province
    d = receive_at_counter(
        acting_user=p.counter, offering=p.offering, applicant=APPLICANT, at=at(3, 9)
    )
    d = perform_action(d, Action.FORWARD, acting_user=p.counter, at=at(3, 9, 30))
    # Due Thu 6/3 09:00; the leader apologises on Fri 7/3, the dossier already late.
    d = perform_action(
        d,
        Action.ISSUE_APOLOGY,
        acting_user=p.leader,
        reason="Chờ kết quả xác minh của Công an tỉnh",
        new_due=at(12, 17),
        at=at(7, 10),
    )
    apology = text(d, "04")
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in apology
    assert "9 giờ 00 phút, ngày 06/03/2025" in apology  # the appointment missed
    assert "17 giờ 00 phút, ngày 12/03/2025" in apology  # the new one
    assert "Chờ kết quả xác minh của Công an tỉnh" in apology
    slip = text(d, "06")
    assert "Xin lỗi và hẹn lại ngày trả kết quả: Chờ kết quả xác minh của Công an tỉnh" in slip
    assert "hẹn mới 17:00 12/03/2025; gửi khi hồ sơ đã quá hạn trả kết quả" in slip


@pytest.mark.django_db
def test_the_slips_and_the_register_print_the_appointment_in_force(province: Province) -> None:
    from motcua.dossiers.printouts import register_context
    from motcua.testing.stories import august, citizen, paused_and_finished

    d = paused_and_finished(province, citizen())
    d.refresh_from_db()
    note = (
        "đã cộng thêm thời gian tạm dừng (chờ bổ sung hồ sơ, thực hiện nghĩa vụ tài chính) "
        "vào ngày hẹn 13:54 13/08/2025"
    )
    assert f"Thời gian hẹn trả kết quả: 13 giờ 54 phút, ngày 14/08/2025 ({note})" in text(d, "06")
    receipt = text(d, "01")
    assert f"Thời gian trả kết quả giải quyết hồ sơ: 13 giờ 54 phút, ngày 14/08/2025 ({note})" in (
        receipt
    )
    day = august(8, 0).date()
    (row,) = register_context(province.one_stop, day, day).rows
    assert row.appointment_at == d.due_at
    assert "Đã cộng thời gian tạm dừng vào ngày hẹn 13:54 13/08/2025" in row.note
