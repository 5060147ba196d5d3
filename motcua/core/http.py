"""Small HTTP helpers the pages share."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from motcua.dossiers.models import Attachment


def safe_next(request: HttpRequest, default: str = "") -> str:
    """The ``next`` of the request (form or query) when it stays on this site, else
    ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def inline_file_response(attachment: Attachment) -> FileResponse:
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
