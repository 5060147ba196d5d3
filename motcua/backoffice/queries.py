"""Reads of the back office's own rows: a staff user's notifications."""

from __future__ import annotations

from django.db.models import QuerySet

from motcua.accounts.models import User
from motcua.backoffice.models import Notification


def inbox(user: User, limit: int = 100, *, unread_only: bool = False) -> list[Notification]:
    qs: QuerySet[Notification] = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return list(qs.select_related("dossier").order_by("read_at", "-created_at", "-pk")[:limit])


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
