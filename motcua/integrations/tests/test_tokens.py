"""API tokens: issue, use, revoke, expiry; bearer and session authentication."""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua.accounts.roles import Role
from motcua.audit.models import AuditEvent
from motcua.dossiers.services import receive_at_counter
from motcua.integrations.models import ApiToken
from motcua.integrations.services import (
    TokenError,
    authenticate_token,
    issue_token,
    revoke_token,
)
from motcua.testing.personas import APPLICANT, Province

pytestmark = pytest.mark.django_db
API = "/api/v1/dossiers"


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def counter_token(p: Province) -> tuple[ApiToken, str]:
    return issue_token(
        agency=p.commune,
        unit=p.one_stop,
        name="Kiosk tiếp nhận",
        roles=["counter_officer"],
        created_by=None,
    )


def test_issue_stores_the_hash_not_the_secret(province: Province) -> None:
    token, secret = counter_token(province)
    assert len(secret) >= 40
    assert token.prefix == secret[:8]
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert secret not in {str(v) for v in row.values()}
    user = token.user
    assert user.agency == province.commune and user.unit == province.one_stop
    assert user.role_set() == {Role.COUNTER_OFFICER}
    assert not user.has_usable_password()
    audit = AuditEvent.objects.get(action="api_token.issued")
    assert audit.payload["prefix"] == token.prefix
    assert secret not in str(audit.payload) and secret not in audit.summary


def test_a_token_acts_as_its_service_account(province: Province) -> None:
    p = province
    token, secret = counter_token(p)
    response = Client().post(
        API,
        {"offering_id": p.offering.pk, "applicant": {"name": "Lê Thị Hoa", "phone": "0987654321"}},
        content_type="application/json",
        headers=bearer(secret),
    )
    assert response.status_code == 201, response.content
    events = response.json()["events"]
    assert events[0]["actor_name"] == token.user.get_full_name()
    token.refresh_from_db()
    assert token.last_used_at is not None
    listed = Client().get(API, headers=bearer(secret))
    assert listed.status_code == 200 and listed.json()["count"] == 1


def test_revoked_token_gets_401(province: Province) -> None:
    token, secret = counter_token(province)
    assert Client().get(API, headers=bearer(secret)).status_code == 200
    revoke_token(token)
    response = Client().get(API, headers=bearer(secret))
    assert response.status_code == 401
    assert response.json() == {"code": "invalid_token", "message": "Token đã bị thu hồi."}
    assert response["WWW-Authenticate"].startswith("Bearer")
    token.refresh_from_db()
    assert token.revoked_at is not None and not token.user.is_active
    assert AuditEvent.objects.filter(action="api_token.revoked").count() == 1
    revoke_token(token)  # idempotent
    assert AuditEvent.objects.filter(action="api_token.revoked").count() == 1


