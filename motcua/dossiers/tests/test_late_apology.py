"""The apology and new appointment (form 04) of a dossier that is already late.

The leader of the deciding agency is offered the apology exactly when it can succeed:
the page's offer and the service's check are the same rule (``rules.apology_refusal``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from motcua.dossiers import rules
from motcua.dossiers.errors import InvalidDossierInput
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.rules import Action
from motcua.dossiers.services import allowed_actions_for, perform_action, receive_at_counter
from motcua.testing.personas import APPLICANT, DOCUMENTS, Province

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
REASON = "Công an tỉnh chưa có kết quả xác minh nơi thường trú"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=VN)


def offered(user: Any, dossier: Dossier, now: datetime) -> list[Action]:
    """What the dossier page offers ``user`` at ``now``."""
    with time_machine.travel(now, tick=False):
        return allowed_actions_for(user, dossier)


def apologise(p: Province, dossier: Dossier, new_due: datetime, now: datetime) -> Dossier:
    """The commune's leader apologises with ``new_due`` at ``now``."""
    return perform_action(
        dossier,
        Action.ISSUE_APOLOGY,
        acting_user=p.leader,
        reason=REASON,
        new_due=new_due,
        at=now,
    )


@pytest.fixture
def overdue(province: Province) -> Dossier:
    """Received Mon 3/3 09:00 with 3 working days: due Thu 6/3 09:00; still at the
    commune's justice unit on Fri 7/3."""
    d = receive_at_counter(
        acting_user=province.counter,
        offering=province.offering,
        applicant=APPLICANT,
        documents=DOCUMENTS,
        at=at(3, 9),
    )
    assert d.due_at == at(6, 9)
    return perform_action(d, Action.FORWARD, acting_user=province.counter, at=at(3, 9, 30))


def test_the_leader_is_offered_the_apology_of_an_overdue_dossier_and_it_succeeds(
    province: Province, overdue: Dossier
) -> None:
    now = at(7, 10)
    assert Action.ISSUE_APOLOGY in offered(province.leader, overdue, now)
    d = apologise(province, overdue, at(12, 17), now)
    assert (d.new_appointment_at, d.due_at, d.apologies) == (at(12, 17), at(12, 17), 1)
    event = DossierEvent.objects.get(dossier=d, action=Action.ISSUE_APOLOGY.value)
    assert event.reason == REASON
    assert event.payload["notice"] == "overdue"
    assert datetime.fromisoformat(event.payload["original_due"]) == at(6, 9)
    assert datetime.fromisoformat(event.payload["new_due"]) == at(12, 17)
    # Only once: no second offer, and a second one is refused.
    assert Action.ISSUE_APOLOGY not in offered(province.leader, d, at(10, 9))
    with pytest.raises(rules.ApologyAlreadyIssued):
        apologise(province, d, at(14, 17), at(10, 9))


def test_an_apology_with_less_than_a_working_day_left_is_recorded_as_short_notice(
    province: Province, overdue: Dossier
) -> None:
    d = apologise(province, overdue, at(12, 17), at(5, 14))
    event = d.events.get(action=Action.ISSUE_APOLOGY.value)
    assert event.payload["notice"] == "short_notice"


def test_a_late_apology_promising_a_past_date_is_refused_and_nothing_is_written(
    province: Province, overdue: Dossier
) -> None:
    with pytest.raises(InvalidDossierInput) as info:
        apologise(province, overdue, at(10, 17), at(11, 9))
    assert info.value.message == (
        "Hồ sơ đã quá hạn: ngày hẹn trả kết quả mới phải sau thời điểm hiện tại."
    )
    overdue.refresh_from_db()
    assert (overdue.apologies, overdue.new_appointment_at, overdue.version) == (0, None, 2)


def test_where_the_province_refuses_late_apologies_none_is_offered(
    province: Province, overdue: Dossier, settings: Any
) -> None:
    settings.MOTCUA_LATE_APOLOGY = "refuse"
    now = at(7, 10)
    assert Action.ISSUE_APOLOGY not in offered(province.leader, overdue, now)
    with pytest.raises(InvalidDossierInput) as info:
        apologise(province, overdue, at(12, 17), now)
    assert "chậm nhất 8 giờ làm việc trước thời hạn (còn 0 giờ làm việc)" in info.value.message
    # In time, the same leader is offered it.
    assert Action.ISSUE_APOLOGY in offered(province.leader, overdue, at(4, 9))
    settings.MOTCUA_APOLOGY_NOTICE_WORKING_HOURS = 24
    assert Action.ISSUE_APOLOGY not in offered(province.leader, overdue, at(4, 9))
