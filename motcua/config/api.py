"""The JSON API (django-ninja): one NinjaAPI, one router per domain app."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from motcua.catalog.api import router as catalog_router
from motcua.dossiers.api import router as dossiers_router
from motcua.dossiers.errors import DossierError
from motcua.dossiers.rules import ActionNotAllowed, ReasonRequired
from motcua.integrations.auth import UNAUTHENTICATED_MESSAGE, NotAuthenticated
from motcua.integrations.services import TokenRejected
from motcua.portal.api import applications_router
from motcua.portal.api import router as lookup_router
from motcua.worktime.api import router as worktime_router

api = NinjaAPI(
    title="motcua API",
    version="1",
    description="API của hệ thống thông tin một cửa điện tử motcua.",
    urls_namespace="api",
)


def _field(errors: list[dict[str, Any]]) -> str | None:
    """The name of the first invalid field (the last part of its location)."""
    for error in errors:
        loc = [str(part) for part in error.get("loc", ()) if not isinstance(part, int)]
        if loc:
            return loc[-1]
    return None


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(
        request,
        {
            "detail": "Dữ liệu không hợp lệ / invalid input",
            "code": "invalid_input",
            "message": "Dữ liệu không hợp lệ.",
            "field": _field(exc.errors),
            "errors": exc.errors,
        },
        status=422,
    )


# The errors of the services, in one place: 403 / 404 / 409 / 422 with a typed body
# ``{"code", "message", "field"?, "allowed_actions"?}``.
@api.exception_handler(DossierError)
def dossier_error(request: HttpRequest, exc: DossierError) -> HttpResponse:
    body = {**exc.to_dict(), **getattr(exc, "extra", {})}
    return api.create_response(request, body, status=exc.http_status)


@api.exception_handler(ActionNotAllowed)
def action_not_allowed(request: HttpRequest, exc: ActionNotAllowed) -> HttpResponse:
    return api.create_response(request, exc.to_dict(), status=409)


@api.exception_handler(ReasonRequired)
def reason_required(request: HttpRequest, exc: ReasonRequired) -> HttpResponse:
    body = {"code": "invalid_input", "message": str(exc), "field": "reason"}
    return api.create_response(request, body, status=422)


# Authentication: 401 with a message that says what to do.
@api.exception_handler(TokenRejected)
def token_rejected(request: HttpRequest, exc: TokenRejected) -> HttpResponse:
    body = {"code": "invalid_token", "message": exc.message}
    response = api.create_response(request, body, status=401)
    response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


@api.exception_handler(NotAuthenticated)
def not_authenticated(request: HttpRequest, exc: NotAuthenticated) -> HttpResponse:
    body = {"code": exc.code, "message": exc.message}
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    body = {"code": "unauthorized", "message": UNAUTHENTICATED_MESSAGE}
    response = api.create_response(request, body, status=401)
    response["WWW-Authenticate"] = "Bearer"
    return response


api.add_router("/worktime", worktime_router, tags=["worktime"])
api.add_router("/procedures", catalog_router, tags=["catalog"])
api.add_router("/dossiers", dossiers_router, tags=["dossiers"])
api.add_router("/lookup", lookup_router, tags=["lookup"])
api.add_router("/online-applications", applications_router, tags=["dossiers"])
