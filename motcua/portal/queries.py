"""The public status lookup: a dossier code plus the verifier the applicant holds.

What is shown is what the applicant needs and nothing that identifies a person: the
status (Vietnamese label and national TrangThaiHoSo code), the times, the appointment
(and the new one after an apology), the agency holding the dossier, and a timeline of
actions with agency names. Officer names, the applicant's own data and internal notes
are never shown; the reasons of a supplement request, refusal, stop or apology are,
because they are addressed to the applicant (Circular 03/2025/TT-VPCP forms 02-05).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from motcua.dossiers import rules
from motcua.dossiers.models import Dossier
from motcua.dossiers.rules import ACTION_LABELS_VI, Action, Actor, Status

#: Actions whose reason is addressed to the applicant (forms 02, 03, 04, 05).
PUBLIC_REASON_ACTIONS = frozenset(
    {
        Action.REQUEST_SUPPLEMENT,
        Action.REFUSE_INTAKE,
        Action.REJECT,
        Action.STOP,
        Action.ISSUE_APOLOGY,
    }
)
MAX_CODE_LENGTH = 64


@dataclass(frozen=True)
class PublicEvent:
    occurred_at: datetime
    action: str
    action_label: str
    agency: str
    reason: str


@dataclass(frozen=True)
class PublicDossier:
    code: str
    status: str
    status_label: str
    national_status_code: int
    national_status_label: str
    procedure_name: str
    submitted_at: datetime | None
    received_at: datetime | None
    appointment_at: datetime | None
    new_appointment_at: datetime | None
    due_at: datetime | None
    current_agency: str
    finished_at: datetime | None
    returned_at: datetime | None
    events: list[PublicEvent] = field(default_factory=list)

    @property
    def appointment_changed(self) -> bool:
        return self.new_appointment_at is not None

    @property
    def extended_due(self) -> datetime | None:
        """The due instant in force when the clock stopped meanwhile (supplement, fees)
        moved it past the appointment; None when it is the appointment itself."""
        appointment = self.new_appointment_at or self.appointment_at
        if self.due_at is None or self.finished_at is not None or self.due_at == appointment:
            return None
        return self.due_at


def normalise_code(code: str) -> str:
    return "".join(code.split()).upper()[:MAX_CODE_LENGTH]


def lookup_dossier(code: str, verifier: str) -> PublicDossier | None:
    """The public view of the dossier, or None when the code or the verifier is wrong.

    Both wrong cases do the same work (one query, one constant-time comparison of both
    candidates), so neither the answer nor its timing says which one was wrong.
    """
    wanted = normalise_code(code)
    # Only the columns the public view shows: the procedure row carries long texts.
    dossier = (
        Dossier.objects.select_related("procedure", "current_agency")
        .only(*_PUBLIC_FIELDS)
        .filter(code=wanted)
        .first()
    )
    phone = dossier.applicant_phone if dossier is not None else None
    id_number = dossier.applicant_id_number if dossier is not None else None
    matches = rules.verifier_matches(verifier, phone, id_number)
    if dossier is None or not matches:
        return None
    return _public(dossier)


_PUBLIC_FIELDS = (
    "code",
    "status",
    "applicant_phone",
    "applicant_id_number",
    "submitted_at",
    "received_at",
    "appointment_at",
    "new_appointment_at",
    "due_at",
    "finished_at",
    "returned_at",
    "procedure__name",
    "current_agency__name",
)


def _event_agency(actor_role: str, agency_name: str | None) -> str:
    if actor_role == Actor.APPLICANT.value:
        return "Người nộp hồ sơ"
    if agency_name:
        return agency_name
    return "Hệ thống"


def _public(d: Dossier) -> PublicDossier:
    status = Status(d.status)
    national = rules.national_code(status)
    rows = d.events.order_by("seq").values_list(
        "occurred_at", "action", "actor_role", "actor_agency__name", "reason"
    )
    events = [
        PublicEvent(
            occurred_at=occurred_at,
            action=action,
            action_label=ACTION_LABELS_VI[Action(action)],
            agency=_event_agency(actor_role, agency_name),
            reason=reason if Action(action) in PUBLIC_REASON_ACTIONS else "",
        )
        for occurred_at, action, actor_role, agency_name, reason in rows
    ]
    return PublicDossier(
        code=d.code or "",
        status=status.value,
        status_label=rules.STATUS_LABELS_VI[status],
        national_status_code=national,
        national_status_label=rules.NATIONAL_STATUS_LABELS_VI[national],
        procedure_name=d.procedure.name,
        submitted_at=d.submitted_at,
        received_at=d.received_at,
        appointment_at=d.appointment_at,
        new_appointment_at=d.new_appointment_at,
        due_at=d.due_at,
        current_agency=d.current_agency.name if d.current_agency else "",
        finished_at=d.finished_at,
        returned_at=d.returned_at,
        events=events,
    )
