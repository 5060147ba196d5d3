"""/can-bo/ho-so/<code>/: what it shows, the action forms, errors, files, printouts."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from motcua.accounts.models import User
from motcua.backoffice.tests.conftest import PDF, PNG, at
from motcua.dossiers.attachment_services import add_attachment
from motcua.dossiers.errors import InvalidDossierInput
from motcua.dossiers.models import Attachment, Dossier, DossierEvent
from motcua.dossiers.rules import Action, Status
from motcua.dossiers.services import perform_action
from motcua.testing.personas import APPLICANT, Province

Login = Callable[[User], Client]


def url(dossier: Dossier, tail: str = "") -> str:
    return f"/can-bo/ho-so/{dossier.code}/{tail}"


@pytest.mark.django_db
def test_the_page_shows_applicant_steps_timeline_and_the_allowed_actions(
    province: Province, login: Login, received: Dossier
) -> None:
    response = login(province.counter).get(url(received))
    html = response.content.decode()
    for text in (
        APPLICANT.name,
        APPLICANT.id_number,
        APPLICANT.phone,
        "Tờ khai đăng ký khai sinh",
        "Trần Thị Thu",  # the receiving officer, in the timeline
        "Cán bộ tiếp nhận và trả kết quả",
        "Trung tâm Phục vụ hành chính công phường Long Xuyên",
        "08:00 03/03/2025",  # received, local time
        "Đăng ký thường trú",  # a later step, with its agency
        "Công an tỉnh An Giang",
        "In mẫu 01",
        "In mẫu 06",
    ):
        assert text in html, text
    actions = response.context["p"].actions
    assert Action.FORWARD in actions and Action.ASSIGN in actions
    assert Action.SIGN not in actions
    assert f'action="/can-bo/ho-so/{received.code}/thao-tac/forward/"' in html
    assert "Không có quyền" not in html


@pytest.mark.django_db
def test_an_action_through_its_form_is_performed(
    province: Province, login: Login, received: Dossier
) -> None:
    client = login(province.counter)
    response = client.post(url(received, "thao-tac/forward/"), {"expected_version": 1})
    assert response.status_code == 302
    received.refresh_from_db()
    assert received.status == Status.IN_PROGRESS and received.version == 2
    page = client.get(response["Location"])
    assert "Đã thực hiện: Chuyển bước tiếp theo." in page.content.decode()


@pytest.mark.django_db
def test_a_stale_version_shows_the_conflict_and_keeps_the_input(
    province: Province, login: Login, received: Dossier
) -> None:
    perform_action(received, Action.FORWARD, acting_user=province.counter)
    reason = "Thiếu bản sao giấy chứng nhận kết hôn của cha mẹ"
    response = login(province.specialist).post(
        url(received, "thao-tac/request_supplement/"), {"expected_version": 1, "reason": reason}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Hồ sơ vừa được cập nhật (ở trang khác hoặc bởi cán bộ khác)" in html
    assert reason in html  # what the user typed is still in the form
    received.refresh_from_db()
    assert received.status == Status.IN_PROGRESS and received.version == 2
    assert received.supplement_requests == 0


@pytest.mark.django_db
def test_errors_are_shown_in_vietnamese_and_nothing_is_saved(
    province: Province, login: Login, received: Dossier
) -> None:
    perform_action(received, Action.FORWARD, acting_user=province.counter)
    specialist = login(province.specialist)
    missing = specialist.post(
        url(received, "thao-tac/request_supplement/"), {"expected_version": 2, "reason": "  "}
    )
    assert missing.status_code == 422
    assert "Vui lòng ghi rõ lý do." in missing.content.decode()
    refused = specialist.post(url(received, "thao-tac/sign/"), {"expected_version": 2})
    assert refused.status_code == 409
    assert "Không thể thực hiện «Phê duyệt, ký kết quả»" in refused.content.decode()
    received.refresh_from_db()
    assert received.version == 2 and DossierEvent.objects.filter(dossier=received).count() == 2


@pytest.mark.django_db
def test_the_form_of_an_action_is_offered_for_printing(
    province: Province, login: Login, received: Dossier
) -> None:
    perform_action(received, Action.FORWARD, acting_user=province.counter)
    specialist = login(province.specialist)
    done = specialist.post(
        url(received, "thao-tac/request_supplement/"),
        {"expected_version": 2, "reason": "Giấy chứng nhận kết hôn\nSổ hộ khẩu"},
    )
    assert done.status_code == 302 and done["Location"].endswith("?in=02")
    page = specialist.get(done["Location"]).content.decode()
    assert "In phiếu: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (mẫu 02)" in page
    pdf = specialist.get(url(received, "in/02/"))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert specialist.get(url(received, "in/04/")).status_code == 404  # no apology yet


@pytest.mark.django_db
def test_the_holder_sees_submit_for_signature_only_when_the_leader_is_next(
    province: Province, login: Login, received: Dossier
) -> None:
    p = province
    dossier = perform_action(received, Action.FORWARD, acting_user=p.counter)
    at_justice = login(p.specialist).get(url(dossier)).context["p"].actions
    assert Action.FORWARD in at_justice and Action.SUBMIT_FOR_SIGNATURE not in at_justice
    dossier = perform_action(dossier, Action.FORWARD, acting_user=p.specialist)
    dossier = perform_action(dossier, Action.FORWARD, acting_user=p.police_officer)
    at_insurance = login(p.insurer).get(url(dossier)).context["p"].actions
    assert Action.SUBMIT_FOR_SIGNATURE in at_insurance and Action.FORWARD not in at_insurance
    response = login(p.insurer).post(
        url(dossier, "thao-tac/submit_for_signature/"), {"expected_version": dossier.version}
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.AWAITING_SIGNATURE
    assert login(p.leader).get(url(dossier)).context["p"].actions[0] is Action.SIGN


@pytest.mark.django_db
def test_submitting_for_signature_when_the_next_step_is_not_the_leaders_is_refused(
    province: Province, received: Dossier
) -> None:
    dossier = perform_action(received, Action.FORWARD, acting_user=province.counter)
    with pytest.raises(InvalidDossierInput, match="Chuyển bước tiếp theo"):
        perform_action(dossier, Action.SUBMIT_FOR_SIGNATURE, acting_user=province.specialist)
    dossier.refresh_from_db()
    assert dossier.status == Status.IN_PROGRESS and dossier.version == 2


@pytest.mark.django_db
def test_assign_offers_the_specialists_of_the_next_agency(
    province: Province, login: Login, received: Dossier
) -> None:
    counter = login(province.counter)
    specialists = counter.get(url(received)).context["p"].specialists
    assert specialists == [province.specialist]
    response = counter.post(
        url(received, "thao-tac/assign/"),
        {"expected_version": 1, "assignee": province.outsider.pk},
    )
    assert response.status_code == 422 and "không hợp lệ" in response.content.decode()
    response = counter.post(
        url(received, "thao-tac/assign/"),
        {"expected_version": 1, "assignee": province.specialist.pk},
    )
    assert response.status_code == 302
    received.refresh_from_db()
    assert received.assignee_id == province.specialist.pk


@pytest.mark.django_db
def test_an_apology_sets_a_new_date_shown_on_the_page(
    province: Province, login: Login, received: Dossier, clock: Any
) -> None:
    perform_action(received, Action.FORWARD, acting_user=province.counter)
    clock.move_to(at(4, 9))
    leader = login(province.leader)
    form = leader.get(url(received)).content.decode()
    assert 'name="new_due"' in form and 'name="reason"' in form
    response = leader.post(
        url(received, "thao-tac/issue_apology/"),
        {"expected_version": 2, "reason": "Cần xác minh nơi thường trú", "new_due": "2025-03-12"},
    )
    assert response.status_code == 302 and response["Location"].endswith("?in=04")
    received.refresh_from_db()
    assert received.new_appointment_at == at(12, 17)
    page = leader.get(url(received)).content.decode()
    assert "17:00 12/03/2025" in page and "Đã hẹn lại" in page
    assert "<s>" in page  # the original appointment, struck through
    assert "Hẹn trả kết quả mới: 17:00 12/03/2025 (hẹn cũ" in page  # in the log too
    assert "Bước tiếp: Đăng ký khai sinh" in page  # where the forward sent it


@pytest.mark.django_db
def test_the_leader_of_an_overdue_dossier_is_offered_the_apology_and_it_is_issued(
    province: Province, login: Login, received: Dossier, clock: Any
) -> None:
    perform_action(received, Action.FORWARD, acting_user=province.counter)
    clock.move_to(at(7, 10))  # due Thu 6/3 08:00: overdue
    leader = login(province.leader)
    page = leader.get(url(received))
    assert Action.ISSUE_APOLOGY in page.context["p"].actions
    assert f'action="/can-bo/ho-so/{received.code}/thao-tac/issue_apology/"' in (
        page.content.decode()
    )
    response = leader.post(
        url(received, "thao-tac/issue_apology/"),
        {"expected_version": 2, "reason": "Chờ kết quả xác minh", "new_due": "2025-03-12"},
    )
    assert response.status_code == 302 and response["Location"].endswith("?in=04")
    html = leader.get(response["Location"]).content.decode()
    assert "Hẹn trả kết quả mới: 17:00 12/03/2025 (hẹn cũ 08:00 06/03/2025)" in html
    assert '<div class="ev-late">Thư xin lỗi gửi khi hồ sơ đã quá hạn trả kết quả</div>' in html
    assert "In phiếu: Phiếu xin lỗi và hẹn lại ngày trả kết quả (mẫu 04)" in html
    pdf = leader.get(url(received, "in/04/"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    # Only once: not offered again.
    assert Action.ISSUE_APOLOGY not in leader.get(url(received)).context["p"].actions


@pytest.mark.django_db
def test_the_page_shows_the_appointment_in_force_with_the_paused_time(
    province: Province, login: Login
) -> None:
    from motcua.testing.stories import citizen, paused_and_finished

    d = paused_and_finished(province, citizen())
    html = login(province.leader).get(url(d)).content.decode()
    assert '<p class="big">13:54 14/08/2025</p>' in html
    assert (
        "Đã cộng thêm thời gian tạm dừng (chờ bổ sung hồ sơ, thực hiện nghĩa vụ tài chính) "
        "vào ngày hẹn 13:54 13/08/2025." in html
    )
    assert "Đúng hạn</span> lúc 08:06 14/08/2025" in html


@pytest.mark.django_db
def test_files_are_served_inline_to_those_who_may_see_them(
    province: Province, login: Login, received: Dossier
) -> None:
    document = received.documents.first()
    pdf = add_attachment(
        received,
        io.BytesIO(PDF),
        original_name="tờ khai.pdf",
        acting_user=province.counter,
        document=document,
    )
    image = add_attachment(
        received, io.BytesIO(PNG), original_name="anh.png", acting_user=province.counter
    )
    client = login(province.specialist)
    page = client.get(url(received)).content.decode()
    assert f'href="/can-bo/ho-so/{received.code}/tep/{pdf.pk}/" target="_blank"' in page
    assert f'<img src="/can-bo/ho-so/{received.code}/tep/{image.pk}/"' in page
    response = client.get(url(received, f"tep/{pdf.pk}/"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert client.get(url(received, "tep/999999/")).status_code == 404


@pytest.mark.django_db
def test_more_scans_are_uploaded_all_or_nothing(
    province: Province, login: Login, received: Dossier
) -> None:
    client = login(province.counter)

    def upload(*files: tuple[str, bytes]) -> Any:
        streams = []
        for name, data in files:
            stream = io.BytesIO(data)
            stream.name = name
            streams.append(stream)
        document = received.documents.first()
        assert document is not None
        return client.post(url(received, "tai-len/"), {"files": streams, "document": document.pk})

    bad = upload(("a.pdf", PDF), ("virus.pdf", b"MZ\x90\x00 not a pdf"))
    assert bad.status_code == 422
    assert "«virus.pdf»: chỉ nhận tệp PDF, JPEG hoặc PNG" in bad.content.decode()
    assert Attachment.objects.count() == 0
    assert upload(("a.pdf", PDF), ("b.png", PNG)).status_code == 302
    assert Attachment.objects.filter(dossier=received, document__isnull=False).count() == 2
    assert login(province.unit_head).post(url(received, "tai-len/"), {}).status_code == 403


@pytest.mark.django_db
def test_an_online_dossier_is_accepted_from_the_queue(
    province: Province, login: Login, clock: Any
) -> None:
    from motcua.dossiers.services import submit_online

    dossier = submit_online(offering=province.offering, applicant=APPLICANT)
    counter = login(province.counter)
    assert [r.dossier.code for r in counter.get("/can-bo/?tab=queue").context["rows"]] == [
        dossier.code
    ]
    actions = counter.get(url(dossier)).context["p"].actions
    assert actions[0] is Action.ACCEPT and Action.REFUSE_INTAKE in actions
    response = counter.post(url(dossier, "thao-tac/accept/"), {"expected_version": 1})
    assert response.status_code == 302 and response["Location"].endswith("?in=01")
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED and dossier.appointment_at is not None


@pytest.mark.django_db
def test_the_counter_records_a_withdrawal_and_a_payment_notice_with_their_note(
    province: Province, login: Login, received: Dossier
) -> None:
    p = province
    page = login(p.counter).get(url(received)).content.decode()
    assert "Ghi nhận yêu cầu rút hồ sơ của người nộp" in page
    assert "Lý do người nộp rút hồ sơ (nếu có)" in page

    dossier = perform_action(received, Action.FORWARD, acting_user=p.counter)
    specialist = login(p.specialist)
    assert "Khoản phải nộp" in specialist.get(url(dossier)).content.decode()
    response = specialist.post(
        url(dossier, "thao-tac/request_payment/"),
        {"expected_version": dossier.version, "reason": "Lệ phí 8.000 đồng, nộp tại quầy"},
    )
    assert response.status_code == 302
    event = DossierEvent.objects.filter(dossier=dossier).order_by("-seq").first()
    assert event is not None and event.action == Action.REQUEST_PAYMENT
    assert event.reason == "Lệ phí 8.000 đồng, nộp tại quầy"
    from motcua.portal.queries import public_view

    shown = public_view(dossier.code or "")
    assert shown is not None and shown.events[-1].reason == "Lệ phí 8.000 đồng, nộp tại quầy"
    # Without a note it is still one step.
    dossier.refresh_from_db()
    response = login(p.counter).post(
        url(dossier, "thao-tac/record_payment/"), {"expected_version": dossier.version}
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_the_counter_sees_which_catalog_documents_an_online_dossier_lacks(
    province: Province, login: Login, clock: Any
) -> None:
    from motcua.dossiers.services import DocumentData, submit_online

    first, second = province.procedure.documents.order_by("pk")
    dossier = submit_online(
        offering=province.offering,
        applicant=APPLICANT,
        documents=[DocumentData(first.name, copy_count=1, required_document_id=first.pk)],
    )
    page = login(province.counter).get(url(dossier)).content.decode()
    assert "người nộp chưa gửi" in page and second.name in page.split("chưa gửi")[1]
    assert "Tệp người nộp gửi" in page and ">Bản chính</th>" not in page
    perform_action(dossier, Action.ACCEPT, acting_user=province.counter)
    assert "người nộp chưa gửi" not in login(province.counter).get(url(dossier)).content.decode()


@pytest.mark.django_db
def test_a_unit_head_is_offered_only_the_handover_the_process_expects(
    province: Province, login: Login, received: Dossier
) -> None:
    """At the commune's step the next one is the police's, not a signature: no «Trình ký»
    (it could only be refused)."""
    dossier = perform_action(received, Action.FORWARD, acting_user=province.counter)
    actions = login(province.unit_head).get(url(dossier)).context["p"].actions
    assert Action.SUBMIT_FOR_SIGNATURE not in actions


@pytest.mark.django_db
def test_seeing_a_dossier_is_not_enough_to_add_files(
    province: Province, login: Login, received: Dossier
) -> None:
    from motcua.accounts.roles import Role
    from motcua.accounts.services import create_staff_user
    from motcua.testing.personas import PASSWORD

    p = province
    colleague = create_staff_user(
        "cv2.longxuyen", full_name="Đồng Nghiệp", agency=p.commune, unit=p.justice,
        roles=[Role.SPECIALIST], password=PASSWORD,
    )  # fmt: skip
    dossier = perform_action(received, Action.ASSIGN, acting_user=p.counter, assignee=p.specialist)
    other = login(colleague)
    assert other.get(url(dossier)).status_code == 200  # the unit's dossier: visible
    assert "Tải thêm bản quét" not in other.get(url(dossier)).content.decode()
    upload = io.BytesIO(PDF)
    upload.name = "them.pdf"
    assert other.post(url(dossier, "tai-len/"), {"files": upload}).status_code == 403
    assert not Attachment.objects.exists()
    upload = io.BytesIO(PDF)
    upload.name = "them.pdf"
    assert login(p.specialist).post(url(dossier, "tai-len/"), {"files": upload}).status_code == 302
    assert Attachment.objects.count() == 1


def _shows_closed(client: Client, dossier: Dossier, status: str, contradiction: str) -> None:
    """The page's status line and the worklist row read "closed", never ``contradiction``."""
    html = client.get(url(dossier)).content.decode()
    start = html.index('<p class="bo-status">')
    line = html[start : html.index("</p>", start)]
    assert status in line and "Đã kết thúc" in line
    assert contradiction not in line
    listed = client.get("/can-bo/", {"tab": "all"})
    (row,) = [r for r in listed.context["rows"] if r.dossier.pk == dossier.pk]
    assert row.level == "closed"
    assert f"{contradiction}</span>" not in listed.content.decode()


