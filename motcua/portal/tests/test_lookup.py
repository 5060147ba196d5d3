"""The public lookup: code + verifier, nothing revealed without both, rate limit."""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client, RequestFactory
from django.utils import timezone

from motcua.config.api import api
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.rules import Action
from motcua.dossiers.services import perform_action, receive_at_counter
from motcua.portal.api import LookupOut, PublicEventOut, lookup_json
from motcua.portal.models import LookupFailure
from motcua.portal.queries import PublicDossier, lookup_dossier
from motcua.portal.services import (
    CODE_FAILURE_LIMIT,
    LIMITER,
    LOOKUP_FAILURE_LIMIT,
    LOOKUP_WINDOW_SECONDS,
)
from motcua.testing.personas import APPLICANT, DOCUMENTS, Province
from motcua.testing.stories import august, citizen, paused_and_finished, supplemented
from motcua.testing.threads import in_a_thread, in_own_connection

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
API = "/api/v1/lookup"
PAGE = "/tra-cuu/"
PHONE_TAIL = APPLICANT.phone[-4:]  # 0912345678 -> 5678
ID_TAIL = APPLICANT.id_number[-4:]  # 089190001234 -> 1234


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=VN)


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


def test_a_result_returned_by_post_shows_its_postal_item_number(province: Province) -> None:
    p = province
    d = p.receive(return_method="post")
    p.process(d.code or "")
    perform_action(
        d.code or "",
        Action.RETURN_RESULT,
        acting_user=p.counter,
        postal_item_number="EL123456785VN",
    )
    body = lookup(Client(), d.code or "", PHONE_TAIL).json()
    assert body["status"] == "returned" and body["return_postal_item_number"] == "EL123456785VN"
    page = Client().post(PAGE, {"code": d.code, "verifier": PHONE_TAIL}).content.decode()
    assert "Số hiệu bưu gửi chứa kết quả" in page and "EL123456785VN" in page


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


# --------------------------------------------------------------------------- the body


def _schema_body(found: PublicDossier) -> bytes:
    """What ninja wrote when the operation returned the data for ``LookupOut``."""
    data = LookupOut.model_validate(
        {
            **asdict(found),
            "appointment_changed": found.appointment_changed,
            "current_appointment_at": found.appointment.current,
            "paused_time_added": found.appointment.paused_time_added,
        }
    ).model_dump()
    return api.create_response(RequestFactory().get(API), data, status=200).content


def _found(d: Dossier, verifier: str = PHONE_TAIL) -> PublicDossier:
    found = lookup_dossier(d.code or "", verifier).found
    assert found is not None
    return found


def test_the_body_is_exactly_what_the_schema_would_write(dossier: Dossier) -> None:
    response = lookup(Client(), dossier.code or "", PHONE_TAIL)
    assert response.status_code == 200
    assert response.content == _schema_body(_found(dossier))
    assert response["Content-Type"] == api.get_content_type() == "application/json; charset=utf-8"
    assert response["Cache-Control"] == "no-store"


