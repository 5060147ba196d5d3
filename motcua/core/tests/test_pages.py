import pytest
from django.test import Client


@pytest.mark.django_db
def test_home_page_speaks_vietnamese(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "Tra cứu thủ tục hành chính" in response.content.decode()


@pytest.mark.django_db
def test_healthz_reports_database(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_swagger_ui_is_served_from_our_own_static_files(client: Client) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    body = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in body
    assert "cdn" not in body.lower()
    assert client.get("/api/v1/openapi.json").json()["info"]["title"] == "motcua API"
