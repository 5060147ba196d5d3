"""The dossier API (``/api/v1/dossiers``): worklists, detail, counter intake, actions, forms.

Thin: parse → :func:`access_dossier` / :func:`visible_dossiers` → one service → schema.
Callers authenticate with a bearer token (an integration, acting as its service account)
or with the Django session. Errors are typed JSON bodies, mapped from the service
exceptions in one place (``motcua.config.api``): 401, 403, 404, 409, 422.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field as SchemaField

from motcua.accounts.models import User
from motcua.agencies.models import Agency
from motcua.catalog.models import ProcedureOffering
from motcua.core.api_json import LocalDateTime, schema_json_response
from motcua.core.db import custom_plans
from motcua.dossiers import policy, rules
from motcua.dossiers.access import (
    NEWEST,
    access_dossier,
    pk_in,
    visible_dossiers,
    visible_values,
)
from motcua.dossiers.errors import (
    DossierError,
    DossierNotVisible,
    DossierPermissionDenied,
    InvalidDossierInput,
    VersionConflict,
)
from motcua.dossiers.intake_offerings import offering_by_codes, offering_by_id
from motcua.dossiers.models import Dossier, DossierEvent, DossierStep
from motcua.dossiers.printouts import FORM_TITLES, available_forms, render_dossier_form
from motcua.dossiers.queries import search_fold
from motcua.dossiers.rules import ACTION_LABELS_VI, Action
from motcua.dossiers.rules import Status as DossierStatus
from motcua.dossiers.services import (
    ApplicantData,
    DocumentData,
    allowed_actions_for,
    perform_action,
    receive_at_counter,
    step_order,
)
from motcua.integrations.auth import api_auth
from motcua.worktime.queries import calendar_for
from motcua.worktime.rules import InvalidInstant, parse_instant

router = Router(auth=api_auth)


DEFAULT_LIMIT = 20
MAX_LIMIT = 100
#: The list counts this many matching dossiers at most (``count_exact`` says if more).
LIST_COUNT_CAP = 1000


class DossierNotFound(DossierError):
    """Unknown dossier, or one the caller may not see: the same answer for both (404)."""

    code = "not_found"
    http_status = 404

    def __init__(self) -> None:
        super().__init__("Không tìm thấy hồ sơ, hoặc bạn không có quyền xem hồ sơ này.")


# --------------------------------------------------------------------------- schemas


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None
    allowed_actions: list[str] | None = None


class AgencyOut(Schema):
    code: str
    name: str


class ProcedureOut(Schema):
    code: str
    name: str


class ApplicantOut(Schema):
    name: str
    id_number: str
    phone: str
    email: str
    address: str


class DocumentOut(Schema):
    name: str
    original_count: int
    copy_count: int


class StepOut(Schema):
    name: str
    stage: int
    branch: int
    agency: AgencyOut
    unit: AgencyOut | None
    role: str
    state: str
    state_label: str
    assignee: str | None
    started_at: LocalDateTime | None
    due_at: LocalDateTime | None
    finished_at: LocalDateTime | None
    timeliness: str | None
    overdue: bool


class EventOut(Schema):
    seq: int
    occurred_at: LocalDateTime
    action: str
    action_label: str
    actor_name: str
    actor_role: str
    actor_agency: str | None
    from_status: str | None
    to_status: str | None
    from_agency: str | None
    to_agency: str | None
    timeliness: str | None
    reason: str
    payload: dict[str, Any]


class ActionOut(Schema):
    action: str
    label: str


class FormOut(Schema):
    code: str
    title: str
    url: str


class DossierSummaryOut(Schema):
    code: str
    status: str
    status_label: str
    national_status_code: int
    procedure: ProcedureOut
    applicant_name: str
    deciding_agency: AgencyOut
    current_agency: AgencyOut | None
    channel: str
    submitted_at: LocalDateTime | None
    received_at: LocalDateTime | None
    appointment_at: LocalDateTime | None
    new_appointment_at: LocalDateTime | None
    due_at: LocalDateTime | None
    finished_at: LocalDateTime | None
    timeliness: str | None
    version: int


class DossierOut(DossierSummaryOut):
    national_status_label: str
    intake_agency: AgencyOut
    current_unit: AgencyOut | None
    current_role: str | None
    assignee: str | None
    applicant: ApplicantOut
    subject: str
    postal_item_number: str = SchemaField(description="số hiệu bưu gửi của hồ sơ nộp qua bưu chính")
    return_method: str
    return_postal_item_number: str = SchemaField(
        description="số hiệu bưu gửi chứa kết quả, khi đã trả kết quả qua bưu chính"
    )
    sets_count: int
    legal_working_days: int | None
    clock_started_at: LocalDateTime | None
    paused_since: LocalDateTime | None
    returned_at: LocalDateTime | None
    supplement_requests: int
    apologies: int
    late_agency: AgencyOut | None
    late_step_name: str | None
    steps: list[StepOut]
    documents: list[DocumentOut]
    events: list[EventOut]
    allowed_actions: list[ActionOut]
    forms: list[FormOut]
    receipt_url: str | None


class DossierPageOut(Schema):
    count: int = SchemaField(
        description=(
            "số hồ sơ khớp bộ lọc; chỉ đếm đến tối đa "
            f"max({LIST_COUNT_CAP}, offset + limit) hồ sơ: nếu nhiều hơn, count là mức đó "
            "và count_exact = false (vẫn có trang sau khi count > offset + limit)"
        )
    )
    count_exact: bool = SchemaField(
        True, description="true: count là tổng số chính xác; false: có nhiều hơn count hồ sơ"
    )
    limit: int
    offset: int
    items: list[DossierSummaryOut]


class DossierFilters(Schema):
    status: str = SchemaField(
        "",
        max_length=300,
        description="trạng thái (mã nội bộ hoặc mã quốc gia 1-10), cách nhau bởi dấu phẩy",
    )
    q: str = SchemaField("", max_length=200, description="mã hồ sơ, tên hoặc điện thoại người nộp")
    due: Literal["overdue", "due_soon"] | None = SchemaField(
        None, description="overdue: quá hạn; due_soon: còn dưới 1 ngày làm việc"
    )
    limit: int = SchemaField(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = SchemaField(0, ge=0, le=1_000_000)


class ApplicantIn(Schema):
    name: str = SchemaField(max_length=255)
    id_number: str = SchemaField("", max_length=32)
    phone: str = SchemaField("", max_length=20)
    email: str = SchemaField("", max_length=254)
    address: str = SchemaField("", max_length=300)


class DocumentIn(Schema):
    name: str = SchemaField(max_length=1000)
    original_count: int = SchemaField(0, ge=0, le=100)
    copy_count: int = SchemaField(0, ge=0, le=100)
    required_document_id: int | None = None


class IntakeIn(Schema):
    offering_id: int | None = None
    procedure_code: str = SchemaField("", max_length=64)
    agency_code: str = SchemaField("", max_length=35)
    applicant: ApplicantIn
    documents: list[DocumentIn] = SchemaField(default_factory=list, max_length=200)
    channel: Literal["in_person", "postal"] = "in_person"
    subject: str = SchemaField("", max_length=500)
    postal_item_number: str = SchemaField("", max_length=64)
    return_method: Literal["counter", "online", "post"] = "counter"
    sets_count: int = SchemaField(1, ge=1, le=50)


class ActionIn(Schema):
    action: str = SchemaField(max_length=32)
    expected_version: int = SchemaField(ge=1)
    reason: str = SchemaField("", max_length=5000)
    assignee: str | None = SchemaField(None, max_length=150, description="tên đăng nhập")
    new_due: str | None = SchemaField(None, max_length=40, description="ISO 8601")
    postal_item_number: str = SchemaField(
        "",
        max_length=64,
        description="số hiệu bưu gửi chứa kết quả: bắt buộc khi trả kết quả qua bưu chính",
    )


# --------------------------------------------------------------------------- helpers


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def _get(request: HttpRequest, code: str) -> Dossier:
    try:
        return access_dossier(_user(request), code)
    except DossierPermissionDenied:
        raise DossierNotFound() from None


def _agency(agency: Agency | None) -> dict[str, str] | None:
    return None if agency is None else {"code": agency.code, "name": agency.name}


def _name(user: User | None) -> str | None:
    return None if user is None else (user.get_full_name() or user.get_username())


def _form_url(code: str, form: str) -> str:
    return reverse("api:dossier_form", kwargs={"code": code, "form": form})


def _summary(d: Dossier) -> dict[str, Any]:
    status = DossierStatus(d.status)
    return {
        "code": d.code or "",
        "status": status.value,
        "status_label": rules.STATUS_LABELS_VI[status],
        "national_status_code": rules.NATIONAL_STATUS_CODE[status],
        "procedure": {"code": d.procedure.code, "name": d.procedure.name},
        "applicant_name": d.applicant_name,
        "deciding_agency": _agency(d.deciding_agency),
        "current_agency": _agency(d.current_agency),
        "channel": d.channel,
        "submitted_at": d.submitted_at,
        "received_at": d.received_at,
        "appointment_at": d.appointment_at,
        "new_appointment_at": d.new_appointment_at,
        "due_at": d.due_at,
        "finished_at": d.finished_at,
        "timeliness": d.timeliness or None,
        "version": d.version,
    }


def _with_relations(d: Dossier) -> Dossier:
    """The dossier read again with everything the detail shows, in four queries."""
    return (
        Dossier.objects.select_related(
            "procedure",
            "deciding_agency",
            "intake_agency",
            "current_agency",
            "current_unit",
            "assignee",
            "late_agency",
        )
        .prefetch_related(
            "documents",
            Prefetch("steps", DossierStep.objects.select_related("agency", "unit", "assignee")),
            Prefetch(
                "events",
                DossierEvent.objects.select_related("actor_agency", "from_agency", "to_agency"),
            ),
        )
        .get(pk=d.pk)
    )


def detail_response(request: HttpRequest, dossier: Dossier, status: int = 200) -> HttpResponse:
    """The dossier as :class:`DossierOut`, for endpoints of other apps that write one."""
    return schema_json_response(_detail(request, _with_relations(dossier)), status)


def _detail(request: HttpRequest, d: Dossier) -> dict[str, Any]:
    """The dossier as the caller sees it (they passed ``access_dossier``).

    Reads the steps, events and documents through the dossier's relations: after a
    write the service has left them in memory (no read-back), otherwise load the dossier
    with :func:`_with_relations` first.
    """
    now = timezone.now()
    steps = sorted(d.steps.all(), key=step_order)
    events = sorted(d.events.all(), key=lambda e: e.seq)
    status = DossierStatus(d.status)
    code = d.code or ""
    user = _user(request)
    return {
        **_summary(d),
        "national_status_label": rules.NATIONAL_STATUS_LABELS_VI[rules.national_code(status)],
        "intake_agency": _agency(d.intake_agency),
        "current_unit": _agency(d.current_unit),
        "current_role": d.current_role or None,
        "assignee": _name(d.assignee),
        "applicant": {
            "name": d.applicant_name,
            "id_number": d.applicant_id_number,
            "phone": d.applicant_phone,
            "email": d.applicant_email,
            "address": d.applicant_address,
        },
        "subject": d.subject,
        "postal_item_number": d.postal_item_number,
        "return_method": d.return_method,
        "return_postal_item_number": d.return_postal_item_number,
        "sets_count": d.sets_count,
        "legal_working_days": d.legal_working_days,
        "clock_started_at": d.clock_started_at,
        "paused_since": d.paused_since,
        "returned_at": d.returned_at,
        "supplement_requests": d.supplement_requests,
        "apologies": d.apologies,
        "late_agency": _agency(d.late_agency),
        "late_step_name": d.late_step_name or None,
        "steps": [
            {
                "name": s.name,
                "stage": s.stage,
                "branch": s.branch,
                "agency": _agency(s.agency),
                "unit": _agency(s.unit),
                "role": s.role,
                "state": s.state,
                "state_label": s.get_state_display(),
                "assignee": _name(s.assignee),
                "started_at": s.started_at,
                "due_at": s.due_at,
                "finished_at": s.finished_at,
                "timeliness": s.timeliness or None,
                "overdue": s.state == DossierStep.State.ACTIVE
                and s.due_at is not None
                and s.due_at < now,
            }
            for s in steps
        ],
        "documents": [
            {"name": doc.name, "original_count": doc.original_count, "copy_count": doc.copy_count}
            for doc in sorted(d.documents.all(), key=lambda doc: (doc.order, doc.pk or 0))
        ],
        "events": [
            {
                "seq": e.seq,
                "occurred_at": e.occurred_at,
                "action": e.action,
                "action_label": ACTION_LABELS_VI[Action(e.action)],
                "actor_name": e.actor_name,
                "actor_role": e.actor_role,
                "actor_agency": e.actor_agency.name if e.actor_agency else None,
                "from_status": e.from_status or None,
                "to_status": e.to_status or None,
                "from_agency": e.from_agency.name if e.from_agency else None,
                "to_agency": e.to_agency.name if e.to_agency else None,
                "timeliness": e.timeliness or None,
                "reason": e.reason,
                "payload": e.payload,
            }
            for e in events
        ],
        "allowed_actions": [
            {"action": a.value, "label": ACTION_LABELS_VI[a]} for a in allowed_actions_for(user, d)
        ],
        "forms": [
            {"code": form, "title": title, "url": _form_url(code, form)}
            for form, title in available_forms(d)
        ],
        "receipt_url": _form_url(code, "01") if d.received_at else None,
    }


def _status_filter(text: str) -> list[str]:
    wanted: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if part.isdigit():
            found = rules.statuses_for_national_code(int(part))
        else:
            found = tuple(s for s in DossierStatus if s.value == part)
        if not found:
            raise InvalidDossierInput(
                f"Trạng thái “{part}” không hợp lệ (dùng mã nội bộ như in_progress, "
                "hoặc mã trạng thái quốc gia 1-10).",
                "status",
            )
        wanted.extend(s.value for s in found)
    return wanted


def _due_filter(user: User | None, due: str) -> Q:
    """Due soon / overdue on the calendar of the caller's agency, as the worklist."""
    now = timezone.now()
    soon = policy.due_soon_until(calendar_for(getattr(user, "agency", None)), now)
    return policy.deadline_q(due, now, soon)


