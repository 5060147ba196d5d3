"""create_staff_user: roles, admin flags, unit inside the agency, audit."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from motcua.accounts.models import RoleAssignment, User
from motcua.accounts.roles import Role
from motcua.accounts.services import (
    AGENCY_ADMIN_GROUP,
    AGENCY_ADMIN_PERMISSIONS,
    StaffUserError,
    create_staff_user,
    ensure_agency_admin_group,
)
from motcua.agencies.models import Agency
from motcua.agencies.services import EnsureResult
from motcua.audit.models import AuditEvent

PASSWORD = "mat-khau-thu-2025"


def agency(code: str) -> Agency:
    return Agency.objects.get(code=code)


def test_it_creates_a_staff_user_with_roles(demo_province: EnsureResult) -> None:
    user = create_staff_user(
        "nv.an",
        full_name="Nguyễn Văn An",
        agency=agency("H01.4"),
        unit=agency("H01.4.2"),
        roles=[Role.SPECIALIST, "unit_head"],
        password=PASSWORD,
    )
    user.refresh_from_db()
    assert user.kind == User.Kind.STAFF
    assert (user.agency.code, user.unit.code) == ("H01.4", "H01.4.2")  # type: ignore[union-attr]
    assert user.role_set() == {Role.SPECIALIST, Role.UNIT_HEAD}
    assert user.get_full_name() == "Nguyễn Văn An"
    assert (user.last_name, user.first_name) == ("Nguyễn", "Văn An")
    assert user.check_password(PASSWORD)
    assert not user.is_staff and not user.is_superuser and not user.groups.exists()
    event = AuditEvent.objects.get(action="user.created", target_id=str(user.pk))
    assert event.payload == {
        "username": "nv.an",
        "agency": "H01.4",
        "unit": "H01.4.2",
        "roles": ["specialist", "unit_head"],
    }


def test_an_administrator_gets_the_admin_site_and_group(demo_province: EnsureResult) -> None:
    user = create_staff_user(
        "qt",
        full_name="Lê Thị B",
        agency=agency("H01.4"),
        roles=[Role.ADMINISTRATOR],
        password=PASSWORD,
    )
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [AGENCY_ADMIN_GROUP]
    assert len(user.get_all_permissions()) == len(AGENCY_ADMIN_PERMISSIONS)
    assert user.has_perm("agencies.change_agency")
    assert not user.has_perm("agencies.delete_agency")
    assert not user.has_perm("audit.view_auditevent")


@pytest.mark.parametrize(
    ("agency_code", "unit_code"),
    [
        ("H01.4", "H01.5.1"),  # a unit of another department
        ("H01.4", "H01.4"),  # the agency itself is not a unit under it
        ("H01.4.2", "H01.4"),  # the parent, not a child
    ],
)
def test_it_refuses_a_unit_outside_the_agency(
    demo_province: EnsureResult, agency_code: str, unit_code: str
) -> None:
    with pytest.raises(StaffUserError, match="không trực thuộc"):
        create_staff_user(
            "x", full_name="X", agency=agency(agency_code), unit=agency(unit_code),
            roles=[Role.SPECIALIST], password=PASSWORD,
        )  # fmt: skip
    assert not User.objects.filter(username="x").exists()


def test_it_refuses_unknown_roles_duplicates_and_weak_passwords(
    demo_province: EnsureResult,
) -> None:
    kwargs = {"full_name": "X", "agency": agency("H01.4"), "password": PASSWORD}
    with pytest.raises(StaffUserError, match="Vai trò"):
        create_staff_user("x", roles=["boss"], **kwargs)  # type: ignore[arg-type]
    create_staff_user("x", roles=[Role.CLERK], **kwargs)  # type: ignore[arg-type]
    with pytest.raises(StaffUserError, match="đã có"):
        create_staff_user("x", roles=[Role.CLERK], **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        create_staff_user(
            "y", full_name="Y", agency=agency("H01.4"), roles=[Role.CLERK], password="12345678"
        )
    assert list(User.objects.values_list("username", flat=True)) == ["x"]
    assert RoleAssignment.objects.count() == 1


def test_the_admin_group_is_idempotent(db: None) -> None:
    first = ensure_agency_admin_group()
    second = ensure_agency_admin_group()
    assert first.pk == second.pk
    assert second.permissions.count() == len(AGENCY_ADMIN_PERMISSIONS)
