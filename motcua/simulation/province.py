"""The demo province: new An Giang (statistics code 91) as an agency tree.

``build_demo_province()`` creates what is missing and never changes what exists, so it
can run again and again (``motcua demo`` calls it on every start).

Electronic agency codes (Decision 20/2020/QĐ-TTg art. 4: one dot-separated group per
level). The scheme below is this demo's own and **illustrative [unverified]**: a real
province publishes its code list in a decision of its People's Committee.

    H01                          UBND tỉnh An Giang (level 1: the province)
    H01.1                        Văn phòng UBND tỉnh
    H01.1.1                      Trung tâm Phục vụ hành chính công tỉnh
    H01.2 … H01.13               sở, ngành (list in DEPARTMENTS); their phòng H01.<n>.<k>
    H01.51 … H01.53              central branches in the province (Công an, BHXH, Thuế);
                                 their phòng H01.<n>.<k>
    H01.<5-digit code>           UBND of a commune/ward/special zone, by its 2025 statistics
                                 code (H01.30307 = UBND phường Long Xuyên); its centre and
                                 offices are H01.<code>.1 … .4 (see COMMUNE_OFFICES)
    H01.<3-digit code>           a former (pre-2025) district of old An Giang, by its old
                                 statistics code; its communes H01.<district>.<5-digit code>
    H33, H33.<district>…         the former province of Kiên Giang, same pattern

Groups of 1–2 digits, 3 digits and 5 digits never collide, so the codes stay stable when
agencies or communes are added.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction

from motcua.agencies.models import AdministrativeUnit, Agency
from motcua.agencies.rules import peoples_committee_name, unit_name_in_text
from motcua.agencies.services import (
    AgencySpec,
    EnsureResult,
    ensure_agencies,
    import_administrative_units,
)
from motcua.agencies.unit_sources import GENERATION_2025, GENERATION_PRE2025, load_units

PROVINCE_STATISTICS_CODE = "91"
PROVINCE_NAME = "An Giang"
# [unverified] Province codes H01…H63 follow the alphabetical order of the 63 former
# provinces; An Giang comes first, so H01. Merged provinces appear to keep the code of the
# province whose name survives (domain notes). Change here if the official list differs.
PROVINCE_AGENCY_CODE = "H01"
# [unverified] Kiên Giang is 33rd in the same alphabetical order.
FORMER_KIEN_GIANG_AGENCY_CODE = "H33"
FORMER_KIEN_GIANG_STATISTICS_CODE = "91"  # pre-2025 code
# The provincial agencies of new An Giang sit in the former Kiên Giang capital.
PROVINCE_SEAT = "Phường Rạch Giá"
# Districts were abolished and communes merged on this day (two-tier local government).
REORGANISED_ON = date(2025, 7, 1)

PC_OFFICE_CODE = f"{PROVINCE_AGENCY_CODE}.1"
SERVICE_CENTER_CODE = f"{PROVINCE_AGENCY_CODE}.1.1"


@dataclass(frozen=True)
class ProvincialAgency:
    number: int  # the second code group: H01.<number>
    name: str
    short_name: str
    units: tuple[str, ...]
    kind: str = Agency.Kind.DEPARTMENT
    receives_dossiers: bool = False

    @property
    def code(self) -> str:
        return f"{PROVINCE_AGENCY_CODE}.{self.number}"


# The specialised agencies of a provincial People's Committee after the 2025
# reorganisation (Decree 150/2025/NĐ-CP, which replaced Decree 45/2025/NĐ-CP for the
# two-tier model [unverified]): twelve common to every province, the Office (H01.1
# above) being one of them, plus Sở Dân tộc và Tôn giáo where the province has one. That
# new An Giang has Sở Dân tộc và Tôn giáo (and no separate Sở Ngoại vụ) is [unverified].
# Inside each, "Văn phòng Sở" and one or two phòng: plausible examples, not the
# province's actual organisation chart.
DEPARTMENTS: tuple[ProvincialAgency, ...] = (
    ProvincialAgency(
        2,
        "Sở Nội vụ",
        "Sở NV",
        ("Văn phòng Sở", "Phòng Tổ chức, biên chế", "Phòng Lao động - Việc làm"),
    ),
    ProvincialAgency(
        3,
        "Sở Tài chính",
        "Sở TC",
        ("Văn phòng Sở", "Phòng Quản lý ngân sách", "Phòng Đăng ký kinh doanh"),
    ),
    ProvincialAgency(
        4,
        "Sở Tư pháp",
        "Sở TP",
        ("Văn phòng Sở", "Phòng Hành chính tư pháp", "Phòng Bổ trợ tư pháp"),
    ),
    ProvincialAgency(
        5,
        "Sở Xây dựng",
        "Sở XD",
        (
            "Văn phòng Sở",
            "Phòng Quản lý hoạt động xây dựng",
            "Phòng Quản lý phương tiện và người lái",
        ),
    ),
    ProvincialAgency(
        6,
        "Sở Công Thương",
        "Sở CT",
        ("Văn phòng Sở", "Phòng Quản lý thương mại", "Phòng Quản lý năng lượng"),
    ),
    ProvincialAgency(
        7,
        "Sở Nông nghiệp và Môi trường",
        "Sở NN&MT",
        ("Văn phòng Sở", "Phòng Quản lý đất đai", "Phòng Môi trường"),
    ),
    ProvincialAgency(
        8,
        "Sở Khoa học và Công nghệ",
        "Sở KH&CN",
        ("Văn phòng Sở", "Phòng Quản lý khoa học", "Phòng Chuyển đổi số"),
    ),
    ProvincialAgency(
        9,
        "Sở Giáo dục và Đào tạo",
        "Sở GD&ĐT",
        ("Văn phòng Sở", "Phòng Giáo dục phổ thông", "Phòng Quản lý chất lượng"),
    ),
    ProvincialAgency(
        10,
        "Sở Y tế",
        "Sở YT",
        ("Văn phòng Sở", "Phòng Nghiệp vụ Y", "Phòng Nghiệp vụ Dược"),
    ),
    ProvincialAgency(
        11,
        "Sở Văn hóa, Thể thao và Du lịch",
        "Sở VHTTDL",
        ("Văn phòng Sở", "Phòng Quản lý văn hóa", "Phòng Quản lý du lịch"),
    ),
    ProvincialAgency(
        12,
        "Thanh tra tỉnh",
        "TTr tỉnh",
        ("Văn phòng", "Phòng Tiếp công dân và xử lý đơn"),
    ),
    ProvincialAgency(
        13,
        "Sở Dân tộc và Tôn giáo",
        "Sở DT&TG",
        ("Văn phòng Sở", "Phòng Công tác dân tộc", "Phòng Tôn giáo"),
    ),
)

# Central (vertical) agencies located in the province. They are not under the People's
# Committee but handle procedures on the province's one-stop system, so they sit in its
# tree. Their unit names are plausible examples.
CENTRAL_BRANCHES: tuple[ProvincialAgency, ...] = (
    ProvincialAgency(
        51,
        f"Công an tỉnh {PROVINCE_NAME}",
        "CA tỉnh",
        (
            "Phòng Cảnh sát quản lý hành chính về trật tự xã hội",
            "Phòng Cảnh sát giao thông",
            "Phòng Quản lý xuất nhập cảnh",
        ),
        kind=Agency.Kind.CENTRAL_BRANCH,
        receives_dossiers=True,
    ),
    ProvincialAgency(
        52,
        f"Bảo hiểm xã hội tỉnh {PROVINCE_NAME}",
        "BHXH tỉnh",
        ("Phòng Quản lý thu và phát triển người tham gia", "Phòng Chế độ bảo hiểm xã hội"),
        kind=Agency.Kind.CENTRAL_BRANCH,
        receives_dossiers=True,
    ),
    ProvincialAgency(
        53,
        f"Thuế tỉnh {PROVINCE_NAME}",
        "Thuế tỉnh",
        ("Phòng Quản lý, hỗ trợ doanh nghiệp", "Phòng Quản lý, hỗ trợ hộ kinh doanh, cá nhân"),
        kind=Agency.Kind.CENTRAL_BRANCH,
        receives_dossiers=True,
    ),
)

# Under each commune People's Committee: its public administration service centre
# (Decree 118/2025 — every commune has its own) and its specialised offices (Decree
# 150/2025/NĐ-CP: wards have "Kinh tế, Hạ tầng và Đô thị", communes and special zones
# "Kinh tế"; the decree number and the special-zone variant are [unverified]).
COMMUNE_SERVICE_CENTER_SUFFIX = "1"


def _commune_offices(unit: AdministrativeUnit) -> list[tuple[str, str, str, bool]]:
    """(code suffix, name, kind, receives dossiers) of each node under the committee."""
    in_text = unit_name_in_text(unit.name)
    economy = (
        "Phòng Kinh tế, Hạ tầng và Đô thị"
        if unit.kind == AdministrativeUnit.Kind.WARD
        else "Phòng Kinh tế"
    )
    return [
        (
            COMMUNE_SERVICE_CENTER_SUFFIX,
            f"Trung tâm Phục vụ hành chính công {in_text}",
            Agency.Kind.SERVICE_CENTER,
            True,
        ),
        ("2", f"Văn phòng HĐND và UBND {in_text}", Agency.Kind.UNIT, False),
        ("3", f"{economy} {in_text}", Agency.Kind.UNIT, False),
        ("4", f"Phòng Văn hóa - Xã hội {in_text}", Agency.Kind.UNIT, False),
    ]


# A few former districts and two of their communes each, to keep dossiers filed before
# 1/7/2025 attached to the agencies that handled them (three tiers in the same tree).
# (agency code of the former province, pre-2025 district statistics code)
FORMER_DISTRICTS: tuple[tuple[str, str], ...] = (
    (PROVINCE_AGENCY_CODE, "883"),  # Thành phố Long Xuyên
    (PROVINCE_AGENCY_CODE, "893"),  # Huyện Chợ Mới
    (FORMER_KIEN_GIANG_AGENCY_CODE, "899"),  # Thành phố Rạch Giá
    (FORMER_KIEN_GIANG_AGENCY_CODE, "903"),  # Huyện Hòn Đất
)
FORMER_COMMUNES_PER_DISTRICT = 2


def commune_code(statistics_code: str) -> str:
    """Agency code of the People's Committee of a 2025 commune: H01.30307."""
    return f"{PROVINCE_AGENCY_CODE}.{statistics_code}"


