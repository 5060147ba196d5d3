"""Issue, revoke and check API tokens. Every change is written to the audit log."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from motcua.accounts.access import can_manage_agency
from motcua.accounts.models import User
from motcua.accounts.roles import Role
from motcua.accounts.services import StaffUserError, check_unit_in_agency, create_staff_user
from motcua.agencies.models import Agency
from motcua.audit.services import record_event
from motcua.core.kept import Kept
from motcua.integrations.models import ApiToken

#: Roles a token's service account may hold. Administration stays with people.
TOKEN_ROLES = frozenset(
    {
        Role.COUNTER_OFFICER,
        Role.SPECIALIST,
        Role.UNIT_HEAD,
        Role.AGENCY_LEADER,
        Role.CLERK,
        Role.TTHC_CONTROL,
    }
)
PREFIX_LENGTH = 8
#: ``last_used_at`` is written at most this often per token (not on every request).
LAST_USED_RESOLUTION = timedelta(minutes=1)
_DUMMY_HASH = "0" * 64

#: Checked tokens, per worker process: SHA-256 of the secret → (the service account with
#: its agency, unit and roles loaded; the token's own expiry). Integrations call many
#: times a second; checking each call costs two queries and a fifth of a counter intake.
#: A revoked token, a deactivated account or changed roles reach every worker within
#: ``MOTCUA_TOKEN_CACHE_SECONDS`` (10 s by default; 0 turns this off); in the process that
#: made the change, at once (signals).
_checked: Kept[tuple[User, datetime | None]] = Kept()


def forget_checked_tokens() -> None:
    """Drop this process's checked tokens (after a revocation or an account change)."""
    _checked.clear()


def _remember_checked(digest: str, user: User, expires_at: datetime | None) -> None:
    user.role_set()  # loaded now, kept with the account
    seconds = float(getattr(settings, "MOTCUA_TOKEN_CACHE_SECONDS", 10))
    _checked.keep(digest, (user, expires_at), seconds)


def _recently_checked(digest: str, now: datetime) -> User | None:
    hit = _checked.get(digest)
    if hit is None:
        return None
    user, expires_at = hit
    if expires_at is not None and expires_at <= now:
        _checked.forget(digest)
        return None
    return user


class TokenError(ValueError):
    """The token cannot be issued or revoked as asked (message in Vietnamese)."""


