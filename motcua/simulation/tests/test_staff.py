"""Demo staff: every role at each demo agency, the superuser, idempotent runs."""

from __future__ import annotations

from motcua.accounts.models import User
from motcua.accounts.roles import ROLE_LABELS_VI, Role
from motcua.accounts.services import AGENCY_ADMIN_GROUP
from motcua.simulation.staff import (
    DEMO_AGENCIES,
    DEMO_PASSWORD,
    PROVINCE_ADMIN_USERNAME,
    ROLE_SLUGS,
    create_demo_staff,
)


def test_every_role_at_every_demo_agency(persona: dict[str, User]) -> None:
    for demo in DEMO_AGENCIES:
        held = set()
        for role in Role:
            user = persona[f"{demo.slug}.{ROLE_SLUGS[role]}"]
            assert user.agency is not None and user.agency.code == demo.code
            assert user.role_set() == {role}
            assert user.kind == User.Kind.STAFF
            if user.unit is not None:
                assert user.unit.path.startswith(user.agency.path) and user.unit != user.agency
            held |= user.role_set()
        assert held == set(Role)
    assert persona["longxuyen.tiepnhan"].unit.name == (  # type: ignore[union-attr]
        "Trung tâm Phục vụ hành chính công phường Long Xuyên"
    )
    assert persona["stp.chuyenvien"].unit.name == "Phòng Hành chính tư pháp"  # type: ignore[union-attr]


def test_the_superuser_and_the_administrators(persona: dict[str, User]) -> None:
    admin = persona["admin"]
    assert admin.is_superuser and admin.is_staff and admin.check_password(DEMO_PASSWORD)
    province_admin = persona[PROVINCE_ADMIN_USERNAME]
    assert province_admin.agency is not None and province_admin.agency.code == "H01"
    assert province_admin.has_role(Role.ADMINISTRATOR)
    staff_flags = {u.username: u.is_staff for u in persona.values() if not u.is_superuser}
    assert {name for name, flag in staff_flags.items() if flag} == {
        PROVINCE_ADMIN_USERNAME,
        *(f"{d.slug}.quantri" for d in DEMO_AGENCIES),
    }
    assert set(province_admin.groups.values_list("name", flat=True)) == {AGENCY_ADMIN_GROUP}


def test_the_logins_list_every_account(
    demo_logins: list[tuple[str, str, str]], persona: dict[str, User]
) -> None:
    assert len(demo_logins) == len(persona) == 2 + 7 * len(DEMO_AGENCIES)
    as_dict = {username: (roles, agency) for username, roles, agency in demo_logins}
    assert as_dict["stp.truongphong"] == (
        ROLE_LABELS_VI[Role.UNIT_HEAD],
        "Sở Tư pháp",
    )
    assert as_dict["chaudoc.lanhdao"] == (
        ROLE_LABELS_VI[Role.AGENCY_LEADER],
        "UBND phường Châu Đốc",
    )
    assert all(User.objects.get(username=u).check_password(DEMO_PASSWORD) for u in as_dict)


def test_running_again_creates_nothing_and_keeps_changed_passwords(
    demo_logins: list[tuple[str, str, str]],
) -> None:
    user = User.objects.get(username="longxuyen.tiepnhan")
    user.set_password("mat-khau-moi-cua-toi")
    user.save()
    count = User.objects.count()
    again = create_demo_staff()
    assert again == demo_logins
    assert User.objects.count() == count
    user.refresh_from_db()
    assert user.check_password("mat-khau-moi-cua-toi")