def commune_service_center_code(statistics_code: str) -> str:
    return f"{commune_code(statistics_code)}.{COMMUNE_SERVICE_CENTER_SUFFIX}"


def _address(unit_full_name: str) -> str:
    return f"{unit_full_name}, tỉnh {PROVINCE_NAME}"


def _ensure_units() -> None:
    """Import the province's administrative units if they are not there yet."""
    have_2025 = AdministrativeUnit.objects.filter(
        generation=GENERATION_2025, parent__code=PROVINCE_STATISTICS_CODE
    ).exists()
    have_pre2025 = AdministrativeUnit.objects.filter(
        generation=GENERATION_PRE2025, code=FORMER_KIEN_GIANG_STATISTICS_CODE
    ).exists()
    if not (have_2025 and have_pre2025):
        import_administrative_units(
            load_units(province=PROVINCE_STATISTICS_CODE), label=f"tỉnh {PROVINCE_STATISTICS_CODE}"
        )


def _provincial_specs(province_unit: AdministrativeUnit) -> list[AgencySpec]:
    seat = _address(PROVINCE_SEAT)
    level = Agency.Level.PROVINCE
    specs = [
        AgencySpec(
            PROVINCE_AGENCY_CODE,
            f"UBND tỉnh {PROVINCE_NAME}",
            Agency.Kind.PEOPLES_COMMITTEE,
            level,
            short_name="UBND tỉnh",
            admin_unit_id=province_unit.pk,
            address=seat,
        ),
        AgencySpec(
            PC_OFFICE_CODE,
            "Văn phòng UBND tỉnh",
            Agency.Kind.PC_OFFICE,
            level,
            PROVINCE_AGENCY_CODE,
            short_name="VP UBND tỉnh",
            address=seat,
        ),
        AgencySpec(
            SERVICE_CENTER_CODE,
            "Trung tâm Phục vụ hành chính công tỉnh",
            Agency.Kind.SERVICE_CENTER,
            level,
            PC_OFFICE_CODE,
            short_name="TTPVHCC tỉnh",
            address=seat,
            receives_dossiers=True,
        ),
    ]
    for agency in (*DEPARTMENTS, *CENTRAL_BRANCHES):
        specs.append(
            AgencySpec(
                agency.code,
                agency.name,
                agency.kind,
                level,
                PROVINCE_AGENCY_CODE,
                short_name=agency.short_name,
                address=seat,
                receives_dossiers=agency.receives_dossiers,
            )
        )
        specs += [
            AgencySpec(
                f"{agency.code}.{k}", unit, Agency.Kind.UNIT, level, agency.code, address=seat
            )
            for k, unit in enumerate(agency.units, start=1)
        ]
    return specs