@pytest.mark.django_db
def test_a_dossier_refused_at_intake_is_not_shown_as_waiting(
    province: Province, login: Login, clock: Any
) -> None:
    """ "Không được tiếp nhận | Chờ tiếp nhận" contradicted itself: it is closed."""
    from motcua.dossiers.services import submit_online

    p = province
    dossier = submit_online(offering=p.offering, applicant=APPLICANT)
    dossier = perform_action(
        dossier, Action.REFUSE_INTAKE, acting_user=p.counter, reason="Không thuộc thẩm quyền"
    )
    counter = login(p.counter)
    _shows_closed(counter, dossier, "Không được tiếp nhận", "Chờ tiếp nhận")
    html = counter.get(url(dossier)).content.decode()
    assert "Chưa tiếp nhận nên chưa có ngày hẹn" not in html
    assert "Hồ sơ kết thúc khi chưa được tiếp nhận nên không có ngày hẹn." in html


@pytest.mark.django_db
def test_a_withdrawn_dossier_is_not_shown_as_resolved(
    province: Province, login: Login, received: Dossier
) -> None:
    p = province
    dossier = perform_action(received, Action.REQUEST_WITHDRAWAL, acting_user=p.counter)
    dossier = perform_action(dossier, Action.STOP, acting_user=p.counter, reason="Người nộp rút")
    assert dossier.status == Status.WITHDRAWN
    _shows_closed(login(p.counter), dossier, "Đã rút hồ sơ", "Đã giải quyết xong")


