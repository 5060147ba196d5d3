"""Writes of the back office: counter intake with scans, more scans, the staff second
factor (TOTP), deadline warnings. Each runs in one transaction and leaves an audit trail
(dossier writes through :mod:`motcua.dossiers.services` and ``add_attachment``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.models import User
from motcua.accounts.roles import Role
from motcua.audit.services import record_event
from motcua.backoffice.models import Notification
from motcua.catalog.models import ProcedureOffering
from motcua.dossiers import queries
from motcua.dossiers.attachment_services import add_attachment, attach_to_checklist
from motcua.dossiers.attachments import Scan, Upload, check_files
from motcua.dossiers.errors import InvalidDossierInput
from motcua.dossiers.models import Attachment, Dossier, DossierDocument
from motcua.dossiers.rules import Action, Channel
from motcua.dossiers.services import ApplicantData, DocumentData, receive_at_counter


@transaction.atomic
def receive_with_scans(
    *,
    acting_user: User,
    offering: ProcedureOffering,
    applicant: ApplicantData,
    documents: Sequence[DocumentData],
    scans: Sequence[Scan] = (),
    channel: Channel = Channel.IN_PERSON,
    postal_item_number: str = "",
    return_method: str = "counter",
    sets_count: int = 1,
    subject: str = "",
) -> Dossier:
    """Receive a dossier at the counter and store its scans, all or nothing.

    Every file is checked first; if one is bad nothing is saved (no dossier, no code).
    """
    check_files([s.file for s in scans])
    if not any(d.name.strip() for d in documents):
        raise InvalidDossierInput("Đánh dấu ít nhất một giấy tờ đã nhận.", "documents")
    dossier = receive_at_counter(
        acting_user=acting_user,
        offering=offering,
        applicant=applicant,
        documents=documents,
        channel=channel,
        subject=subject,
        postal_item_number=postal_item_number,
        return_method=return_method,
        sets_count=sets_count,
    )
    attach_to_checklist(dossier, scans, acting_user)
    return dossier


@transaction.atomic
def upload_scans(
    dossier: Dossier,
    files: Sequence[Upload],
    *,
    acting_user: User,
    document: DossierDocument | None = None,
    kind: str = Attachment.Kind.SCAN,
) -> list[Attachment]:
    """Add more scans to a dossier; if one file is bad nothing is saved."""
    if not files:
        raise InvalidDossierInput("Chọn ít nhất một tệp.", "files")
    check_files(files)
    if document is not None and document.dossier_id != dossier.pk:
        raise InvalidDossierInput("Giấy tờ không thuộc hồ sơ này.", "document")
    saved = []
    for f in files:
        saved.append(
            add_attachment(
                dossier,
                f,  # type: ignore[arg-type]
                original_name=f.name or "",
                acting_user=acting_user,
                kind=kind,
                document=document,
            )
        )
    return saved


# --------------------------------------------------------------------------- applicants


def notify_counter(dossier: Dossier, kind: str, message: str) -> int:
    """Tell the counter officers where ``dossier`` was filed (and whoever asked for the
    supplement it answers) what its applicant did online; returns how many were told."""
    recipients = set(
        User.objects.filter(
            is_active=True,
            kind=User.Kind.STAFF,
            role_assignments__role=Role.COUNTER_OFFICER,
        )
        .filter(Q(unit_id=dossier.intake_agency_id) | Q(agency_id=dossier.intake_agency_id))
        .values_list("pk", flat=True)
    )
    if kind == Notification.Kind.SUPPLEMENTED:
        asked = (
            dossier.events.filter(action=Action.REQUEST_SUPPLEMENT)
            .exclude(actor=None)
            .values_list("actor_id", flat=True)
        )
        recipients |= {pk for pk in asked if pk is not None}
    Notification.objects.bulk_create(
        [
            Notification(recipient_id=pk, dossier=dossier, kind=kind, message=message[:500])
            for pk in sorted(recipients)
        ],
        ignore_conflicts=True,
    )
    return len(recipients)


# --------------------------------------------------------------------------- second factor


def pending_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


@transaction.atomic
def start_totp_enrolment(user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator-app device (earlier unconfirmed ones are dropped)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=user, name="Ứng dụng xác thực", confirmed=False)
    record_event(
        action="accounts.totp_enrolment_started",
        target=user,
        actor=user,
        summary=user.get_username(),
    )
    return device


def throttled(device: TOTPDevice) -> bool:
    return not device.verify_is_allowed()[0]


@transaction.atomic
def confirm_totp_device(user: User, device: TOTPDevice, token: str) -> bool:
    """Confirm ``device`` with a code from the app; False (nothing changed) if wrong."""
    if device.user_id != user.pk or device.confirmed:
        return False
    if not device.verify_token(token.strip()):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record_event(
        action="accounts.totp_enabled",
        target=user,
        actor=user,
        summary=user.get_username(),
    )
    return True


def verify_second_factor(user: User, token: str) -> TOTPDevice | None:
    """The confirmed device that accepts ``token`` (throttled after failures), else None."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=True)
            .order_by("pk")
            .first()
        )
        if device is None or not device.verify_token(token.strip()):
            return None
    return device


