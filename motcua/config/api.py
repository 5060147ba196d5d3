"""The JSON API (django-ninja): one NinjaAPI, one router per domain app."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError

from motcua.catalog.api import router as catalog_router
from motcua.worktime.api import router as worktime_router

api = NinjaAPI(
    title="motcua API",
    version="1",
    description="API của hệ thống thông tin một cửa điện tử motcua.",
    urls_namespace="api",
)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": "Dữ liệu không hợp lệ / invalid input", "errors": exc.errors},
        status=422,
    )


api.add_router("/worktime", worktime_router, tags=["worktime"])
api.add_router("/procedures", catalog_router, tags=["catalog"])
