"""The public lookup: code + verifier, nothing revealed without both, rate limit."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from motcua.dossiers.models import Dossier
from motcua.dossiers.rules import Action
from motcua.dossiers.services import perform_action, receive_at_counter
from motcua.portal.services import (
    CODE_FAILURE_LIMIT,
    LOOKUP_FAILURE_LIMIT,
    LOOKUP_WINDOW_SECONDS,
)
from motcua.testing.personas import APPLICANT, DOCUMENTS, Province

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
API = "/api/v1/lookup"
PAGE = "/tra-cuu/"
PHONE_TAIL = APPLICANT.phone[-4:]  # 0912345678 -> 5678
ID_TAIL = APPLICANT.id_number[-4:]  # 089190001234 -> 1234


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=VN)


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def dossier(province: Province) -> Dossier:
    """Received, forwarded, a supplement asked and given, an apology with a new date."""
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
        reason="Bổ sung bản sao giấy chứng nhận kết hôn của cha mẹ",
        at=at(3, 10),
    )
    d = perform_action(d, Action.SUPPLEMENT, acting_user=p.counter, at=at(4, 9))
    d = perform_action(
        d,
        Action.ISSUE_APOLOGY,
        acting_user=p.leader,
        reason="Công an tỉnh cần xác minh nơi thường trú",
        new_due=at(10, 17),
        at=at(4, 10),
    )
    d = perform_action(d, Action.FORWARD, acting_user=p.specialist, at=at(4, 11))
    d = perform_action(
        d,
        Action.RETURN_TO_PREVIOUS,
        acting_user=p.police_officer,
        reason="Anh Minh ghi thiếu số nhà, gọi 0901000111",
        at=at(4, 14),
    )
    return d


def lookup(client: Client, code: str, verifier: str, **extra: Any) -> Any:
    return client.get(API, {"code": code, "verifier": verifier}, **extra)


@pytest.mark.parametrize("verifier", [PHONE_TAIL, ID_TAIL, APPLICANT.phone, "091 234 5678"])
def test_the_right_code_and_verifier_show_the_status(dossier: Dossier, verifier: str) -> None:
    response = lookup(Client(), dossier.code or "", verifier)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["code"] == dossier.code
    assert body["status"] == "in_progress"
    assert body["status_label"] == "Đang xử lý"
    assert body["national_status_code"] == 4
    assert body["national_status_label"] == "Đang xử lý"
    assert body["received_at"] == "2025-03-03T09:00:00+07:00"
    assert body["appointment_at"] == "2025-03-06T09:00:00+07:00"
    assert body["new_appointment_at"] == "2025-03-10T17:00:00+07:00"
    assert body["appointment_changed"] is True
    assert body["current_agency"] == "UBND phường Long Xuyên"
    assert response["Cache-Control"] == "no-store"


def test_the_code_is_read_forgivingly(dossier: Dossier) -> None:
    code = (dossier.code or "").lower()
    assert lookup(Client(), f"  {code} ", PHONE_TAIL).status_code == 200


def test_the_timeline_names_agencies_never_officers(dossier: Dossier, province: Province) -> None:
    response = lookup(Client(), dossier.code or "", PHONE_TAIL)
    body = response.json()
    events = body["events"]
    assert [e["action"] for e in events] == [
        "accept",
        "forward",
        "request_supplement",
        "supplement",
        "issue_apology",
        "forward",
        "return_to_previous",
    ]
    assert events[0]["agency"] == "UBND phường Long Xuyên"
    assert events[0]["action_label"] == "Tiếp nhận hồ sơ"
    # Reasons addressed to the applicant are shown; internal ones are not.
    assert events[2]["reason"].startswith("Bổ sung bản sao")
    assert events[4]["reason"] == "Công an tỉnh cần xác minh nơi thường trú"
    assert events[6]["reason"] == ""
    assert events[6]["agency"] == "Công an tỉnh An Giang"
    text = response.content.decode("unicode_escape")
    for secret in (
        "Trần Thị Thu",  # counter officer
        "Lê Văn Minh",  # specialist
        "Nguyễn Văn Hùng",  # leader
        "Võ Quốc Bảo",  # police officer
        "tn.longxuyen",
        APPLICANT.name,
        APPLICANT.phone,
        APPLICANT.id_number,
        APPLICANT.address,
        "0901000111",
    ):
        assert secret not in text, secret
    for field in ("applicant", "actor_name", "assignee", "phone", "id_number"):
        assert field not in body


def test_wrong_verifier_and_unknown_code_answer_the_same(dossier: Dossier) -> None:
    client = Client()
    wrong_verifier = lookup(client, dossier.code or "", "9999")
    unknown_code = lookup(client, "H01.30307-250303-0999", PHONE_TAIL)
    malformed = lookup(client, "không phải mã", PHONE_TAIL)
    letters = lookup(client, dossier.code or "", "abcd")
    for response in (wrong_verifier, unknown_code, malformed, letters):
        assert response.status_code == 404
    assert wrong_verifier.content == unknown_code.content == malformed.content == letters.content
    assert {k: v for k, v in wrong_verifier.items() if k.lower() != "date"} == {
        k: v for k, v in unknown_code.items() if k.lower() != "date"
    }
    body = wrong_verifier.json()
    assert body["code"] == "not_found"
    assert "4 số cuối" in body["message"]


def test_blank_fields_are_422_and_not_counted(dossier: Dossier) -> None:
    client = Client()
    for _ in range(LOOKUP_FAILURE_LIMIT + 2):
        response = lookup(client, dossier.code or "", "")
        assert response.status_code == 422
        assert response.json()["field"] == "verifier"
    response = lookup(client, "", PHONE_TAIL)
    assert response.status_code == 422 and response.json()["field"] == "code"
    assert lookup(client, dossier.code or "", PHONE_TAIL).status_code == 200


def test_repeated_failures_are_rate_limited_and_recover(dossier: Dossier) -> None:
    client = Client()
    code = dossier.code or ""
    with time_machine.travel(datetime(2026, 5, 4, 9, tzinfo=VN), tick=False) as traveller:
        for i in range(CODE_FAILURE_LIMIT):
            # Successes in between are not counted (and not blocked before the limit).
            assert lookup(client, code, PHONE_TAIL).status_code == 200
            assert lookup(client, code, f"{1000 + i}").status_code == 404
        blocked = lookup(client, code, PHONE_TAIL)  # even the right answer now waits
        assert blocked.status_code == 429
        body = blocked.json()
        assert body["code"] == "too_many_attempts"
        assert "thử lại sau 10 phút" in body["message"]
        assert blocked["Retry-After"] == str(LOOKUP_WINDOW_SECONDS)
        assert body["retry_after"] == LOOKUP_WINDOW_SECONDS

        # Another address is not affected.
        assert lookup(client, code, PHONE_TAIL, REMOTE_ADDR="10.1.2.3").status_code == 200

        traveller.shift(LOOKUP_WINDOW_SECONDS - 60)
        again = lookup(client, code, PHONE_TAIL)
        assert again.status_code == 429 and again["Retry-After"] == "60"
        assert "thử lại sau 1 phút" in again.json()["message"]

        traveller.shift(61)
        assert lookup(client, code, PHONE_TAIL).status_code == 200
        assert lookup(client, code, "0000").status_code == 404  # a new window


def test_one_locked_code_does_not_lock_out_the_whole_address(dossier: Dossier) -> None:
    client = Client()
    code = dossier.code or ""
    for _ in range(CODE_FAILURE_LIMIT):
        assert lookup(client, "H01.9-260101-0001", "1234").status_code == 404
    assert lookup(client, "H01.9-260101-0001", "1234").status_code == 429
    # Someone else at the same kiosk looks up their own dossier.
    assert lookup(client, code, PHONE_TAIL).status_code == 200


def test_scanning_many_codes_from_one_address_is_stopped(dossier: Dossier) -> None:
    client = Client()
    for i in range(LOOKUP_FAILURE_LIMIT):
        assert lookup(client, f"H01.9-260101-{i + 1:04d}", "1234").status_code == 404
    assert lookup(client, dossier.code or "", PHONE_TAIL).status_code == 429


def test_the_rate_limit_uses_the_forwarded_address_only_behind_a_trusted_proxy(
    dossier: Dossier, settings: Any
) -> None:
    client = Client()
    code = dossier.code or ""
    settings.MOTCUA_TRUSTED_PROXIES = 1
    for _ in range(CODE_FAILURE_LIMIT):
        lookup(client, code, "0000", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.9")
    assert (
        lookup(client, code, PHONE_TAIL, HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.9").status_code
        == 429
    )
    assert lookup(client, code, PHONE_TAIL, HTTP_X_FORWARDED_FOR="203.0.113.10").status_code == 200


# --------------------------------------------------------------------------- the page


def test_the_qr_link_prefills_the_code_and_asks_for_the_verifier(dossier: Dossier) -> None:
    response = Client().get(PAGE, {"code": dossier.code})
    assert response.status_code == 200
    page = response.content.decode()
    assert f'value="{dossier.code}"' in page
    assert 'name="verifier"' in page
    assert "4 số cuối" in page
    assert "Đang xử lý" not in page


def test_the_page_shows_the_status_for_the_right_verifier(dossier: Dossier) -> None:
    response = Client().post(PAGE, {"code": dossier.code, "verifier": ID_TAIL})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Đang xử lý" in page
    assert "Mã trạng thái quốc gia 4" in page
    assert "hẹn lại ngày trả kết quả: <strong>17:00 ngày 10/03/2025</strong>" in page
    assert "<s>09:00 ngày 06/03/2025</s>" in page
    assert "UBND phường Long Xuyên" in page
    assert "Bổ sung bản sao giấy chứng nhận kết hôn" in page
    for secret in ("Trần Thị Thu", "Lê Văn Minh", APPLICANT.name, APPLICANT.phone):
        assert secret not in page
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_page_reveals_nothing_for_a_wrong_verifier(dossier: Dossier) -> None:
    client = Client()
    code = dossier.code or ""
    unknown_code = code[:-4] + "0999"
    wrong = client.post(PAGE, {"code": code, "verifier": "0000"}).content.decode()
    unknown = client.post(PAGE, {"code": unknown_code, "verifier": PHONE_TAIL}).content.decode()
    assert "Không tìm thấy hồ sơ khớp" in wrong
    assert "Đang xử lý" not in wrong

    def comparable(html: str, typed_code: str) -> str:
        html = re.sub(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', "", html)
        return html.replace(f'value="{typed_code}"', 'value="<code>"')

    assert comparable(wrong, code) == comparable(unknown, unknown_code)


def test_the_page_is_rate_limited_too(dossier: Dossier) -> None:
    client = Client()
    for _ in range(LOOKUP_FAILURE_LIMIT):
        client.post(PAGE, {"code": dossier.code, "verifier": "0000"})
    response = client.post(PAGE, {"code": dossier.code, "verifier": PHONE_TAIL})
    assert response.status_code == 429
    assert response["Retry-After"]
    assert "quá nhiều lần" in response.content.decode()


def test_a_get_link_with_both_fields_looks_up(dossier: Dossier) -> None:
    response = Client().get(PAGE, {"code": dossier.code, "verifier": PHONE_TAIL})
    assert "Đang xử lý" in response.content.decode()


def test_the_nav_links_to_the_lookup(db: None) -> None:
    page = Client().get("/").content.decode()
    assert 'href="/tra-cuu/">Tra cứu hồ sơ</a>' in page
