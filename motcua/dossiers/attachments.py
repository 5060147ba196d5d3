"""Adding files to a dossier: scans, e-forms, supplements and results.

The type is sniffed from the content (PDF, JPEG, PNG only), never trusted from the name
or the browser; the size is bounded; files are stored through Django's storage API under
a name derived from their hash. Serving a file is the caller's job, after a permission
check (``motcua.dossiers.access``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Protocol

from django.core.files.base import ContentFile
from django.db import transaction

from motcua.accounts.models import User
from motcua.audit.services import record_event
from motcua.dossiers.access import can_view_dossier
from motcua.dossiers.errors import DossierPermissionDenied, InvalidDossierInput
from motcua.dossiers.models import Attachment, Dossier, DossierDocument

#: Largest file accepted, in bytes (a scanned multi-page A4 PDF at 300 dpi fits).
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
ALLOWED_TYPES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
}


def sniff_content_type(head: bytes) -> str | None:
    """The content type from the first bytes of a file, for the kinds we accept."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def _read_bounded(stream: IO[bytes]) -> bytes:
    data = stream.read(MAX_ATTACHMENT_BYTES + 1)
    if len(data) > MAX_ATTACHMENT_BYTES:
        limit_mb = MAX_ATTACHMENT_BYTES // (1024 * 1024)
        raise InvalidDossierInput(f"Tệp quá lớn: tối đa {limit_mb} MB mỗi tệp.", "file")
    if not data:
        raise InvalidDossierInput("Tệp rỗng.", "file")
    return data


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
    data = _read_bounded(stream)
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


class Upload(Protocol):
    """What Django's ``UploadedFile`` offers and we use."""

    name: str | None
    size: int | None

    def read(self, n: int = -1, /) -> bytes: ...
    def seek(self, offset: int, whence: int = 0, /) -> int: ...


@dataclass(frozen=True)
class Scan:
    """A file to attach; ``required_document_id`` ties it to a checklist line."""

    file: Upload
    required_document_id: int | None = None


def file_problems(files: Sequence[Upload]) -> list[str]:
    """One Vietnamese sentence per unacceptable file (checked before anything is saved):
    empty, larger than the limit, or not a PDF, JPEG or PNG by its content."""
    problems = []
    limit_mb = MAX_ATTACHMENT_BYTES // (1024 * 1024)
    for f in files:
        name = f.name or "tệp"
        if not f.size:
            problems.append(f"«{name}»: tệp rỗng.")
            continue
        if f.size > MAX_ATTACHMENT_BYTES:
            problems.append(f"«{name}»: tệp quá lớn (tối đa {limit_mb} MB mỗi tệp).")
            continue
        head = f.read(16)
        f.seek(0)
        if sniff_content_type(head) is None:
            problems.append(
                f"«{name}»: chỉ nhận tệp PDF, JPEG hoặc PNG (kiểm tra theo nội dung tệp)."
            )
    return problems


def check_files(files: Sequence[Upload]) -> None:
    problems = file_problems(files)
    if problems:
        raise InvalidDossierInput(" ".join(problems), "scans")


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
