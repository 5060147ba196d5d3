"""The account admin writes through ``accounts.services``: the account with its roles and
groups in one call, the password page too, deletions; each leaves an audit row with the
old and new values (never a password hash). Denials change nothing."""

from __future__ import annotations

import pytest

from motcua.accounts.models import RoleAssignment, User
from motcua.accounts.roles import Role
from motcua.accounts.services import create_staff_user
from motcua.audit.models import AuditEvent
from motcua.testing.admin_pages import (
    admin_client,
    change_url,
    delete,
    delete_selected,
    events,
    post_back,
    rows,
)
from motcua.testing.personas import PASSWORD, Province, administrator, superuser

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Mat-khau-moi-2025"


def password_url(user: User) -> str:
    return change_url(user).replace("/change/", "/password/")


def test_changing_a_name_and_a_role_is_one_service_call_with_old_and_new_values(
    province: Province,
) -> None:
    counter = province.counter
    admin = administrator(province.commune, "qt.longxuyen")
    response = post_back(
        admin_client(admin),
        change_url(counter),
        full_name="Trần Thị Thu Hà",
        **{
            "role_assignments-TOTAL_FORMS": "2",
            "role_assignments-1-user": str(counter.pk),
            "role_assignments-1-role": Role.UNIT_HEAD.value,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert User.objects.get(pk=counter.pk).role_set() == {Role.COUNTER_OFFICER, Role.UNIT_HEAD}
    [event] = [e for e in events("user.changed") if e.target_id == str(counter.pk)]
    assert event.actor == admin and event.actor_agency == province.commune
    assert event.payload["changes"] == {
        "full_name": ["Trần Thị Thu", "Trần Thị Thu Hà"],
        "roles": [["counter_officer"], ["counter_officer", "unit_head"]],
    }
    assert not event.payload["password_changed"]
    assert counter.password not in str(event.payload)


def test_removing_a_role_in_the_inline_is_audited(province: Province) -> None:
    specialist = province.specialist
    response = post_back(
        admin_client(superuser()),
        change_url(specialist),
        **{"role_assignments-0-DELETE": "on"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not RoleAssignment.objects.filter(user=specialist).exists()
    [event] = [e for e in events("user.changed") if e.target_id == str(specialist.pk)]
    assert event.payload["changes"] == {"roles": [["specialist"], []]}


def test_the_password_page_goes_through_the_service(province: Province) -> None:
    admin = administrator(province.commune, "qt.longxuyen")
    response = admin_client(admin).post(
        password_url(province.clerk),
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert User.objects.get(pk=province.clerk.pk).check_password(NEW_PASSWORD)
    [event] = events("user.password_set")
    assert event.target_id == str(province.clerk.pk) and event.actor == admin
    assert "password" not in event.payload


def test_a_weak_password_is_refused_and_nothing_changes(province: Province) -> None:
    client = admin_client(superuser())
    before, audit = rows(User), AuditEvent.objects.count()
    response = client.post(
        password_url(province.clerk),
        {"usable_password": "true", "password1": "123", "password2": "123"},
    )
    assert response.status_code == 200
    assert rows(User) == before and AuditEvent.objects.count() == audit


def test_deleting_accounts_goes_through_the_service(province: Province) -> None:
    client = admin_client(superuser())
    first, second = (
        create_staff_user(
            name, full_name="Người Mới", agency=province.commune, roles=[], password=PASSWORD
        )
        for name in ("moi.mot", "moi.hai")
    )
    assert delete(client, first).status_code == 302
    assert delete_selected(client, User, second.pk).status_code == 302
    assert not User.objects.filter(username__startswith="moi.").exists()
    deleted = {event.target_id for event in events("user.deleted")}
    assert deleted == {str(first.pk), str(second.pk)}


def test_an_agency_administrator_cannot_change_another_agencys_account(
    province: Province,
) -> None:
    client = admin_client(administrator(province.other_commune, "qt.chaudoc"))
    before = rows(User), rows(RoleAssignment)
    audit = AuditEvent.objects.count()
    target = province.counter  # Long Xuyên
    assert client.get(change_url(target)).status_code == 404
    assert client.post(change_url(target), {"full_name": "Sửa"}).status_code == 404
    assert (
        client.post(
            password_url(target),
            {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        ).status_code
        == 404
    )
    assert delete(client, target).status_code in (403, 404)
    delete_selected(client, User, target.pk)
    assert (rows(User), rows(RoleAssignment)) == before
    assert AuditEvent.objects.count() == audit