class TokenRejected(Exception):
    """The bearer token does not authenticate (unknown, revoked, expired): HTTP 401."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _parse_roles(roles: Iterable[Role | str]) -> list[Role]:
    parsed: list[Role] = []
    for value in roles:
        text = str(value).strip()
        if not text:
            continue
        try:
            role = Role(text)
        except ValueError as exc:
            allowed = ", ".join(sorted(r.value for r in TOKEN_ROLES))
            raise TokenError(f"Vai trò không hợp lệ: {text!r} (dùng: {allowed}).") from exc
        if role not in TOKEN_ROLES:
            raise TokenError(f"Token không được mang vai trò {role.value!r}.")
        if role not in parsed:
            parsed.append(role)
    if not parsed:
        raise TokenError("Token cần ít nhất một vai trò.")
    return parsed


def _new_secret() -> tuple[str, str]:
    """A fresh secret whose prefix is not taken (prefixes are shown to tell tokens apart)."""
    for _attempt in range(10):
        secret = secrets.token_urlsafe(32)
        prefix = secret[:PREFIX_LENGTH]
        if not ApiToken.objects.filter(prefix=prefix).exists():
            return secret, prefix
    raise TokenError("Không tạo được token; vui lòng thử lại.")  # pragma: no cover


def check_token_request(
    *,
    agency: Agency,
    name: str,
    roles: Iterable[Role | str],
    unit: Agency | None = None,
    created_by: User | None = None,
    expires_at: datetime | None = None,
) -> list[Role]:
    """Validate what :func:`issue_token` is asked; the parsed roles or :class:`TokenError`."""
    if not name.strip():
        raise TokenError("Vui lòng đặt tên cho kết nối.")
    parsed = _parse_roles(roles)
    if created_by is not None and not can_manage_agency(created_by, agency):
        raise TokenError(f"Bạn không quản trị {agency.name}.")
    try:
        check_unit_in_agency(agency, unit)
    except StaffUserError as exc:
        raise TokenError(str(exc)) from exc
    if expires_at is not None and expires_at <= timezone.now():
        raise TokenError("Thời điểm hết hạn phải ở tương lai.")
    return parsed


@transaction.atomic
def issue_token(
    *,
    agency: Agency,
    name: str,
    roles: Iterable[Role | str],
    unit: Agency | None = None,
    created_by: User | None = None,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Create a token and its service account; returns ``(token, secret)``.

    The secret is returned once and never stored (only its SHA-256). The service
    account is a staff user of ``agency`` (in ``unit`` if given, e.g. the one-stop unit
    for a counter integration) with ``roles`` and no usable password.
    """
    name = " ".join(name.split())
    parsed = check_token_request(
        agency=agency,
        name=name,
        roles=roles,
        unit=unit,
        created_by=created_by,
        expires_at=expires_at,
    )
    secret, prefix = _new_secret()
    username = f"api.{prefix.lower()}.{secrets.token_hex(3)}"
    try:
        user = create_staff_user(
            username,
            full_name=f"Kết nối {name}"[:150],
            agency=agency,
            unit=unit,
            roles=parsed,
            password=secrets.token_urlsafe(24),
            password_hash=make_password(None),  # unusable: the account never logs in
            acting_user=created_by,
        )
    except StaffUserError as exc:
        raise TokenError(str(exc)) from exc
    token = ApiToken.objects.create(
        name=name,
        agency=agency,
        user=user,
        prefix=prefix,
        token_hash=hash_secret(secret),
        created_by=created_by,
        expires_at=expires_at,
    )
    record_event(
        action="api_token.issued",
        target=token,
        actor=created_by,
        summary=f"{name} · {agency.code} · {prefix}…",
        payload={
            "name": name,
            "agency": agency.code,
            "unit": unit.code if unit else None,
            "prefix": prefix,
            "user": username,
            "roles": [r.value for r in parsed],
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    return token, secret


@transaction.atomic
def revoke_token(token: ApiToken, *, acting_user: User | None = None) -> ApiToken:
    """Revoke a token for good (its service account is deactivated too). Idempotent."""
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    if acting_user is not None and not can_manage_agency(acting_user, token.agency):
        raise TokenError(f"Bạn không quản trị {token.agency.name}.")
    now = timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=now)
    User.objects.filter(pk=token.user_id).update(is_active=False)
    forget_checked_tokens()
    token.refresh_from_db()
    record_event(
        action="api_token.revoked",
        target=token,
        actor=acting_user,
        summary=f"{token.name} · {token.prefix}…",
        payload={"prefix": token.prefix, "user": token.user.username},
    )
    return token


def authenticate_token(secret: str, *, now: datetime | None = None) -> User:
    """The service account of the token ``secret``, or :class:`TokenRejected`.

    Candidates are found by prefix; hashes are compared in constant time
    (:func:`hmac.compare_digest`), also when no candidate exists.
    """
    now = now or timezone.now()
    secret = secret.strip()
    given = hash_secret(secret)
    recent = _recently_checked(given, now)
    if recent is not None:
        return recent
    candidates = list(
        ApiToken.objects.select_related("user", "user__agency", "user__unit").filter(
            prefix=secret[:PREFIX_LENGTH]
        )
        if len(secret) >= PREFIX_LENGTH
        else []
    )
    found: ApiToken | None = None
    for candidate in candidates:
        if hmac.compare_digest(given, candidate.token_hash):
            found = candidate
    if not candidates:
        hmac.compare_digest(given, _DUMMY_HASH)
    if found is None:
        raise TokenRejected("Token không hợp lệ.")
    if found.revoked_at is not None:
        raise TokenRejected("Token đã bị thu hồi.")
    if found.is_expired(now):
        raise TokenRejected("Token đã hết hạn.")
    user = found.user
    if not user.is_active:
        raise TokenRejected("Tài khoản dịch vụ của token đã bị khóa.")
    if found.last_used_at is None or now - found.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    _remember_checked(given, user, found.expires_at)
    return user
