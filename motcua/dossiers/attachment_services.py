"""Storing files on a dossier: scans, e-forms, supplements and results.

Each file is checked first (:mod:`motcua.dossiers.attachments`: type sniffed from the
content, size bounded), then stored through Django's storage API under a name derived from
its hash, and audited; a refused file stores nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import IO

from django.core.files.base import ContentFile
from django.db import transaction

from motcua.accounts.models import User
from motcua.audit.services import record_event
from motcua.dossiers.access import can_view_dossier
from motcua.dossiers.attachments import ALLOWED_TYPES, Scan, read_bounded, sniff_content_type
from motcua.dossiers.errors import DossierPermissionDenied, InvalidDossierInput
from motcua.dossiers.models import Attachment, Dossier, DossierDocument


@transaction.atomic
def add_attachment(
    dossier: Dossier,
    stream: IO[bytes],
    *,
    original_name: str,
    acting_user: User,
    kind: str = Attachment.Kind.SCAN,
    document: DossierDocument | None = None,
) -> Attachment:
    """Store a file for ``dossier``; reject anything that is not a PDF, JPEG or PNG."""
    is_staff_viewer = acting_user.kind == User.Kind.STAFF and can_view_dossier(acting_user, dossier)
    if not is_staff_viewer and dossier.applicant_user_id != acting_user.pk:
        raise DossierPermissionDenied("Bạn không có quyền thêm tệp vào hồ sơ này.")
    if kind not in Attachment.Kind.values:
        raise InvalidDossierInput(f"Loại tệp không hợp lệ: {kind!r}.", "kind")
    if document is not None and document.dossier_id != dossier.pk:
        raise InvalidDossierInput("Giấy tờ không thuộc hồ sơ này.", "document")
    data = read_bounded(stream)
    content_type = sniff_content_type(data[:16])
    if content_type is None:
        raise InvalidDossierInput(
            "Chỉ nhận tệp PDF, JPEG hoặc PNG (kiểm tra theo nội dung tệp).", "file"
        )
    digest = hashlib.sha256(data).hexdigest()
    name = (original_name or "tep").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    attachment = Attachment(
        dossier=dossier,
        document=document,
        kind=kind,
        original_name=name,
        content_type=content_type,
        size=len(data),
        sha256=digest,
        uploaded_by=acting_user,
    )
    attachment.file.save(digest + ALLOWED_TYPES[content_type], ContentFile(data), save=False)
    attachment.save()
    record_event(
        action="dossiers.attachment_added",
        target=attachment,
        actor=acting_user,
        summary=f"{dossier.code}: {name}",
        payload={"dossier": dossier.code, "size": len(data), "content_type": content_type},
    )
    return attachment


def attach_scans(
    dossier: Dossier,
    scans: Sequence[Scan],
    user: User,
    by_required: dict[int, DossierDocument],
    document: DossierDocument | None = None,
    kind: str = Attachment.Kind.SCAN,
) -> list[Attachment]:
    """Store ``scans`` (checked already), each on its checklist line when it names one."""
    saved = []
    for scan in scans:
        target = document
        if scan.required_document_id is not None:
            target = by_required.get(scan.required_document_id, document)
        saved.append(
            add_attachment(
                dossier,
                scan.file,  # type: ignore[arg-type]
                original_name=scan.file.name or "",
                acting_user=user,
                kind=kind,
                document=target,
            )
        )
    return saved


def attach_to_checklist(dossier: Dossier, scans: Sequence[Scan], user: User) -> list[Attachment]:
    """Store ``scans`` (checked already) on the dossier's checklist lines they name."""
    by_required = {
        d.required_document_id: d
        for d in dossier.documents.all()
        if d.required_document_id is not None
    }
    return attach_scans(dossier, scans, user, by_required)
