"""Small HTTP helpers the pages share."""

from __future__ import annotations

from typing import Protocol

from django.core.files import File
from django.http import FileResponse, HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


class StoredFile(Protocol):
    """An upload as the apps store it (a dossier's ``Attachment``)."""

    @property
    def file(self) -> File: ...

    content_type: str
    original_name: str


def safe_next(request: HttpRequest, default: str = "") -> str:
    """The ``next`` of the request (form or query) when it stays on this site, else
    ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def inline_file_response(attachment: StoredFile) -> FileResponse:
    """A stored upload, after the caller's permission check: shown in the browser under
    its original name; never cached, never re-sniffed (its type was sniffed from the
    content when it was stored)."""
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=False,
        filename=attachment.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
