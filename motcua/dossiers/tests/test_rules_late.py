"""Late dossiers: the apology with a new appointment, and deadline warnings."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from motcua.dossiers.rules import (
    ApologyNotAllowed,
    ApologyRule,
    ApologyTiming,
    LateApology,
    WarningLevel,
    apology_refusal,
    check_new_appointment,
    warning_level,
)
from motcua.worktime.holidays_vn import vietnam_calendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = vietnam_calendar(range(2020, 2031))  # sessions 07-11, 13-17


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=VN)


DUE = at(2025, 2, 4, 10)  # Tuesday after Tết 2025
NEW_DUE = at(2025, 2, 7, 17)
STRICT = ApologyRule(late=LateApology.REFUSE)


def check(**overrides: object) -> ApologyTiming:
    kw: dict[str, object] = {
        "now": at(2025, 1, 24, 9),
        "current_due": DUE,
        "new_due": NEW_DUE,
        "apologies_so_far": 0,
        "reason": "Chờ kết quả xác minh của công an xã",
    }
    kw.update(overrides)
    return check_new_appointment(CAL, **kw)  # type: ignore[arg-type]


def refused(**overrides: object) -> ApologyNotAllowed:
    with pytest.raises(ApologyNotAllowed) as info:
        check(**overrides)
    return info.value


def test_ok_well_before_the_deadline() -> None:
    assert check() is ApologyTiming.IN_TIME


def test_ok_with_exactly_one_working_day_left_across_tet() -> None:
    # Fri 24/1 10:00 -> Tue 4/2 10:00 is 5 h + 8 h + 3 h; Mon 3/2 10:00 leaves exactly 8 h.
    check(now=at(2025, 2, 3, 10))
    # Friday before Tết, 16:00: 1 h + Mon 8 h + Tue 3 h = 12 h left, over the holiday.
    check(now=at(2025, 1, 24, 16))


def test_less_than_one_working_day_before_the_deadline_is_an_apology_on_short_notice() -> None:
    assert check(now=at(2025, 2, 3, 10, 1)) is ApologyTiming.SHORT_NOTICE


def test_an_overdue_dossier_still_gets_its_apology_and_new_date_by_default() -> None:
    # The deciding agency still owes the applicant the apology with a new date (form 04).
    assert check(now=at(2025, 2, 5, 9)) is ApologyTiming.OVERDUE
    assert apology_refusal(CAL, now=at(2025, 2, 5, 9), current_due=DUE, apologies_so_far=0) is None


def test_the_strict_rule_refuses_an_apology_with_less_than_one_working_day_left() -> None:
    err = refused(now=at(2025, 2, 3, 10, 1), rule=STRICT)
    assert err.code == "too_late"
    assert str(err) == (
        "Phải gửi thư xin lỗi và hẹn lại ngày trả kết quả chậm nhất 8 giờ làm việc trước "
        "thời hạn (còn 7,98 giờ làm việc)."
    )
    check(now=at(2025, 2, 3, 10), rule=STRICT)  # exactly one working day left


def test_the_strict_rule_refuses_an_apology_after_the_deadline() -> None:
    err = refused(now=at(2025, 2, 5, 9), rule=STRICT)
    assert err.code == "too_late"
    assert "(còn 0 giờ làm việc)" in str(err)
    refusal = apology_refusal(
        CAL, now=at(2025, 2, 5, 9), current_due=DUE, apologies_so_far=0, rule=STRICT
    )
    assert refusal is not None and refusal.code == "too_late"


def test_a_late_apology_must_promise_a_date_still_ahead() -> None:
    # Overdue since 4/2: a new date after the old one but already past is refused.
    err = refused(now=at(2025, 2, 10, 9), new_due=NEW_DUE)
    assert err.code == "new_due_past"
    assert str(err) == ("Hồ sơ đã quá hạn: ngày hẹn trả kết quả mới phải sau thời điểm hiện tại.")
    assert check(now=at(2025, 2, 10, 9), new_due=at(2025, 2, 12, 17)) is ApologyTiming.OVERDUE


def test_minimum_notice_is_a_parameter() -> None:
    four = ApologyRule(min_notice_working_hours=4)
    assert check(now=at(2025, 2, 3, 15), rule=four) is ApologyTiming.IN_TIME  # 5 h left
    sixteen = ApologyRule(min_notice_working_hours=16, late=LateApology.REFUSE)
    assert refused(now=at(2025, 2, 3, 15), rule=sixteen).code == "too_late"
    with pytest.raises(ValueError):
        ApologyRule(min_notice_working_hours=-1)
    with pytest.raises(ValueError):
        ApologyRule(late="sometimes")  # type: ignore[arg-type]


def test_a_second_apology_is_refused() -> None:
    err = refused(apologies_so_far=1)
    assert err.code == "already_issued"
    assert "chỉ được hẹn lại một lần" in str(err)


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_a_reason_is_required(reason: str | None) -> None:
    assert refused(reason=reason).code == "reason_required"


@pytest.mark.parametrize("new_due", [DUE, at(2025, 2, 3, 17)])
def test_the_new_appointment_must_be_later(new_due: datetime) -> None:
    assert refused(new_due=new_due).code == "new_due_not_later"


def test_checks_run_in_order() -> None:
    err = refused(apologies_so_far=1, reason="", new_due=DUE, now=at(2025, 2, 5))
    assert err.code == "already_issued"
    assert refused(reason="", new_due=DUE, now=at(2025, 2, 5)).code == "reason_required"
    assert refused(new_due=DUE, now=at(2025, 2, 5)).code == "new_due_not_later"
    # The dossier's state before what was entered: the strict rule's refusal comes first.
    assert refused(reason="", now=at(2025, 2, 5), rule=STRICT).code == "too_late"


def test_negative_count_is_an_error() -> None:
    with pytest.raises(ValueError):
        check(apologies_so_far=-1)


def test_the_refusal_of_a_second_apology_is_the_dossiers_state() -> None:
    refusal = apology_refusal(CAL, now=at(2025, 1, 24, 9), current_due=DUE, apologies_so_far=1)
    assert refusal is not None and refusal.code == "already_issued"
    assert apology_refusal(CAL, now=at(2025, 1, 24, 9), current_due=DUE, apologies_so_far=0) is None


@pytest.mark.parametrize(
    ("now", "level"),
    [
        (at(2025, 1, 24, 9), WarningLevel.OK),  # 17 h left
        (at(2025, 1, 24, 16), WarningLevel.OK),  # 12 h left (Tết in between)
        (at(2025, 2, 3, 9, 59), WarningLevel.OK),  # 8 h 1 min left
        (at(2025, 2, 3, 10), WarningLevel.DUE_SOON),  # exactly one working day
        (at(2025, 1, 31, 12), WarningLevel.OK),  # during Tết: 11 h left
        (at(2025, 2, 4, 10), WarningLevel.DUE_SOON),  # at the deadline
        (at(2025, 2, 4, 10, 1), WarningLevel.OVERDUE),
    ],
)
def test_warning_level(now: datetime, level: WarningLevel) -> None:
    assert warning_level(CAL, now, DUE) == level


def test_warning_level_threshold_is_a_parameter() -> None:
    now = at(2025, 2, 3, 7)  # 11 h left
    assert warning_level(CAL, now, DUE) == "ok"
    assert warning_level(CAL, now, DUE, due_soon_working_hours=16) == "due_soon"


def test_the_new_appointment_must_be_a_working_day() -> None:
    assert refused(new_due=at(2025, 2, 8, 17)).code == "not_working_day"  # a Saturday
    assert refused(new_due=at(2025, 4, 30, 17)).code == "not_working_day"  # a holiday
    check(new_due=at(2025, 4, 26, 17))  # the make-up Saturday of 2025 is a working day