def test_the_whole_body(dossier: Dossier) -> None:
    body = lookup(Client(), dossier.code or "", ID_TAIL).json()
    commune, police = "UBND phường Long Xuyên", "Công an tỉnh An Giang"

    def event(when: str, action: str, label: str, agency: str, reason: str = "") -> Any:
        return {
            "occurred_at": when,
            "action": action,
            "action_label": label,
            "agency": agency,
            "reason": reason,
        }

    assert body == {
        "code": dossier.code,
        "status": "in_progress",
        "status_label": "Đang xử lý",
        "national_status_code": 4,
        "national_status_label": "Đang xử lý",
        "procedure_name": dossier.procedure.name,
        "submitted_at": "2025-03-03T09:00:00+07:00",
        "received_at": "2025-03-03T09:00:00+07:00",
        "appointment_at": "2025-03-06T09:00:00+07:00",
        "new_appointment_at": "2025-03-10T17:00:00+07:00",
        "appointment_changed": True,
        "due_at": "2025-03-10T17:00:00+07:00",
        "current_appointment_at": "2025-03-10T17:00:00+07:00",
        "paused_time_added": False,
        "current_agency": commune,
        "finished_at": None,
        "returned_at": None,
        "return_postal_item_number": "",
        "events": [
            event("2025-03-03T09:00:00+07:00", "accept", "Tiếp nhận hồ sơ", commune),
            event("2025-03-03T09:30:00+07:00", "forward", "Chuyển bước tiếp theo", commune),
            event(
                "2025-03-03T10:00:00+07:00",
                "request_supplement",
                "Yêu cầu bổ sung, hoàn thiện hồ sơ",
                commune,
                "Bổ sung bản sao giấy chứng nhận kết hôn của cha mẹ",
            ),
            event("2025-03-04T09:00:00+07:00", "supplement", "Bổ sung hồ sơ", commune),
            event(
                "2025-03-04T10:00:00+07:00",
                "issue_apology",
                "Xin lỗi và hẹn lại ngày trả kết quả",
                commune,
                "Công an tỉnh cần xác minh nơi thường trú",
            ),
            event("2025-03-04T11:00:00+07:00", "forward", "Chuyển bước tiếp theo", commune),
            event("2025-03-04T14:00:00+07:00", "return_to_previous", "Trả lại bước trước", police),
        ],
    }
    assert list(body) == list(LookupOut.model_fields)
    assert list(body["events"][0]) == list(PublicEventOut.model_fields)


def test_a_dossier_without_events(dossier: Dossier) -> None:
    bare = Dossier.objects.get(pk=dossier.pk)
    bare.pk = None
    bare.code = "H01.30307-250303-0002"
    bare.new_appointment_at = None
    bare.due_at = bare.appointment_at
    bare.current_agency = None
    bare.save()
    response = lookup(Client(), "h01.30307-250303-0002", PHONE_TAIL)
    assert response.status_code == 200
    body = response.json()
    assert body["events"] == []
    assert body["current_agency"] == ""
    assert body["new_appointment_at"] is None and body["appointment_changed"] is False
    assert body["due_at"] == body["appointment_at"] == "2025-03-06T09:00:00+07:00"
    assert response.content == _schema_body(_found(bare))
    assert lookup(Client(), bare.code or "", "0000").status_code == 404


def test_events_of_the_applicant_of_the_system_and_of_an_agency(
    dossier: Dossier, province: Province
) -> None:
    def add(seq: int, action: Action, role: str, agency: Any, at: datetime, reason: str) -> None:
        DossierEvent.objects.create(
            dossier=dossier,
            seq=seq,
            occurred_at=at,
            action=action.value,
            actor_name="Ai đó",
            actor_role=role,
            actor_agency=agency,
            reason=reason,
        )

    add(8, Action.SUPPLEMENT, "applicant", None, at(5, 8, 1).replace(microsecond=123456), "x")
    add(9, Action.SUPPLEMENT, "applicant", province.commune, at(5, 8, 2), "")
    add(10, Action.STOP, "system", None, at(5, 8, 3).replace(microsecond=999999), "Hết hạn")
    add(11, Action.FORWARD, "specialist", province.police, at(5, 8, 4), "nội bộ")
    response = lookup(Client(), dossier.code or "", PHONE_TAIL)
    events = response.json()["events"][7:]
    assert [(e["agency"], e["reason"], e["occurred_at"]) for e in events] == [
        ("Người nộp hồ sơ", "", "2025-03-05T08:01:00.123+07:00"),
        ("Người nộp hồ sơ", "", "2025-03-05T08:02:00+07:00"),
        ("Hệ thống", "Hết hạn", "2025-03-05T08:03:00.999+07:00"),
        ("Công an tỉnh An Giang", "", "2025-03-05T08:04:00+07:00"),
    ]
    assert response.content == _schema_body(_found(dossier))


@pytest.mark.parametrize("zone", ["Asia/Ho_Chi_Minh", "UTC", "America/Sao_Paulo"])
def test_times_are_written_as_the_schema_writes_them(dossier: Dossier, zone: str) -> None:
    found = _found(dossier)
    with timezone.override(ZoneInfo(zone)):
        assert lookup_json(found).encode() == _schema_body(found)
    if zone == "UTC":
        with timezone.override(ZoneInfo(zone)):
            assert '"received_at": "2025-03-03T02:00:00Z"' in lookup_json(found)