def _offering(body: IntakeIn) -> ProcedureOffering:
    if body.offering_id is not None:
        offering = offering_by_id(body.offering_id)
        if offering is None:
            raise InvalidDossierInput(
                f"Không có thủ tục tiếp nhận số {body.offering_id}.", "offering_id"
            )
        return offering
    if not body.procedure_code.strip() or not body.agency_code.strip():
        raise InvalidDossierInput(
            "Cần offering_id, hoặc cả procedure_code (mã thủ tục) và agency_code (mã cơ quan "
            "giải quyết).",
            "procedure_code",
        )
    offering = offering_by_codes(body.procedure_code.strip(), body.agency_code.strip().upper())
    if offering is None:
        raise InvalidDossierInput(
            f"Cơ quan “{body.agency_code}” không tiếp nhận thủ tục “{body.procedure_code}”.",
            "procedure_code",
        )
    return offering


def _assignee(username: str | None) -> User | None:
    if not username:
        return None
    user = User.objects.filter(
        username=username.strip(), kind=User.Kind.STAFF, is_active=True
    ).first()
    if user is None:
        raise InvalidDossierInput(f"Không tìm thấy cán bộ “{username}”.", "assignee")
    return user


def _new_due(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return parse_instant(text)
    except InvalidInstant:
        raise InvalidDossierInput(
            f"Ngày hẹn mới “{text}” không đúng định dạng ISO 8601 (ví dụ 2025-03-10T17:00).",
            "new_due",
        ) from None


# --------------------------------------------------------------------------- endpoints

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.get(
    "",
    response={200: DossierPageOut, **ERRORS},
    summary="Danh sách hồ sơ người gọi được xem",
    url_name="dossier_list",
)
def list_dossiers(request: HttpRequest, filters: Query[DossierFilters]) -> Status[Any]:
    """The caller's visible dossiers, newest first; filter by status, text and deadline.

    ``q`` matches the dossier code, the applicant's name (with or without diacritics) and
    phone or ID number. ``count`` stops at ``LIST_COUNT_CAP`` (or ``offset + limit``):
    ``count_exact`` is false when there are more.
    """
    with custom_plans():  # partial indexes need plans made for the statuses asked
        return _list_page(request, filters)


def _list_page(request: HttpRequest, filters: DossierFilters) -> Status[Any]:
    user = _user(request)
    where = Q()
    statuses = _status_filter(filters.status)
    if statuses:
        where &= Q(status__in=statuses)
    folded = search_fold(filters.q)
    if folded:
        where &= Q(search_text__contains=folded)
    if filters.due:
        where &= _due_filter(user, filters.due)
    cap = max(LIST_COUNT_CAP, filters.offset + filters.limit)
    window = slice(filters.offset, filters.offset + filters.limit)
    # The ids, up to the cap (the parts of visibility after the one reaching it unread).
    found = [row["pk"] for row in visible_values(user, where)[: cap + 1]]
    total, exact = min(len(found), cap), len(found) <= cap
    # The page's ids first, then their rows and joins (not the other way round).
    on_page: Any
    if exact and len(found) <= LIST_COUNT_CAP:  # few: sorted from their ids
        on_page = Dossier.objects.filter(pk_in(found)).order_by(*NEWEST).values("pk")[window]
    elif where:
        # Many (or a deep page), filtered (by status, deadline, text): the newest of each
        # part of visibility, each read from its own indexes; no test of every step.
        newest = visible_values(user, where, "pk", "submitted_at", newest=window.stop)
        on_page = [row["pk"] for row in newest.order_by(*NEWEST)[window]]
    else:  # more than the cap, all they may see: a walk back along the filing date
        # index, testing the steps of each row it reaches until the page is full.
        on_page = visible_dossiers(user, probe_each_row=True).order_by(*NEWEST).values("pk")[window]
    page = (
        Dossier.objects.filter(pk__in=on_page)
        .select_related("procedure", "deciding_agency", "current_agency")
        .order_by(*NEWEST)
    )
    return Status(
        200,
        {
            "count": total,
            "count_exact": exact,
            "limit": filters.limit,
            "offset": filters.offset,
            "items": [_summary(d) for d in page],
        },
    )


@router.post(
    "",
    response={201: DossierOut, **ERRORS},
    summary="Tiếp nhận hồ sơ tại quầy (trực tiếp hoặc bưu chính)",
    url_name="dossier_create",
)
def create_dossier(request: HttpRequest, body: IntakeIn) -> HttpResponse:
    """Receive an in-person or postal dossier: code, receipt (form 01) and appointment.

    Give ``offering_id``, or ``procedure_code`` with the deciding ``agency_code``.
    """
    offering = _offering(body)
    dossier = receive_at_counter(
        acting_user=_user(request),
        offering=offering,
        applicant=ApplicantData(**body.applicant.model_dump()),
        documents=[DocumentData(**doc.model_dump()) for doc in body.documents],
        channel=rules.Channel(body.channel),
        subject=body.subject,
        postal_item_number=body.postal_item_number,
        return_method=body.return_method,
        sets_count=body.sets_count,
    )
    return schema_json_response(_detail(request, dossier), 201)


@router.get(
    "/{code}",
    response={200: DossierOut, **ERRORS},
    summary="Chi tiết hồ sơ",
    url_name="dossier_detail",
)
def get_dossier(request: HttpRequest, code: str) -> HttpResponse:
    return schema_json_response(_detail(request, _with_relations(_get(request, code))))


@router.post(
    "/{code}/actions",
    response={200: DossierOut, **ERRORS},
    summary="Thực hiện thao tác trên hồ sơ",
    url_name="dossier_action",
)
def act_on_dossier(request: HttpRequest, code: str, body: ActionIn) -> HttpResponse:
    """Perform ``action`` (see ``allowed_actions`` of the detail) at ``expected_version``.

    409 ``version_conflict`` when someone changed the dossier since that version; 409
    ``action_not_allowed`` (with the actions allowed now) when the action does not apply.
    """
    user = _user(request)
    try:
        # One query finds the dossier among those the caller may see and locks it.
        updated = perform_action(
            code,
            body.action,
            acting_user=user,
            expected_version=body.expected_version,
            reason=body.reason,
            assignee=_assignee(body.assignee),
            new_due=_new_due(body.new_due),
            require_visible=True,
            postal_item_number=body.postal_item_number,
        )
    except DossierNotVisible:
        raise DossierNotFound() from None
    except VersionConflict as exc:
        dossier = _get(request, code)
        exc.extra = {  # type: ignore[attr-defined]
            "version": dossier.version,
            "allowed_actions": [a.value for a in allowed_actions_for(user, dossier)],
        }
        raise
    return schema_json_response(_detail(request, updated))


@router.get(
    "/{code}/forms/{form}.pdf",
    response={200: None, **ERRORS},
    summary="In biểu mẫu của hồ sơ (PDF)",
    url_name="dossier_form",
)
def dossier_form(request: HttpRequest, code: str, form: str) -> HttpResponse:
    """Forms 01 (receipt) to 06 (process-control slip) of Circular 03/2025/TT-VPCP."""
    dossier = _get(request, code)
    if form not in FORM_TITLES:
        raise InvalidDossierInput(f"Không có biểu mẫu “{form}” (có 01 đến 06).", "form")
    data = render_dossier_form(dossier, form, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{dossier.code}-mau-{form}.pdf"'
    return response
