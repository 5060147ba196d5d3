"""One current appointment: the receipt's (or an apology's) plus the time the clock was
stopped, counted in the whole minutes the pages show; what every page works to."""

from __future__ import annotations

import pytest

from motcua.dossiers.rules import Action
from motcua.dossiers.services import perform_action
from motcua.testing.personas import Province
from motcua.testing.stories import (
    APPOINTMENT,
    CURRENT_APPOINTMENT,
    FINISHED,
    august,
    citizen,
    paused_and_finished,
    supplemented,
)

pytestmark = pytest.mark.django_db


def test_a_paused_working_day_moves_the_appointment_by_one_working_day_to_the_minute(
    province: Province,
) -> None:
    d = paused_and_finished(province, citizen())
    d.refresh_from_db()
    assert d.appointment_at == APPOINTMENT  # 13:54, the receipt's minute
    # "10:00 to 10:00" paused: one working day later, 13:54 — not 13:53:30.
    assert d.due_at == CURRENT_APPOINTMENT
    assert d.finished_at == FINISHED and d.timeliness == "on_time"
    # The step the supplement paused moves by the same working day: shown 10:00, not 09:59.
    step = d.steps.get(name="Đăng ký khai sinh")
    assert step.started_at == august(8, 14, 0, 20)
    assert step.due_at == august(12, 10, 0, 20)


def test_after_an_apology_only_the_later_pauses_move_the_new_date(province: Province) -> None:
    p = province
    d = supplemented(p, citizen())
    # The paused day is behind the leader's new date: it is not added to it again.
    d = perform_action(
        d,
        Action.ISSUE_APOLOGY,
        acting_user=p.leader,
        reason="Công an tỉnh cần xác minh nơi thường trú",
        new_due=august(19, 17),
        at=august(12, 14),
    )
    assert d.due_at == august(19, 17)
    d = perform_action(d, Action.REQUEST_PAYMENT, acting_user=p.specialist, at=august(13, 9))
    d = perform_action(d, Action.RECORD_PAYMENT, acting_user=p.specialist, at=august(13, 11))
    # Two working hours paused after the apology: Tue 19/8 17:00 + 2 h = Wed 20/8 09:00.
    d.refresh_from_db()
    assert d.due_at == august(20, 9)