def test_one_query_per_lookup(dossier: Dossier, django_assert_num_queries: Any) -> None:
    """The dossier, its events and the client's failure counts come in one statement;
    only a failure writes (one upsert per limiter, and clearing closed windows when a
    window opens)."""
    client = Client()
    code = dossier.code or ""
    with django_assert_num_queries(1):
        assert lookup(client, code, PHONE_TAIL).status_code == 200
    with django_assert_num_queries(1 + 2 + 2):  # read; two new windows, each purges
        assert lookup(client, code, "0000").status_code == 404
    with django_assert_num_queries(1 + 2 + 1):  # the code window is new, not the address's
        assert lookup(client, "H01.30307-250303-0999", PHONE_TAIL).status_code == 404
    with django_assert_num_queries(1):  # counted failures ride along with the read
        assert lookup(client, code, PHONE_TAIL).status_code == 200
    for _ in range(CODE_FAILURE_LIMIT - 1):
        lookup(client, code, "0000")
    with django_assert_num_queries(1):  # blocked: still one statement, nothing written
        assert lookup(client, code, PHONE_TAIL).status_code == 429


def test_the_code_is_a_bound_parameter(dossier: Dossier) -> None:
    for code in ("' OR '1'='1", f"{dossier.code}' --", "%s", "H01.%"):
        assert lookup(Client(), code, PHONE_TAIL).status_code == 404
    assert lookup(Client(), dossier.code or "", PHONE_TAIL).status_code == 200


def test_failures_are_kept_in_the_database_without_the_address(dossier: Dossier) -> None:
    """Every worker reads the same counts; the key is a digest, not the address or code."""
    client = Client()
    code = dossier.code or ""
    assert lookup(client, code, "0000", REMOTE_ADDR="203.0.113.7").status_code == 404
    rows = list(LookupFailure.objects.values_list("key", "failures"))
    assert sorted(n for _, n in rows) == [1, 1]
    assert not any("203.0.113.7" in key or code in key for key, _ in rows)
    assert {key.split(":")[0] for key, _ in rows} == {"lookup-failures", "lookup-code-failures"}


def test_closed_windows_are_deleted_when_a_window_opens(dossier: Dossier) -> None:
    client = Client()
    code = dossier.code or ""
    with time_machine.travel(datetime(2026, 5, 4, 9, tzinfo=VN), tick=False) as traveller:
        assert lookup(client, code, "0000").status_code == 404
        assert LookupFailure.objects.count() == 2
        traveller.shift(LOOKUP_WINDOW_SECONDS + 1)
        # Another client's first failure clears the closed windows of the first one.
        assert lookup(client, code, "0000", REMOTE_ADDR="10.9.9.9").status_code == 404
        assert LookupFailure.objects.count() == 2
        assert LookupFailure.objects.filter(failures=1).count() == 2


def test_a_closed_window_starts_again_at_one(dossier: Dossier) -> None:
    with time_machine.travel(datetime(2026, 5, 4, 9, tzinfo=VN), tick=False) as traveller:
        assert LIMITER.record_failure("10.0.0.8") == 1
        assert LIMITER.record_failure("10.0.0.8") == 2
        traveller.shift(LOOKUP_WINDOW_SECONDS)  # the window [start, start + 600) is over
        assert LIMITER.record_failure("10.0.0.8") == 1
        row = LookupFailure.objects.get(key=LIMITER.key("10.0.0.8"))
        assert row.window_start == int(datetime(2026, 5, 4, 9, 10, tzinfo=VN).timestamp())


@pytest.mark.django_db(transaction=True)
def test_concurrent_failures_are_all_counted(threads_database: Callable[[], None]) -> None:
    """Workers failing at once for one client: the database counts every failure."""
    threads, each = 8, 5
    threads_database()

    def fail() -> None:
        for _ in range(each):
            LIMITER.record_failure("198.51.100.4")

    with ThreadPoolExecutor(threads) as pool:
        for future in [pool.submit(in_own_connection(fail)) for _ in range(threads)]:
            future.result(timeout=60)
    key = LIMITER.key("198.51.100.4")
    row = in_a_thread(lambda: LookupFailure.objects.get(key=key))
    assert row.failures == threads * each


