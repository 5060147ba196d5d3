"""Writes to accounts and roles. Every write appends to the audit log."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from motcua.accounts.models import RoleAssignment, User
from motcua.accounts.roles import Role
from motcua.agencies.models import Agency
from motcua.agencies.rules import is_in_subtree
from motcua.audit.services import record_event

# Staff who administer an agency's subtree get the admin site (is_staff) and this group's
# model permissions; what they can reach is then narrowed by motcua.accounts.access.
AGENCY_ADMIN_GROUP = "Quản trị cơ quan"
AGENCY_ADMIN_PERMISSIONS = (
    "agencies.view_agency",
    "agencies.add_agency",
    "agencies.change_agency",
    "agencies.view_administrativeunit",
    "accounts.view_user",
    "accounts.add_user",
    "accounts.change_user",
    "accounts.view_roleassignment",
    "accounts.add_roleassignment",
    "accounts.change_roleassignment",
    "accounts.delete_roleassignment",
)


class StaffUserError(ValueError):
    """The account cannot be created as asked (duplicate name, unit outside agency …)."""


def ensure_agency_admin_group() -> Group:
    """The "Quản trị cơ quan" group with exactly its permissions (idempotent)."""
    group, _ = Group.objects.get_or_create(name=AGENCY_ADMIN_GROUP)
    wanted = []
    for dotted in AGENCY_ADMIN_PERMISSIONS:
        app_label, codename = dotted.split(".")
        wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    if set(group.permissions.all()) != set(wanted):
        group.permissions.set(wanted)
    return group


def check_unit_in_agency(agency: Agency | None, unit: Agency | None) -> None:
    """A user's unit must be a node strictly under their agency."""
    if unit is None:
        return
    if agency is None or not is_in_subtree(unit.path, agency.path, strict=True):
        raise StaffUserError(f"Đơn vị “{unit}” không trực thuộc cơ quan “{agency}”.")


def _parse_roles(roles: Iterable[Role | str]) -> list[Role]:
    parsed: list[Role] = []
    for value in roles:
        try:
            role = Role(value)
        except ValueError as exc:
            raise StaffUserError(f"Vai trò không hợp lệ: {value!r}.") from exc
        if role not in parsed:
            parsed.append(role)
    return parsed


def _split_full_name(full_name: str) -> tuple[str, str]:
    """('Nguyễn', 'Văn An'): Vietnamese order is family name first."""
    family, _, given = " ".join(full_name.split()).partition(" ")
    return family, given


@transaction.atomic
def create_staff_user(
    username: str,
    *,
    full_name: str,
    agency: Agency,
    unit: Agency | None = None,
    roles: Iterable[Role | str],
    password: str,
    acting_user: Any = None,
    password_hash: str | None = None,
) -> User:
    """Create a staff account in ``agency`` (optionally a unit under it) with roles.

    Administrators (``Role.ADMINISTRATOR``) also get the admin site and the
    "Quản trị cơ quan" group. The password must pass the configured validators.
    ``password_hash`` (``make_password(password)``, computed once by the caller) spares
    seeding scripts one slow hash per account.
    """
    parsed = _parse_roles(roles)
    check_unit_in_agency(agency, unit)
    if User.objects.filter(username=username).exists():
        raise StaffUserError(f"Tên đăng nhập “{username}” đã có.")
    family, given = _split_full_name(full_name)
    user = User(
        username=username,
        full_name=full_name,
        last_name=family,
        first_name=given,
        kind=User.Kind.STAFF,
        agency=agency,
        unit=unit,
        is_staff=Role.ADMINISTRATOR in parsed,
    )
    validate_password(password, user)
    if password_hash is not None:
        user.password = password_hash
    else:
        user.set_password(password)
    user.save()
    RoleAssignment.objects.bulk_create([RoleAssignment(user=user, role=r.value) for r in parsed])
    if Role.ADMINISTRATOR in parsed:
        user.groups.add(ensure_agency_admin_group())
    record_event(
        action="user.created",
        target=user,
        actor=acting_user,
        summary=f"{username} · {agency.code} {agency.name}",
        payload={
            "username": username,
            "agency": agency.code,
            "unit": unit.code if unit else None,
            "roles": [r.value for r in parsed],
        },
    )
    return user


def record_user_saved(
    user: User, *, acting_user: Any, created: bool, changed: Iterable[str] = ()
) -> None:
    """Audit an account change made through a form (the admin site)."""
    record_event(
        action="user.created" if created else "user.changed",
        target=user,
        actor=acting_user,
        summary=user.username,
        payload={
            "agency": user.agency.code if user.agency else None,
            "changed": sorted(changed),
            "roles": sorted(user.role_assignments.values_list("role", flat=True)),
            "is_staff": user.is_staff,
            "is_superuser": user.is_superuser,
        },
    )
