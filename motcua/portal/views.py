"""``/tra-cuu/``: the public dossier lookup page (the receipt's QR code links here)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from motcua.portal.ratelimit import client_ip
from motcua.portal.services import LookupInvalid, LookupThrottled, PublicLookupError, public_lookup


@never_cache
def lookup(request: HttpRequest) -> HttpResponse:
    """GET ``?code=`` pre-fills the form (from the QR code); the form posts code + verifier.

    GET with both ``code`` and ``verifier`` looks up too, so a link can carry them.
    """
    source = request.POST if request.method == "POST" else request.GET
    code = source.get("code", "").strip()[:100]
    verifier = source.get("verifier", "").strip()[:40]
    context: dict[str, Any] = {"code": code, "verifier": "", "result": None, "error": None}
    status = 200
    retry_after: int | None = None
    if request.method == "POST" or (code and verifier):
        try:
            context["result"] = public_lookup(client_ip(request), code, verifier)
        except PublicLookupError as exc:
            context["error"] = exc.message
            context["error_field"] = exc.field if isinstance(exc, LookupInvalid) else ""
            if isinstance(exc, LookupThrottled):
                status, retry_after = 429, exc.retry_after
    response = render(request, "portal/lookup.html", context, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response
