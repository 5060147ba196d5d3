"""The admin issues a token (the secret shown once) and revokes tokens."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.test import Client

from motcua.accounts.models import User
from motcua.integrations.models import ApiToken
from motcua.integrations.services import issue_token
from motcua.testing.personas import Province

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(province: Province) -> Client:
    user = User.objects.create_superuser("quantri", "qt@example.vn", "Mot-cua-2025!")
    client = Client()
    client.force_login(user)
    return client


def test_admin_issues_a_token_and_shows_the_secret_once(
    province: Province, admin_client: Client
) -> None:
    response = admin_client.post(
        "/quan-tri/integrations/apitoken/add/",
        {
            "name": "Cổng DVC quốc gia",
            "agency": province.commune.pk,
            "unit": province.one_stop.pk,
            "roles": ["counter_officer"],
            "expires_at_0": "",
            "expires_at_1": "",
        },
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    token = ApiToken.objects.get()
    match = re.search(r"Cổng DVC quốc gia»: (\S+) —", page)
    assert match, page
    secret = match.group(1)
    assert hashlib.sha256(secret.encode()).hexdigest() == token.token_hash
    # Never again: neither the list nor the token's page shows it.
    assert secret not in admin_client.get("/quan-tri/integrations/apitoken/").content.decode()
    change = admin_client.get(f"/quan-tri/integrations/apitoken/{token.pk}/change/")
    assert change.status_code == 200 and secret not in change.content.decode()


def test_admin_add_form_reports_bad_input(province: Province, admin_client: Client) -> None:
    response = admin_client.post(
        "/quan-tri/integrations/apitoken/add/",
        {
            "name": "X",
            "agency": province.commune.pk,
            "unit": province.police_unit.pk,
            "roles": ["specialist"],
        },
    )
    assert response.status_code == 200
    assert "không trực thuộc" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_admin_revoke_action(province: Province, admin_client: Client) -> None:
    token, _ = issue_token(agency=province.commune, name="Cũ", roles=["specialist"])
    response = admin_client.post(
        "/quan-tri/integrations/apitoken/",
        {"action": "revoke_selected", "_selected_action": [token.pk]},
        follow=True,
    )
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "Đã thu hồi" in response.content.decode()
