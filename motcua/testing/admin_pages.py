"""Driving the admin site (``/quan-tri/``) in tests as an officer's browser would."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.test import Client

from motcua.accounts.models import User
from motcua.audit.models import AuditEvent
from motcua.testing.forms import form_fields

ADMIN = "/quan-tri"
Response = Any  # the test client's response


def admin_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def change_url(obj: Model) -> str:
    meta = obj._meta
    return f"{ADMIN}/{meta.app_label}/{meta.model_name}/{obj.pk}/change/"


def list_url(model: type[Model]) -> str:
    return f"{ADMIN}/{model._meta.app_label}/{model._meta.model_name}/"


def post_back(client: Client, url: str, **changes: Any) -> Response:
    """Open the admin form at ``url``, change some fields (by their names in the form,
    inline ones like ``offerings-0-is_active``; ``None`` clears a box or drops a field) and
    submit it."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    form_id = f"{page.context['opts'].model_name}_form"  # not the header's log-out form
    data = form_fields(page.content.decode(), form_id)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    data.setdefault("_save", "Lưu")
    return client.post(url, data)


def delete(client: Client, obj: Model) -> Response:
    """Confirm the deletion of ``obj`` on its delete page."""
    return client.post(change_url(obj).replace("/change/", "/delete/"), {"post": "yes"})


def delete_selected(client: Client, model: type[Model], *pks: Any) -> Response:
    """Run the "delete selected" action of the list on these rows, confirmed."""
    return client.post(
        list_url(model),
        {"action": "delete_selected", "_selected_action": [str(pk) for pk in pks], "post": "yes"},
    )


def rows(model: type[Model]) -> list[dict[str, Any]]:
    """Every row of ``model`` as stored: a snapshot to compare before and after."""
    return list(model._default_manager.order_by("pk").values())


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))
