"""Authentication of the JSON API: a bearer token, or the browser's Django session.

``Authorization: Bearer <token>`` authenticates as the token's service account; a bad
token is refused with 401 and a clear message (the session is not tried then). Without
that header the Django session is used, with the CSRF check on unsafe methods.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django_otp import user_has_device
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth
from ninja.utils import check_csrf

from motcua.integrations.services import TokenRejected, authenticate_token


class NotAuthenticated(Exception):
    """No credentials, or a session POST without the CSRF token."""

    def __init__(self, message: str, *, status: int = 401, code: str = "unauthorized") -> None:
        self.message = message
        self.status = status
        self.code = code
        super().__init__(message)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>`` → the token's service account."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if not token.strip():
            raise TokenRejected("Thiếu token sau «Bearer».")
        return authenticate_token(token)


class StaffSessionAuth(SessionAuth):
    """The logged-in user of the Django session; unsafe methods need the CSRF token.

    A user with a confirmed second factor must have verified it in this session."""

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        # The same rule as the back office: who enrolled an authenticator app must have
        # entered its code in this session (django-otp).
        verified = getattr(user, "is_verified", None)
        if user_has_device(user, confirmed=True) and not (verified and verified()):
            raise NotAuthenticated(
                "Tài khoản có xác thực hai lớp: hãy nhập mã xác thực trên trang cán bộ trước "
                "khi dùng API bằng phiên đăng nhập.",
                code="second_factor_required",
            )
        exempt = getattr(request, "_ninja_csrf_exempt", False)
        if self.csrf and not exempt and check_csrf(request) is not None:
            raise NotAuthenticated(
                "Thiếu hoặc sai mã CSRF: tải lại trang rồi thực hiện lại.",
                status=403,
                code="csrf_failed",
            )
        return user


token_auth = TokenAuth()
session_auth = StaffSessionAuth()
#: For the routers: a token first, else the session.
api_auth = [token_auth, session_auth]

UNAUTHENTICATED_MESSAGE = "Cần đăng nhập hoặc gửi token: tiêu đề «Authorization: Bearer <token>»."
