"""After a write, the API answers from what the service wrote — and that answer must be
exactly what a fresh read of the dossier gives.

The intake and action endpoints build their response from the rows the service has just
written and read (no read-back); these tests drive the interconnected procedure through
the API and compare every write's body with ``GET /api/v1/dossiers/{code}`` by the same
caller, and bound the number of queries of the hot endpoints.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client, RequestFactory

from motcua.accounts.roles import Role
from motcua.accounts.services import create_staff_user
from motcua.config.api import api
from motcua.dossiers.api import DossierOut
from motcua.integrations.services import issue_token
from motcua.testing.personas import PASSWORD, Province

API = "/api/v1/dossiers"

pytestmark = pytest.mark.django_db


class Caller:
    def __init__(self, headers: dict[str, str] | None = None, user: Any = None) -> None:
        self.client = Client()
        self.headers = headers or {}
        if user is not None:
            self.client.force_login(user)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.post(path, body, content_type="application/json", headers=self.headers)

    def get(self, path: str) -> Any:
        return self.client.get(path, headers=self.headers)


def _token_caller(p: Province) -> Caller:
    _, secret = issue_token(
        agency=p.commune, unit=p.one_stop, name="Quầy số 1", roles=[Role.COUNTER_OFFICER]
    )
    return Caller({"Authorization": f"Bearer {secret}"})


def _intake_body(p: Province) -> dict[str, Any]:
    return {
        "offering_id": p.offering.pk,
        "applicant": {"name": "Lê Thị Hoa", "phone": "0912 345 678", "address": "Long Xuyên"},
        "documents": [
            {"name": "Tờ khai đăng ký khai sinh", "original_count": 1},
            {"name": "Giấy chứng sinh", "original_count": 1, "copy_count": 1},
        ],
    }


_WHOLE_SECOND = re.compile(rb"\.000(?=[+Z-])")


def _as_the_schema_writes(response: Any) -> None:
    """The body, written without ninja's validation (``core.api_json``), has the bytes the
    documented ``DossierOut`` schema gives it: same keys, order, types and time format."""
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = DossierOut.model_validate(json.loads(response.content)).model_dump()
    request = RequestFactory().get(API)
    rendered = api.create_response(request, data, status=200).content
    # A time with under a millisecond past the second is written "…:05.000+07:00" (the
    # encoder keeps milliseconds), which reads back as a whole second: compare without it.
    assert _WHOLE_SECOND.sub(b"", rendered) == _WHOLE_SECOND.sub(b"", response.content)


def _same_as_fresh_read(caller: Caller, response: Any) -> dict[str, Any]:
    body = response.json()
    assert response.status_code in (200, 201), body
    _as_the_schema_writes(response)
    fresh = caller.get(f"{API}/{body['code']}")
    assert fresh.status_code == 200
    _as_the_schema_writes(fresh)
    assert body == fresh.json()
    return dict(body)


def test_every_write_answers_what_a_fresh_read_gives(province: Province) -> None:
    p = province
    counter = _token_caller(p)
    specialist = Caller(user=p.specialist)
    leader = Caller(user=p.leader)
    police = Caller(user=p.police_officer)
    insurer = Caller(user=p.insurer)

    d = _same_as_fresh_read(counter, counter.post(API, _intake_body(p)))
    assert d["status"] == "received" and len(d["events"]) == 1 and len(d["documents"]) == 2
    assert [s["state"] for s in d["steps"]][:2] == ["active", "pending"]
    code = d["code"]
    url = f"{API}/{code}/actions"

    def act(caller: Caller, action: str, **extra: Any) -> dict[str, Any]:
        version = caller.get(f"{API}/{code}").json()["version"]
        body = {"action": action, "expected_version": version, **extra}
        return _same_as_fresh_read(caller, caller.post(url, body))

    d = act(counter, "forward")
    assert d["status"] == "in_progress" and d["current_agency"]["code"] == p.commune.code
    d = act(specialist, "request_supplement", reason="Thiếu bản sao giấy đăng ký kết hôn")
    assert d["status"] == "supplement_requested" and d["paused_since"] is not None
    d = act(counter, "supplement")
    assert d["paused_since"] is None and "paused_working_hours" in d["events"][-1]["payload"]
    d = act(specialist, "forward")
    assert d["current_agency"]["code"] == p.police.code
    assert d["events"][-1]["from_agency"] == p.commune.name
    assert d["events"][-1]["to_agency"] == p.police.name
    d = act(police, "forward")
    d = act(insurer, "submit_for_signature")
    assert d["status"] == "awaiting_signature"
    d = act(leader, "sign")
    assert d["status"] == "processed" and d["timeliness"] is not None
    d = act(counter, "return_result")
    assert d["status"] == "returned" and d["returned_at"] is not None
    assert [e["seq"] for e in d["events"]] == list(range(1, 10))
    assert all(s["state"] == "done" for s in d["steps"])
    assert all(s["assignee"] for s in d["steps"])


def test_assigning_a_specialist_shows_the_name_at_once(province: Province) -> None:
    p = province
    counter = _token_caller(p)
    d = _same_as_fresh_read(counter, counter.post(API, _intake_body(p)))
    head = create_staff_user(
        "truong.phong",
        full_name="Phan Văn Trưởng",
        agency=p.commune,
        unit=p.specialist.unit,
        roles=[Role.UNIT_HEAD],
        password=PASSWORD,
    )
    caller = Caller(user=head)
    version = counter.get(f"{API}/{d['code']}").json()["version"]
    counter.post(f"{API}/{d['code']}/actions", {"action": "forward", "expected_version": version})
    version += 1
    response = caller.post(
        f"{API}/{d['code']}/actions",
        {"action": "assign", "expected_version": version, "assignee": p.specialist.username},
    )
    d = _same_as_fresh_read(caller, response)
    assert d["assignee"] == p.specialist.get_full_name()


def test_intake_and_actions_stay_within_their_query_budget(
    province: Province, django_assert_max_num_queries: Any
) -> None:
    p = province
    counter = _token_caller(p)
    counter.post(API, _intake_body(p))  # the day's code sequence row exists from here on
    # token, roles, offering, process steps, code, dossier, documents, steps, event, and
    # the transaction's own statements on PostgreSQL.
    with django_assert_max_num_queries(12):
        d = counter.post(API, _intake_body(p)).json()
    # token, roles, lock (with the steps), events, documents, claim, the two steps (one
    # statement), event, and the transaction's own statements on PostgreSQL.
    with django_assert_max_num_queries(10):
        response = counter.post(
            f"{API}/{d['code']}/actions", {"action": "forward", "expected_version": d["version"]}
        )
    assert response.status_code == 200


def test_an_offering_closed_by_its_administrator_is_refused_at_once(province: Province) -> None:
    p = province
    counter = _token_caller(p)
    assert counter.post(API, _intake_body(p)).status_code == 201  # the offering is kept now
    p.offering.is_active = False
    p.offering.save()
    response = counter.post(API, _intake_body(p))
    assert response.status_code == 422
    assert response.json()["field"] == "offering"


def test_a_kept_offering_is_read_again_after_its_period(
    province: Province, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from motcua.catalog.models import ProcedureOffering

    p = province
    counter = _token_caller(p)
    assert counter.post(API, _intake_body(p)).status_code == 201
    # Changed behind the services' back (another worker): kept until the period ends.
    ProcedureOffering.objects.filter(pk=p.offering.pk).update(is_active=False)
    assert counter.post(API, _intake_body(p)).status_code == 201
    later = time.monotonic() + 61
    monkeypatch.setattr(time, "monotonic", lambda: later)
    assert counter.post(API, _intake_body(p)).status_code == 422


def test_one_read_keeps_every_offering_of_the_agency(
    province: Province, django_assert_num_queries: Any
) -> None:
    from motcua.catalog.models import Procedure, ProcedureOffering
    from motcua.dossiers.intake_offerings import forget_offerings, offering_by_codes, offering_by_id

    p = province
    base = Procedure.objects.get(pk=p.offering.procedure_id)
    other = Procedure.objects.create(code="1.004884", name="Đăng ký kết hôn", field=base.field)
    ProcedureOffering.objects.create(agency=p.offering.agency, procedure=other)
    offerings = list(ProcedureOffering.objects.filter(agency=p.offering.agency))
    assert len(offerings) >= 2
    forget_offerings()  # (the new offering's signal dropped them anyway)
    with django_assert_num_queries(2):  # the agency's offerings, their process steps
        first = offering_by_id(offerings[0].pk)
    assert first is not None and first.pk == offerings[0].pk
    with django_assert_num_queries(0):
        for o in offerings:
            kept = offering_by_id(o.pk)
            assert kept is not None and kept.pk == o.pk
            by_codes = offering_by_codes(kept.procedure.code, kept.agency.code)
            assert by_codes is kept
    # An unknown procedure at a known agency: read once, then known to be missing.
    assert offering_by_codes("9.999999", p.offering.agency.code) is None
    with django_assert_num_queries(0):
        assert offering_by_codes("9.999999", p.offering.agency.code) is None
    with django_assert_num_queries(1):  # an unknown id: nothing of an agency to read
        assert offering_by_id(-5) is None


def test_a_time_under_a_millisecond_past_the_second_is_written_as_the_schema_writes_it(
    province: Province,
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    counter = _token_caller(province)
    at = datetime(2026, 5, 4, 9, 0, 5, 500, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    with time_machine.travel(at, tick=False):
        response = counter.post(API, _intake_body(province))
    assert b'"submitted_at": "2026-05-04T09:00:05.000+07:00"' in response.content
    _as_the_schema_writes(response)