# --------------------------------------------------------------------------- warnings


def _message(w: queries.DeadlineWarning) -> str:
    code = w.dossier.code or ""
    when = queries.local_text(w.due)
    if w.step is not None:
        if w.kind == Notification.Kind.OVERDUE:
            return f"Hồ sơ {code}: bước «{w.step.name}» đã quá hạn (hạn {when})."
        return f"Hồ sơ {code}: bước «{w.step.name}» sắp đến hạn ({when})."
    if w.kind == Notification.Kind.OVERDUE:
        return f"Hồ sơ {code} đã quá hạn trả kết quả (hạn {when})."
    return f"Hồ sơ {code} sắp đến hạn trả kết quả ({when})."


def _recipients(w: queries.DeadlineWarning) -> set[User]:
    if w.step is not None:
        return set(queries.step_holders(w.step)) | set(queries.agency_leaders(w.step.agency))
    people: set[User] = set()
    if w.dossier.assignee_id is not None and w.dossier.assignee is not None:
        people.add(w.dossier.assignee)
    else:
        for step in w.dossier.steps.filter(state="active").select_related("assignee", "agency"):
            people |= set(queries.step_holders(step))
    return people | set(queries.agency_leaders(w.dossier.deciding_agency))


@transaction.atomic
def send_deadline_warnings(now: datetime | None = None) -> int:
    """Write a notification for every open dossier and active step due within one working
    day or overdue, to the responsible officer (the assignee, else the staff holding the
    step's role there) and the agency leader. Idempotent: returns how many were new."""
    now = now or timezone.now()
    wanted: list[Notification] = []
    for w in queries.deadline_warnings(now):
        message = _message(w)
        for person in _recipients(w):
            wanted.append(
                Notification(
                    recipient=person,
                    dossier=w.dossier,
                    step=w.step,
                    kind=w.kind,
                    message=message,
                )
            )
    existing = set(
        Notification.objects.filter(dossier_id__in={n.dossier_id for n in wanted}).values_list(
            "recipient_id", "dossier_id", "kind", "step_id"
        )
    )
    fresh = {
        (n.recipient_id, n.dossier_id, n.kind, n.step_id): n
        for n in wanted
        if (n.recipient_id, n.dossier_id, n.kind, n.step_id) not in existing
    }
    Notification.objects.bulk_create(fresh.values(), ignore_conflicts=True)
    if fresh:
        record_event(
            action="backoffice.deadline_warnings_sent",
            target_type="backoffice.notification",
            summary=f"{len(fresh)} thông báo",
            payload={"count": len(fresh), "at": now.isoformat()},
        )
    return len(fresh)


@transaction.atomic
def mark_read(user: User, ids: Sequence[int] | None = None) -> int:
    """Mark the user's notifications (all, or ``ids``) as read."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


__all__ = [
    "confirm_totp_device",
    "confirmed_device",
    "mark_read",
    "notify_counter",
    "pending_device",
    "receive_with_scans",
    "send_deadline_warnings",
    "start_totp_enrolment",
    "throttled",
    "upload_scans",
    "verify_second_factor",
]
