"""Refuse a NUL character in any text a request carries, before a view sees it.

PostgreSQL text can hold no U+0000: a query or a row with one fails (a 500 on every page
that searches, looks up or saves what it was given); SQLite would store it. No input of
ours needs one, so the request is refused at the edge, the same way on both engines:
the URL path, the query string (names and values), form fields (urlencoded and
multipart; Django already drops control characters from uploaded file names), other
bodies (JSON: a raw NUL or the escape ``\\u0000``) and cookies.

A page gets a message page (400, in the page's language); the API
(``/api/``) a JSON body ``{"detail", "code", "message", "field"}``. Nothing is saved.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render

NUL = "\x00"
API_PREFIX = "/api/"
#: ``\u0000`` in JSON text: an odd run of backslashes before ``u0000`` (an even run is
#: escaped backslashes followed by the plain text "u0000").
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

API_MESSAGE = "Dữ liệu gửi lên chứa ký tự NUL (U+0000), không được chấp nhận."


def _pairs_with_nul(pairs: Iterable[tuple[str, list[str]]]) -> str | None:
    for name, values in pairs:
        if NUL in name or any(NUL in value for value in values):
            return name.replace(NUL, "")
    return None


def nul_location(request: HttpRequest) -> tuple[str, str | None] | None:
    """Where the request carries a NUL: (``"path"``, ``"query"``, ``"form"``, ``"body"``
    or ``"cookie"``, the field name when there is one), else None."""
    if NUL in request.path:
        return "path", None
    found = _pairs_with_nul(request.GET.lists())
    if found is not None:
        return "query", found
    found = _pairs_with_nul((name, [value]) for name, value in request.COOKIES.items())
    if found is not None:
        return "cookie", found
    if request.method in _BODY_METHODS:
        if request.content_type in _FORM_TYPES:
            found = _pairs_with_nul(request.POST.lists())
            if found is not None:
                return "form", found
        else:
            body = request.body
            if b"\x00" in body or _JSON_NUL.search(body):
                return "body", None
    return None


class RejectNulCharactersMiddleware:
    """400 for a request with a NUL anywhere in its text (see the module's docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        found = nul_location(request)
        if found is None:
            return self.get_response(request)
        where, field = found
        if where == "cookie":
            # The session cookie may be the one: do not look the session up.
            request.user = AnonymousUser()
        if request.path_info.startswith(API_PREFIX):
            body = {
                "detail": API_MESSAGE,
                "code": "invalid_input",
                "message": API_MESSAGE,
                "field": field,
            }
            return JsonResponse(body, status=400)
        return _message_page(request)


def _message_page(request: HttpRequest) -> HttpResponse:
    return render(request, "core/bad_characters.html", status=400)
