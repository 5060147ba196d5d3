"""The dossier API: the permission matrix, and the typed error bodies.

Every caller of the matrix either succeeds or is refused with nothing changed: the
dossier row (version included), its steps, its events and the audit log stay as they
were.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from motcua.accounts.models import User
from motcua.accounts.roles import Role
from motcua.accounts.services import create_staff_user
from motcua.audit.models import AuditEvent
from motcua.dossiers.models import Dossier, DossierEvent, DossierStep
from motcua.dossiers.rules import Action, Status
from motcua.dossiers.services import allowed_actions_for, perform_action, receive_at_counter
from motcua.integrations.services import issue_token
from motcua.testing.personas import APPLICANT, DOCUMENTS, PASSWORD, Province

VN = ZoneInfo("Asia/Ho_Chi_Minh")
API = "/api/v1/dossiers"

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------- callers


@dataclass
class Caller:
    client: Client
    headers: dict[str, str]

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params, headers=self.headers)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.post(path, body, content_type="application/json", headers=self.headers)


def _session(user: User) -> Caller:
    client = Client()
    client.force_login(user)
    return Caller(client, {})


def _token(secret: str) -> Caller:
    return Caller(Client(), {"Authorization": f"Bearer {secret}"})


def _tthc_control(p: Province) -> User:
    assert p.commune.parent is not None
    return create_staff_user(
        "ks.tthc",
        full_name="Trương Văn Kiểm",
        agency=p.commune.parent,
        roles=[Role.TTHC_CONTROL],
        password=PASSWORD,
    )


def caller(p: Province, who: str) -> Caller:
    if who == "anonymous":
        return Caller(Client(), {})
    if who == "other_token":
        _, secret = issue_token(
            agency=p.other_commune,
            name="Hệ thống của phường Châu Đốc",
            roles=[Role.COUNTER_OFFICER, Role.SPECIALIST, Role.AGENCY_LEADER],
        )
        return _token(secret)
    if who == "own_token":
        _, secret = issue_token(
            agency=p.commune,
            unit=p.one_stop,
            name="Kiosk tiếp nhận",
            roles=[Role.COUNTER_OFFICER],
        )
        return _token(secret)
    if who == "tthc_control":
        return _session(_tthc_control(p))
    return _session(getattr(p, who))


# --------------------------------------------------------------------------- dossiers


def received(p: Province) -> Dossier:
    return receive_at_counter(
        acting_user=p.counter, offering=p.offering, applicant=APPLICANT, documents=DOCUMENTS
    )


def in_progress(p: Province) -> Dossier:
    return perform_action(received(p), Action.FORWARD, acting_user=p.counter)


STATES = {"received": received, "in_progress": in_progress}


def snapshot(dossier: Dossier) -> dict[str, Any]:
    return {
        "row": Dossier.objects.filter(pk=dossier.pk).values().get(),
        "steps": list(DossierStep.objects.filter(dossier=dossier).order_by("pk").values()),
        "events": DossierEvent.objects.filter(dossier=dossier).count(),
        "audit": AuditEvent.objects.count(),
    }


# --------------------------------------------------------------------------- the matrix

PERSONAS = [
    "counter",  # cán bộ tiếp nhận of the commune's one-stop unit
    "specialist",  # chuyên viên of the right unit (Văn hóa - Xã hội)
    "outsider",  # chuyên viên of another commune
    "leader",  # lãnh đạo of the commune
    "other_token",  # an integration of another commune (counter, specialist, leader roles)
    "anonymous",
    "tthc_control",  # sees the whole province, acts on nothing
    "own_token",  # an integration of the commune's one-stop unit (counter role)
]

# (state, action, extra body)
CASES = {
    "forward@received": ("received", Action.FORWARD, {}),
    "supplement@in_progress": (
        "in_progress",
        Action.REQUEST_SUPPLEMENT,
        {"reason": "Thiếu bản sao giấy chứng nhận kết hôn"},
    ),
    "forward@in_progress": ("in_progress", Action.FORWARD, {}),
    "reject@in_progress": ("in_progress", Action.REJECT, {"reason": "Không đủ điều kiện"}),
}

# persona -> expected status per case, in CASES order.
MATRIX: dict[str, tuple[int, int, int, int]] = {
    "counter": (200, 409, 409, 409),
    "specialist": (409, 200, 200, 409),
    "outsider": (404, 404, 404, 404),
    # The leader signs and decides (refusal, stop, apology); the steps of the specialists
    # are not theirs to move (``dossiers.policy``).
    "leader": (409, 409, 409, 200),
    "other_token": (404, 404, 404, 404),
    "anonymous": (401, 401, 401, 401),
    "tthc_control": (403, 403, 403, 403),
    "own_token": (200, 409, 409, 409),
}
ERROR_CODES = {
    401: "unauthorized",
    403: "permission_denied",
    404: "not_found",
    409: "action_not_allowed",
}
DETAIL = {
    "counter": 200,
    "specialist": 200,
    "outsider": 404,
    "leader": 200,
    "other_token": 404,
    "anonymous": 401,
    "tthc_control": 200,
    "own_token": 200,
}
INTAKE = {
    "counter": 201,
    "specialist": 403,
    "outsider": 403,
    "leader": 403,
    "other_token": 403,
    "anonymous": 401,
    "tthc_control": 403,
    "own_token": 201,
}


def test_the_matrix_covers_every_persona_and_case() -> None:
    assert set(MATRIX) == set(PERSONAS) == set(DETAIL) == set(INTAKE)
    assert all(len(row) == len(CASES) for row in MATRIX.values())


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("who", PERSONAS)
def test_permission_matrix_actions(province: Province, who: str, case: str) -> None:
    p = province
    state, action, extra = CASES[case]
    expected = MATRIX[who][list(CASES).index(case)]
    dossier = STATES[state](p)
    api = caller(p, who)
    before = snapshot(dossier)

    response = api.post(
        f"{API}/{dossier.code}/actions",
        {"action": action.value, "expected_version": dossier.version, **extra},
    )

    assert response.status_code == expected, response.content
    body = response.json()
    if expected == 200:
        assert body["version"] == dossier.version + 1
        assert body["events"][-1]["action"] == action.value
        assert DossierEvent.objects.filter(dossier=dossier).count() == before["events"] + 1
        return
    assert body["code"] == ERROR_CODES[expected]
    assert body["message"]
    if expected == 409:
        assert isinstance(body["allowed_actions"], list)
        assert action.value not in body["allowed_actions"]
    # Refused: nothing changed.
    assert snapshot(dossier) == before


@pytest.mark.parametrize("who", PERSONAS)
def test_permission_matrix_detail(province: Province, who: str) -> None:
    dossier = in_progress(province)
    response = caller(province, who).get(f"{API}/{dossier.code}")
    assert response.status_code == DETAIL[who], response.content
    if DETAIL[who] == 200:
        body = response.json()
        assert body["code"] == dossier.code
        assert body["status"] == Status.IN_PROGRESS
        assert body["national_status_code"] == 4
        assert body["version"] == dossier.version


@pytest.mark.parametrize("who", PERSONAS)
def test_permission_matrix_intake(province: Province, who: str) -> None:
    p = province
    before = (Dossier.objects.count(), DossierEvent.objects.count())
    response = caller(p, who).post(
        API,
        {
            "offering_id": p.offering.pk,
            "applicant": {"name": "Lê Thị Hoa", "phone": "0987 654 321"},
            "documents": [{"name": "Giấy chứng sinh", "original_count": 1}],
        },
    )
    assert response.status_code == INTAKE[who], response.content
    if INTAKE[who] == 201:
        body = response.json()
        assert body["status"] == Status.RECEIVED
        assert body["code"].startswith("H01.30307-")
        assert body["receipt_url"] == f"{API}/{body['code']}/forms/01.pdf"
        assert body["documents"] == [
            {"name": "Giấy chứng sinh", "original_count": 1, "copy_count": 0}
        ]
    else:
        assert (Dossier.objects.count(), DossierEvent.objects.count()) == before


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("counter", 2),
        ("specialist", 2),
        ("outsider", 0),
        ("other_token", 0),
        ("tthc_control", 2),
        ("own_token", 2),
    ],
)
def test_the_list_holds_only_visible_dossiers(province: Province, who: str, visible: int) -> None:
    received(province)
    in_progress(province)
    response = caller(province, who).get(API)
    assert response.status_code == 200
    assert response.json()["count"] == visible


# --------------------------------------------------------------------------- list filters


def test_list_filters_search_and_pagination(province: Province) -> None:
    p = province
    first = received(p)
    second = in_progress(p)
    other = receive_at_counter(
        acting_user=p.counter,
        offering=p.offering,
        applicant=APPLICANT.__class__(name="Đặng Văn Đức", phone="0909111222"),
    )
    api = _session(p.counter)

    def codes(**params: Any) -> list[str]:
        response = api.get(API, **params)
        assert response.status_code == 200, response.content
        return [item["code"] for item in response.json()["items"]]

    assert codes() == [other.code, second.code, first.code]  # newest first
    assert codes(status="in_progress") == [second.code]
    assert codes(status="4") == [second.code]  # national code
    assert sorted(codes(status="received,in_progress")) == sorted(
        [first.code, second.code, other.code]
    )
    # Accent-insensitive: "dang van duc" finds "Đặng Văn Đức"; the phone and code too.
    assert codes(q="dang van duc") == [other.code]
    assert codes(q="ĐẶNG VĂN") == [other.code]
    assert codes(q="0909111222") == [other.code]
    assert codes(q=first.code.lower()) == [first.code]
    assert codes(limit=1, offset=1) == [second.code]
    page = api.get(API, limit=1).json()
    assert page["count"] == 3 and page["limit"] == 1 and page["offset"] == 0

    Dossier.objects.filter(pk=first.pk).update(due_at=datetime(2020, 1, 1, tzinfo=VN))
    assert codes(due="overdue") == [first.code]
    assert first.code not in codes(due="due_soon")


def test_list_rejects_unknown_status_and_bad_paging(province: Province) -> None:
    api = _session(province.counter)
    response = api.get(API, status="flying")
    assert response.status_code == 422
    assert response.json()["field"] == "status"
    response = api.get(API, limit=1000)
    assert response.status_code == 422
    assert response.json()["field"] == "limit"
    response = api.get(API, due="tomorrow")
    assert response.status_code == 422
    assert response.json()["field"] == "due"


# --------------------------------------------------------------------------- detail


def test_detail_has_steps_events_allowed_actions_and_forms(province: Province) -> None:
    p = province
    dossier = in_progress(p)
    body = _session(p.specialist).get(f"{API}/{dossier.code}").json()
    assert body["procedure"]["code"] == "2.000986"
    assert body["deciding_agency"] == {"code": "H01.30307", "name": "UBND phường Long Xuyên"}
    assert body["intake_agency"]["code"] == "H01.30307.1"
    assert body["national_status_label"] == "Đang xử lý"
    assert body["appointment_at"] and body["due_at"]
    assert [s["name"] for s in body["steps"]][:2] == ["Tiếp nhận hồ sơ", "Đăng ký khai sinh"]
    assert body["steps"][0]["state"] == "done" and body["steps"][0]["timeliness"]
    assert body["steps"][1]["state"] == "active" and body["steps"][1]["due_at"]
    assert [e["action"] for e in body["events"]] == ["accept", "forward"]
    assert body["events"][0]["actor_name"] == "Trần Thị Thu"
    expected = [a.value for a in allowed_actions_for(p.specialist, dossier)]
    assert [a["action"] for a in body["allowed_actions"]] == expected
    assert "forward" in expected and "request_supplement" in expected
    assert {f["code"] for f in body["forms"]} == {"01", "06"}
    assert body["receipt_url"].endswith("/forms/01.pdf")


def test_forms_are_pdf(province: Province) -> None:
    p = province
    dossier = in_progress(p)
    api = _session(p.counter)
    response = api.get(f"{API}/{dossier.code}/forms/01.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    # A form whose action has not happened: 422 naming the form.
    response = api.get(f"{API}/{dossier.code}/forms/03.pdf")
    assert response.status_code == 422
    assert response.json()["field"] == "form"
    response = api.get(f"{API}/{dossier.code}/forms/99.pdf")
    assert response.status_code == 422
    # Someone who may not see the dossier cannot print it either.
    response = _session(p.outsider).get(f"{API}/{dossier.code}/forms/01.pdf")
    assert response.status_code == 404


# --------------------------------------------------------------------------- error shapes


def test_404_is_the_same_for_unknown_and_invisible_dossiers(province: Province) -> None:
    p = province
    dossier = received(p)
    api = _session(p.outsider)
    invisible = api.get(f"{API}/{dossier.code}")
    unknown = api.get(f"{API}/H01.30307-250101-9999")
    assert invisible.status_code == unknown.status_code == 404
    assert invisible.content == unknown.content
    assert invisible.json()["code"] == "not_found"
    acting = api.post(f"{API}/{dossier.code}/actions", {"action": "forward", "expected_version": 1})
    assert acting.status_code == 404 and acting.content == unknown.content


def test_422_names_the_field(province: Province) -> None:
    p = province
    dossier = in_progress(p)
    api = _session(p.specialist)
    url = f"{API}/{dossier.code}/actions"

    def error(body: dict[str, Any]) -> dict[str, Any]:
        response = api.post(url, body)
        assert response.status_code == 422, response.content
        data: dict[str, Any] = response.json()
        assert data["code"] == "invalid_input" and data["message"]
        return data

    assert error({"action": "fly", "expected_version": dossier.version})["field"] == "action"
    assert error({"action": "forward"})["field"] == "expected_version"
    assert error({"action": "request_supplement", "expected_version": dossier.version})[
        "field"
    ] == ("reason")
    leader = _session(p.leader)
    response = leader.post(
        url,
        {
            "action": "issue_apology",
            "expected_version": dossier.version,
            "reason": "Chờ xác minh",
            "new_due": "ngày mai",
        },
    )
    assert response.status_code == 422 and response.json()["field"] == "new_due"
    response = leader.post(
        url, {"action": "assign", "expected_version": dossier.version, "assignee": "nobody"}
    )
    assert response.status_code == 422 and response.json()["field"] == "assignee"
    assert snapshot(dossier)["row"]["version"] == dossier.version

    counter = _session(p.counter)
    response = counter.post(API, {"offering_id": p.offering.pk, "applicant": {"name": "An"}})
    assert response.status_code == 422 and response.json()["field"] == "applicant_phone"
    response = counter.post(API, {"offering_id": 999999, "applicant": {"name": "An"}})
    assert response.status_code == 422 and response.json()["field"] == "offering_id"
    response = counter.post(
        API,
        {
            "procedure_code": "2.000986",
            "agency_code": "H01.40",
            "applicant": {"name": "An", "phone": "0912345678"},
        },
    )
    assert response.status_code == 422 and response.json()["field"] == "procedure_code"
    response = counter.post(API, {"offering_id": p.offering.pk})
    assert response.status_code == 422 and response.json()["field"] == "applicant"


def test_intake_by_procedure_and_agency_code(province: Province) -> None:
    province.procedure.offers_postal_submission = True
    province.procedure.save(update_fields=["offers_postal_submission"])
    response = _session(province.counter).post(
        API,
        {
            "procedure_code": "2.000986",
            "agency_code": "h01.30307",
            "applicant": {"name": "Võ Thị Sáu", "id_number": "089190009999"},
            "channel": "postal",
            "postal_item_number": "EB123456785VN",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["channel"] == "postal" and body["postal_item_number"] == "EB123456785VN"


def test_postal_intake_of_a_procedure_without_postal_filing_is_422(province: Province) -> None:
    """The catalog says the procedure takes no postal dossiers: refused, nothing saved."""
    response = _session(province.counter).post(
        API,
        {
            "offering_id": province.offering.pk,
            "applicant": {"name": "Võ Thị Sáu", "id_number": "089190009999"},
            "channel": "postal",
            "postal_item_number": "EB123456785VN",
        },
    )
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["field"] == "channel"
    assert "Thủ tục này không nhận hồ sơ qua bưu chính" in body["message"]
    assert not Dossier.objects.exists()


@pytest.mark.parametrize("number", ["EB123456789VN", "12", "EB 1234-5678 VN", "ÉB123456785VN"])
def test_a_malformed_postal_item_number_is_422(province: Province, number: str) -> None:
    province.procedure.offers_postal_submission = True
    province.procedure.save(update_fields=["offers_postal_submission"])
    response = _session(province.counter).post(
        API,
        {
            "offering_id": province.offering.pk,
            "applicant": {"name": "Võ Thị Sáu", "id_number": "089190009999"},
            "channel": "postal",
            "postal_item_number": number,
        },
    )
    assert response.status_code == 422, response.content
    assert response.json()["field"] == "postal_item_number"
    assert not Dossier.objects.exists()


def test_403_carries_the_reason(province: Province) -> None:
    dossier = received(province)
    response = _session(_tthc_control(province)).post(
        f"{API}/{dossier.code}/actions", {"action": "forward", "expected_version": 1}
    )
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "permission_denied"
    assert "không có quyền" in body["message"]


def test_409_lists_the_allowed_actions(province: Province) -> None:
    p = province
    dossier = received(p)
    response = _session(p.counter).post(
        f"{API}/{dossier.code}/actions",
        {"action": "sign", "expected_version": dossier.version},
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "action_not_allowed"
    assert body["allowed_actions"] == [a.value for a in allowed_actions_for(p.counter, dossier)]
    assert "forward" in body["allowed_actions"]


def test_409_for_a_second_supplement_request_names_the_rule(province: Province) -> None:
    p = province
    dossier = in_progress(p)
    dossier = perform_action(
        dossier, Action.REQUEST_SUPPLEMENT, acting_user=p.specialist, reason="Thiếu giấy"
    )
    dossier = perform_action(dossier, Action.SUPPLEMENT, acting_user=p.counter)
    response = _session(p.specialist).post(
        f"{API}/{dossier.code}/actions",
        {"action": "request_supplement", "expected_version": dossier.version, "reason": "Lần 2"},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "supplement_already_requested"


def test_409_version_conflict_with_a_stale_version(province: Province) -> None:
    p = province
    dossier = received(p)
    stale = dossier.version
    api = _session(p.counter)
    first = api.post(
        f"{API}/{dossier.code}/actions", {"action": "forward", "expected_version": stale}
    )
    assert first.status_code == 200
    before = snapshot(dossier)
    second = api.post(
        f"{API}/{dossier.code}/actions", {"action": "forward", "expected_version": stale}
    )
    assert second.status_code == 409
    body = second.json()
    assert body["code"] == "version_conflict"
    assert body["version"] == stale + 1
    assert isinstance(body["allowed_actions"], list)
    assert "tải lại" in body["message"]
    assert snapshot(dossier) == before


def test_apology_and_assignment_through_the_api(province: Province) -> None:
    p = province
    dossier = receive_at_counter(
        acting_user=p.counter,
        offering=p.offering,
        applicant=APPLICANT,
        at=datetime(2025, 3, 3, 9, tzinfo=VN),
    )
    dossier = perform_action(
        dossier, Action.FORWARD, acting_user=p.counter, at=datetime(2025, 3, 3, 9, 30, tzinfo=VN)
    )
    response = _session(p.unit_head).post(
        f"{API}/{dossier.code}/actions",
        {"action": "assign", "expected_version": dossier.version, "assignee": "cv.longxuyen"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["assignee"] == "Lê Văn Minh"


def test_intake_refuses_a_document_id_not_of_the_procedure(province: Province) -> None:
    """An unknown ``required_document_id``, or one of another procedure's checklist: 422
    naming the line's field, nothing saved (not a 500 when the transaction commits)."""
    from motcua.catalog.models import RequiredDocument
    from motcua.catalog.services import import_procedure_records
    from motcua.testing.personas import BIRTH_RECORD

    p = province
    import_procedure_records([{**BIRTH_RECORD, "code": "2.000528"}], source="test")
    foreign = RequiredDocument.objects.filter(procedure__code="2.000528").first()
    own = RequiredDocument.objects.filter(procedure=p.procedure).first()
    assert foreign is not None and own is not None
    counter = _session(p.counter)
    before = (Dossier.objects.count(), AuditEvent.objects.count())
    for wrong in (999_999, foreign.pk):
        body = {
            "offering_id": p.offering.pk,
            "applicant": {"name": "An", "phone": "0912345678"},
            "documents": [
                {"name": "Tờ khai", "original_count": 1, "required_document_id": own.pk},
                {"name": "Giấy chứng sinh", "original_count": 1, "required_document_id": wrong},
            ],
        }
        response = counter.post(API, body)
        assert response.status_code == 422, response.content
        data = response.json()
        assert data["code"] == "invalid_input"
        assert data["field"] == "documents[1].required_document_id"
        assert "không thuộc thủ tục" in data["message"]
        assert (Dossier.objects.count(), AuditEvent.objects.count()) == before
    body["documents"][1]["required_document_id"] = own.pk
    assert counter.post(API, body).status_code == 201


def test_returning_a_result_by_post_requires_the_postal_item_number(province: Province) -> None:
    p = province
    dossier = p.receive(return_method="post")
    processed = p.process(dossier.code or "")
    counter = _session(p.counter)
    url = f"{API}/{dossier.code}/actions"
    response = counter.post(url, {"action": "return_result", "expected_version": processed.version})
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["field"] == "postal_item_number" and "số hiệu bưu gửi" in body["message"]
    assert Dossier.objects.get().status == Status.PROCESSED

    response = counter.post(
        url,
        {
            "action": "return_result",
            "expected_version": processed.version,
            "postal_item_number": "EL123456785VN",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "returned" and body["return_postal_item_number"] == "EL123456785VN"
    assert body["events"][-1]["payload"]["postal_item_number"] == "EL123456785VN"
