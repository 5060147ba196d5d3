"""The checks on files for a dossier: scans, e-forms, supplements and results.

The type is sniffed from the content (PDF, JPEG, PNG only), never trusted from the name
or the browser; the size is bounded. Storing them is
:mod:`motcua.dossiers.attachment_services`; serving a file is the caller's job, after a
permission check (``motcua.dossiers.access``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Protocol

from motcua.dossiers.errors import InvalidDossierInput

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


def read_bounded(stream: IO[bytes]) -> bytes:
    """The whole file, refused (``InvalidDossierInput``) when empty or too large."""
    data = stream.read(MAX_ATTACHMENT_BYTES + 1)
    if len(data) > MAX_ATTACHMENT_BYTES:
        limit_mb = MAX_ATTACHMENT_BYTES // (1024 * 1024)
        raise InvalidDossierInput(f"Tệp quá lớn: tối đa {limit_mb} MB mỗi tệp.", "file")
    if not data:
        raise InvalidDossierInput("Tệp rỗng.", "file")
    return data


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
