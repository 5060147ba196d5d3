"""Build the Circular 03/2025 forms of a dossier from its rows and its event log.

The control slip (06) and the register (07) read the events: they keep no copy of the
story. Personal data appears only on forms addressed to the applicant (01–05).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.utils import timezone

from motcua.agencies.models import Agency
from motcua.dossiers.errors import InvalidDossierInput
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.rules import (
    STATUS_LABELS_VI,
    Action,
    Channel,
    Status,
    apology_timing_note,
)
from motcua.printing import context as ctx
from motcua.printing.render import render_form

#: Forms a dossier can print, and the action whose event carries their data.
FORM_ACTIONS: dict[str, Action | None] = {
    "01": None,
    "02": Action.REQUEST_SUPPLEMENT,
    "03": Action.REFUSE_INTAKE,
    "04": Action.ISSUE_APOLOGY,
    "05": Action.STOP,
    "06": None,
}
FORM_TITLES = {
    "01": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
    "02": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
    "03": "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
    "04": "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
    "05": "Thông báo dừng giải quyết hồ sơ",
    "06": "Phiếu kiểm soát quá trình giải quyết hồ sơ",
}


def agency_info(agency: Agency) -> ctx.AgencyInfo:
    parent = agency.parent
    return ctx.AgencyInfo(
        name=agency.name.upper(),
        parent_name=parent.name.upper() if parent else "",
        text_name=agency.name,
        address=agency.address,
        phone=agency.phone,
        place=settings.MOTCUA_PROVINCE_NAME,
    )


def _person(dossier: Dossier) -> ctx.PersonInfo:
    return ctx.PersonInfo(
        name=dossier.applicant_name,
        address=dossier.applicant_address,
        phone=dossier.applicant_phone,
        email=dossier.applicant_email,
        id_number=dossier.applicant_id_number,
    )


def lookup_url(dossier: Dossier, base_url: str = "") -> str:
    query = urlencode({"code": dossier.code or ""})
    return f"{base_url.rstrip('/')}/tra-cuu/?{query}"


def _event(dossier: Dossier, action: Action) -> DossierEvent:
    event = dossier.events.filter(action=action.value).order_by("-seq").first()
    if event is None:
        raise InvalidDossierInput("Hồ sơ chưa có thao tác tương ứng với biểu mẫu này.", "form")
    return event


def _first_event(dossier: Dossier) -> DossierEvent | None:
    return dossier.events.order_by("seq").first()


def _received(dossier: Dossier) -> datetime:
    return dossier.received_at or dossier.submitted_at or timezone.now()


def _addressed(dossier: Dossier, agency: Agency, event: DossierEvent) -> dict[str, Any]:
    """The fields every notice to the applicant shares (forms 02–05)."""
    return {
        "agency": agency_info(agency),
        "dossier_code": dossier.code or "",
        "applicant": _person(dossier),
        "procedure_name": dossier.procedure.name,
        "received_at": _received(dossier),
        "issued_at": event.occurred_at,
    }


def _document_lines(dossier: Dossier) -> list[ctx.DocumentLine]:
    """The checklist as received: originals and copies at the counter (whether a copy is
    certified is not recorded), electronic files online."""
    if dossier.channel == Channel.ONLINE:
        return [
            ctx.DocumentLine(d.name, "electronic", max(1, d.original_count + d.copy_count))
            for d in dossier.documents.all()
        ]
    lines = []
    for d in dossier.documents.all():
        if d.original_count:
            lines.append(ctx.DocumentLine(d.name, "original", d.original_count))
        if d.copy_count:
            lines.append(ctx.DocumentLine(d.name, "copy", d.copy_count))
    return lines


def _collect_at(dossier: Dossier) -> str:
    """Where the applicant asked to get the result."""
    if dossier.return_method == "online":
        return "Cổng Dịch vụ công (bản điện tử của kết quả)"
    if dossier.return_method == "post":
        address = f", đến địa chỉ: {dossier.applicant_address}" if dossier.applicant_address else ""
        return f"Dịch vụ bưu chính công ích{address}"
    agency = dossier.intake_agency
    return agency.name + (f", {agency.address}" if agency.address else "")


def _local_minute(instant: datetime) -> str:
    return f"{timezone.localtime(instant):%H:%M %d/%m/%Y}"


def _appointment(dossier: Dossier) -> tuple[datetime, str]:
    """The appointment in force (``Dossier.appointment``) and, when the time the clock
    was stopped moved it, a note saying from which appointment."""
    view = dossier.appointment
    assert view.current is not None
    note = ""
    if view.paused_time_added and view.base is not None:
        note = (
            "đã cộng thêm thời gian tạm dừng (chờ bổ sung hồ sơ, thực hiện nghĩa vụ tài "
            f"chính) vào ngày hẹn {_local_minute(view.base)}"
        )
    return view.current, note


def receipt_context(dossier: Dossier, base_url: str = "") -> ctx.ReceiptContext:
    if dossier.received_at is None or dossier.appointment_at is None:
        raise InvalidDossierInput("Hồ sơ chưa được tiếp nhận nên chưa có giấy hẹn.", "form")
    accept = dossier.events.filter(action=Action.ACCEPT.value).order_by("seq").first()
    documents = _document_lines(dossier)
    days = dossier.legal_working_days
    appointment, note = _appointment(dossier)
    return ctx.ReceiptContext(
        agency=agency_info(dossier.intake_agency),
        dossier_code=dossier.code or "",
        applicant=_person(dossier),
        procedure_name=dossier.procedure.name,
        received_at=dossier.received_at,
        appointment_at=appointment,
        appointment_note=note,
        documents=documents,
        sets_count=dossier.sets_count,
        legal_time_text=f"{days} ngày làm việc" if days else "",
        collect_at=_collect_at(dossier),
        register_number=dossier.code or "",
        receiving_officer=accept.actor_name if accept else "",
        lookup_url=lookup_url(dossier, base_url),
    )


def _workplace(event: DossierEvent, dossier: Dossier) -> str:
    """Where the officer who acted works: their unit (phòng, one-stop unit), else agency."""
    officer = event.actor
    place = (officer.unit or officer.agency) if officer is not None else None
    return (place or dossier.intake_agency).name


def _supplement_item(line: str) -> ctx.SupplementItem:
    """One line of the request: "document: why" (the reason after the first colon)."""
    document, _, reason = line.strip(" -•").partition(":")
    return ctx.SupplementItem(document=document.strip(), reason=reason.strip())


def supplement_context(dossier: Dossier) -> ctx.SupplementContext:
    event = _event(dossier, Action.REQUEST_SUPPLEMENT)
    items = [_supplement_item(line) for line in event.reason.splitlines() if line.strip(" -•")]
    return ctx.SupplementContext(
        **_addressed(dossier, dossier.intake_agency, event),
        items=items,
        guide_contact=f"{event.actor_name}, {_workplace(event, dossier)}",
        officer=event.actor_name,
    )


def refusal_context(dossier: Dossier) -> ctx.RefusalContext:
    event = _event(dossier, Action.REFUSE_INTAKE)
    return ctx.RefusalContext(
        **_addressed(dossier, dossier.intake_agency, event),
        reasons=[r.strip() for r in event.reason.splitlines() if r.strip()],
        officer=event.actor_name,
    )


def apology_context(dossier: Dossier) -> ctx.ApologyContext:
    event = _event(dossier, Action.ISSUE_APOLOGY)
    return ctx.ApologyContext(
        **_addressed(dossier, dossier.deciding_agency, event),
        original_due=datetime.fromisoformat(event.payload["original_due"]),
        new_due=datetime.fromisoformat(event.payload["new_due"]),
        reason=event.reason,
        signer=event.actor_name,
    )


def stop_notice_context(dossier: Dossier) -> ctx.StopNoticeContext:
    event = _event(dossier, Action.STOP)
    asked = dossier.events.filter(action=Action.REQUEST_WITHDRAWAL.value).order_by("-seq").first()
    return ctx.StopNoticeContext(
        **_addressed(dossier, dossier.deciding_agency, event),
        requested_at=asked.occurred_at if asked else event.occurred_at,
        reason=event.reason,
        signer=event.actor_name,
    )


def _place(agency_id: int | None, names: dict[int, str]) -> str:
    return names.get(agency_id, "") if agency_id else ""


#: Moments of the process that are not handovers but belong on the slip, as notes.
_SLIP_NOTES = {
    Action.REQUEST_SUPPLEMENT: "Yêu cầu bổ sung, hoàn thiện hồ sơ",
    Action.SUPPLEMENT: "Người nộp bổ sung hồ sơ",
    Action.REQUEST_PAYMENT: "Thông báo nghĩa vụ tài chính",
    Action.RECORD_PAYMENT: "Hoàn thành nghĩa vụ tài chính",
    Action.ISSUE_APOLOGY: "Xin lỗi và hẹn lại ngày trả kết quả",
}


def _targets(event: DossierEvent) -> list[int]:
    """The agencies a handover sent the dossier to (several for parallel branches)."""
    payload = event.payload if isinstance(event.payload, dict) else {}
    many = payload.get("next_agencies")
    if isinstance(many, list) and many:
        return [int(a) for a in many]
    return [event.to_agency_id] if event.to_agency_id else []


def _apology_slip_note(event: DossierEvent) -> str:
    """The new date of an apology, and whether it was given late (its event's payload)."""
    payload = event.payload if isinstance(event.payload, dict) else {}
    parts = []
    if payload.get("new_due"):
        new_due = timezone.localtime(datetime.fromisoformat(payload["new_due"]))
        parts.append(f"hẹn mới {new_due:%H:%M %d/%m/%Y}")
    late = apology_timing_note(payload.get("notice"))
    if late:
        parts.append(late)
    return f" ({'; '.join(parts)})" if parts else ""


def control_slip_context(dossier: Dossier) -> ctx.ControlSlipContext:
    """Every handover from the event log, with its early / on time / late class; the
    supplement, payment and apology moments as notes."""
    events = list(dossier.events.select_related("step").order_by("seq"))
    ids = {e.from_agency_id for e in events} | {e.to_agency_id for e in events}
    ids |= {a for e in events for a in _targets(e)}
    names = dict(Agency.objects.filter(pk__in=[i for i in ids if i]).values_list("pk", "name"))
    lines = []
    for i, event in enumerate(events):
        action = Action(event.action)
        if action in _SLIP_NOTES:
            note = _SLIP_NOTES[action] + (f": {event.reason}" if event.reason else "")
            if action is Action.ISSUE_APOLOGY:
                note += _apology_slip_note(event)
            lines.append(
                ctx.HandoverLine(
                    from_unit=_place(event.actor_agency_id, names)
                    or ("Người nộp hồ sơ" if event.actor_role == "applicant" else ""),
                    to_unit="—",
                    at=event.occurred_at,
                    giver=event.actor_name,
                    note=note,
                )
            )
            continue
        if event.step_id is None and action is not Action.ACCEPT:
            continue
        if action is Action.ACCEPT:
            lines.append(
                ctx.HandoverLine(
                    from_unit="Người nộp hồ sơ",
                    to_unit=_place(event.to_agency_id, names),
                    at=event.occurred_at,
                    giver=dossier.applicant_name,
                    receiver=event.actor_name,
                    timeliness=None,
                    note="Tiếp nhận hồ sơ",
                )
            )
            continue
        targets = _targets(event)
        receivers = []
        for agency_id in targets:  # who acted next on a step of each receiving agency
            later = next(
                (e for e in events[i + 1 :] if e.step_id and e.from_agency_id == agency_id),
                None,
            )
            if later is not None and later.actor_name not in receivers:
                receivers.append(later.actor_name)
        returned = action is Action.RETURN_RESULT
        to_unit = "; ".join(_place(a, names) for a in targets)
        if not to_unit and not returned:
            to_unit = "Chờ các bước song song hoàn thành"
        lines.append(
            ctx.HandoverLine(
                from_unit=_place(event.from_agency_id, names)
                + (f" — {event.step.name}" if event.step else ""),
                to_unit=to_unit or "Người nộp hồ sơ",
                at=event.occurred_at,
                giver=event.actor_name,
                receiver="; ".join(receivers) or (dossier.applicant_name if returned else ""),
                timeliness=event.timeliness or None,  # type: ignore[arg-type]
                note=event.reason,
            )
        )
    if dossier.received_at is None or dossier.appointment_at is None:
        raise InvalidDossierInput("Hồ sơ chưa được tiếp nhận.", "form")
    appointment, note = _appointment(dossier)
    return ctx.ControlSlipContext(
        agency=agency_info(dossier.deciding_agency),
        dossier_code=dossier.code or "",
        procedure_name=dossier.procedure.name,
        applicant_name=dossier.applicant_name,
        received_at=dossier.received_at,
        appointment_at=appointment,
        appointment_note=note,
        handovers=lines,
    )


def _register_note(d: Dossier) -> str:
    """What the register's note column says of a dossier's course."""
    notes = []
    if d.channel == Channel.ONLINE:
        notes.append("Nộp trực tuyến")
    elif d.channel == Channel.POSTAL:
        notes.append("Nộp qua bưu chính")
    if d.supplement_requests:
        notes.append("Có yêu cầu bổ sung")
    view = d.appointment
    if view.rescheduled is not None and view.original is not None:
        notes.append(f"Hẹn lại (hẹn cũ {timezone.localtime(view.original):%d/%m/%Y})")
    if view.paused_time_added and view.base is not None:
        notes.append(f"Đã cộng thời gian tạm dừng vào ngày hẹn {_local_minute(view.base)}")
    if d.paused_since is not None:
        notes.append("Đang tạm dừng tính thời hạn")
    return "; ".join(notes)


def register_context(agency: Agency, date_from: date, date_to: date) -> ctx.RegisterContext:
    """Form 07: the dossiers received by ``agency`` in a date range (local dates)."""
    if date_to < date_from:
        raise InvalidDossierInput("Ngày cuối phải sau ngày đầu.", "date_to")
    tz = timezone.get_current_timezone()
    start = datetime.combine(date_from, time.min, tzinfo=tz)
    end = datetime.combine(date_to, time.max, tzinfo=tz)
    dossiers = (
        (
            Dossier.objects.filter(received_at__range=(start, end)).filter(intake_agency=agency)
            | Dossier.objects.filter(received_at__range=(start, end), deciding_agency=agency)
        )
        .select_related("procedure")
        .order_by("received_at", "pk")
    )
    rows = [
        ctx.RegisterRow(
            seq=i,
            dossier_code=d.code or "",
            applicant=d.applicant_name,
            contact=", ".join(p for p in (d.applicant_address, d.applicant_phone) if p),
            procedure=d.procedure.name,
            received_at=d.received_at or start,
            appointment_at=d.appointment.current or start,
            returned_at=d.returned_at,
            status=STATUS_LABELS_VI[Status(d.status)]
            + (f" — {ctx.TIMELINESS[d.timeliness]}" if d.timeliness in ctx.TIMELINESS else ""),
            note=_register_note(d),
        )
        for i, d in enumerate(dossiers, start=1)
    ]
    return ctx.RegisterContext(
        agency=agency_info(agency), date_from=date_from, date_to=date_to, rows=rows
    )


def render_dossier_form(dossier: Dossier, code: str, base_url: str = "") -> bytes:
    """The PDF of form ``code`` (01–06) for ``dossier``."""
    builders: dict[str, Callable[[], ctx.FormContext]] = {
        "01": lambda: receipt_context(dossier, base_url),
        "02": lambda: supplement_context(dossier),
        "03": lambda: refusal_context(dossier),
        "04": lambda: apology_context(dossier),
        "05": lambda: stop_notice_context(dossier),
        "06": lambda: control_slip_context(dossier),
    }
    if code not in builders:
        raise InvalidDossierInput(f"Không có biểu mẫu '{code}'.", "form")
    return render_form(code, builders[code]())


def available_forms(dossier: Dossier) -> list[tuple[str, str]]:
    """(code, title) of the forms this dossier can print now."""
    done = {event.action for event in dossier.events.all()}
    forms = []
    for code, action in FORM_ACTIONS.items():
        if code in ("01", "06") and dossier.received_at is None:
            continue
        if action is not None and action.value not in done:
            continue
        forms.append((code, FORM_TITLES[code]))
    return forms
