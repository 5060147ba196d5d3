"""Offering procedures at agencies: local overrides."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from motcua.agencies.models import Agency
from motcua.audit.models import AuditEvent
from motcua.catalog.models import Procedure, ProcedureOffering
from motcua.catalog.services import import_procedures_file, save_offering
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
