"""The public pages /thu-tuc/ and /thu-tuc/<code>/."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.agencies.models import Agency
from motcua.catalog.models import Procedure, ProcedureOffering
from motcua.catalog.tests.conftest import make_agency

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("full_catalog")]


def test_the_list_shows_results_for_a_query(client: Client) -> None:
    response = client.get("/thu-tuc/", {"q": "dang ky khai sinh"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and 'name="q"' in html and 'value="dang ky khai sinh"' in html
    assert "Tìm thấy" in html
    first = html.index('href="/thu-tuc/1.001193/"')
    assert first < html.index('href="/thu-tuc/1.003583/"')  # lưu động comes later
    assert "Thủ tục đăng ký khai sinh" in html and "Hộ tịch" in html
    assert "Trực tuyến toàn trình" in html
    assert 'hx-trigger="keyup changed delay:300ms, search"' in html


def test_htmx_gets_only_the_results(client: Client) -> None:
    response = client.get("/thu-tuc/", {"q": "ket hon"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "Thủ tục đăng ký kết hôn" in html
    assert "HX-Request" in response["Vary"]


def test_the_list_without_a_query_pages_through_everything(client: Client) -> None:
    html = client.get("/thu-tuc/", {"page": 2}).content.decode()
    total = Procedure.objects.filter(status="in_force").count()
    assert f"Tìm thấy {total} thủ tục" in html
    assert f"Trang 2 / {-(-total // 20)}" in html
    assert "page=1" in html and "page=3" in html


def test_invalid_filters_are_shown_and_ignored(client: Client) -> None:
    response = client.get("/thu-tuc/", {"q": "khai sinh", "level": "village"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "errorlist" in html and "Thủ tục đăng ký khai sinh" in html


def test_the_list_filters_by_level(client: Client) -> None:
    html = client.get("/thu-tuc/", {"level": "commune"}).content.decode()
    count = Procedure.objects.filter(level_commune=True).count()
    assert f"Tìm thấy {count} thủ tục" in html


def test_the_detail_page_shows_documents_fees_and_where_to_file(client: Client) -> None:
    agency = make_agency(
        "H01.30307",
        kind=Agency.Kind.PEOPLES_COMMITTEE,
        level=Agency.Level.COMMUNE,
        receives_dossiers=True,
        name="UBND phường Long Xuyên",
        address="Số 1 đường Tôn Đức Thắng",
    )
    procedure = Procedure.objects.get(code="1.004222")  # Đăng ký thường trú
    ProcedureOffering.objects.create(agency=agency, procedure=procedure)

    response = client.get("/thu-tuc/1.004222/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Đăng ký thường trú</h1>" in html
    assert "Thành phần hồ sơ" in html and "Bản chính" in html
    document = procedure.documents.exclude(original_count=0).first()
    assert document is not None and document.name[:40] in html
    assert "10.000 đồng" in html and "20.000 đồng" in html
    assert "UBND phường Long Xuyên" in html and "Số 1 đường Tôn Đức Thắng" in html
    assert 'class="table-scroll"' in html
    assert procedure.decision in html
    assert procedure.source_url in html


def test_a_catalog_only_procedure_says_what_is_missing(client: Client) -> None:
    code = Procedure.objects.filter(has_detail=False).values_list("code", flat=True).first()
    html = client.get(f"/thu-tuc/{code}/").content.decode()
    assert "mới có thông tin danh mục" in html


def test_an_unknown_code_is_a_404_in_vietnamese(client: Client) -> None:
    response = client.get("/thu-tuc/9.999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Không tìm thấy thủ tục có mã “9.999999”" in html
    assert 'action="/thu-tuc/"' in html


def test_the_generic_404_page_is_in_vietnamese(client: Client, settings: object) -> None:
    setattr(settings, "DEBUG", False)  # noqa: B010
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()
