"""GET /api/v1/procedures and /api/v1/procedures/{code}."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.agencies.models import Agency
from motcua.catalog.models import Procedure, ProcedureOffering
from motcua.catalog.tests.conftest import make_agency

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("full_catalog")]


def test_it_lists_ranked_results_with_a_total(client: Client) -> None:
    response = client.get("/api/v1/procedures", {"q": "dang ky khai sinh", "limit": 5})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] >= 10 and body["limit"] == 5 and body["offset"] == 0
    assert len(body["items"]) == 5
    first = body["items"][0]
    assert first == {
        "code": "1.001193",
        "name": "Thủ tục đăng ký khai sinh",
        "field": "Hộ tịch",
        "field_slug": "ho-tich",
        "levels": ["commune"],
        "online_level": "full_online",
        "online_level_label": "Trực tuyến toàn trình",
        "processing_time": "1 ngày làm việc",
        "url": "/thu-tuc/1.001193/",
        "api_url": "/api/v1/procedures/1.001193",
    }


def test_it_filters_and_pages(client: Client) -> None:
    body = client.get(
        "/api/v1/procedures", {"level": "province", "online_level": "full_online", "limit": 3}
    ).json()
    assert (
        body["total"]
        == Procedure.objects.filter(level_province=True, online_level="full_online").count()
    )
    assert all("province" in item["levels"] for item in body["items"])
    page_two = client.get(
        "/api/v1/procedures",
        {"level": "province", "online_level": "full_online", "limit": 3, "offset": 3},
    ).json()
    assert {i["code"] for i in body["items"]}.isdisjoint({i["code"] for i in page_two["items"]})


def test_it_returns_the_full_detail(client: Client) -> None:
    agency = make_agency(
        "H01.30307",
        kind=Agency.Kind.PEOPLES_COMMITTEE,
        level=Agency.Level.COMMUNE,
        receives_dossiers=True,
        name="UBND phường Long Xuyên",
        address="Phường Long Xuyên, tỉnh An Giang",
    )
    procedure = Procedure.objects.get(code="2.000635")
    ProcedureOffering.objects.create(
        agency=agency, procedure=procedure, local_fee_vnd=5000, note="Nhận tại quầy số 2"
    )

    response = client.get("/api/v1/procedures/2.000635")

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Cấp bản sao Trích lục hộ tịch, bản sao Giấy khai sinh"
    assert body["has_detail"] is True
    assert [c["channel"] for c in body["channels"]] == ["online", "postal", "direct"]
    assert {c["fee_vnd"] for c in body["channels"]} == {8000}
    assert body["documents"] and body["legal_basis"] and body["results"]
    assert body["offerings"] == [
        {
            "agency_code": "H01.30307",
            "agency_name": "UBND phường Long Xuyên",
            "agency_address": "Phường Long Xuyên, tỉnh An Giang",
            "local_processing_working_days": None,
            # "Không có thông tin" nationally, no local limit and no process: none.
            "legal_working_days": None,
            "expected_return_at": None,
            "local_fee_vnd": 5000,
            "note": "Nhận tại quầy số 2",
        }
    ]


def test_an_unknown_code_is_a_clear_404(client: Client) -> None:
    response = client.get("/api/v1/procedures/9.999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "Không tìm thấy thủ tục có mã '9.999999'"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"level": "xyz"}, "level"),
        ({"limit": -1}, "limit"),
        ({"limit": 1000}, "limit"),
        ({"offset": -5}, "offset"),
        ({"online_level": "sometimes"}, "online_level"),
        ({"field": "khong-co-linh-vuc"}, "field"),
        ({"agency": "H99.99"}, "agency"),
    ],
)
def test_invalid_filters_are_422_naming_the_field(
    client: Client, params: dict[str, object], field: str
) -> None:
    response = client.get("/api/v1/procedures", params)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"]
    assert [error["loc"][-1] for error in body["errors"]] == [field]
