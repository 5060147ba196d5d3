"""Who may open which back-office page; the others get a login redirect, 403 or 404 and
nothing changes."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.test import Client

from motcua.accounts.models import User
from motcua.agencies.models import Agency
from motcua.agencies.services import save_agency
from motcua.backoffice.tests.conftest import PDF
from motcua.catalog.models import ProcedureOffering
from motcua.dossiers.access import visible_dossiers
from motcua.dossiers.attachment_services import add_attachment
from motcua.dossiers.models import Attachment, Dossier, DossierEvent
from motcua.dossiers.services import receive_at_counter
from motcua.testing.personas import APPLICANT, Province

Login = Callable[[User], Client]
PAGES = [
    "/can-bo/",
    "/can-bo/tiep-nhan/",
    "/can-bo/tong-quan/",
    "/can-bo/so-theo-doi/",
    "/can-bo/thong-bao/",
    "/can-bo/bao-mat/",
    "/can-bo/xac-thuc/",
]


def dossier_urls(dossier: Dossier, attachment: Attachment) -> list[str]:
    base = f"/can-bo/ho-so/{dossier.code}/"
    return [
        base,
        f"{base}tep/{attachment.pk}/",
        f"{base}in/01/",
        f"/can-bo/tiep-nhan/{dossier.code}/",
    ]


@pytest.fixture
def scan(province: Province, received: Dossier) -> Attachment:
    return add_attachment(
        received, io.BytesIO(PDF), original_name="to-khai.pdf", acting_user=province.counter
    )


@pytest.mark.django_db
def test_anonymous_users_go_to_the_login_page(received: Dossier, scan: Attachment) -> None:
    client = Client()
    for url in PAGES + dossier_urls(received, scan):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/dang-nhap/?next="), url
    response = client.post(
        f"/can-bo/ho-so/{received.code}/thao-tac/forward/", {"expected_version": 1}
    )
    assert response.status_code == 302
    received.refresh_from_db()
    assert received.version == 1


@pytest.mark.django_db
def test_citizens_are_refused(province: Province, received: Dossier, scan: Attachment) -> None:
    citizen = User.objects.create_user("congdan", password="x", kind=User.Kind.CITIZEN)
    client = Client()
    client.force_login(citizen)
    for url in PAGES + dossier_urls(received, scan):
        assert client.get(url).status_code == 403, url


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["outsider", "outsider_counter", "outsider_leader"])
def test_staff_of_another_commune_cannot_see_or_touch_the_dossier(
    province: Province, login: Login, received: Dossier, scan: Attachment, persona: str
) -> None:
    client = login(getattr(province, persona))
    for url in dossier_urls(received, scan):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"to-khai.pdf" not in response.content
        assert APPLICANT.name.encode() not in response.content
    base = f"/can-bo/ho-so/{received.code}/"
    events = DossierEvent.objects.count()
    assert client.post(f"{base}thao-tac/forward/", {"expected_version": 1}).status_code == 404
    upload = io.BytesIO(PDF)
    upload.name = "them.pdf"
    assert client.post(f"{base}tai-len/", {"files": upload}).status_code == 404
    received.refresh_from_db()
    assert received.version == 1 and DossierEvent.objects.count() == events
    assert Attachment.objects.count() == 1
    listing = client.get("/can-bo/?tab=all&q=nhung")
    assert received.code.encode() not in listing.content


@pytest.mark.django_db
def test_pages_are_for_the_roles_that_use_them(province: Province, login: Login) -> None:
    expected = {
        province.counter: {"/can-bo/tiep-nhan/": 200, "/can-bo/tong-quan/": 403},
        province.specialist: {"/can-bo/tiep-nhan/": 403, "/can-bo/so-theo-doi/": 403},
        province.leader: {"/can-bo/tong-quan/": 200, "/can-bo/so-theo-doi/": 200},
        province.unit_head: {"/can-bo/tong-quan/": 200, "/can-bo/tiep-nhan/": 403},
        province.clerk: {"/can-bo/tong-quan/": 403, "/can-bo/": 200},
    }
    for user, pages in expected.items():
        client = login(user)
        for url, status in pages.items():
            assert client.get(url).status_code == status, (user.username, url)


@pytest.mark.django_db
def test_a_one_stop_unit_sees_what_it_received_for_another_agency(
    province: Province, login: Login, clock: object
) -> None:
    # Centers and one-stop units receive any procedure of the province (Decree 118 art. 14).
    offering = ProcedureOffering.objects.create(
        agency=province.police, procedure=province.procedure
    )
    dossier = receive_at_counter(
        acting_user=province.counter, offering=offering, applicant=APPLICANT
    )
    assert visible_dossiers(province.counter).filter(pk=dossier.pk).exists()
    assert login(province.counter).get(f"/can-bo/ho-so/{dossier.code}/").status_code == 200


@pytest.mark.django_db
def test_a_counter_cannot_receive_a_procedure_of_another_province(
    province: Province, login: Login
) -> None:
    other = save_agency(
        Agency(code="H02", name="UBND tỉnh khác", kind="peoples_committee", level="province")
    )
    offering = ProcedureOffering.objects.create(agency=other, procedure=province.procedure)
    response = login(province.counter).get(f"/can-bo/tiep-nhan/?thu_tuc={offering.pk}")
    assert response.status_code == 404
