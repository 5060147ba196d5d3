"""The staff second factor: TOTP enrolment on /can-bo/bao-mat/, the code after login."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.models import User
from motcua.audit.models import AuditEvent
from motcua.dossiers.models import Dossier
from motcua.testing.personas import Province

Login = Callable[[User], Client]


def code_of(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def wrong_code(device: TOTPDevice) -> str:
    return f"{(int(code_of(device)) + 1) % 1_000_000:06d}"


@pytest.mark.django_db
def test_a_staff_user_enrols_an_app_with_a_qr_code(province: Province, login: Login) -> None:
    client = login(province.counter)
    page = client.get("/can-bo/bao-mat/")
    assert "Bật xác thực hai lớp" in page.content.decode()
    assert client.post("/can-bo/bao-mat/", {"start": "1"}).status_code == 302
    page = client.get("/can-bo/bao-mat/")
    html = page.content.decode()
    assert "<svg" in html and "Bước 2" in html
    device = TOTPDevice.objects.get(user=province.counter)
    assert not device.confirmed

    refused = client.post("/can-bo/bao-mat/", {"token": wrong_code(device)})
    assert refused.status_code == 422
    assert "Mã xác thực không đúng" in refused.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    done = client.post("/can-bo/bao-mat/", {"token": code_of(device)})
    assert done.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="accounts.totp_enabled").count() == 1
    # This session was verified by the confirmation: the back office stays open.
    assert client.get("/can-bo/").status_code == 200
    assert "Đã bật xác thực hai lớp" in client.get("/can-bo/bao-mat/").content.decode()


@pytest.mark.django_db
def test_a_user_with_a_device_must_enter_the_code(
    province: Province, login: Login, received: Dossier
) -> None:
    device = TOTPDevice.objects.create(user=province.counter, name="app", confirmed=True)
    client = login(province.counter)
    for url in ("/can-bo/", f"/can-bo/ho-so/{received.code}/", "/can-bo/tiep-nhan/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/can-bo/xac-thuc/?next=")
    # Nothing can be done either.
    version = received.version
    client.post(f"/can-bo/ho-so/{received.code}/thao-tac/forward/", {"expected_version": version})
    received.refresh_from_db()
    assert received.version == version

    refused = client.post("/can-bo/xac-thuc/", {"token": wrong_code(device), "next": "/can-bo/"})
    assert refused.status_code == 422
    assert "Mã xác thực không đúng" in refused.content.decode()
    assert client.get("/can-bo/").status_code == 302

    ok = client.post("/can-bo/xac-thuc/", {"token": code_of(device), "next": "/can-bo/tiep-nhan/"})
    assert ok.status_code == 302 and ok["Location"] == "/can-bo/tiep-nhan/"
    assert client.get("/can-bo/").status_code == 200
    assert client.get(f"/can-bo/ho-so/{received.code}/").status_code == 200


@pytest.mark.django_db
def test_the_code_page_never_redirects_off_site(province: Province, login: Login) -> None:
    device = TOTPDevice.objects.create(user=province.leader, name="app", confirmed=True)
    client = login(province.leader)
    response = client.post(
        "/can-bo/xac-thuc/", {"token": code_of(device), "next": "https://example.com/x"}
    )
    assert response.status_code == 302 and response["Location"] == "/can-bo/"


@pytest.mark.django_db
def test_users_without_a_device_are_not_asked_for_a_code(province: Province, login: Login) -> None:
    client = login(province.specialist)
    assert client.get("/can-bo/").status_code == 200
    assert client.get("/can-bo/xac-thuc/?next=/can-bo/tong-quan/")["Location"] == (
        "/can-bo/tong-quan/"
    )


@pytest.mark.django_db
def test_the_admin_site_also_asks_for_the_code(province: Province, login: Login) -> None:
    admin = User.objects.create_superuser("root.admin", password="Mot-cua-2025!")
    device = TOTPDevice.objects.create(user=admin, name="app", confirmed=True)
    client = login(admin)
    response = client.get("/quan-tri/")
    assert response.status_code == 302
    assert response["Location"].startswith("/can-bo/xac-thuc/?next=/quan-tri/")
    assert client.get("/quan-tri/login/").status_code in (200, 302)
    client.post("/can-bo/xac-thuc/", {"token": code_of(device), "next": "/quan-tri/"})
    assert client.get("/quan-tri/").status_code == 200


@pytest.mark.django_db
def test_the_admin_site_without_a_device_needs_no_code(province: Province, login: Login) -> None:
    admin = User.objects.create_superuser("root.admin", password="Mot-cua-2025!")
    assert login(admin).get("/quan-tri/").status_code == 200
