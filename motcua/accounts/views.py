"""Logging in: staff land in the back office, citizens on their dossiers."""

from __future__ import annotations

from django.contrib.auth.views import LoginView
from django.urls import reverse

from motcua.accounts.models import User


class MotcuaLoginView(LoginView):
    template_name = "registration/login.html"

    def get_default_redirect_url(self) -> str:
        """Where to go without a ``next``: the place the account works from."""
        user = self.request.user
        if isinstance(user, User) and user.kind == User.Kind.STAFF:
            return reverse("backoffice:worklist")
        return reverse("portal:my_dossiers")
