"""A NUL character in any text input is refused before any view runs: PostgreSQL cannot
store or compare text holding one (a 500 before), SQLite would store it.

Every way in is covered: the URL path, the query string, form fields (urlencoded and
multipart, file names too), JSON bodies, cookies. A page gets a Vietnamese (or English)
message page, the API a JSON body with ``detail``; nothing is saved.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.accounts.models import User
from motcua.audit.models import AuditEvent
from motcua.dossiers.models import Dossier
from motcua.portal.applications import Registration, register_citizen
from motcua.testing.personas import PASSWORD, Province

pytestmark = pytest.mark.django_db

NUL = "\x00"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CITIZEN_ID = "089190004321"


def _citizen() -> User:
    return register_citizen(
        Registration(
            full_name="Phạm Thị Citizen",
            id_number=CITIZEN_ID,
            phone="0987654321",
            email="",
            password=PASSWORD,
        )
    )


def _client(who: User | None) -> Client:
    client = Client()
    if who is not None:
        client.force_login(who)
    return client


def _applicant(p: Province, **extra: Any) -> dict[str, Any]:
    return {
        "applicant_name": f"Nguyễn{NUL}Văn An",
        "applicant_phone": "0912345678",
        "applicant_id_number": "089190001234",
        "channel": "in_person",
        "return_method": "counter",
        "sets_count": "1",
        **extra,
    }


#: (name, who, method, path, data, content type); "{offering}" is the province's offering.
CASES: list[tuple[str, str | None, str, str, Any, str | None]] = [
    ("api lookup", None, "get", "/api/v1/lookup?code=A%00B&verifier=1234", None, None),
    ("public lookup", None, "get", "/tra-cuu/?code=A%00B&verifier=1234", None, None),
    ("procedure page", None, "get", "/thu-tuc/A%00B/", None, None),
    ("catalog search", None, "get", "/thu-tuc/?q=khai%00sinh", None, None),
    ("home, a NUL in a parameter's name", None, "get", "/?a%00b=1", None, None),
    ("login", None, "post", "/dang-nhap/", {"username": f"a{NUL}b", "password": "x"}, None),
    (
        "signup",
        None,
        "post",
        "/dang-ky/",
        {"full_name": f"A{NUL}", "id_number": "089190009999", "phone": "0912345678"},
        None,
    ),
    ("worklist search", "counter", "get", "/can-bo/?q=nhung%00", None, None),
    ("dossier page", "counter", "get", "/can-bo/ho-so/H01%00/", None, None),
    ("intake", "counter", "post", "/can-bo/tiep-nhan/?thu_tuc={offering}", "applicant", None),
    (
        "intake, multipart",
        "counter",
        "post",
        "/can-bo/tiep-nhan/?thu_tuc={offering}",
        "applicant-multipart",
        None,
    ),
    ("citizen's dossier", "citizen", "get", "/ho-so-cua-toi/H01%00/", None, None),
    ("citizen's list", "citizen", "get", "/ho-so-cua-toi/?q=%00", None, None),
    (
        "online application",
        "citizen",
        "post",
        "/nop-truc-tuyen/{offering}/",
        {"applicant_name": f"A{NUL}", "applicant_phone": "0912345678", "confirm": "on"},
        None,
    ),
    (
        "api intake (JSON escape)",
        "counter",
        "post",
        "/api/v1/dossiers",
        '{"offering_id": {offering}, "applicant": {"name": "A\\u0000", "phone": "0912345678"}}',
        "application/json",
    ),
    (
        "api intake (raw NUL in JSON)",
        "counter",
        "post",
        "/api/v1/dossiers",
        json.dumps(
            {"offering_id": "{offering}", "applicant": {"name": f"A{NUL}", "phone": "0912345678"}}
        ),
        "application/json",
    ),
    ("api list", "counter", "get", "/api/v1/dossiers?q=%00", None, None),
]


@pytest.mark.parametrize(
    ("who", "method", "path", "data", "content_type"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_a_nul_character_is_refused_with_a_clear_400(
    province: Province,
    who: str | None,
    method: str,
    path: str,
    data: Any,
    content_type: str | None,
) -> None:
    p = province
    people = {"counter": p.counter, "citizen": _citizen() if who == "citizen" else None}
    client = _client(people.get(who) if who else None)
    path = path.replace("{offering}", str(p.offering.pk))
    if data == "applicant":
        data = _applicant(p)
    elif data == "applicant-multipart":
        scan = SimpleUploadedFile("to-khai.pdf", PDF, content_type="application/pdf")
        data = {**_applicant(p), "scans": scan}
    elif isinstance(data, str):
        data = data.replace('"{offering}"', str(p.offering.pk)).replace(
            "{offering}", str(p.offering.pk)
        )
    before = (Dossier.objects.count(), AuditEvent.objects.count(), User.objects.count())
    if method == "get":
        response = client.get(path)
    elif content_type:
        response = client.post(path, data, content_type=content_type)
    else:
        response = client.post(path, data)
    assert response.status_code == 400, response.content[:300]
    assert (Dossier.objects.count(), AuditEvent.objects.count(), User.objects.count()) == before
    if path.startswith("/api/"):
        body = response.json()
        assert "NUL" in body["detail"] and body["code"] == "invalid_input"
    else:
        html = response.content.decode()
        assert '<html lang="vi">' in html
        assert "ký tự không hợp lệ" in html and "Yêu cầu không hợp lệ" in html
        assert NUL not in html


def test_the_message_page_is_in_english_on_request(province: Province) -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/tra-cuu/?code=A%00B&verifier=1234")
    assert response.status_code == 400
    html = response.content.decode()
    assert '<html lang="en">' in html and "Invalid request" in html
    assert "Yêu cầu không hợp lệ" not in html


def test_a_session_cookie_holding_a_nul_is_refused(province: Province) -> None:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = f"abcdefgh{NUL}ijkl"
    response = client.get("/")
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in response.content.decode()


def test_ordinary_text_passes(province: Province) -> None:
    """Vietnamese text, a percent sign, an escaped backslash before ``u0000`` in JSON (a
    literal text, not a NUL): all reach the views."""
    assert Client().get("/thu-tuc/?q=khai%20sinh%2520").status_code == 200
    assert Client().get("/tra-cuu/?code=H01&verifier=1234").status_code in {200, 404}
    counter = _client(province.counter)
    body = (
        '{"offering_id": OFFERING, "applicant": {"name": "A\\\\u0000", "phone": "0912345678"}}'
    ).replace("OFFERING", str(province.offering.pk))
    response = counter.post("/api/v1/dossiers", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["applicant_name"] == "A\\u0000"
