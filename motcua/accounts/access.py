"""Who may see and manage which agencies and users.

Scope: a superuser sees everything; an agency administrator (a staff user holding
``Role.ADMINISTRATOR``) sees the whole subtree of their own agency; any other staff
user sees their own agency only; everyone else sees nothing.
"""

from __future__ import annotations

from typing import TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, QuerySet

from motcua.accounts.models import User
from motcua.accounts.roles import Role
from motcua.agencies.models import Agency
from motcua.agencies.queries import subtree_ids
from motcua.agencies.rules import is_in_subtree

AnyUser = AbstractBaseUser | AnonymousUser
M = TypeVar("M", bound=Model)


def _staff(user: AnyUser | None) -> User | None:
    """The user as an active staff member with an agency, else None."""
    if (
        isinstance(user, User)
        and user.is_active
        and user.kind == User.Kind.STAFF
        and user.agency_id is not None
    ):
        return user
    return None


def is_superuser(user: AnyUser | None) -> bool:
    return isinstance(user, User) and user.is_active and user.is_superuser


def is_agency_administrator(user: AnyUser | None) -> bool:
    """A staff user (not a superuser) who administers their agency's subtree."""
    staff = _staff(user)
    return staff is not None and not staff.is_superuser and staff.has_role(Role.ADMINISTRATOR)


def agency_scope_ids(user: AnyUser | None) -> set[int] | None:
    """Ids of the agencies the user may see; None means every agency (superusers)."""
    if is_superuser(user):
        return None
    staff = _staff(user)
    if staff is None or staff.agency is None:
        return set()
    if staff.has_role(Role.ADMINISTRATOR):
        return subtree_ids(staff.agency)
    return {staff.agency.pk}


def can_manage_agency(user: AnyUser | None, agency: Agency) -> bool:
    """Whether the user may change this agency (and create agencies under it)."""
    if is_superuser(user):
        return True
    if not is_agency_administrator(user):
        return False
    assert isinstance(user, User) and user.agency is not None
    return is_in_subtree(agency.path, user.agency.path)


def can_manage_user(user: AnyUser | None, target: User) -> bool:
    """Whether the user may change this account: superusers any; agency administrators
    the non-superuser accounts of agencies in their subtree."""
    if is_superuser(user):
        return True
    if target.is_superuser or target.agency is None:
        return False
    return can_manage_agency(user, target.agency)


def _in_scope(user: AnyUser | None, queryset: QuerySet[M], prefix: str) -> QuerySet[M]:
    """The rows of ``queryset`` whose agency (reached by the lookup ``prefix``) is in the
    user's scope, by tree path (no id list)."""
    if is_superuser(user):
        return queryset
    staff = _staff(user)
    if staff is None or staff.agency is None:
        return queryset.none()
    if staff.has_role(Role.ADMINISTRATOR):
        return queryset.filter(**{f"{prefix}path__startswith": staff.agency.path})
    return queryset.filter(**{f"{prefix}pk": staff.agency.pk})


def restrict_agencies(user: AnyUser | None, queryset: QuerySet[Agency]) -> QuerySet[Agency]:
    """The agencies of ``queryset`` inside the user's scope."""
    return _in_scope(user, queryset, "")


def restrict_users(user: AnyUser | None, queryset: QuerySet[User]) -> QuerySet[User]:
    """The accounts of ``queryset`` the user may manage (their own for plain staff)."""
    if is_superuser(user):
        return queryset
    if is_agency_administrator(user):
        assert isinstance(user, User) and user.agency is not None
        return queryset.filter(agency__path__startswith=user.agency.path, is_superuser=False)
    if isinstance(user, User):
        return queryset.filter(pk=user.pk)
    return queryset.none()


def restrict_by_agency(
    user: AnyUser | None, queryset: QuerySet[M], agency_field: str = "agency"
) -> QuerySet[M]:
    """The rows of ``queryset`` whose agency (``agency_field``, a lookup path such as
    ``offering__agency``) is in the user's scope, as :func:`restrict_agencies` reads it.
    Rows of no agency (the province's own) only a superuser sees."""
    return _in_scope(user, queryset, f"{agency_field}__")
