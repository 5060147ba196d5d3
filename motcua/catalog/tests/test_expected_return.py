"""The procedure page tells a citizen when a dossier filed now would be due, and it is the
date counter intake writes on the receipt: one time limit, one calendar, one rounding."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from motcua.catalog.models import Procedure, ProcedureOffering
from motcua.catalog.services import import_procedure_records
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import receive_at_counter
from motcua.testing.personas import APPLICANT, BIRTH_RECORD, DOCUMENTS, Province, shipped_record
from motcua.worktime.models import CalendarDay
from motcua.worktime.queries import bump_calendar_version
from motcua.worktime.services import set_calendar_day

VN = ZoneInfo("Asia/Ho_Chi_Minh")
#: Tuesday 8/12/2026, before the morning session: counting starts at 07:00.
TUESDAY_EARLY = datetime(2026, 12, 8, 6, 30, tzinfo=VN)


def _shown(instant: datetime | None) -> str:
    assert instant is not None
    return timezone.localtime(instant).strftime("%H:%M ngày %d/%m/%Y")


def _receive(province: Province, offering: ProcedureOffering) -> Dossier:
    return receive_at_counter(
        acting_user=province.counter, offering=offering, applicant=APPLICANT, documents=DOCUMENTS
    )


@pytest.mark.django_db
def test_the_page_shows_the_expected_return_date_across_tet(client: Client) -> None:
    import_procedure_records([BIRTH_RECORD], source="test")  # 3 working days
    # Friday 24/1/2025 16:30, after the 15:00 cut-off, right before Tết 2025.
    with time_machine.travel(datetime(2025, 1, 24, 16, 30, tzinfo=VN), tick=False):
        page = client.get("/thu-tuc/2.000986/").content.decode()
    assert "ngày hẹn trả kết quả dự kiến là" in page
    assert "17:00 ngày 05/02/2025" in page


@pytest.mark.django_db
def test_no_date_is_promised_without_a_time_limit(client: Client) -> None:
    record = {**BIRTH_RECORD, "code": "9.999999", "channels": []}
    import_procedure_records([record], source="test")
    page = client.get("/thu-tuc/9.999999/").content.decode()
    assert "dự kiến" not in page


@pytest.mark.django_db
def test_the_page_promises_the_date_counter_intake_gives_for_the_interconnected_procedure(
    client: Client, province: Province
) -> None:
    # The shipped national record still says "20 Ngày" (the interconnection before
    # Decree 63/2024); the commune's internal process gives the 3 working days of the decree.
    import_procedure_records([shipped_record("2.000986")], source="test")
    with time_machine.travel(TUESDAY_EARLY, tick=False):
        page = client.get("/thu-tuc/2.000986/").content.decode()
        dossier = _receive(province, province.offering)
    assert _shown(dossier.appointment_at) == "17:00 ngày 10/12/2026"
    assert "17:00 ngày 10/12/2026" in page
    assert "05/01/2027" not in page  # 20 working days: the national row, not the process
    assert "3 ngày làm việc" in page


@pytest.fixture
def _calendars_rebuilt_after() -> Iterator[None]:
    """The calendar built with this test's day off is kept per process under the agency's
    id, which SQLite gives again after the rollback: forget it."""
    yield
    bump_calendar_version()


@pytest.mark.django_db
@pytest.mark.usefixtures("_calendars_rebuilt_after")
def test_the_page_counts_on_the_deciding_agency_calendar_and_whole_days_like_intake(
    client: Client, province: Province
) -> None:
    # No internal process: the national limit of 4 hours, which the receipt rounds up to
    # one working day, and a day off of the commune alone (Wednesday 9/12/2026).
    record = {
        **BIRTH_RECORD,
        "code": "9.900004",
        "channels": [
            {
                "channel": "direct",
                "processing_time": {"value": 4, "unit": "hour", "text": "4 Giờ"},
                "fee_text": "Miễn phí",
                "fee_vnd": 0,
            }
        ],
    }
    import_procedure_records([record], source="test")
    offering = ProcedureOffering.objects.create(
        agency=province.commune, procedure=Procedure.objects.get(code="9.900004")
    )
    set_calendar_day(
        day=date(2026, 12, 9),
        kind=CalendarDay.Kind.DAY_OFF,
        name="Nghỉ bù của phường",
        agency=province.commune,
    )
    # Tuesday 16:00, after the cut-off: counting starts on the next working day of the
    # commune, Thursday 10/12.
    with time_machine.travel(datetime(2026, 12, 8, 16, 0, tzinfo=VN), tick=False):
        page = client.get("/thu-tuc/9.900004/").content.decode()
        dossier = _receive(province, offering)
    assert _shown(dossier.appointment_at) == "17:00 ngày 10/12/2026"
    assert "17:00 ngày 10/12/2026" in page


@pytest.mark.django_db
def test_the_api_gives_each_offering_the_time_limit_and_date_of_counter_intake(
    client: Client, province: Province
) -> None:
    import_procedure_records([shipped_record("2.000986")], source="test")
    with time_machine.travel(TUESDAY_EARLY, tick=False):
        body = client.get("/api/v1/procedures/2.000986").json()
        dossier = _receive(province, province.offering)
    (offering,) = body["offerings"]
    assert offering["legal_working_days"] == dossier.legal_working_days == 3
    assert dossier.appointment_at is not None
    assert offering["expected_return_at"] == dossier.appointment_at.astimezone(VN).isoformat()