@pytest.fixture
def processed_by_post(province: Province, clock: Any) -> Dossier:
    """Received at the counter for a result returned by post, processed (result ready)."""
    dossier = province.receive(return_method="post")
    return province.process(dossier.code or "")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("", "nhập số hiệu bưu gửi của bưu gửi chứa kết quả"),
        ("EL123456789VN", "sai chữ số kiểm tra"),
        ("EL-12", "chỉ gồm chữ cái không dấu và chữ số"),
    ],
)
def test_returning_by_post_needs_a_valid_postal_item_number(
    province: Province, login: Login, processed_by_post: Dossier, number: str, message: str
) -> None:
    dossier = processed_by_post
    client = login(province.counter)
    page = client.get(url(dossier)).content.decode()
    assert 'name="postal_item_number"' in page  # the return form asks for it
    response = client.post(
        url(dossier, "thao-tac/return_result/"),
        {"expected_version": dossier.version, "postal_item_number": number},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html
    form = response.context["attempt"].form
    assert message in " ".join(form.errors["postal_item_number"])
    after = Dossier.objects.get()
    assert (after.status, after.version, after.return_postal_item_number) == (
        Status.PROCESSED,
        dossier.version,
        "",
    )


@pytest.mark.django_db
def test_a_result_returned_by_post_keeps_its_postal_item_number(
    province: Province, login: Login, processed_by_post: Dossier
) -> None:
    dossier = processed_by_post
    client = login(province.counter)
    response = client.post(
        url(dossier, "thao-tac/return_result/"),
        {"expected_version": dossier.version, "postal_item_number": "el 123456785 vn"},
    )
    assert response.status_code == 302
    after = Dossier.objects.get()
    assert after.status == Status.RETURNED
    assert after.return_postal_item_number == "EL123456785VN"
    event = DossierEvent.objects.filter(dossier=after).order_by("-seq").first()
    assert event is not None and event.action == Action.RETURN_RESULT
    assert event.payload["postal_item_number"] == "EL123456785VN"
    page = client.get(url(after)).content.decode()
    assert 'số hiệu bưu gửi <span class="postal-item">EL123456785VN</span>' in page


@pytest.mark.django_db
def test_a_result_returned_at_the_counter_asks_for_no_postal_number(
    province: Province, login: Login, received: Dossier
) -> None:
    dossier = province.process(received.code or "")
    page = login(province.counter).get(url(dossier)).content.decode()
    assert "thao-tac/return_result/" in page and 'name="postal_item_number"' not in page
    returned = perform_action(dossier, Action.RETURN_RESULT, acting_user=province.counter)
    assert returned.status == Status.RETURNED and returned.return_postal_item_number == ""
