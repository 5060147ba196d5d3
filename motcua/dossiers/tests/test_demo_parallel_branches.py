"""Parallel branches: when one branch hands over before the other, the dossier is shown
with the branch still working (found while generating the interconnected demo dossiers)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from motcua.dossiers.process_services import StepSpec, define_process
from motcua.dossiers.rules import Action, Actor, Status
from motcua.dossiers.services import perform_action, receive_at_counter
from motcua.testing.personas import APPLICANT, Province

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=VN)


@pytest.mark.django_db
def test_the_dossier_moves_to_the_branch_still_open(province: Province) -> None:
    p = province
    define_process(
        p.offering,
        name="Khai sinh → (thường trú ∥ BHYT) → ký → trả",
        legal_working_days=3,
        steps=[
            StepSpec(0, "Tiếp nhận hồ sơ", p.one_stop, Actor.COUNTER_OFFICER, 2),
            StepSpec(1, "Đăng ký khai sinh", p.commune, Actor.SPECIALIST, 6, unit=p.justice),
            StepSpec(
                2, "Đăng ký thường trú", p.police, Actor.SPECIALIST, 8, p.police_unit, branch=1
            ),
            StepSpec(
                2, "Cấp thẻ BHYT", p.insurance, Actor.SPECIALIST, 8, p.insurance_unit, branch=2
            ),
            StepSpec(3, "Ký, phê duyệt kết quả", p.commune, Actor.AGENCY_LEADER, 4),
            StepSpec(4, "Trả kết quả", p.one_stop, Actor.COUNTER_OFFICER, 4),
        ],
    )
    p.offering.refresh_from_db()
    dossier = receive_at_counter(
        acting_user=p.counter, offering=p.offering, applicant=APPLICANT, at=at(3, 9)
    )
    dossier = perform_action(dossier, Action.FORWARD, acting_user=p.counter, at=at(3, 9, 30))
    dossier = perform_action(dossier, Action.FORWARD, acting_user=p.specialist, at=at(3, 14))
    assert dossier.current_agency_id == p.police.pk  # both branches started

    # The police finish first: the dossier is now with the social insurance only.
    dossier = perform_action(dossier, Action.FORWARD, acting_user=p.police_officer, at=at(4, 9))
    assert dossier.status == Status.IN_PROGRESS
    assert dossier.current_agency_id == p.insurance.pk
    assert dossier.current_unit_id == p.insurance_unit.pk
    assert dossier.current_role == Actor.SPECIALIST.value

    dossier = perform_action(
        dossier, Action.SUBMIT_FOR_SIGNATURE, acting_user=p.insurer, at=at(4, 10)
    )
    assert dossier.status == Status.AWAITING_SIGNATURE
    assert dossier.current_agency_id == p.commune.pk
    assert dossier.current_role == Actor.AGENCY_LEADER.value
