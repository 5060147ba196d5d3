"""The demo offering: the demo procedures offered at their deciding agencies."""

from __future__ import annotations

import pytest

from motcua.agencies.models import Agency
from motcua.catalog.models import Procedure, ProcedureOffering
from motcua.catalog.services import PACKAGED_DEMO, import_procedures_file
from motcua.catalog.tests.conftest import make_agency
from motcua.simulation.procedures import (
    DEMO_LOCAL_WORKING_DAYS,
    INSURANCE_FIELDS,
    POLICE_FIELDS,
    demo_procedure_codes,
    department_name_for,
    offer_demo_procedures,
)

pytestmark = pytest.mark.django_db


def _demo_tree() -> dict[str, Agency]:
    province = make_agency("H01", kind=Agency.Kind.PEOPLES_COMMITTEE, level=Agency.Level.PROVINCE)
    office = make_agency(
        "H01.1", kind=Agency.Kind.PC_OFFICE, level=Agency.Level.PROVINCE, parent=province
    )
    center = make_agency(
        "H01.1.1",
        kind=Agency.Kind.SERVICE_CENTER,
        level=Agency.Level.PROVINCE,
        parent=office,
        receives_dossiers=True,
    )
    # A ward with its service center, a commune without one, a former commune.
    ward = make_agency(
        "H01.30307",
        kind=Agency.Kind.PEOPLES_COMMITTEE,
        level=Agency.Level.COMMUNE,
        parent=province,
        receives_dossiers=True,
    )
    ward_center = make_agency(
        "H01.30307.1",
        kind=Agency.Kind.SERVICE_CENTER,
        level=Agency.Level.COMMUNE,
        parent=ward,
        receives_dossiers=True,
    )
    commune = make_agency(
        "H01.30310",
        kind=Agency.Kind.PEOPLES_COMMITTEE,
        level=Agency.Level.COMMUNE,
        parent=province,
        receives_dossiers=True,
    )
    former = make_agency(
        "H01.883.30280",
        kind=Agency.Kind.PEOPLES_COMMITTEE,
        level=Agency.Level.COMMUNE,
        parent=province,
        receives_dossiers=True,
        is_active=False,
    )
    departments = {
        key: make_agency(
            code,
            name=name,
            kind=Agency.Kind.DEPARTMENT,
            level=Agency.Level.PROVINCE,
            parent=province,
        )
        for key, code, name in (
            ("interior", "H01.2", "Sở Nội vụ"),
            ("justice", "H01.4", "Sở Tư pháp"),
            ("construction", "H01.5", "Sở Xây dựng"),
            ("agriculture", "H01.7", "Sở Nông nghiệp và Môi trường"),
        )
    }
    police, insurance = (
        make_agency(
            code,
            name=name,
            kind=Agency.Kind.CENTRAL_BRANCH,
            level=Agency.Level.PROVINCE,
            parent=province,
            receives_dossiers=True,
        )
        for code, name in (
            ("H01.51", "Công an tỉnh An Giang"),
            ("H01.52", "Bảo hiểm xã hội tỉnh An Giang"),
        )
    )
    return {
        "center": center,
        "ward": ward,
        "ward_center": ward_center,
        "commune": commune,
        "former": former,
        "police": police,
        "insurance": insurance,
        **departments,
    }


def _offered(tree: dict[str, Agency]) -> dict[str, set[str]]:
    return {
        name: set(
            ProcedureOffering.objects.filter(agency=agency).values_list(
                "procedure__code", flat=True
            )
        )
        for name, agency in tree.items()
    }


def _codes(**filters: object) -> set[str]:
    return set(
        Procedure.objects.filter(code__in=demo_procedure_codes(), **filters).values_list(
            "code", flat=True
        )
    )


