"""Offering procedures at agencies: local overrides and the demo offering."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from motcua.agencies.models import Agency
from motcua.audit.models import AuditEvent
from motcua.catalog.demo import demo_procedure_codes, offer_demo_procedures
from motcua.catalog.models import Procedure, ProcedureOffering
from motcua.catalog.services import PACKAGED_DEMO, import_procedures_file, save_offering
from motcua.catalog.tests.conftest import make_agency, sample_record, write_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedure(tmp_path: Path) -> Procedure:
    # Channels: online 3 working days, direct and postal 5 → a local deadline fits in 3.
    import_procedures_file(write_file(tmp_path / "p.json", [sample_record("9.900001")]))
    return Procedure.objects.get(code="9.900001")


@pytest.fixture
def commune() -> Agency:
    return make_agency(
        "H01.30307",
        kind=Agency.Kind.PEOPLES_COMMITTEE,
        level=Agency.Level.COMMUNE,
        receives_dossiers=True,
    )


def test_a_local_deadline_longer_than_the_national_one_is_refused(
    procedure: Procedure, commune: Agency
) -> None:
    offering = ProcedureOffering(
        agency=commune, procedure=procedure, local_processing_working_days=4
    )
    with pytest.raises(ValidationError) as error:
        save_offering(offering)
    messages = error.value.message_dict["local_processing_working_days"]
    assert "không được dài hơn thời hạn quy định (3 ngày làm việc)" in messages[0]
    assert not ProcedureOffering.objects.exists()


def test_a_shorter_or_equal_local_deadline_is_saved_and_audited(
    procedure: Procedure, commune: Agency
) -> None:
    offering = save_offering(
        ProcedureOffering(agency=commune, procedure=procedure, local_processing_working_days=3)
    )
    assert offering.pk is not None
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None and event.action == "catalog.offering_created"
    assert event.payload["local_processing_working_days"] == 3


def test_a_negative_local_fee_and_a_zero_deadline_are_refused(
    procedure: Procedure, commune: Agency
) -> None:
    offering = ProcedureOffering(
        agency=commune, procedure=procedure, local_processing_working_days=0, local_fee_vnd=-1
    )
    with pytest.raises(ValidationError) as error:
        offering.full_clean()
    assert set(error.value.message_dict) == {"local_processing_working_days", "local_fee_vnd"}


def test_one_offering_per_agency_and_procedure(procedure: Procedure, commune: Agency) -> None:
    save_offering(ProcedureOffering(agency=commune, procedure=procedure))
    with pytest.raises(ValidationError):
        save_offering(ProcedureOffering(agency=commune, procedure=procedure))


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
    # A commune whose service center receives dossiers, and one that receives itself.
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
    department = make_agency(
        "H01.2", kind=Agency.Kind.DEPARTMENT, level=Agency.Level.PROVINCE, parent=province
    )
    return {
        "center": center,
        "ward": ward,
        "ward_center": ward_center,
        "commune": commune,
        "former": former,
        "department": department,
    }


def test_demo_procedures_are_offered_where_citizens_file_them() -> None:
    import_procedures_file(PACKAGED_DEMO)
    tree = _demo_tree()

    created = offer_demo_procedures()

    codes = demo_procedure_codes()
    assert len(codes) == 60
    by_agency = {
        name: set(
            ProcedureOffering.objects.filter(agency=agency).values_list(
                "procedure__code", flat=True
            )
        )
        for name, agency in tree.items()
    }
    commune_level = set(
        Procedure.objects.filter(code__in=codes, level_commune=True).values_list("code", flat=True)
    )
    province_level = set(
        Procedure.objects.filter(code__in=codes, level_province=True).values_list("code", flat=True)
    )
    assert by_agency["ward_center"] == commune_level == by_agency["commune"]
    assert len(commune_level) == 60
    assert by_agency["center"] == province_level and 0 < len(province_level) < 60
    assert by_agency["ward"] == by_agency["former"] == by_agency["department"] == set()
    assert created == 2 * len(commune_level) + len(province_level)


def test_offering_demo_procedures_twice_changes_nothing() -> None:
    import_procedures_file(PACKAGED_DEMO)
    tree = _demo_tree()
    offer_demo_procedures()
    ProcedureOffering.objects.filter(agency=tree["commune"]).update(local_fee_vnd=1000)
    before = ProcedureOffering.objects.count()

    assert offer_demo_procedures() == 0
    assert ProcedureOffering.objects.count() == before
    assert set(
        ProcedureOffering.objects.filter(agency=tree["commune"]).values_list(
            "local_fee_vnd", flat=True
        )
    ) == {1000}


def test_nothing_is_offered_before_the_procedures_are_imported() -> None:
    Procedure.objects.filter(code__in=demo_procedure_codes()).delete()
    _demo_tree()
    assert offer_demo_procedures() == 0