def _commune_specs(communes: list[AdministrativeUnit]) -> list[AgencySpec]:
    specs: list[AgencySpec] = []
    for unit in communes:
        code = commune_code(unit.code)
        address = _address(unit.name)
        specs.append(
            AgencySpec(
                code,
                peoples_committee_name(unit.name),
                Agency.Kind.PEOPLES_COMMITTEE,
                Agency.Level.COMMUNE,
                PROVINCE_AGENCY_CODE,
                admin_unit_id=unit.pk,
                address=address,
                receives_dossiers=True,
            )
        )
        specs += [
            AgencySpec(
                f"{code}.{suffix}",
                name,
                kind,
                Agency.Level.COMMUNE,
                code,
                admin_unit_id=unit.pk,
                address=address,
                receives_dossiers=receives,
            )
            for suffix, name, kind, receives in _commune_offices(unit)
        ]
    return specs


def _former_specs() -> list[AgencySpec]:
    """The former Kiên Giang province and a few former districts with two communes each."""
    old = {
        u.code: u
        for u in AdministrativeUnit.objects.filter(generation=GENERATION_PRE2025).filter(
            code__in=[FORMER_KIEN_GIANG_STATISTICS_CODE, *(d for _, d in FORMER_DISTRICTS)]
        )
    }
    gone: dict[str, Any] = {"is_active": False, "valid_until": REORGANISED_ON}
    kien_giang = old[FORMER_KIEN_GIANG_STATISTICS_CODE]
    specs = [
        AgencySpec(
            FORMER_KIEN_GIANG_AGENCY_CODE,
            "UBND tỉnh Kiên Giang",
            Agency.Kind.PEOPLES_COMMITTEE,
            Agency.Level.PROVINCE,
            short_name="UBND tỉnh Kiên Giang (cũ)",
            admin_unit_id=kien_giang.pk,
            address="Thành phố Rạch Giá, tỉnh Kiên Giang",
            **gone,
        )
    ]
    for province_code, district_code in FORMER_DISTRICTS:
        district = old[district_code]
        province_name = (
            "Kiên Giang" if province_code == FORMER_KIEN_GIANG_AGENCY_CODE else "An Giang"
        )
        code = f"{province_code}.{district.code}"
        specs.append(
            AgencySpec(
                code,
                peoples_committee_name(district.name),
                Agency.Kind.PEOPLES_COMMITTEE,
                Agency.Level.DISTRICT,
                province_code,
                admin_unit_id=district.pk,
                address=f"{district.name}, tỉnh {province_name}",
                receives_dossiers=True,
                **gone,
            )
        )
        communes = district.children.order_by("code")[:FORMER_COMMUNES_PER_DISTRICT]
        specs += [
            AgencySpec(
                f"{code}.{commune.code}",
                peoples_committee_name(commune.name),
                Agency.Kind.PEOPLES_COMMITTEE,
                Agency.Level.COMMUNE,
                code,
                admin_unit_id=commune.pk,
                address=f"{commune.name}, {unit_name_in_text(district.name)}, tỉnh {province_name}",
                receives_dossiers=True,
                **gone,
            )
            for commune in communes
        ]
    return specs


def demo_agency_specs() -> list[AgencySpec]:
    """Every agency of the demo tree, parents first (the units must be imported)."""
    province_unit = AdministrativeUnit.objects.get(
        generation=GENERATION_2025, code=PROVINCE_STATISTICS_CODE
    )
    communes = list(province_unit.children.order_by("code"))
    return [*_provincial_specs(province_unit), *_commune_specs(communes), *_former_specs()]


@transaction.atomic
def build_demo_province(*, acting_user: Any = None) -> EnsureResult:
    """Create the demo An Giang tree (about 600 agencies); existing agencies are kept as
    they are. Imports the province's administrative units first if needed."""
    _ensure_units()
    return ensure_agencies(demo_agency_specs(), acting_user=acting_user)