def test_demo_procedures_are_offered_at_the_deciding_agency() -> None:
    import_procedures_file(PACKAGED_DEMO)
    tree = _demo_tree()

    created = offer_demo_procedures()

    assert len(demo_procedure_codes()) == 60
    by_agency = _offered(tree)
    police = _codes(field__name__in=POLICE_FIELDS)
    insurance = _codes(field__name__in=INSURANCE_FIELDS)
    assert len(police) == 13 and insurance == {"1.005412"}
    assert "1.004222" in police  # Đăng ký thường trú
    assert "1.013067" in police  # vehicles: province-level too, still the police only
    # Commune-level procedures (but the police's and social insurance's) at every active
    # commune People's Committee; never at a service center nor at a former commune.
    communal = _codes(level_commune=True) - police - insurance
    assert by_agency["ward"] == by_agency["commune"] == communal
    assert {"2.000986", "2.001023", "1.001193"} <= communal
    assert by_agency["ward_center"] == by_agency["former"] == set()
    assert by_agency["police"] == police
    assert by_agency["insurance"] == insurance
    # Province-level procedures also at the department of their field.
    assert by_agency["justice"] == {"2.000635", "2.000908"}  # Hộ tịch, Chứng thực
    assert by_agency["agriculture"] == {"1.011441"}  # Đăng ký biện pháp bảo đảm
    assert by_agency["construction"] == {"1.013274"}  # Đường bộ
    assert by_agency["interior"] == by_agency["center"] == set()
    assert created == 2 * len(communal) + len(police) + len(insurance) + 4


def test_unmapped_province_level_procedures_fall_back_to_the_service_center() -> None:
    import_procedures_file(PACKAGED_DEMO)
    tree = _demo_tree()
    Agency.objects.filter(pk=tree["construction"].pk).update(is_active=False)
    offer_demo_procedures()
    assert _offered(tree)["center"] == {"1.013274"}


def test_procedures_without_a_time_limit_get_a_local_one() -> None:
    import_procedures_file(PACKAGED_DEMO)
    tree = _demo_tree()
    offer_demo_procedures()
    # Chứng thực bản sao: the national record gives no number.
    certification = ProcedureOffering.objects.get(agency=tree["ward"], procedure__code="2.000815")
    assert certification.local_processing_working_days == DEMO_LOCAL_WORKING_DAYS
    certification.full_clean()
    birth = ProcedureOffering.objects.get(agency=tree["ward"], procedure__code="1.001193")
    assert birth.local_processing_working_days is None


def test_the_department_mapping() -> None:
    assert department_name_for("Hộ tịch") == "Sở Tư pháp"
    assert department_name_for("Hòa giải ở cơ sở") == "Sở Tư pháp"
    assert department_name_for("Nhà ở và công sở") == "Sở Xây dựng"
    assert (
        department_name_for("Thành lập và hoạt động doanh nghiệp (hộ kinh doanh)") == "Sở Tài chính"
    )
    assert department_name_for("Bảo trợ xã hội") == "Sở Y tế"
    assert department_name_for("Thuế") is None


def test_offering_demo_procedures_twice_changes_nothing() -> None:
    import_procedures_file(PACKAGED_DEMO)
    tree = _demo_tree()
    offer_demo_procedures()
    ProcedureOffering.objects.filter(agency=tree["commune"]).update(local_fee_vnd=1000)
    ProcedureOffering.objects.filter(agency=tree["ward"], procedure__code="2.000815").update(
        local_processing_working_days=1
    )
    before = ProcedureOffering.objects.count()

    assert offer_demo_procedures() == 0
    assert ProcedureOffering.objects.count() == before
    assert set(
        ProcedureOffering.objects.filter(agency=tree["commune"]).values_list(
            "local_fee_vnd", flat=True
        )
    ) == {1000}
    kept = ProcedureOffering.objects.get(agency=tree["ward"], procedure__code="2.000815")
    assert kept.local_processing_working_days == 1


def test_nothing_is_offered_before_the_procedures_are_imported() -> None:
    Procedure.objects.filter(code__in=demo_procedure_codes()).delete()
    _demo_tree()
    assert offer_demo_procedures() == 0