def test_the_openapi_schema_still_describes_the_answers() -> None:
    operation = api.get_openapi_schema()["paths"][API]["get"]
    responses = {str(status): answer for status, answer in operation["responses"].items()}
    assert responses["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/LookupOut"
    }
    assert set(responses) == {"200", "404", "422", "429"}
    assert {p["name"] for p in operation["parameters"]} == {"code", "verifier"}


def test_the_page_says_why_in_the_reader_s_language(dossier: Dossier) -> None:
    """The messages of the lookup follow the page's language; the API keeps Vietnamese."""
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = english.post(PAGE, {"code": dossier.code, "verifier": "0000"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "No dossier matches this code and verifier." in page
    assert "Không tìm thấy hồ sơ" not in page
    response = english.post(PAGE, {"code": dossier.code, "verifier": ""})
    assert "Please enter the last 4 digits" in response.content.decode()
    for _ in range(CODE_FAILURE_LIMIT):
        english.post(PAGE, {"code": dossier.code, "verifier": "0000"})
    response = english.post(PAGE, {"code": dossier.code, "verifier": PHONE_TAIL})
    assert response.status_code == 429
    assert "Please try again in 10 minutes" in response.content.decode()
    body = english.get(API, {"code": dossier.code, "verifier": "0000"}).json()
    assert body["message"].startswith("Bạn đã nhập sai")


# ------------------------------------------------------------------ the current appointment


def test_the_lookup_shows_the_appointment_the_back_office_works_to(province: Province) -> None:
    """Paused one working day, finished the morning after the receipt's appointment: the
    lookup shows the appointment in force (with the pause) and says why, not the receipt's
    alone, which made an on-time dossier look late."""
    d = paused_and_finished(province, citizen())
    d.refresh_from_db()
    body = lookup(Client(), d.code or "", PHONE_TAIL).json()
    assert body["appointment_at"] == "2025-08-13T13:54:00+07:00"
    assert body["current_appointment_at"] == "2025-08-14T13:54:00+07:00"
    assert datetime.fromisoformat(body["current_appointment_at"]) == d.due_at
    assert body["paused_time_added"] is True
    assert body["finished_at"] == "2025-08-14T08:06:00+07:00"

    html = Client().post(PAGE, {"code": d.code, "verifier": PHONE_TAIL}).content.decode()
    shown = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Ngày hẹn trả kết quả 13:54 ngày 14/08/2025" in shown
    assert (
        "Đã cộng thêm thời gian tạm dừng (chờ bổ sung hồ sơ, thực hiện nghĩa vụ tài chính) "
        "vào ngày hẹn 13:54 ngày 13/08/2025." in shown
    )
    assert "Hoàn thành lúc 08:06 ngày 14/08/2025" in shown


def test_while_the_clock_is_stopped_the_lookup_says_the_wait_will_be_added(
    province: Province,
) -> None:
    d = supplemented(province, citizen())
    d = perform_action(
        d, Action.REQUEST_PAYMENT, acting_user=province.specialist, at=august(12, 11)
    )
    html = Client().post(PAGE, {"code": d.code, "verifier": PHONE_TAIL}).content.decode()
    assert "Đang tạm dừng tính thời hạn: thời gian chờ sẽ được cộng thêm vào ngày hẹn." in html
    assert "13:54 ngày 14/08/2025" in html  # the supplement's day already added


def test_the_citizens_pages_show_the_same_appointment(province: Province) -> None:
    applicant = citizen()
    d = paused_and_finished(province, applicant)
    client = Client()
    client.force_login(applicant)
    mine = client.get("/ho-so-cua-toi/").content.decode()
    assert "13:54 14/08/2025" in mine and "(đã cộng thời gian tạm dừng)" in mine
    page = client.get(f"/ho-so-cua-toi/{d.code}/").content.decode()
    assert "<strong>13:54 ngày 14/08/2025</strong>" in page
    assert "vào ngày hẹn 13:54 ngày 13/08/2025" in page
