"""What a citizen does on the portal with an account: file a dossier online, supplement it
when asked, ask to withdraw it (the account itself: ``accounts.services.register_citizen``).

Each write runs in one transaction; the dossier writes go through
:mod:`motcua.dossiers.services` (code, event log, clock) and the files through
:mod:`motcua.dossiers.attachments` (type sniffed from the content, size bounded). A bad
file or a refused action saves nothing: no account, no dossier, no code, no file.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import QuerySet

from motcua.accounts.models import User

# The citizen's account is written by accounts.services; these names stay importable here
# for the portal's callers written before the move.
from motcua.accounts.services import ID_NUMBER as ID_NUMBER
from motcua.accounts.services import Registration as Registration
from motcua.accounts.services import RegistrationError as RegistrationError
from motcua.accounts.services import register_citizen as register_citizen
from motcua.backoffice.models import Notification
from motcua.backoffice.services import notify_counter
from motcua.catalog.models import ONLINE_APPLICATION_LEVELS, Procedure, ProcedureOffering
from motcua.catalog.rules import missing_document_message
from motcua.dossiers.attachment_services import attach_scans, attach_to_checklist
from motcua.dossiers.attachments import Scan, check_files
from motcua.dossiers.errors import DossierPermissionDenied, InvalidDossierInput
from motcua.dossiers.models import Attachment, Dossier
from motcua.dossiers.rules import Action
from motcua.dossiers.services import ApplicantData, DocumentData, perform_action, submit_online


def document_field(document_id: int) -> str:
    """The input (page and API) that carries the files of one document of the procedure."""
    return f"doc_{document_id}"


def accepts_online(offering: ProcedureOffering) -> bool:
    """Whether the portal takes this procedure of this agency online."""
    return offering.is_active and offering.procedure.takes_online_applications


def online_offerings() -> QuerySet[ProcedureOffering]:
    """The offerings :func:`accepts_online` takes, as a query."""
    return ProcedureOffering.objects.filter(
        is_active=True,
        procedure__status=Procedure.Status.IN_FORCE,
        procedure__online_level__in=ONLINE_APPLICATION_LEVELS,
    )


def online_offering(offering_id: int) -> ProcedureOffering | None:
    """The offering to apply for online, with its procedure's documents; None when there
    is none or it is not taken online."""
    offering = (
        ProcedureOffering.objects.select_related("procedure", "agency", "process")
        .prefetch_related("procedure__documents", "procedure__channels")
        .filter(pk=offering_id)
        .first()
    )
    return offering if offering is not None and accepts_online(offering) else None


def require_citizen(user: User) -> User:
    if not user.is_active or user.kind == User.Kind.STAFF:
        raise DossierPermissionDenied(
            "Cán bộ tiếp nhận hồ sơ tại quầy; nộp hồ sơ trực tuyến bằng tài khoản công dân "
            "hoặc tổ chức."
        )
    return user


@transaction.atomic
def apply_online(
    *,
    citizen: User,
    offering: ProcedureOffering,
    applicant: ApplicantData,
    documents: Sequence[DocumentData],
    scans: Sequence[Scan],
    subject: str = "",
    return_method: str = "online",
) -> Dossier:
    """File a dossier online with its files; it waits in the counter's queue (status 1)."""
    require_citizen(citizen)
    if not accepts_online(offering):
        raise InvalidDossierInput(
            "Thủ tục này chưa nhận hồ sơ trực tuyến tại cơ quan đã chọn.", "offering"
        )
    check_files([s.file for s in scans])
    if not scans:
        raise InvalidDossierInput("Đính kèm ít nhất một giấy tờ của hồ sơ.", "documents")
    # Every document the procedure requires online, each with a file (catalog rules).
    missing = offering.procedure.online_checklist().missing(s.required_document_id for s in scans)
    if missing:
        raise InvalidDossierInput(
            missing_document_message(missing[0].name), document_field(missing[0].pk)
        )
    dossier = submit_online(
        offering=offering,
        applicant=applicant,
        documents=documents,
        acting_user=citizen,
        subject=subject,
        return_method=return_method,
    )
    attach_to_checklist(dossier, scans, citizen)
    notify_counter(
        dossier,
        Notification.Kind.NEW_ONLINE,
        f"Hồ sơ trực tuyến mới {dossier.code}: {dossier.applicant_name} — "
        f"{offering.procedure.name}",
    )
    return dossier


def own_dossiers(citizen: User) -> QuerySet[Dossier]:
    """The citizen's dossiers, newest first."""
    return (
        Dossier.objects.filter(applicant_user_id=citizen.pk)
        .select_related("procedure", "current_agency")
        .order_by("-submitted_at", "-pk")
    )


def own_dossier(citizen: User, code: str) -> Dossier:
    """One of the citizen's dossiers (the same error for another's and for none)."""
    dossier = own_dossiers(citizen).filter(code=code).first()
    if dossier is None:
        raise DossierPermissionDenied(f"Không tìm thấy hồ sơ '{code}' trong hồ sơ của bạn.")
    return dossier


@transaction.atomic
def supplement_online(
    *, citizen: User, code: str, expected_version: int, note: str, scans: Sequence[Scan]
) -> Dossier:
    """Send the documents asked for (form 02): the clock runs again."""
    dossier = own_dossier(require_citizen(citizen), code)
    check_files([s.file for s in scans])
    if not scans:
        raise InvalidDossierInput("Đính kèm giấy tờ bổ sung.", "files")
    dossier = perform_action(
        dossier.code or code,
        Action.SUPPLEMENT,
        acting_user=citizen,
        expected_version=expected_version,
        reason=note,
    )
    attach_scans(dossier, scans, citizen, {}, kind=Attachment.Kind.SUPPLEMENT)
    notify_counter(
        dossier,
        Notification.Kind.SUPPLEMENTED,
        f"{dossier.applicant_name} đã bổ sung hồ sơ {dossier.code} ({len(scans)} tệp).",
    )
    return dossier


@transaction.atomic
def withdraw_online(*, citizen: User, code: str, expected_version: int, reason: str) -> Dossier:
    """Ask to withdraw the dossier; the unit then issues the stop notice (form 05)."""
    dossier = own_dossier(require_citizen(citizen), code)
    if not reason.strip():
        raise InvalidDossierInput("Vui lòng ghi rõ lý do rút hồ sơ.", "reason")
    dossier = perform_action(
        dossier.code or code,
        Action.REQUEST_WITHDRAWAL,
        acting_user=citizen,
        expected_version=expected_version,
        reason=reason.strip(),
    )
    notify_counter(
        dossier,
        Notification.Kind.WITHDRAWAL,
        f"{dossier.applicant_name} yêu cầu rút hồ sơ {dossier.code}: {reason.strip()}",
    )
    return dossier
