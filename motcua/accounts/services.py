"""Writes to accounts and roles. Every write appends to the audit log."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from motcua.accounts.models import RoleAssignment, User
from motcua.accounts.roles import Role
from motcua.agencies.models import Agency
from motcua.agencies.rules import is_in_subtree
from motcua.audit.services import changed_values, field_values, record_event

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


#: The account's own columns the audit compares (never the password hash).
USER_FIELDS = (
    "username",
    "full_name",
    "email",
    "phone",
    "kind",
    "agency",
    "unit",
    "is_active",
    "is_staff",
    "is_superuser",
)


def _user_state(user: User | None) -> dict[str, Any]:
    """What the audit compares before and after an edit: columns, roles, groups, permissions."""
    if user is None:
        return {}
    return {
        **field_values(user, USER_FIELDS),
        "roles": sorted(user.role_assignments.values_list("role", flat=True)),
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "user_permissions": sorted(
            f"{app}.{code}"
            for app, code in user.user_permissions.values_list(
                "content_type__app_label", "codename"
            )
        ),
    }


@transaction.atomic
def save_user(
    user: User,
    *,
    acting_user: Any = None,
    roles: Iterable[Role | str] | None = None,
    groups: Iterable[Group] | None = None,
    permissions: Iterable[Permission] | None = None,
) -> User:
    """Save an account created or edited by hand (the admin site) with, when given, its
    roles, groups and individual permissions; the audit row holds the old and new value of
    each that changed (whether the password changed, never the hash).

    The unit must lie under the agency (``StaffUserError``). Who may edit whom is the
    caller's check (``access.can_manage_user``)."""
    check_unit_in_agency(user.agency, user.unit)
    wanted = _parse_roles(roles) if roles is not None else None
    created = user.pk is None
    old = None if created else User.objects.select_for_update().filter(pk=user.pk).first()
    before = _user_state(old)
    user.save()
    if wanted is not None:
        user.role_assignments.exclude(role__in=[r.value for r in wanted]).delete()
        have = set(user.role_assignments.values_list("role", flat=True))
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(user=user, role=r.value) for r in wanted if r.value not in have]
        )
        vars(user).pop("_role_cache", None)  # User.role_set reads them again
    if groups is not None:
        user.groups.set(list(groups))
    if permissions is not None:
        user.user_permissions.set(list(permissions))
    after = _user_state(user)
    changes = changed_values(before, after)
    password_changed = created or (old is not None and old.password != user.password)
    record_event(
        action="user.created" if created else "user.changed",
        target=user,
        actor=acting_user,
        summary=user.username,
        payload={
            "agency": user.agency.code if user.agency else None,
            "changed": sorted([*changes, *(["password"] if password_changed else [])]),
            "changes": changes,
            "password_changed": password_changed,
            "roles": after["roles"],
            "is_staff": user.is_staff,
            "is_superuser": user.is_superuser,
        },
    )
    return user


@transaction.atomic
def set_user_password(user: User, password: str | None, *, acting_user: Any = None) -> User:
    """Give an account a new password (checked against the configured validators), or with
    ``None`` turn password login off for it. The audit row says which, never the hash."""
    if password is None:
        user.set_unusable_password()
    else:
        validate_password(password, user)
        user.set_password(password)
    user.save(update_fields=["password"])
    record_event(
        action="user.password_set" if password is not None else "user.password_disabled",
        target=user,
        actor=acting_user,
        summary=user.username,
        payload={"agency": user.agency.code if user.agency else None},
    )
    return user


@transaction.atomic
def delete_user(user: User, *, acting_user: Any = None) -> None:
    """Delete an account and its roles. One that acted on dossiers stays: the database
    refuses (``ProtectedError``); deactivate it instead."""
    record_event(
        action="user.deleted",
        target=user,
        actor=acting_user,
        summary=user.username,
        payload={"state": _user_state(user)},
    )
    user.delete()


# --- Citizens ---------------------------------------------------------------------------

#: A personal identification number (CCCD): 12 digits.
ID_NUMBER = re.compile(r"^\d{12}$")


class RegistrationError(Exception):
    """The account cannot be created; ``field`` names the input at fault."""

    def __init__(self, message: str, field: str, reasons: Sequence[str] = ()) -> None:
        self.message, self.field = message, field
        #: Each reason on its own (the password rules it breaks), else the message.
        self.reasons = list(reasons) or [message]
        super().__init__(message)


@dataclass(frozen=True)
class Registration:
    full_name: str
    id_number: str
    phone: str
    email: str
    password: str


def register_citizen(data: Registration) -> User:
    """A citizen account whose login is the personal identification number (CCCD)."""
    if not ID_NUMBER.match(data.id_number):
        raise RegistrationError("Số định danh cá nhân gồm đúng 12 chữ số.", "id_number")
    user = User(
        username=data.id_number,
        kind=User.Kind.CITIZEN,
        full_name=data.full_name.strip(),
        phone=data.phone.strip(),
        email=data.email.strip(),
    )
    try:
        validate_password(data.password, user)
    except ValidationError as exc:
        raise RegistrationError(" ".join(exc.messages), "password", exc.messages) from exc
    user.set_password(data.password)
    try:
        with transaction.atomic():
            user.save()
            record_event(
                action="accounts.citizen_registered",
                target=user,
                actor=user,
                summary=user.full_name,
            )
    except IntegrityError as exc:
        raise RegistrationError(
            "Số định danh này đã có tài khoản: hãy đăng nhập.", "id_number"
        ) from exc
    return user
