from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from motcua.core.db import ping


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok", "database": ping()})
