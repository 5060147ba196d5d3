"""Who may use the back office, and which parts of it.

``staff_required``: an active staff account (``User.Kind.STAFF``); anonymous users go to
the login page; a staff user who enrolled an authenticator app must also have entered
its code in this session (django-otp ``is_verified``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django_otp import user_has_device

from motcua.accounts.models import User
from motcua.accounts.roles import Role
from motcua.dossiers import policy
from motcua.dossiers.models import Dossier, DossierStep

View = Callable[..., HttpResponseBase]


def staff_user(request: HttpRequest) -> User | None:
    user = request.user
    if isinstance(user, User) and user.is_active and user.kind == User.Kind.STAFF:
        return user
    return None


def needs_second_factor(request: HttpRequest, user: User) -> bool:
    verified = getattr(request.user, "is_verified", None)
    return user_has_device(user, confirmed=True) and not (verified and verified())


def denied(request: HttpRequest, message: str, status: int = 403) -> HttpResponse:
    return render(
        request,
        "backoffice/denied.html",
        {"message": message, "status": status},
        status=status,
    )


def staff_required(view: View | None = None, *, verified: bool = True) -> Any:
    """Decorator: staff only; with ``verified`` the second factor too, when enrolled."""

    def decorate(func: View) -> View:
        @wraps(func)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            user = staff_user(request)
            if user is None:
                return denied(request, "Trang này dành cho cán bộ, công chức.")
            if verified and needs_second_factor(request, user):
                return redirect_to_login(
                    request.get_full_path(), login_url=reverse("backoffice:verify")
                )
            return func(request, *args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate


def is_counter(user: User) -> bool:
    return user.has_role(Role.COUNTER_OFFICER) and user.agency_id is not None


def may_upload(user: User, dossier: Dossier, steps: Iterable[DossierStep]) -> bool:
    """Who adds files to a dossier they can see (``policy.may_upload``)."""
    return policy.may_upload(policy.person(user), dossier, steps)


def may_print_register(user: User) -> bool:
    roles = (Role.COUNTER_OFFICER, Role.AGENCY_LEADER, Role.UNIT_HEAD, Role.TTHC_CONTROL)
    return user.agency_id is not None and any(user.has_role(r) for r in roles)
