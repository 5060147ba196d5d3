"""``GET /api/v1/dossiers``: the count stops at a cap and says so (``count_exact``).

Counting every visible dossier of an agency's history cost more than the page itself;
the list counts up to ``LIST_COUNT_CAP`` (or ``offset + limit``, so that a next page
always shows as ``count > offset + limit``). The response stays what it was, with one
more field.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from motcua.dossiers import api
from motcua.dossiers.services import receive_at_counter
from motcua.testing.personas import APPLICANT, DOCUMENTS, Province

API = "/api/v1/dossiers"

pytestmark = pytest.mark.django_db


def _receive(p: Province, n: int) -> list[str]:
    codes = []
    for _ in range(n):
        d = receive_at_counter(
            acting_user=p.counter, offering=p.offering, applicant=APPLICANT, documents=DOCUMENTS
        )
        assert d.code is not None
        codes.append(d.code)
    return codes[::-1]  # newest first


def _page(client: Client, **params: Any) -> dict[str, Any]:
    response = client.get(API, params)
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def test_the_count_is_exact_below_the_cap(province: Province) -> None:
    _receive(province, 3)
    client = Client()
    client.force_login(province.counter)
    page = _page(client)
    assert page["count"] == 3 and page["count_exact"] is True
    outsider = Client()
    outsider.force_login(province.outsider)
    assert _page(outsider) | {"items": []} == {
        "count": 0,
        "count_exact": True,
        "limit": api.DEFAULT_LIMIT,
        "offset": 0,
        "items": [],
    }


def test_the_count_stops_at_the_cap(province: Province, monkeypatch: Any) -> None:
    codes = _receive(province, 5)
    monkeypatch.setattr(api, "LIST_COUNT_CAP", 2)
    client = Client()
    client.force_login(province.counter)

    page = _page(client, limit=1)
    assert (page["count"], page["count_exact"]) == (2, False)
    assert [i["code"] for i in page["items"]] == codes[:1]
    # The cap is at least offset + limit: a next page shows as count > offset + limit.
    page = _page(client, limit=2, offset=2)
    assert (page["count"], page["count_exact"]) == (4, False)
    assert [i["code"] for i in page["items"]] == codes[2:4]
    page = _page(client, limit=3, offset=2)
    assert (page["count"], page["count_exact"]) == (5, True)
    assert [i["code"] for i in page["items"]] == codes[2:5]
    assert _page(client, status="received", limit=5)["count_exact"] is True


def test_the_schema_documents_the_cap(province: Province) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    page = schema["components"]["schemas"]["DossierPageOut"]
    assert "count_exact" in page["properties"]
    assert "count_exact" in page["properties"]["count"]["description"]
