"""``GET /api/v1/lookup?code=…&verifier=…``: public dossier status, no login.

Without a matching verifier the answer is the same 404 whether the code exists or not;
repeated failures from one address get 429 with ``Retry-After``.
"""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Form, Query, Router, Schema
from ninja.responses import Status
from pydantic import Field as SchemaField

from motcua.core.api_json import JSON_CONTENT_TYPE
from motcua.dossiers.api import ERRORS, DossierOut, LocalDateTime, detail_response
from motcua.dossiers.errors import InvalidDossierInput
from motcua.integrations.auth import api_auth
from motcua.portal import applications
from motcua.portal.forms import OnlineApplicationForm
from motcua.portal.queries import PublicDossier
from motcua.portal.ratelimit import client_ip
from motcua.portal.services import LookupThrottled, PublicLookupError, public_lookup

router = Router()


class LookupIn(Schema):
    code: str = SchemaField("", max_length=100, description="mã hồ sơ")
    verifier: str = SchemaField(
        "", max_length=40, description="4 số cuối số điện thoại hoặc số định danh đã khai"
    )


class PublicEventOut(Schema):
    occurred_at: LocalDateTime
    action: str
    action_label: str
    agency: str
    reason: str


class LookupOut(Schema):
    code: str
    status: str
    status_label: str
    national_status_code: int
    national_status_label: str
    procedure_name: str
    submitted_at: LocalDateTime | None
    received_at: LocalDateTime | None
    appointment_at: LocalDateTime | None
    new_appointment_at: LocalDateTime | None
    appointment_changed: bool
    due_at: LocalDateTime | None
    current_appointment_at: LocalDateTime | None = SchemaField(
        description="hẹn trả kết quả đang có hiệu lực: ngày hẹn (hoặc hẹn lại) cộng thời gian "
        "tạm dừng (chờ bổ sung, nghĩa vụ tài chính)",
    )
    paused_time_added: bool = SchemaField(
        description="ngày hẹn đã được cộng thêm thời gian tạm dừng"
    )
    current_agency: str
    finished_at: LocalDateTime | None
    returned_at: LocalDateTime | None
    return_postal_item_number: str = SchemaField(
        description="số hiệu bưu gửi chứa kết quả, khi trả kết quả qua bưu chính"
    )
    events: list[PublicEventOut]


class LookupErrorOut(Schema):
    code: str
    message: str
    field: str | None = None
    retry_after: int | None = None


def _error(exc: PublicLookupError) -> tuple[int, dict[str, Any]]:
    body: dict[str, Any] = {"code": exc.code, "message": exc.message}
    if getattr(exc, "field", None):
        body["field"] = exc.field  # type: ignore[attr-defined]
    if isinstance(exc, LookupThrottled):
        body["retry_after"] = exc.retry_after
    return exc.http_status, body


@router.get(
    "",
    response={200: LookupOut, 404: LookupErrorOut, 422: LookupErrorOut, 429: LookupErrorOut},
    summary="Tra cứu tình trạng hồ sơ (công khai)",
    url_name="lookup",
)
def lookup(
    request: HttpRequest, response: HttpResponse, query: Query[LookupIn]
) -> Status[Any] | HttpResponse:
    """Status of a dossier by its code and the last 4 digits of the applicant's phone or
    ID number given at intake. No officer names or personal data are returned."""
    response["Cache-Control"] = "no-store"
    try:
        found = public_lookup(client_ip(request), query.code, query.verifier)
    except PublicLookupError as exc:
        status, body = _error(exc)
        if isinstance(exc, LookupThrottled):
            response["Retry-After"] = str(exc.retry_after)
        return Status(status, body)
    # Ninja passes an HttpResponse through: the body is built here, field for field as
    # ``LookupOut`` would serialise it (the tests compare both), without the schema
    # validation that cost as much as the rest of this public hot path.
    ok = HttpResponse(lookup_json(found), content_type=JSON_CONTENT_TYPE)
    ok["Cache-Control"] = "no-store"
    return ok


