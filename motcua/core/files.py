"""Serving a stored upload after the caller's permission check."""

from __future__ import annotations

from django.http import FileResponse

from motcua.dossiers.models import Attachment


def inline_file_response(attachment: Attachment) -> FileResponse:
    """The file, shown in the browser under its original name; never cached, never
    re-sniffed (its type was sniffed from the content when it was stored)."""
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=False,
        filename=attachment.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
