"""The demo province tree: new An Giang, its communes, and a few former districts."""

from __future__ import annotations

import datetime as dt

from motcua.agencies.models import AdministrativeUnit, Agency
from motcua.agencies.rules import validate_agency_code
from motcua.agencies.services import EnsureResult
from motcua.audit.models import AuditEvent
from motcua.simulation.province import (
    CENTRAL_BRANCHES,
    DEPARTMENTS,
    PROVINCE_AGENCY_CODE,
    SERVICE_CENTER_CODE,
    build_demo_province,
)

Kind, Level = Agency.Kind, Agency.Level


def counts() -> dict[tuple[str, str, bool], int]:
    result: dict[tuple[str, str, bool], int] = {}
    for level, kind, active in Agency.objects.values_list("level", "kind", "is_active"):
        result[(level, kind, active)] = result.get((level, kind, active), 0) + 1
    return result


def test_the_province_and_its_provincial_agencies(demo_province: EnsureResult) -> None:
    root = Agency.objects.get(code=PROVINCE_AGENCY_CODE)
    assert (root.name, root.kind, root.level, root.parent) == (
        "UBND tỉnh An Giang",
        Kind.PEOPLES_COMMITTEE,
        Level.PROVINCE,
        None,
    )
    assert root.admin_unit is not None and root.admin_unit.code == "91"
    center = Agency.objects.get(code=SERVICE_CENTER_CODE)
    assert center.kind == Kind.SERVICE_CENTER and center.receives_dossiers
    assert center.parent is not None and center.parent.kind == Kind.PC_OFFICE
    assert center.parent.parent == root
    departments = root.children.filter(kind=Kind.DEPARTMENT)
    assert departments.count() == len(DEPARTMENTS) == 12
    assert {"Sở Tư pháp", "Sở Nội vụ", "Thanh tra tỉnh"} <= set(
        departments.values_list("name", flat=True)
    )
    for department in departments:
        assert 2 <= department.children.filter(kind=Kind.UNIT).count() <= 3
    justice = departments.get(name="Sở Tư pháp")
    assert set(justice.children.values_list("name", flat=True)) >= {
        "Phòng Hành chính tư pháp",
        "Phòng Bổ trợ tư pháp",
    }
    branches = root.children.filter(kind=Kind.CENTRAL_BRANCH)
    assert branches.count() == len(CENTRAL_BRANCHES) == 3
    assert all(b.receives_dossiers for b in branches)
    police = branches.get(name="Công an tỉnh An Giang")
    assert police.children.filter(
        name="Phòng Cảnh sát quản lý hành chính về trật tự xã hội"
    ).exists()


def test_every_commune_has_a_committee_and_a_service_center(demo_province: EnsureResult) -> None:
    committees = Agency.objects.filter(
        level=Level.COMMUNE, kind=Kind.PEOPLES_COMMITTEE, is_active=True
    )
    assert committees.count() == 102
    units_2025 = AdministrativeUnit.objects.filter(generation="2025", parent__code="91")
    assert set(committees.values_list("admin_unit_id", flat=True)) == set(
        units_2025.values_list("pk", flat=True)
    )
    for committee in committees.select_related("parent"):
        assert committee.receives_dossiers
        assert committee.parent is not None and committee.parent.code == PROVINCE_AGENCY_CODE
    centers = Agency.objects.filter(level=Level.COMMUNE, kind=Kind.SERVICE_CENTER)
    assert centers.count() == 102
    assert set(centers.values_list("parent_id", flat=True)) == set(
        committees.values_list("pk", flat=True)
    )
    assert all(centers.values_list("receives_dossiers", flat=True))
    long_xuyen = committees.get(code=f"{PROVINCE_AGENCY_CODE}.30307")
    assert long_xuyen.name == "UBND phường Long Xuyên"
    assert long_xuyen.address == "Phường Long Xuyên, tỉnh An Giang"
    assert sorted(long_xuyen.children.values_list("name", flat=True)) == [
        "Phòng Kinh tế, Hạ tầng và Đô thị phường Long Xuyên",
        "Phòng Văn hóa - Xã hội phường Long Xuyên",
        "Trung tâm Phục vụ hành chính công phường Long Xuyên",
        "Văn phòng HĐND và UBND phường Long Xuyên",
    ]
    assert committees.get(code="H01.31078").name == "UBND đặc khu Phú Quốc"
    assert committees.filter(name__startswith="UBND xã ").count() == 85


def test_former_districts_keep_three_tiers(demo_province: EnsureResult) -> None:
    districts = Agency.objects.filter(level=Level.DISTRICT)
    assert districts.count() >= 2
    for district in districts:
        assert not district.is_active
        assert district.valid_until == dt.date(2025, 7, 1)
        assert district.admin_unit is not None and district.admin_unit.generation == "pre2025"
        communes = district.children.filter(level=Level.COMMUNE)
        assert communes.count() >= 2
        for commune in communes:
            assert not commune.is_active and commune.depth == district.depth + 1
            assert commune.admin_unit is not None
            assert commune.admin_unit.parent_id == district.admin_unit_id
    long_xuyen_city = districts.get(code="H01.883")
    assert long_xuyen_city.name == "UBND thành phố Long Xuyên"
    assert long_xuyen_city.parent is not None and long_xuyen_city.parent.code == "H01"
    kien_giang = Agency.objects.get(code="H33")
    assert (kien_giang.name, kien_giang.is_active, kien_giang.parent) == (
        "UBND tỉnh Kiên Giang",
        False,
        None,
    )
    assert kien_giang.children.filter(level=Level.DISTRICT).count() == 2


def test_codes_are_valid_and_paths_consistent(demo_province: EnsureResult) -> None:
    by_pk = {a.pk: a for a in Agency.objects.all()}
    assert len(by_pk) == len(demo_province.created)
    for agency in by_pk.values():
        validate_agency_code(agency.code)
        parent = by_pk.get(agency.parent_id) if agency.parent_id else None
        assert agency.path == (parent.path if parent else "/") + f"{agency.pk}/"
        if parent is not None:
            assert agency.code.startswith(parent.code + ".")
    assert AuditEvent.objects.filter(action="agency.created").count() == len(by_pk)


def test_building_twice_changes_nothing(demo_province: EnsureResult) -> None:
    before = counts()
    rows = list(Agency.objects.values_list("pk", "code", "path", "name"))
    again = build_demo_province()
    assert again.created == []
    assert again.existing == len(demo_province.created)
    assert counts() == before
    assert list(Agency.objects.values_list("pk", "code", "path", "name")) == rows


def test_building_again_keeps_local_changes_and_restores_deleted_nodes(
    demo_province: EnsureResult,
) -> None:
    Agency.objects.filter(code="H01.4").update(address="Số 1 đường mẫu")
    Agency.objects.filter(code="H01.4.3").delete()
    again = build_demo_province()
    assert again.created == ["H01.4.3"]
    assert Agency.objects.get(code="H01.4").address == "Số 1 đường mẫu"


def test_it_imports_the_units_it_needs(db: None) -> None:
    result = build_demo_province()
    assert len(result.created) > 500
    assert AdministrativeUnit.objects.filter(generation="2025", parent__code="91").count() == 102