def _when(value: datetime | None, tz: tzinfo) -> str | None:
    """``LocalDateTime`` as ninja's encoder (Django's) writes it: local time with its
    offset, milliseconds, ``Z`` for UTC. The tests compare it with the encoder's."""
    if value is None:
        return None
    text = value.astimezone(tz).isoformat()
    if value.microsecond:
        text = text[:23] + text[26:]
    if text.endswith("+00:00"):
        text = text[:-6] + "Z"
    return text


def lookup_json(found: PublicDossier) -> str:
    """The JSON body of ``LookupOut`` for ``found``: same keys, order and formatting."""
    tz = timezone.get_current_timezone()
    appointment = found.appointment
    body = {
        "code": found.code,
        "status": found.status,
        "status_label": found.status_label,
        "national_status_code": found.national_status_code,
        "national_status_label": found.national_status_label,
        "procedure_name": found.procedure_name,
        "submitted_at": _when(found.submitted_at, tz),
        "received_at": _when(found.received_at, tz),
        "appointment_at": _when(found.appointment_at, tz),
        "new_appointment_at": _when(found.new_appointment_at, tz),
        "appointment_changed": found.appointment_changed,
        "due_at": _when(found.due_at, tz),
        "current_appointment_at": _when(appointment.current, tz),
        "paused_time_added": appointment.paused_time_added,
        "current_agency": found.current_agency,
        "finished_at": _when(found.finished_at, tz),
        "returned_at": _when(found.returned_at, tz),
        "return_postal_item_number": found.return_postal_item_number,
        "events": [
            {
                "occurred_at": _when(e.occurred_at, tz),
                "action": e.action,
                "action_label": e.action_label,
                "agency": e.agency,
                "reason": e.reason,
            }
            for e in found.events
        ],
    }
    return json.dumps(body)


# --------------------------------------------------------------------------- online filing

applications_router = Router(auth=api_auth)


@applications_router.post(
    "",
    response={201: DossierOut, **ERRORS},
    summary="Nộp hồ sơ trực tuyến (tài khoản công dân, tổ chức)",
    url_name="online_application",
)
def file_online(request: HttpRequest, offering_id: Form[int]) -> HttpResponse:
    """File a dossier online, as the page ``/nop-truc-tuyen/<offering>/`` does, in
    ``multipart/form-data`` with the page's fields: ``applicant_name``,
    ``applicant_id_number``, ``applicant_phone`` (required), ``applicant_email``,
    ``applicant_address``, ``subject``, ``return_method`` (``online``, ``post`` or
    ``counter``), ``confirm`` (``on``: the applicant's pledge), and one or more files per
    document of the procedure under ``doc_<required document id>`` (PDF, JPEG or PNG; the
    ids, and whether each document is ``required``, ``optional`` or not asked for online
    (``in_person``), are in ``GET /api/v1/procedures/{code}``). Each required document
    needs a file: a missing one is a 422 naming its ``doc_<id>``.

    The dossier waits in the counter's queue (status ``new_online``). 403 for a staff
    account; 422 names the first field at fault; nothing is saved then.
    """
    user = applications.require_citizen(request.auth)  # type: ignore[attr-defined]
    offering = applications.online_offering(offering_id)
    if offering is None:
        raise InvalidDossierInput(
            "Thủ tục này chưa nhận hồ sơ trực tuyến tại cơ quan đã chọn.", "offering_id"
        )
    checklist = offering.procedure.online_checklist()
    form = OnlineApplicationForm(request.POST, request.FILES, checklist=checklist)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise InvalidDossierInput(str(errors[0]), "documents" if field == "__all__" else field)
    dossier = applications.apply_online(citizen=user, offering=offering, **form.application())
    return detail_response(request, dossier, 201)
