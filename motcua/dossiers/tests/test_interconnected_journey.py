"""The birth + residence + child health-insurance interconnected dossier, end to end.

Three agencies (commune justice → provincial police → social insurance), a supplement
request in the middle (clock stopped), a late step at the police and an apology with a
new appointment, to the result returned at the commune's one-stop unit.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from motcua.dossiers import rules
from motcua.dossiers.errors import InvalidDossierInput
from motcua.dossiers.models import Dossier, DossierEvent, DossierStep
from motcua.dossiers.rules import Action, Status
from motcua.dossiers.services import perform_action, receive_at_counter
from motcua.testing.personas import APPLICANT, DOCUMENTS, Province

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=VN)


def _step(dossier: Dossier, name: str) -> DossierStep:
    return DossierStep.objects.get(dossier=dossier, name=name)


@pytest.mark.django_db
def test_the_interconnected_dossier_goes_through_three_agencies(province: Province) -> None:
    p = province
    dossier = receive_at_counter(
        acting_user=p.counter,
        offering=p.offering,
        applicant=APPLICANT,
        documents=DOCUMENTS,
        at=at(3, 9),
    )
    assert dossier.code == "H01.30307-250303-0001"
    assert dossier.status == Status.RECEIVED
    # 3 working days from Monday 09:00.
    assert dossier.appointment_at == at(6, 9)
    assert dossier.documents.count() == 2

    dossier = perform_action(dossier, Action.FORWARD, acting_user=p.counter, at=at(3, 9, 30))
    assert dossier.status == Status.IN_PROGRESS
    assert dossier.current_agency_id == p.commune.pk

    # The justice specialist asks for a supplement: the clock stops.
    dossier = perform_action(
        dossier,
        Action.REQUEST_SUPPLEMENT,
        acting_user=p.specialist,
        reason="Thiếu bản sao giấy chứng nhận kết hôn của cha mẹ",
        at=at(3, 10),
    )
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    assert dossier.paused_since == at(3, 10)
    dossier = perform_action(dossier, Action.SUPPLEMENT, acting_user=p.counter, at=at(4, 9))
    # Paused Mon 10:00 → Tue 09:00 = 1 + 4 + 2 = 7 working hours: due moves from
    # Thu 09:00 to Fri 08:00.
    assert dossier.due_at == at(7, 8)
    assert dossier.appointment_at == at(6, 9)

    # Only one supplement request is allowed (Decree 118/2025 art. 11).
    version = dossier.version
    with pytest.raises(rules.SupplementAlreadyRequested) as refused:
        perform_action(
            dossier,
            Action.REQUEST_SUPPLEMENT,
            acting_user=p.specialist,
            reason="Lần 2",
            at=at(4, 9, 30),
        )
    assert Action.FORWARD in refused.value.allowed_actions
    dossier.refresh_from_db()
    assert dossier.version == version and dossier.status == Status.IN_PROGRESS

    dossier = perform_action(dossier, Action.FORWARD, acting_user=p.specialist, at=at(4, 10))
    assert dossier.current_agency_id == p.police.pk
    police_step = _step(dossier, "Đăng ký thường trú")
    # 6 working hours from Tue 10:00 → Wed 08:00.
    assert police_step.due_at == at(5, 8)

    # The commune's leader sees the police running late and apologises with a new date.
    dossier = perform_action(
        dossier,
        Action.ISSUE_APOLOGY,
        acting_user=p.leader,
        reason="Công an tỉnh cần xác minh nơi thường trú",
        new_due=at(10, 17),
        at=at(5, 9),
    )
    assert dossier.apologies == 1
    assert dossier.new_appointment_at == at(10, 17)
    assert dossier.due_at == at(10, 17)
    with pytest.raises(rules.ApologyAlreadyIssued):
        perform_action(
            dossier,
            Action.ISSUE_APOLOGY,
            acting_user=p.leader,
            reason="lần nữa",
            new_due=at(12, 17),
            at=at(5, 10),
        )

    dossier = perform_action(dossier, Action.FORWARD, acting_user=p.police_officer, at=at(7, 9))
    assert _step(dossier, "Đăng ký thường trú").timeliness == "late"
    with pytest.raises(InvalidDossierInput, match="Trình ký"):
        perform_action(dossier, Action.FORWARD, acting_user=p.insurer, at=at(7, 9, 30))
    dossier = perform_action(
        dossier, Action.SUBMIT_FOR_SIGNATURE, acting_user=p.insurer, at=at(7, 9, 30)
    )
    assert dossier.status == Status.AWAITING_SIGNATURE
    assert dossier.current_agency_id == p.commune.pk
    dossier = perform_action(dossier, Action.SIGN, acting_user=p.leader, at=at(7, 10))
    assert dossier.status == Status.PROCESSED
    # Finished Friday 10:00, after the receipt's appointment (Fri 08:00 with the pause):
    # late, charged to the provincial police's step.
    assert dossier.timeliness == "late"
    assert dossier.late_agency_id == p.police.pk
    assert dossier.late_step_name == "Đăng ký thường trú"

    dossier = perform_action(dossier, Action.RETURN_RESULT, acting_user=p.counter, at=at(7, 15))
    assert dossier.status == Status.RETURNED
    assert dossier.returned_at == at(7, 15)

    events = list(DossierEvent.objects.filter(dossier=dossier).order_by("seq"))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert dossier.version == len(events)
    handovers = [(e.from_agency_id, e.to_agency_id, e.timeliness) for e in events if e.step_id]
    assert handovers == [
        (p.one_stop.pk, p.commune.pk, "on_time"),
        (p.commune.pk, p.police.pk, "on_time"),  # its due moved by the 7 paused hours
        (p.police.pk, p.insurance.pk, "late"),
        (p.insurance.pk, p.commune.pk, "on_time"),
        (p.commune.pk, p.one_stop.pk, "on_time"),
        (p.one_stop.pk, None, "on_time"),
    ]


@pytest.mark.django_db
def test_an_apology_too_close_to_the_deadline_is_refused_under_the_strict_rule(
    province: Province, settings: Any
) -> None:
    settings.MOTCUA_LATE_APOLOGY = "refuse"  # by default it is issued, recorded as late
    p = province
    dossier = receive_at_counter(
        acting_user=p.counter, offering=p.offering, applicant=APPLICANT, at=at(3, 9)
    )
    dossier = perform_action(dossier, Action.FORWARD, acting_user=p.counter, at=at(3, 9, 30))
    with pytest.raises(InvalidDossierInput) as refused:
        perform_action(
            dossier,
            Action.ISSUE_APOLOGY,
            acting_user=p.leader,
            reason="Chậm",
            new_due=at(10, 17),
            at=at(5, 14),
        )
    assert "trước thời hạn" in refused.value.message
    dossier.refresh_from_db()
    assert dossier.apologies == 0 and dossier.new_appointment_at is None


@pytest.mark.django_db
def test_the_control_slip_and_receipt_print_from_the_event_log(province: Province) -> None:
    import io

    from pypdf import PdfReader

    from motcua.dossiers.printouts import render_dossier_form

    p = province
    dossier = receive_at_counter(
        acting_user=p.counter,
        offering=p.offering,
        applicant=APPLICANT,
        documents=DOCUMENTS,
        at=at(3, 9),
    )
    dossier = perform_action(dossier, Action.FORWARD, acting_user=p.counter, at=at(3, 9, 30))
    dossier = perform_action(dossier, Action.FORWARD, acting_user=p.specialist, at=at(5, 10))
    dossier = perform_action(dossier, Action.FORWARD, acting_user=p.police_officer, at=at(6, 9))

    def text(code: str) -> str:
        data = render_dossier_form(dossier, code, "https://dvc.example.vn")
        out = Path(__file__).resolve().parents[3] / "test-artifacts" / "forms"
        out.mkdir(parents=True, exist_ok=True)
        (out / f"journey-{code}.pdf").write_bytes(data)  # for people to look at
        pdf = PdfReader(io.BytesIO(data))
        raw = " ".join((page.extract_text() or "") for page in pdf.pages)
        return " ".join(raw.split())  # table cells wrap lines

    import unicodedata

    receipt = unicodedata.normalize("NFC", text("01"))
    assert "H01.30307-250303-0001" in receipt
    assert "Nguyễn Thị Hồng Nhung" in receipt
    assert "06/03/2025" in receipt  # the appointment
    slip = unicodedata.normalize("NFC", text("06"))
    for expected in (
        "Công an tỉnh An Giang",
        "Bảo hiểm xã hội tỉnh An Giang",
        "Lê Văn Minh",
        "Võ Quốc Bảo",
        "Trễ hạn",
        "Đúng hạn",
    ):
        assert expected in slip, expected
