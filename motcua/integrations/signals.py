"""Forget checked tokens when what a token may do changes in this process.

Other worker processes forget them when their short trust period ends
(``MOTCUA_TOKEN_CACHE_SECONDS``, see :mod:`motcua.integrations.services`).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from motcua.accounts.models import RoleAssignment, User
from motcua.integrations.models import ApiToken
from motcua.integrations.services import forget_checked_tokens


def _forget(sender: Any, **kwargs: Any) -> None:
    forget_checked_tokens()


def connect_receivers() -> None:
    """Called by ``IntegrationsConfig.ready``."""
    for model in (ApiToken, User, RoleAssignment):
        name = model.__name__
        post_save.connect(_forget, sender=model, dispatch_uid=f"forget-tokens-save-{name}")
        post_delete.connect(_forget, sender=model, dispatch_uid=f"forget-tokens-delete-{name}")
