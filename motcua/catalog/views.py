"""Public pages of the procedure catalog: the searchable list and one procedure."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from motcua.catalog import queries
from motcua.catalog.forms import ProcedureSearchForm

PAGE_SIZE = 20


def procedure_list(request: HttpRequest) -> HttpResponse:
    """/thu-tuc/: search box and filters; htmx asks for the results block only."""
    form = ProcedureSearchForm(request.GET)
    arguments = form.search_arguments()
    page = form.page_number()
    found = queries.search_catalog(**arguments, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    results, total = found.items, found.total
    context = {
        "form": form,
        "results": results,
        "total": total,
        "partial": found.partial,
        "page": page,
        "page_count": max(1, -(-total // PAGE_SIZE)),
        "query": arguments["q"],
    }
    htmx = getattr(request, "htmx", None)
    partial = htmx is not None and bool(htmx) and not htmx.history_restore_request
    template = "catalog/_results.html" if partial else "catalog/procedure_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    """/thu-tuc/<code>/: everything a citizen needs to file the procedure."""
    procedure = queries.get_procedure_detail(code)
    if procedure is None:
        return render(request, "catalog/procedure_not_found.html", {"code": code}, status=404)
    return render(
        request,
        "catalog/procedure_detail.html",
        {
            "procedure": procedure,
            "shortest": procedure.shortest_channel(),
            "promises": queries.procedure_promises(procedure, timezone.now()),
        },
    )
