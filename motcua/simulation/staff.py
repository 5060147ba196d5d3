"""Demo staff accounts for the demo province (see motcua.simulation.province).

One account per role at the provincial service centre, Sở Tư pháp, the provincial
police and two wards, a province-wide agency administrator, and the superuser
``admin``. All share DEMO_PASSWORD: **for demonstrations only** — never load this data
into a production database. Running again creates only the missing accounts; existing
ones (and passwords their users changed) are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction

from motcua.accounts.models import User
from motcua.accounts.roles import ROLE_LABELS_VI, Role
from motcua.accounts.services import create_staff_user, ensure_agency_admin_group
from motcua.agencies.models import Agency
from motcua.audit.services import record_event
from motcua.simulation.province import (
    PROVINCE_AGENCY_CODE,
    SERVICE_CENTER_CODE,
    commune_code,
    commune_service_center_code,
)

DEMO_PASSWORD = "motcua-demo-2025"  # noqa: S105 (demo only, documented in the README)
SUPERUSER_USERNAME = "admin"
PROVINCE_ADMIN_USERNAME = "quantri.angiang"

# Part of the user name per role: <agency>.<role>, e.g. longxuyen.tiepnhan.
ROLE_SLUGS: dict[Role, str] = {
    Role.COUNTER_OFFICER: "tiepnhan",
    Role.SPECIALIST: "chuyenvien",
    Role.UNIT_HEAD: "truongphong",
    Role.AGENCY_LEADER: "lanhdao",
    Role.CLERK: "vanthu",
    Role.TTHC_CONTROL: "kiemsoat",
    Role.ADMINISTRATOR: "quantri",
}


@dataclass(frozen=True)
class DemoAgency:
    slug: str
    code: str
    units: dict[Role, str] = field(default_factory=dict)  # role → code of the user's unit


def _ward(slug: str, statistics_code: str) -> DemoAgency:
    code = commune_code(statistics_code)
    return DemoAgency(
        slug,
        code,
        {
            Role.COUNTER_OFFICER: commune_service_center_code(statistics_code),
            Role.SPECIALIST: f"{code}.4",  # Phòng Văn hóa - Xã hội
            Role.UNIT_HEAD: f"{code}.4",
            Role.CLERK: f"{code}.2",  # Văn phòng HĐND và UBND
        },
    )


DEMO_AGENCIES: tuple[DemoAgency, ...] = (
    DemoAgency("ttpvhcc", SERVICE_CENTER_CODE),
    DemoAgency(
        "stp",
        f"{PROVINCE_AGENCY_CODE}.4",  # Sở Tư pháp
        {
            Role.SPECIALIST: f"{PROVINCE_AGENCY_CODE}.4.2",  # Phòng Hành chính tư pháp
            Role.UNIT_HEAD: f"{PROVINCE_AGENCY_CODE}.4.2",
            Role.CLERK: f"{PROVINCE_AGENCY_CODE}.4.1",  # Văn phòng Sở
        },
    ),
    DemoAgency(
        "congan",
        f"{PROVINCE_AGENCY_CODE}.51",  # Công an tỉnh
        {
            # Phòng Cảnh sát quản lý hành chính về trật tự xã hội
            Role.SPECIALIST: f"{PROVINCE_AGENCY_CODE}.51.1",
            Role.UNIT_HEAD: f"{PROVINCE_AGENCY_CODE}.51.1",
        },
    ),
    _ward("longxuyen", "30307"),
    _ward("chaudoc", "30316"),
)

# Fictional names for the demo accounts.
_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô")
_GIVEN = (
    "Văn An", "Thị Bích", "Minh Châu", "Quốc Dũng", "Thị Hạnh", "Hoàng Khang", "Ngọc Lan",
    "Thanh Long", "Thị Mai", "Hữu Nghĩa", "Kim Oanh", "Tấn Phát", "Thị Quyên",
)  # fmt: skip


def _demo_name(n: int) -> str:
    return f"{_FAMILY[n % len(_FAMILY)]} {_GIVEN[(n * 5) % len(_GIVEN)]}"


DemoLogin = tuple[str, str, str]  # username, role labels, agency name


@transaction.atomic
def create_demo_staff(*, acting_user: Any = None) -> list[DemoLogin]:
    """Create the missing demo accounts; return every demo login for printing.

    Needs the demo province (``build_demo_province``) to exist.
    """
    ensure_agency_admin_group()
    codes = {PROVINCE_AGENCY_CODE} | {a.code for a in DEMO_AGENCIES}
    codes |= {unit for a in DEMO_AGENCIES for unit in a.units.values()}
    agencies = {a.code: a for a in Agency.objects.filter(code__in=codes)}
    missing = sorted(codes - set(agencies))
    if missing:
        raise LookupError(
            "Chưa có cây cơ quan mẫu (thiếu " + ", ".join(missing) + "): "
            "chạy build_demo_province() trước."
        )
    existing = set(User.objects.values_list("username", flat=True))
    password_hash = make_password(DEMO_PASSWORD)  # hashed once for all accounts
    logins: list[DemoLogin] = []

    if SUPERUSER_USERNAME not in existing:
        superuser = User(
            username=SUPERUSER_USERNAME,
            full_name="Quản trị hệ thống",
            is_staff=True,
            is_superuser=True,
            password=password_hash,
        )
        superuser.save()
        record_event(
            action="user.created",
            target=superuser,
            actor=acting_user,
            summary=f"{SUPERUSER_USERNAME} (superuser)",
            payload={"username": SUPERUSER_USERNAME, "is_superuser": True},
        )
    logins.append((SUPERUSER_USERNAME, "Quản trị toàn hệ thống (superuser)", "—"))

    province = agencies[PROVINCE_AGENCY_CODE]
    wanted: list[tuple[str, Agency, Agency | None, Role]] = [
        (PROVINCE_ADMIN_USERNAME, province, None, Role.ADMINISTRATOR)
    ]
    for demo in DEMO_AGENCIES:
        for role in Role:
            unit_code = demo.units.get(role)
            wanted.append(
                (
                    f"{demo.slug}.{ROLE_SLUGS[role]}",
                    agencies[demo.code],
                    agencies[unit_code] if unit_code else None,
                    role,
                )
            )
    for n, (username, agency, unit, role) in enumerate(wanted):
        if username not in existing:
            create_staff_user(
                username,
                full_name=_demo_name(n),
                agency=agency,
                unit=unit,
                roles=[role],
                password=DEMO_PASSWORD,
                password_hash=password_hash,
                acting_user=acting_user,
            )
        logins.append((username, ROLE_LABELS_VI[role], agency.name))
    return logins
