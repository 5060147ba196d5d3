"""/can-bo/tiep-nhan/: pick a procedure, receive with the checklist and scans."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from motcua.accounts.models import User
from motcua.backoffice.tests.conftest import PDF, PNG
from motcua.catalog.models import RequiredDocument
from motcua.dossiers.models import Attachment, Dossier, DossierCodeSequence, DossierDocument
from motcua.testing.personas import Province

Login = Callable[[User], Client]


def named(name: str, data: bytes) -> io.BytesIO:
    stream = io.BytesIO(data)
    stream.name = name
    return stream


def form_data(p: Province, **changes: Any) -> dict[str, Any]:
    docs = list(RequiredDocument.objects.filter(procedure=p.procedure).order_by("order", "pk"))
    data: dict[str, Any] = {
        "applicant_name": "Nguyễn Thị Hồng Nhung",
        "applicant_id_number": "089190001234",
        "applicant_phone": "0912 345 678",
        "applicant_email": "",
        "applicant_address": "Phường Long Xuyên",
        "subject": "",
        "channel": "in_person",
        "postal_item_number": "",
        "return_method": "counter",
        "sets_count": "1",
        "other_document": "",
    }
    for doc in docs:
        data[f"doc_{doc.pk}_received"] = "on"
        data[f"doc_{doc.pk}_originals"] = "1"
        data[f"doc_{doc.pk}_copies"] = "0"
    data[f"doc_{docs[0].pk}_files"] = [named("to-khai.pdf", PDF)]
    data["scans"] = [named("anh.png", PNG)]
    data.update(changes)
    return data


@pytest.mark.django_db
def test_the_picker_finds_procedures_without_accents(province: Province, login: Login) -> None:
    client = login(province.counter)
    for query in ("khai sinh", "LIÊN THÔNG khai sinh", "2.000986", ""):
        response = client.get("/can-bo/tiep-nhan/", {"q": query})
        assert province.offering in response.context["offerings"], query
    assert client.get("/can-bo/tiep-nhan/", {"q": "xay dung"}).context["offerings"] == []
    partial = client.get("/can-bo/tiep-nhan/", {"q": "khai"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b"offer-list" in partial.content


@pytest.mark.django_db
def test_the_form_lists_the_required_documents(province: Province, login: Login) -> None:
    page = login(province.counter).get(f"/can-bo/tiep-nhan/?thu_tuc={province.offering.pk}")
    html = page.content.decode()
    assert "Tờ khai đăng ký khai sinh" in html and "Giấy chứng sinh" in html
    assert 'enctype="multipart/form-data"' in html


@pytest.mark.django_db
def test_intake_creates_the_dossier_with_code_documents_and_scans(
    province: Province, login: Login, clock: Any
) -> None:
    client = login(province.counter)
    response = client.post(
        f"/can-bo/tiep-nhan/?thu_tuc={province.offering.pk}", form_data(province)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    dossier = Dossier.objects.get()
    assert dossier.code == "H01.30307-250303-0001"
    assert response["Location"] == f"/can-bo/tiep-nhan/{dossier.code}/"
    assert [d.name for d in dossier.documents.all()] == [
        "Tờ khai đăng ký khai sinh",
        "Giấy chứng sinh",
    ]
    scans = list(Attachment.objects.filter(dossier=dossier).order_by("pk"))
    assert [(a.original_name, a.document_id is not None) for a in scans] == [
        ("to-khai.pdf", True),
        ("anh.png", False),
    ]
    done = client.get(response["Location"]).content.decode()
    assert dossier.code in done and "<svg" in done
    assert f"/can-bo/ho-so/{dossier.code}/in/01/" in done
    receipt = client.get(f"/can-bo/ho-so/{dossier.code}/in/01/")
    assert receipt.content.startswith(b"%PDF")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"applicant_name": "  "}, "Vui lòng nhập họ tên người nộp hồ sơ."),
        ({"applicant_phone": "12ab"}, "Số điện thoại không hợp lệ (9–12 chữ số)."),
        ({"applicant_email": "khong-phai-email"}, "Địa chỉ thư điện tử không hợp lệ."),
        (
            {"applicant_phone": "", "applicant_id_number": ""},
            "Cần ít nhất số điện thoại hoặc số định danh",
        ),
        ({"channel": "postal"}, "Hồ sơ nộp qua bưu chính cần số hiệu bưu gửi."),
        (
            {"scans": [named("ho-so.pdf", b"MZ\x90\x00\x03 this is an exe")]},
            "«ho-so.pdf»: chỉ nhận tệp PDF, JPEG hoặc PNG",
        ),
        ({"applicant_id_number": "12-34"}, "Số định danh / CCCD / mã số không hợp lệ."),
    ],
)
def test_bad_intake_shows_errors_and_saves_nothing(
    province: Province, login: Login, clock: Any, changes: dict[str, Any], message: str
) -> None:
    response = login(province.counter).post(
        f"/can-bo/tiep-nhan/?thu_tuc={province.offering.pk}", form_data(province, **changes)
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html
    assert "Hồ sơ chưa được lưu." in html
    assert Dossier.objects.count() == 0 and DossierDocument.objects.count() == 0
    assert Attachment.objects.count() == 0 and DossierCodeSequence.objects.count() == 0


@pytest.mark.django_db
def test_nothing_ticked_is_refused(province: Province, login: Login) -> None:
    data = {k: v for k, v in form_data(province).items() if not k.endswith("_received")}
    response = login(province.counter).post(
        f"/can-bo/tiep-nhan/?thu_tuc={province.offering.pk}", data
    )
    assert response.status_code == 422
    assert "Đánh dấu ít nhất một giấy tờ" in response.content.decode()
    assert Dossier.objects.count() == 0


@pytest.mark.django_db
def test_postal_intake_is_refused_when_the_procedure_takes_no_postal_dossiers(
    province: Province, login: Login, clock: Any
) -> None:
    """The procedure's page says "Không nhận hồ sơ qua bưu chính" (its ways of filing have
    no postal row): the counter cannot receive it by post, and nothing is saved."""
    assert province.procedure.accepts_postal_submission is False
    data = form_data(province, channel="postal", postal_item_number="EB123456785VN")
    response = login(province.counter).post(
        f"/can-bo/tiep-nhan/?thu_tuc={province.offering.pk}", data
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Thủ tục này không nhận hồ sơ qua bưu chính" in html
    assert Dossier.objects.count() == 0 and Attachment.objects.count() == 0
    assert DossierCodeSequence.objects.count() == 0


@pytest.mark.django_db
def test_postal_intake_works_when_the_procedure_takes_postal_dossiers(
    province: Province, login: Login, clock: Any
) -> None:
    province.procedure.offers_postal_submission = True
    province.procedure.save(update_fields=["offers_postal_submission"])
    data = form_data(province, channel="postal", postal_item_number="eb 123456785 vn")
    response = login(province.counter).post(
        f"/can-bo/tiep-nhan/?thu_tuc={province.offering.pk}", data
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    dossier = Dossier.objects.get()
    assert (dossier.channel, dossier.postal_item_number) == ("postal", "EB123456785VN")
