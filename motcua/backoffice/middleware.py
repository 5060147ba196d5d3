"""The second factor also guards the admin site (``/quan-tri/``).

A user who enrolled an authenticator app must enter its code in this session before any
admin page; the admin's own login page stays reachable.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase
from django.urls import get_script_prefix, get_urlconf, reverse

from motcua.accounts.models import User
from motcua.backoffice.access import needs_second_factor


class AdminSecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        admin_root, admin_login = _admin_paths(get_script_prefix(), get_urlconf())
        path = request.path
        if path.startswith(admin_root) and not path.startswith(admin_login):
            user = request.user
            if (
                isinstance(user, User)
                and user.is_authenticated
                and needs_second_factor(request, user)
            ):
                return redirect_to_login(
                    request.get_full_path(), login_url=reverse("backoffice:verify")
                )
        return self.get_response(request)


@lru_cache(maxsize=8)
def _admin_paths(script_prefix: str, urlconf: str | None) -> tuple[str, str]:
    """The admin's root and login paths (reversed once per prefix and URLconf, not on
    every request: this runs before every view, the public API's too)."""
    return reverse("admin:index"), reverse("admin:login")
