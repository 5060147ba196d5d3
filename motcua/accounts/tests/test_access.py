"""Access helpers: which agencies a user may see and manage."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from motcua.accounts.access import (
    agency_scope_ids,
    can_manage_agency,
    can_manage_user,
    restrict_agencies,
    restrict_users,
)
from motcua.accounts.models import User
from motcua.accounts.tests.fixtures import CHAU_DOC, LONG_XUYEN
from motcua.agencies.models import Agency


def ids(*codes: str) -> set[int]:
    return set(Agency.objects.filter(code__in=codes).values_list("pk", flat=True))


def subtree(code: str) -> set[int]:
    return set(Agency.objects.filter(code__startswith=code).values_list("pk", flat=True))


def test_scope_of_each_kind_of_user(persona: dict[str, User]) -> None:
    assert agency_scope_ids(persona["admin"]) is None
    assert agency_scope_ids(persona["quantri.angiang"]) == subtree("H01")
    assert agency_scope_ids(persona["longxuyen.quantri"]) == subtree(LONG_XUYEN)
    assert len(subtree(LONG_XUYEN)) == 5
    assert agency_scope_ids(persona["longxuyen.chuyenvien"]) == ids(LONG_XUYEN)
    assert agency_scope_ids(persona["stp.quantri"]) == subtree("H01.4")
    assert agency_scope_ids(AnonymousUser()) == set()
    assert agency_scope_ids(None) == set()


def test_the_province_scope_leaves_out_the_former_kien_giang(persona: dict[str, User]) -> None:
    scope = agency_scope_ids(persona["quantri.angiang"])
    assert scope is not None
    assert not scope & subtree("H33")


def test_citizens_and_inactive_staff_see_nothing(persona: dict[str, User]) -> None:
    admin = persona["longxuyen.quantri"]
    admin.is_active = False
    assert agency_scope_ids(admin) == set()
    citizen = User.objects.create_user("cd", kind=User.Kind.CITIZEN, agency=admin.agency)
    assert agency_scope_ids(citizen) == set()
    assert not can_manage_agency(citizen, Agency.objects.get(code=LONG_XUYEN))


@pytest.mark.parametrize(
    ("username", "code", "allowed"),
    [
        ("admin", "H33", True),
        ("quantri.angiang", "H01", True),
        ("quantri.angiang", "H01.30316.4", True),
        ("quantri.angiang", "H33", False),
        ("longxuyen.quantri", LONG_XUYEN, True),
        ("longxuyen.quantri", f"{LONG_XUYEN}.4", True),
        ("longxuyen.quantri", CHAU_DOC, False),
        ("longxuyen.quantri", "H01", False),
        ("longxuyen.lanhdao", LONG_XUYEN, False),
        ("longxuyen.chuyenvien", f"{LONG_XUYEN}.4", False),
        ("stp.quantri", "H01.4.2", True),
        ("stp.quantri", "H01.5", False),
        ("ttpvhcc.quantri", "H01.1", False),  # the centre's admin does not manage its parent
    ],
)
def test_who_may_manage_which_agency(
    persona: dict[str, User], username: str, code: str, allowed: bool
) -> None:
    agency = Agency.objects.get(code=code)
    assert can_manage_agency(persona[username], agency) is allowed


def test_who_may_manage_which_account(persona: dict[str, User]) -> None:
    lx_admin = persona["longxuyen.quantri"]
    assert can_manage_user(lx_admin, persona["longxuyen.tiepnhan"])
    assert can_manage_user(lx_admin, lx_admin)
    assert not can_manage_user(lx_admin, persona["chaudoc.tiepnhan"])
    assert not can_manage_user(lx_admin, persona["admin"])
    assert not can_manage_user(persona["quantri.angiang"], persona["admin"])
    assert can_manage_user(persona["admin"], persona["quantri.angiang"])


def test_querysets_are_restricted_by_path(persona: dict[str, User]) -> None:
    lx_admin = persona["longxuyen.quantri"]
    assert set(
        restrict_agencies(lx_admin, Agency.objects.all()).values_list("pk", flat=True)
    ) == subtree(LONG_XUYEN)
    assert set(restrict_users(lx_admin, User.objects.all()).values_list("username", flat=True)) == {
        f"longxuyen.{role}"
        for role in (
            "tiepnhan",
            "chuyenvien",
            "truongphong",
            "lanhdao",
            "vanthu",
            "kiemsoat",
            "quantri",
        )
    }
    province_users = restrict_users(persona["quantri.angiang"], User.objects.all())
    assert "admin" not in set(province_users.values_list("username", flat=True))
    assert province_users.count() == User.objects.count() - 1
    specialist = persona["longxuyen.chuyenvien"]
    assert list(restrict_users(specialist, User.objects.all())) == [specialist]
    assert list(restrict_agencies(specialist, Agency.objects.all())) == [specialist.agency]
    assert not restrict_agencies(AnonymousUser(), Agency.objects.all()).exists()
