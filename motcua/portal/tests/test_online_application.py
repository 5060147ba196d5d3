"""A citizen online: register, file a dossier with its files, follow it, supplement it
when asked, ask to withdraw it; the counter's queue receives it. Denials change nothing."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from motcua.accounts.models import User
from motcua.accounts.services import Registration, register_citizen
from motcua.audit.models import AuditEvent
from motcua.backoffice.models import Notification
from motcua.catalog.models import OnlineLevel, Procedure
from motcua.catalog.services import import_procedure_records
from motcua.dossiers import queries
from motcua.dossiers.models import Attachment, Dossier, DossierCodeSequence, DossierEvent
from motcua.dossiers.rules import Action, Channel, Status
from motcua.dossiers.services import perform_action, receive_at_counter
from motcua.testing.personas import (
    APPLICANT,
    DOCUMENTS,
    PASSWORD,
    Province,
    shipped_record,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
ID_NUMBER = "089190004321"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def online(province: Province) -> Province:
    province.procedure.online_level = OnlineLevel.FULL_ONLINE
    province.procedure.save(update_fields=["online_level"])
    return province


def _citizen(id_number: str = ID_NUMBER, name: str = "Trương Mỹ Hạnh") -> User:
    return register_citizen(
        Registration(
            full_name=name,
            id_number=id_number,
            phone="0987 654 321",
            email="",
            password=PASSWORD,
        )
    )


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _apply_url(p: Province) -> str:
    return f"/nop-truc-tuyen/{p.offering.pk}/"


def _form(p: Province, **files: bytes) -> dict[str, Any]:
    docs = list(p.procedure.documents.order_by("pk"))
    data: dict[str, Any] = {
        "applicant_name": "Trương Mỹ Hạnh",
        "applicant_id_number": ID_NUMBER,
        "applicant_phone": "0987 654 321",
        "applicant_email": "",
        "applicant_address": "Phường Long Xuyên, tỉnh An Giang",
        "subject": "",
        "return_method": "online",
        "confirm": "on",
    }
    for index, (name, content) in enumerate(files.items()):
        data[f"doc_{docs[index].pk}"] = SimpleUploadedFile(name, content)
    return data


def _submit(p: Province, client: Client) -> Dossier:
    response = client.post(_apply_url(p), _form(p, **{"to-khai.pdf": PDF, "chung-sinh.png": PNG}))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Dossier.objects.get()


# --------------------------------------------------------------------------- account


def test_signup_creates_a_citizen_and_logs_in(province: Province) -> None:
    client = Client()
    response = client.post(
        "/dang-ky/",
        {
            "full_name": "Trương Mỹ Hạnh",
            "id_number": ID_NUMBER,
            "phone": "0987654321",
            "email": "hanh@example.vn",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302 and response["Location"] == "/ho-so-cua-toi/"
    user = User.objects.get(username=ID_NUMBER)
    assert user.kind == User.Kind.CITIZEN and not user.is_staff and user.check_password(PASSWORD)
    assert AuditEvent.objects.filter(action="accounts.citizen_registered").count() == 1
    page = client.get("/ho-so-cua-toi/").content.decode()
    assert "Bạn chưa nộp hồ sơ trực tuyến nào" in page and "Trương Mỹ Hạnh" in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id_number": "12345"}, "Số định danh cá nhân gồm đúng 12 chữ số."),
        ({"password2": "khac-han-mat-khau"}, "Hai lần nhập mật khẩu không khớp."),
        ({"password1": "12345678", "password2": "12345678"}, "Mật khẩu"),
        ({"phone": "abc"}, "Số điện thoại không hợp lệ"),
        ({"full_name": "   "}, "Vui lòng nhập họ và tên."),
    ],
)
def test_signup_refuses_bad_input_and_saves_nothing(
    province: Province, change: dict[str, str], message: str
) -> None:
    before = User.objects.count()
    data = {
        "full_name": "Trương Mỹ Hạnh",
        "id_number": ID_NUMBER,
        "phone": "0987654321",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **change,
    }
    response = Client().post("/dang-ky/", data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert User.objects.count() == before


def test_signup_with_a_taken_id_number_says_so(province: Province) -> None:
    _citizen()
    response = Client().post(
        "/dang-ky/",
        {
            "full_name": "Người khác",
            "id_number": ID_NUMBER,
            "phone": "0911111111",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 422
    assert "Số định danh này đã có tài khoản" in response.content.decode()
    assert User.objects.get(username=ID_NUMBER).full_name == "Trương Mỹ Hạnh"


# --------------------------------------------------------------------------- applying


def test_the_procedure_page_offers_online_filing_only_when_online(province: Province) -> None:
    url = f"/thu-tuc/{province.procedure.code}/"
    assert _apply_url(province) not in Client().get(url).content.decode()
    province.procedure.online_level = OnlineLevel.PARTIAL_ONLINE
    province.procedure.save(update_fields=["online_level"])
    assert _apply_url(province) in Client().get(url).content.decode()


def test_the_procedure_page_leads_to_the_chosen_agency_s_form(online: Province) -> None:
    from motcua.catalog.models import ProcedureOffering

    second = ProcedureOffering.objects.create(
        agency=online.other_commune, procedure=online.procedure
    )
    page = Client().get(f"/thu-tuc/{online.procedure.code}/").content.decode()
    assert 'class="apply-box"' in page
    assert f'<option value="{second.pk}">UBND phường Châu Đốc</option>' in page
    response = Client().get("/nop-truc-tuyen/", {"noi": second.pk})
    assert response.status_code == 302 and response["Location"] == f"/nop-truc-tuyen/{second.pk}/"
    assert Client().get("/nop-truc-tuyen/", {"noi": "x"}).status_code == 404


def test_applying_needs_an_account(online: Province) -> None:
    response = Client().get(_apply_url(online))
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/?next=/nop-truc-tuyen/")


def test_staff_cannot_apply_and_nothing_is_saved(online: Province) -> None:
    client = _client(online.counter)
    response = client.post(_apply_url(online), _form(online, **{"a.pdf": PDF}))
    assert response.status_code == 403
    assert "dành cho công dân" in response.content.decode()
    assert not Dossier.objects.exists()


def test_a_procedure_not_offered_online_is_refused(province: Province) -> None:
    client = _client(_citizen())
    response = client.post(_apply_url(province), _form(province, **{"a.pdf": PDF}))
    assert response.status_code == 404
    assert "chưa được nhận hồ sơ trực tuyến" in response.content.decode()
    assert not Dossier.objects.exists()


def test_the_not_online_page_says_how_the_procedure_is_filed(province: Province) -> None:
    """Its ways of filing are in person only: the page does not send people to the post."""
    client = _client(_citizen())
    html = client.get(_apply_url(province)).content.decode()
    assert "Vui lòng nộp hồ sơ trực tiếp tại bộ phận một cửa." in html
    assert "bưu chính" not in html
    province.procedure.offers_postal_submission = True
    province.procedure.save(update_fields=["offers_postal_submission"])
    html = client.get(_apply_url(province)).content.decode()
    assert (
        "Vui lòng nộp hồ sơ trực tiếp tại bộ phận một cửa hoặc gửi qua dịch vụ bưu chính." in html
    )


def test_the_form_is_prefilled_from_the_account(online: Province) -> None:
    page = _client(_citizen()).get(_apply_url(online)).content.decode()
    assert 'value="Trương Mỹ Hạnh"' in page and f'value="{ID_NUMBER}"' in page
    for doc in online.procedure.documents.all():
        assert doc.name in page and f'name="doc_{doc.pk}"' in page


def test_the_form_promises_the_time_limit_and_date_counter_intake_gives(
    province: Province,
) -> None:
    # The national record says 20 days; the commune's process gives 3 working days.
    import_procedure_records([shipped_record("2.000986")], source="test")
    Procedure.objects.filter(pk=province.procedure.pk).update(online_level=OnlineLevel.FULL_ONLINE)
    client = _client(_citizen())
    # Tuesday 8/12/2026 before the morning session.
    with time_machine.travel(datetime(2026, 12, 8, 6, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))):
        page = client.get(_apply_url(province)).content.decode()
        dossier = receive_at_counter(
            acting_user=province.counter,
            offering=province.offering,
            applicant=APPLICANT,
            documents=DOCUMENTS,
        )
    assert dossier.appointment_at is not None and dossier.legal_working_days == 3
    assert "3 ngày làm việc" in page
    promised = timezone.localtime(dossier.appointment_at).strftime("%H:%M ngày %d/%m/%Y")
    assert promised == "17:00 ngày 10/12/2026" and promised in page


def test_a_citizen_files_online_and_the_counter_receives_it(online: Province) -> None:
    citizen = _citizen()
    client = _client(citizen)
    dossier = _submit(online, client)
    assert dossier.status == Status.NEW_ONLINE
    assert dossier.channel == Channel.ONLINE and dossier.applicant_user_id == citizen.pk
    assert dossier.intake_agency_id == online.one_stop.pk
    assert re.fullmatch(r"H01\.30307-\d{6}-0001", dossier.code or "")
    files = list(dossier.attachments.order_by("pk"))
    assert [(f.original_name, f.content_type, f.uploaded_by_id) for f in files] == [
        ("to-khai.pdf", "application/pdf", citizen.pk),
        ("chung-sinh.png", "image/png", citizen.pk),
    ]
    assert [f.document.name for f in files if f.document] == [
        "Tờ khai đăng ký khai sinh",
        "Giấy chứng sinh",
    ]
    (event,) = DossierEvent.objects.filter(dossier=dossier)
    assert event.action == Action.SUBMIT_ONLINE and event.actor_id == citizen.pk
    # The counter officers there are told; nobody else.
    (note,) = Notification.objects.all()
    assert (note.recipient_id, note.kind) == (online.counter.pk, "new_online")
    assert dossier.code in note.message
    inbox = _client(online.counter).get("/can-bo/thong-bao/").content.decode()
    assert f"Hồ sơ trực tuyến mới {dossier.code}" in inbox

    page = client.get(f"/ho-so-cua-toi/{dossier.code}/").content.decode()
    assert dossier.code in page and "Đã nộp hồ sơ" in page
    assert "Mới đăng ký trực tuyến" in page or "Chờ tiếp nhận" in page
    assert dossier.code in client.get("/ho-so-cua-toi/").content.decode()
    served = client.get(f"/ho-so-cua-toi/{dossier.code}/tep/{files[0].pk}/")
    assert served.status_code == 200 and b"".join(served.streaming_content) == PDF  # type: ignore[attr-defined]

    # The counter's queue holds it; accepting it starts the clock and the citizen sees it.
    queue = queries.worklist(
        online.counter, queries.WorklistFilter(tab="queue"), queries.clock_for(online.counter)
    )
    assert [d.pk for d in queue] == [dossier.pk]
    perform_action(dossier.code or "", Action.ACCEPT, acting_user=online.counter)
    page = client.get(f"/ho-so-cua-toi/{dossier.code}/").content.decode()
    assert "Ngày hẹn trả kết quả" in page


def test_a_bad_file_saves_nothing(online: Province) -> None:
    client = _client(_citizen())
    sequences = DossierCodeSequence.objects.count()
    response = client.post(
        _apply_url(online), _form(online, **{"to-khai.pdf": PDF, "virus.exe": b"MZ\x90\x00rest"})
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "«virus.exe»: chỉ nhận tệp PDF, JPEG hoặc PNG" in page
    assert 'value="Trương Mỹ Hạnh"' in page  # what was typed is kept
    assert not Dossier.objects.exists() and not Attachment.objects.exists()
    assert DossierCodeSequence.objects.count() == sequences


def test_no_file_or_no_pledge_is_refused(online: Province) -> None:
    client = _client(_citizen())
    response = client.post(_apply_url(online), _form(online))
    assert response.status_code == 422
    assert "Đính kèm ít nhất một giấy tờ" in response.content.decode()
    data = _form(online, **{"a.pdf": PDF})
    del data["confirm"]
    response = client.post(_apply_url(online), data)
    assert response.status_code == 422
    assert "Vui lòng đánh dấu lời cam đoan" in response.content.decode()
    assert not Dossier.objects.exists()


def test_a_missing_required_document_is_named_and_nothing_is_saved(online: Province) -> None:
    """Both papers of the procedure are required: the declaration alone is refused, the
    missing certificate named at its own input."""
    client = _client(_citizen())
    sequences = DossierCodeSequence.objects.count()
    response = client.post(_apply_url(online), _form(online, **{"to-khai.pdf": PDF}))
    assert response.status_code == 422
    missing = online.procedure.documents.get(name="Giấy chứng sinh")
    errors = response.context["form"].errors
    assert list(errors) == [f"doc_{missing.pk}"]
    assert "Chưa đính kèm giấy tờ bắt buộc «Giấy chứng sinh»" in errors[f"doc_{missing.pk}"][0]
    html = response.content.decode()
    assert f'aria-describedby="id_doc_{missing.pk}-error"' in html
    assert not Dossier.objects.exists() and not Attachment.objects.exists()
    assert DossierCodeSequence.objects.count() == sequences


def test_the_api_names_the_missing_required_document(online: Province) -> None:
    client = _client(_citizen())
    data = {**_form(online, **{"to-khai.pdf": PDF}), "offering_id": online.offering.pk}
    response = client.post("/api/v1/online-applications", data)
    assert response.status_code == 422, response.content
    body = response.json()
    missing = online.procedure.documents.get(name="Giấy chứng sinh")
    assert body["field"] == f"doc_{missing.pk}" and "«Giấy chứng sinh»" in body["message"]
    assert not Dossier.objects.exists() and not Attachment.objects.exists()


def test_the_service_refuses_a_missing_required_document_too(online: Province) -> None:
    from motcua.dossiers.attachments import Scan
    from motcua.dossiers.errors import InvalidDossierInput
    from motcua.portal.applications import apply_online
    from motcua.testing.personas import APPLICANT

    first, second = online.procedure.documents.order_by("pk")
    with pytest.raises(InvalidDossierInput) as refused:
        apply_online(
            citizen=_citizen(),
            offering=online.offering,
            applicant=APPLICANT,
            documents=[],
            scans=[Scan(SimpleUploadedFile("to-khai.pdf", PDF), first.pk)],
        )
    assert refused.value.field == f"doc_{second.pk}"
    assert not Dossier.objects.exists() and not Attachment.objects.exists()


@pytest.fixture
def birth_registration(province: Province) -> Any:
    """The real birth registration record of the catalog (1.001193), offered online."""
    import json

    from motcua.catalog.models import Procedure, ProcedureOffering
    from motcua.catalog.services import PACKAGED_DEMO, import_procedure_records

    records = json.loads(PACKAGED_DEMO.read_text(encoding="utf-8"))["procedures"]
    import_procedure_records([r for r in records if r["code"] == "1.001193"], source="test")
    procedure = Procedure.objects.get(code="1.001193")
    return ProcedureOffering.objects.create(agency=province.commune, procedure=procedure)


def test_the_online_form_follows_the_catalog_s_real_documents(birth_registration: Any) -> None:
    offering = birth_registration
    documents = list(offering.procedure.documents.all())

    def doc(start: str) -> Any:
        (found,) = [d for d in documents if d.name.startswith(start)]
        return found

    page = _client(_citizen()).get(f"/nop-truc-tuyen/{offering.pk}/")
    html = page.content.decode()
    # Papers only shown at the counter, and the paper form for filing in person or by
    # post, get no input; the interactive e-form and the birth certificate are required;
    # the papers of particular cases are optional.
    for start in ("Hộ chiếu/Thẻ căn cước công dân", "Tờ khai đăng ký khai sinh theo mẫu (nếu"):
        assert f'name="doc_{doc(start).pk}"' not in html, start
    required = {
        row["doc"].pk: row["required"]
        for _, rows in page.context["form"].document_groups()
        for row in rows
    }
    assert required[doc("Mẫu hộ tịch điện tử tương tác").pk] is True
    assert required[doc("Giấy chứng sinh; trường hợp").pk] is True
    assert required[doc("Trường hợp trẻ em bị bỏ rơi").pk] is False
    assert required[doc("Văn bản ủy quyền (được chứng thực)").pk] is False
    assert list(required.values()).count(True) == 2 and len(required) == 5
    assert html.count("(bắt buộc)</span>") == 2 and html.count("(nếu có)</span>") == 3
    # The remarks and the papers not asked for are folded away, not lost.
    assert html.count('<details class="apply-notes">') == 2
    assert "Giấy tờ không cần đính kèm khi nộp trực tuyến (3)" in html


def test_the_catalog_api_says_what_an_online_application_needs(birth_registration: Any) -> None:
    body = Client().get(f"/api/v1/procedures/{birth_registration.procedure.code}").json()
    uses = [(d["name"][:20], d["online"]) for d in body["documents"]]
    assert ("Giấy chứng sinh; trư", "required") in uses
    assert ("Hộ chiếu/Thẻ căn cướ", "in_person") in uses
    assert ("Trường hợp trẻ em bị", "optional") in uses
    assert all(isinstance(d["id"], int) for d in body["documents"])


# --------------------------------------------------------------------------- afterwards


def test_supplementing_online_restarts_the_queue(online: Province) -> None:
    citizen = _citizen()
    client = _client(citizen)
    dossier = _submit(online, client)
    dossier = perform_action(
        dossier.code or "",
        Action.REQUEST_SUPPLEMENT,
        acting_user=online.counter,
        reason="Tờ khai thiếu chữ ký của người yêu cầu",
    )
    url = f"/ho-so-cua-toi/{dossier.code}/"
    page = client.get(url).content.decode()
    assert "Tờ khai thiếu chữ ký" in page and "Gửi hồ sơ bổ sung" in page

    # A bad file: nothing changes.
    response = client.post(
        url + "bo-sung/",
        {"expected_version": dossier.version, "files": SimpleUploadedFile("x.txt", b"hello")},
    )
    assert response.status_code == 422 and "«x.txt»" in response.content.decode()
    assert Dossier.objects.get().version == dossier.version

    response = client.post(
        url + "bo-sung/",
        {
            "expected_version": dossier.version,
            "note": "Đã ký lại tờ khai",
            "files": SimpleUploadedFile("to-khai-da-ky.pdf", PDF),
        },
    )
    assert response.status_code == 302
    after = Dossier.objects.get()
    assert after.status == Status.NEW_ONLINE and after.version == dossier.version + 1
    last = after.events.order_by("-seq").first()
    assert last is not None and last.action == Action.SUPPLEMENT and last.actor_id == citizen.pk
    assert after.attachments.filter(kind=Attachment.Kind.SUPPLEMENT).count() == 1
    told = Notification.objects.filter(kind="supplemented").values_list("recipient_id", flat=True)
    assert set(told) == {online.counter.pk}  # the counter officer who asked
    assert "Gửi hồ sơ bổ sung" not in client.get(url).content.decode()


def test_a_stale_form_gets_a_conflict_and_changes_nothing(online: Province) -> None:
    client = _client(_citizen())
    dossier = _submit(online, client)
    response = client.post(
        f"/ho-so-cua-toi/{dossier.code}/rut/",
        {"expected_version": dossier.version + 5, "reason": "Nộp nhầm thủ tục"},
    )
    assert response.status_code == 409
    assert Dossier.objects.get().status == Status.NEW_ONLINE


def test_withdrawing_needs_a_reason(online: Province) -> None:
    client = _client(_citizen())
    dossier = _submit(online, client)
    url = f"/ho-so-cua-toi/{dossier.code}/rut/"
    response = client.post(url, {"expected_version": dossier.version, "reason": ""})
    assert response.status_code == 422 and "Vui lòng ghi rõ lý do rút hồ sơ" in (
        response.content.decode()
    )
    assert Dossier.objects.get().status == Status.NEW_ONLINE
    response = client.post(url, {"expected_version": dossier.version, "reason": "Nộp nhầm"})
    assert response.status_code == 302
    assert Dossier.objects.get().status == Status.WITHDRAWAL_REQUESTED
    note = Notification.objects.get(kind="withdrawal")
    assert note.recipient_id == online.counter.pk and "Nộp nhầm" in note.message


def test_another_citizen_sees_and_changes_nothing(online: Province) -> None:
    owner = _client(_citizen())
    dossier = _submit(online, owner)
    file = dossier.attachments.first()
    assert file is not None
    stranger = _client(_citizen("089190009999", "Người lạ"))
    base = f"/ho-so-cua-toi/{dossier.code}/"
    assert stranger.get(base).status_code == 404
    assert stranger.get(f"{base}tep/{file.pk}/").status_code == 404
    response = stranger.post(base + "rut/", {"expected_version": 1, "reason": "phá"})
    assert response.status_code == 404
    response = stranger.post(
        base + "bo-sung/",
        {"expected_version": 1, "files": SimpleUploadedFile("a.pdf", PDF)},
    )
    assert response.status_code == 404
    assert dossier.code not in stranger.get("/ho-so-cua-toi/").content.decode()
    after = Dossier.objects.get()
    assert (after.status, after.version, after.attachments.count()) == (
        Status.NEW_ONLINE,
        1,
        2,
    )
    # Staff read dossiers in the back office, not here.
    assert _client(online.counter).get(base).status_code == 403


def test_a_result_returned_online_needs_its_electronic_copy(online: Province) -> None:
    """The citizen chose the electronic result: returning it without the file is refused
    (nothing changes); once the officer uploads it, it is returned and downloadable."""
    p = online
    citizen = _client(_citizen())
    dossier = _submit(p, citizen)
    code = dossier.code or ""
    perform_action(code, Action.ACCEPT, acting_user=p.counter)
    for user in (p.counter, p.specialist, p.police_officer):
        perform_action(code, Action.FORWARD, acting_user=user)
    perform_action(code, Action.SUBMIT_FOR_SIGNATURE, acting_user=p.insurer)
    processed = perform_action(code, Action.SIGN, acting_user=p.leader)
    assert processed.status == Status.PROCESSED

    office = _client(p.counter)
    response = office.post(
        f"/can-bo/ho-so/{code}/thao-tac/return_result/",
        {"expected_version": processed.version},
    )
    assert response.status_code == 422
    assert "tải lên bản điện tử của kết quả" in response.content.decode()
    assert Dossier.objects.get().version == processed.version

    response = office.post(
        f"/can-bo/ho-so/{code}/tai-len/",
        {"kind": "result", "files": SimpleUploadedFile("giay-khai-sinh.pdf", PDF)},
    )
    assert response.status_code == 302
    returned = perform_action(
        code, Action.RETURN_RESULT, acting_user=p.counter, expected_version=processed.version
    )
    assert returned.status == Status.RETURNED
    result = Attachment.objects.get(kind=Attachment.Kind.RESULT)
    page = citizen.get(f"/ho-so-cua-toi/{code}/").content.decode()
    assert "giay-khai-sinh.pdf" in page and "Kết quả giải quyết" in page
    served = citizen.get(f"/ho-so-cua-toi/{code}/tep/{result.pk}/")
    assert b"".join(served.streaming_content) == PDF  # type: ignore[attr-defined]


def test_the_citizen_sees_the_postal_item_number_of_a_result_sent_by_post(
    online: Province,
) -> None:
    p = online
    citizen = _client(_citizen())
    data = _form(p, **{"to-khai.pdf": PDF, "chung-sinh.png": PNG})
    data["return_method"] = "post"
    assert citizen.post(_apply_url(p), data).status_code == 302
    code = Dossier.objects.get().code or ""
    perform_action(code, Action.ACCEPT, acting_user=p.counter)
    p.process(code)
    perform_action(
        code, Action.RETURN_RESULT, acting_user=p.counter, postal_item_number="RR000000014VN"
    )
    page = citizen.get(f"/ho-so-cua-toi/{code}/").content.decode()
    assert "Số hiệu bưu gửi chứa kết quả" in page and "RR000000014VN" in page


def test_logging_in_leads_to_where_the_account_works(province: Province) -> None:
    citizen = _citizen()
    for username, landing in ((citizen.username, "/ho-so-cua-toi/"), ("tn.longxuyen", "/can-bo/")):
        response = Client().post("/dang-nhap/", {"username": username, "password": PASSWORD})
        assert response.status_code == 302 and response["Location"] == landing
    response = Client().post(
        "/dang-nhap/?next=/thu-tuc/", {"username": citizen.username, "password": PASSWORD}
    )
    assert response["Location"] == "/thu-tuc/"


# --------------------------------------------------------------------------- the API


def test_the_api_files_online_with_the_page_s_fields(online: Province) -> None:
    citizen = _citizen()
    client = _client(citizen)
    data = _form(online, **{"to-khai.pdf": PDF, "chung-sinh.png": PNG})
    response = client.post(
        "/api/v1/online-applications", {**data, "offering_id": online.offering.pk}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    dossier = Dossier.objects.get()
    assert body["code"] == dossier.code and body["status"] == Status.NEW_ONLINE
    assert dossier.applicant_user_id == citizen.pk and dossier.attachments.count() == 2
    # The applicant acts through the common endpoint too.
    response = client.post(
        f"/api/v1/dossiers/{dossier.code}/actions",
        {"action": "request_withdrawal", "expected_version": 1, "reason": "Nộp nhầm"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "withdrawal_requested"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"applicant_phone": ""}, "applicant_phone", "Vui lòng nhập số điện thoại."),
        ({"confirm": ""}, "confirm", "Vui lòng đánh dấu lời cam đoan"),
        ({"offering_id": 999999}, "offering_id", "chưa nhận hồ sơ trực tuyến"),
        ({"file": b"plain text"}, "documents", "chỉ nhận tệp PDF, JPEG hoặc PNG"),
    ],
)
def test_the_api_names_the_field_at_fault_and_saves_nothing(
    online: Province, change: dict[str, Any], field: str, message: str
) -> None:
    client = _client(_citizen())
    content = change.pop("file", PDF)
    files = {"a.pdf": content, "b.png": PNG}
    data = {**_form(online, **files), "offering_id": online.offering.pk, **change}
    response = client.post("/api/v1/online-applications", data)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["field"] == field and message in body["message"]
    assert not Dossier.objects.exists() and not Attachment.objects.exists()


def test_the_api_refuses_staff_and_strangers(online: Province) -> None:
    data = {**_form(online, **{"a.pdf": PDF}), "offering_id": online.offering.pk}
    assert Client().post("/api/v1/online-applications", data).status_code == 401
    data = {**_form(online, **{"a.pdf": PDF}), "offering_id": online.offering.pk}
    response = _client(online.counter).post("/api/v1/online-applications", data)
    assert response.status_code == 403
    assert not Dossier.objects.exists()


def test_each_error_of_the_supplement_and_withdraw_forms_is_shown_once(online: Province) -> None:
    client = _client(_citizen())
    dossier = _submit(online, client)
    dossier = perform_action(
        dossier.code or "", Action.REQUEST_SUPPLEMENT, acting_user=online.counter, reason="Mờ"
    )
    url = f"/ho-so-cua-toi/{dossier.code}/"
    no_file = client.post(url + "bo-sung/", {"expected_version": dossier.version})
    html = no_file.content.decode()
    assert no_file.status_code == 422
    assert html.count("Đính kèm giấy tờ bổ sung (PDF, JPEG hoặc PNG).") == 1
    assert html.count("Chưa có thay đổi nào được lưu.") == 1
    assert 'href="#supplement-title"' in html  # the alert at the top points to the form
    bad_file = client.post(
        url + "bo-sung/",
        {"expected_version": dossier.version, "files": SimpleUploadedFile("x.txt", b"hello")},
    )
    assert bad_file.content.decode().count("«x.txt»") == 1
    stale = client.post(url + "bo-sung/", {"files": SimpleUploadedFile("a.pdf", PDF)})
    assert stale.content.decode().count("Trang này đã cũ: vui lòng tải lại trang") == 1
    no_reason = client.post(url + "rut/", {"expected_version": dossier.version, "reason": ""})
    html = no_reason.content.decode()
    assert no_reason.status_code == 422
    assert html.count("Vui lòng ghi rõ lý do rút hồ sơ.") == 1
    assert 'href="#withdraw-title"' in html
    assert Dossier.objects.get().version == dossier.version


def test_a_weak_password_gets_each_reason_once_in_vietnamese_beside_the_field(
    province: Province,
) -> None:
    data = {
        "full_name": "Trương Mỹ Hạnh",
        "id_number": ID_NUMBER,
        "phone": "0987654321",
        "password1": "123",
        "password2": "123",
    }
    response = Client().post("/dang-ky/", data)
    assert response.status_code == 422
    html = response.content.decode()
    form = html[html.index('<form method="post" novalidate') :]
    beside = form[form.index('id="id_password1"') : form.index('for="id_password2"')]
    for reason in (
        "Mật khẩu quá ngắn: cần ít nhất 8 ký tự.",
        "Mật khẩu này quá phổ biến.",
        "Mật khẩu này hoàn toàn là số.",
    ):
        assert html.count(reason) == 1, reason
        assert reason in beside, reason
    assert "This password" not in html
    assert 'class="form-error"' not in form  # nothing repeated above the form
    assert User.objects.filter(username=ID_NUMBER).count() == 0
