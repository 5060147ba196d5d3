"""User admin scoped for agency administrators. Every denial checks nothing changed."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group

from motcua.accounts.models import RoleAssignment, User
from motcua.accounts.roles import Role
from motcua.accounts.services import AGENCY_ADMIN_GROUP
from motcua.accounts.tests.fixtures import CHAU_DOC, LONG_XUYEN, login
from motcua.agencies.models import Agency
from motcua.audit.models import AuditEvent

URL = "/quan-tri/accounts/user/"
PREFIX = "role_assignments"


def agency(code: str) -> Agency:
    return Agency.objects.get(code=code)


def form_data(user: User, **changes: Any) -> dict[str, Any]:
    """The change form as a scoped administrator submits it (read-only fields left out)."""
    roles = list(user.role_assignments.order_by("pk"))
    data: dict[str, Any] = {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "kind": user.kind,
        "agency": user.agency_id or "",
        "unit": user.unit_id or "",
        "groups": [g.pk for g in user.groups.all()],
        f"{PREFIX}-TOTAL_FORMS": len(roles),
        f"{PREFIX}-INITIAL_FORMS": len(roles),
        f"{PREFIX}-MIN_NUM_FORMS": 0,
        f"{PREFIX}-MAX_NUM_FORMS": 1000,
    }
    for i, assignment in enumerate(roles):
        data[f"{PREFIX}-{i}-id"] = assignment.pk
        data[f"{PREFIX}-{i}-user"] = user.pk
        data[f"{PREFIX}-{i}-role"] = assignment.role
    if user.is_active:
        data["is_active"] = "on"
    if user.is_staff:
        data["is_staff"] = "on"
    data.update(changes)
    return data


def snapshot() -> list[tuple[Any, ...]]:
    users = User.objects.order_by("pk").values_list(
        "pk",
        "username",
        "full_name",
        "agency_id",
        "unit_id",
        "is_staff",
        "is_superuser",
        "password",
    )
    roles = RoleAssignment.objects.order_by("pk").values_list("user_id", "role")
    groups = User.groups.through.objects.order_by("pk").values_list("user_id", "group_id")
    return [*users, *roles, *groups]


def change_url(user: User) -> str:
    return f"{URL}{user.pk}/change/"


def test_a_scoped_admin_lists_only_accounts_in_their_subtree(persona: dict[str, User]) -> None:
    response = login("longxuyen.quantri").get(URL)
    assert response.status_code == 200
    shown = {u.username for u in response.context["cl"].result_list}
    assert shown == {u for u in persona if u.startswith("longxuyen.")}


def test_a_scoped_admin_gets_404_for_accounts_outside(persona: dict[str, User]) -> None:
    client = login("longxuyen.quantri")
    before, events = snapshot(), AuditEvent.objects.count()
    for username in ("chaudoc.tiepnhan", "admin", "quantri.angiang"):
        target = persona[username]
        assert client.get(change_url(target)).status_code == 404
        assert (
            client.post(change_url(target), form_data(target, full_name="Sửa")).status_code == 404
        )
        password_url = f"{URL}{target.pk}/password/"
        assert (
            client.post(
                password_url, {"password1": "mat-khau-moi-2025", "password2": "mat-khau-moi-2025"}
            ).status_code
            == 404
        )
    assert snapshot() == before
    assert AuditEvent.objects.count() == events


def test_a_scoped_admin_cannot_grant_superuser_or_permissions(persona: dict[str, User]) -> None:
    client = login("longxuyen.quantri")
    target = persona["longxuyen.vanthu"]
    response = client.post(
        change_url(target),
        form_data(target, is_superuser="on", user_permissions=[1, 2, 3], full_name="Trần Văn Thư"),
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert not target.is_superuser
    assert not target.user_permissions.exists()
    assert target.full_name == "Trần Văn Thư"  # the allowed part was saved
    event = AuditEvent.objects.get(action="user.changed", target_id=str(target.pk))
    assert event.actor == persona["longxuyen.quantri"]
    assert "full_name" in event.payload["changed"]


def test_a_scoped_admin_cannot_give_groups_they_do_not_have(persona: dict[str, User]) -> None:
    client = login("longxuyen.quantri")
    other = Group.objects.create(name="Nhóm khác")
    target = persona["longxuyen.vanthu"]
    before = snapshot()
    response = client.post(change_url(target), form_data(target, groups=[other.pk]))
    assert response.status_code == 200
    assert "groups" in response.context["adminform"].form.errors
    assert snapshot() == before


def test_groups_the_admin_cannot_see_are_kept(persona: dict[str, User]) -> None:
    other = Group.objects.create(name="Nhóm khác")
    target = persona["longxuyen.quantri"]
    target.groups.add(other)
    editor = User.objects.get(username="quantri.angiang")  # only in "Quản trị cơ quan"
    assert not editor.groups.filter(pk=other.pk).exists()
    response = login("quantri.angiang").post(change_url(target), form_data(target, groups=[]))
    assert response.status_code == 302
    assert set(target.groups.values_list("name", flat=True)) == {"Nhóm khác"}


def test_a_scoped_admin_cannot_move_a_user_out_of_their_subtree(persona: dict[str, User]) -> None:
    client = login("longxuyen.quantri")
    target = persona["longxuyen.chuyenvien"]
    before = snapshot()
    for changes in (
        {"agency": agency(CHAU_DOC).pk, "unit": ""},
        {"unit": agency(f"{CHAU_DOC}.4").pk},
        {"agency": ""},
    ):
        response = client.post(change_url(target), form_data(target, **changes))
        assert response.status_code == 200
        assert response.context["adminform"].form.errors
    assert snapshot() == before


def test_the_unit_must_be_under_the_agency(persona: dict[str, User]) -> None:
    client = login("admin")
    target = persona["chaudoc.chuyenvien"]
    before = snapshot()
    response = client.post(
        change_url(target),
        form_data(
            target, unit=agency("H01.4.2").pk, date_joined_0="2025-01-01", date_joined_1="08:00:00"
        ),
    )
    assert response.status_code == 200
    assert "unit" in response.context["adminform"].form.errors
    assert snapshot() == before


def test_a_scoped_admin_creates_a_user_in_their_subtree(persona: dict[str, User]) -> None:
    client = login("longxuyen.quantri")
    base = {
        "username": "lx.moi",
        "usable_password": "true",
        "password1": "mat-khau-moi-2025",
        "password2": "mat-khau-moi-2025",
        "full_name": "Võ Thị Mới",
        "kind": "staff",
        "unit": "",
    }
    before = snapshot()
    response = client.post(f"{URL}add/", {**base, "agency": agency(CHAU_DOC).pk})
    assert response.status_code == 200
    assert "agency" in response.context["adminform"].form.errors
    response = client.post(f"{URL}add/", {**base, "agency": ""})
    assert response.status_code == 200
    assert snapshot() == before
    response = client.post(
        f"{URL}add/",
        {**base, "agency": agency(LONG_XUYEN).pk, "unit": agency(f"{LONG_XUYEN}.4").pk},
    )
    assert response.status_code == 302
    created = User.objects.get(username="lx.moi")
    assert created.agency == agency(LONG_XUYEN) and not created.is_superuser
    assert created.check_password("mat-khau-moi-2025")
    assert AuditEvent.objects.filter(action="user.created", target_id=str(created.pk)).exists()
    # ... and then gives roles on the change page (the inline).
    data = form_data(created)
    data.update(
        {
            f"{PREFIX}-TOTAL_FORMS": 1,
            f"{PREFIX}-0-user": created.pk,
            f"{PREFIX}-0-role": Role.COUNTER_OFFICER.value,
        }
    )
    assert client.post(change_url(created), data).status_code == 302
    assert created.role_set() == {Role.COUNTER_OFFICER}
    event = AuditEvent.objects.filter(action="user.changed", target_id=str(created.pk)).get()
    assert event.payload["roles"] == ["counter_officer"]


def test_the_demo_admin_group_grants_what_the_admin_site_needs(persona: dict[str, User]) -> None:
    client = login("chaudoc.quantri")
    index = client.get("/quan-tri/")
    assert index.status_code == 200
    body = index.content.decode()
    assert "/quan-tri/agencies/agency/" in body and "/quan-tri/accounts/user/" in body
    assert "/quan-tri/audit/" not in body and "/quan-tri/auth/group/" not in body
    assert persona["chaudoc.quantri"].groups.get().name == AGENCY_ADMIN_GROUP