def test_expired_token_gets_401(province: Province, settings: Any) -> None:
    settings.MOTCUA_TOKEN_CACHE_SECONDS = 0  # the expiry is changed behind the services
    token, secret = issue_token(
        agency=province.commune,
        name="Tạm thời",
        roles=["specialist"],
        expires_at=timezone.now() + timedelta(days=1),
    )
    assert Client().get(API, headers=bearer(secret)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = Client().get(API, headers=bearer(secret))
    assert response.status_code == 401
    assert response.json()["message"] == "Token đã hết hạn."


@pytest.mark.parametrize(
    "header",
    ["Bearer nope", "Bearer ", "Bearer abcdefgh-not-the-rest", "Bearer " + "x" * 43],
)
def test_unknown_token_gets_401(province: Province, header: str) -> None:
    counter_token(province)
    response = Client().get(API, headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_a_token_with_a_known_prefix_but_wrong_secret_is_refused(province: Province) -> None:
    token, secret = counter_token(province)
    forged = token.prefix + "A" * (len(secret) - 8)
    response = Client().get(API, headers=bearer(forged))
    assert response.status_code == 401
    assert response.json()["message"] == "Token không hợp lệ."


def test_no_credentials_gets_401_saying_what_to_send() -> None:
    response = Client().get(API)
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "unauthorized"
    assert "Bearer" in body["message"]


def test_a_bad_token_is_not_rescued_by_the_session(province: Province) -> None:
    client = Client()
    client.force_login(province.counter)
    assert client.get(API).status_code == 200
    assert client.get(API, headers=bearer("wrong-token-value")).status_code == 401


def test_session_posts_need_csrf_tokens_do_not(province: Province) -> None:
    p = province
    dossier = receive_at_counter(acting_user=p.counter, offering=p.offering, applicant=APPLICANT)
    url = f"{API}/{dossier.code}/actions"
    body = {"action": "forward", "expected_version": dossier.version}

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(p.counter)
    assert browser.get(f"{API}/{dossier.code}").status_code == 200  # reads need no CSRF
    refused = browser.post(url, body, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    dossier.refresh_from_db()
    assert dossier.version == 1

    # With the CSRF cookie and header, as the back office's htmx sends them.
    csrf = "k" * 32  # a CSRF secret: the same value in the cookie and the header
    browser.cookies["csrftoken"] = csrf
    accepted = browser.post(
        url, body, content_type="application/json", headers={"X-CSRFToken": csrf}
    )
    assert accepted.status_code == 200, accepted.content

    other = receive_at_counter(acting_user=p.counter, offering=p.offering, applicant=APPLICANT)
    _, secret = counter_token(p)
    integration = Client(enforce_csrf_checks=True)
    response = integration.post(
        f"{API}/{other.code}/actions",
        body,
        content_type="application/json",
        headers=bearer(secret),
    )
    assert response.status_code == 200, response.content


def test_a_token_of_another_agency_sees_nothing_and_changes_nothing(province: Province) -> None:
    p = province
    dossier = receive_at_counter(acting_user=p.counter, offering=p.offering, applicant=APPLICANT)
    _, secret = issue_token(
        agency=p.other_commune, name="Khác", roles=["counter_officer", "agency_leader"]
    )
    client = Client()
    assert client.get(API, headers=bearer(secret)).json()["count"] == 0
    response = client.post(
        f"{API}/{dossier.code}/actions",
        {"action": "forward", "expected_version": 1},
        content_type="application/json",
        headers=bearer(secret),
    )
    assert response.status_code == 404
    dossier.refresh_from_db()
    assert dossier.version == 1


@pytest.mark.parametrize(
    ("roles", "message"),
    [
        (["administrator"], "không được mang vai trò"),
        (["pilot"], "Vai trò không hợp lệ"),
        ([], "ít nhất một vai trò"),
    ],
)
def test_bad_roles_are_refused(province: Province, roles: list[str], message: str) -> None:
    with pytest.raises(TokenError, match=message):
        issue_token(agency=province.commune, name="X", roles=roles)
    assert not ApiToken.objects.exists()


def test_a_unit_outside_the_agency_is_refused(province: Province) -> None:
    with pytest.raises(TokenError, match="không trực thuộc"):
        issue_token(
            agency=province.commune, unit=province.police_unit, name="X", roles=["specialist"]
        )


def test_only_administrators_of_the_agency_may_issue(province: Province) -> None:
    with pytest.raises(TokenError, match="không quản trị"):
        issue_token(
            agency=province.commune,
            name="X",
            roles=["specialist"],
            created_by=province.counter,
        )


def test_authenticate_token_directly(province: Province) -> None:
    token, secret = counter_token(province)
    assert authenticate_token(f"  {secret} ") == token.user


def test_management_command_prints_the_secret_once(province: Province) -> None:
    out = StringIO()
    call_command(
        "issue_api_token",
        agency="H01.30307",
        unit="H01.30307.1",
        name="Cổng DVC quốc gia",
        roles="counter_officer,specialist",
        expires_days=30,
        stdout=out,
    )
    secret = out.getvalue().strip().splitlines()[-1]
    token = ApiToken.objects.get()
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.user.role_set() == {Role.COUNTER_OFFICER, Role.SPECIALIST}
    assert token.expires_at is not None
    assert Client().get(API, headers=bearer(secret)).status_code == 200


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"agency": "H99", "roles": "specialist"}, "Không có cơ quan"),
        ({"agency": "H01.30307", "roles": "nobody"}, "Vai trò không hợp lệ"),
        ({"agency": "H01.30307", "roles": "specialist", "unit": "H01.40.1"}, "không trực thuộc"),
    ],
)
def test_management_command_errors(
    province: Province, options: dict[str, str], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("issue_api_token", name="X", stdout=StringIO(), **options)


def test_a_session_without_its_second_factor_is_refused(province: Province) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=province.counter, name="điện thoại", confirmed=True)
    client = Client()
    client.force_login(province.counter)
    response = client.get(API)
    assert response.status_code == 401
    assert response.json()["code"] == "second_factor_required"


def test_a_checked_token_is_trusted_briefly_and_a_revocation_applies_at_once(
    province: Province, monkeypatch: pytest.MonkeyPatch
) -> None:
    token, secret = issue_token(agency=province.commune, name="Cổng", roles=["specialist"])
    assert Client().get(API, headers=bearer(secret)).status_code == 200
    # Checked a moment ago: no token or role query now (only the list's own queries).
    with CaptureQueriesContext(connection) as queries:
        assert Client().get(API, headers=bearer(secret)).status_code == 200
    read = " ".join(q["sql"] for q in queries.captured_queries)
    assert "integrations_apitoken" not in read and "accounts_roleassignment" not in read

    # Changed behind the services' back (another worker, a manual fix): trusted until
    # the period ends, refused after it.
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert Client().get(API, headers=bearer(secret)).status_code == 200
    later = time.monotonic() + 11
    monkeypatch.setattr(time, "monotonic", lambda: later)
    response = Client().get(API, headers=bearer(secret))
    assert response.status_code == 401
    assert response.json()["message"] == "Token đã bị thu hồi."


def test_revoking_through_the_service_refuses_the_token_at_once(province: Province) -> None:
    token, secret = issue_token(agency=province.commune, name="Cổng", roles=["specialist"])
    assert Client().get(API, headers=bearer(secret)).status_code == 200
    revoke_token(token)
    assert Client().get(API, headers=bearer(secret)).status_code == 401


def test_deactivating_the_account_applies_at_once(province: Province) -> None:
    token, secret = issue_token(agency=province.commune, name="Cổng", roles=["specialist"])
    assert Client().get(API, headers=bearer(secret)).status_code == 200
    token.user.is_active = False
    token.user.save()
    assert Client().get(API, headers=bearer(secret)).status_code == 401
