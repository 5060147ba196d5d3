"""Internal processes: budget, validation, planned step deadlines."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.dossiers.rules import (
    Actor,
    ParallelStage,
    PlannedStep,
    ProcessStep,
    Stage,
    iter_steps,
    plan_step_deadlines,
    process_budget_hours,
    spans_agencies,
    validate_process,
)
from motcua.worktime.holidays_vn import vietnam_calendar
from motcua.worktime.rules import due_after

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = vietnam_calendar(range(2020, 2031))  # sessions 07-11, 13-17; cut-off 15:00


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=VN)


def step(
    name: str, hours: int, agency: str = "H01.1", role: Actor = Actor.SPECIALIST
) -> ProcessStep:
    return ProcessStep(name=name, agency_ref=agency, unit_ref=None, role=role, hours=hours)


# A provincial process: 4 h receive / 4 h unit / 112 h specialist / 24 h leader / 16 h return.
PROVINCIAL = [
    step("Tiếp nhận", 4, role=Actor.COUNTER_OFFICER),
    step("Phân công", 4, role=Actor.UNIT_HEAD),
    step("Thẩm định", 112),
    step("Ký duyệt", 24, role=Actor.AGENCY_LEADER),
    step("Trả kết quả", 16, role=Actor.COUNTER_OFFICER),
]

# Interconnected (Decree 63/2024 group): commune justice, then police and social insurance
# in parallel, then the return at the commune.
JUSTICE = step("Đăng ký khai sinh", 8, agency="H01.12")
POLICE = step("Đăng ký thường trú", 8, agency="H01.12.CA")
INSURANCE_1 = step("Tiếp nhận BHYT", 4, agency="H01.BHXH")
INSURANCE_2 = step("Cấp thẻ BHYT", 2, agency="H01.BHXH")
RETURN = step("Trả kết quả", 4, agency="H01.12", role=Actor.COUNTER_OFFICER)
INTERCONNECTED: list[Stage] = [
    JUSTICE,
    ParallelStage(branches=((POLICE,), (INSURANCE_1, INSURANCE_2))),
    RETURN,
]


def test_budget_sequential_and_parallel() -> None:
    assert process_budget_hours(PROVINCIAL) == 160
    assert process_budget_hours(INTERCONNECTED) == 8 + max(8, 4 + 2) + 4
    assert process_budget_hours([]) == 0


def test_iter_steps() -> None:
    assert iter_steps(INTERCONNECTED) == [
        (0, None, JUSTICE),
        (1, 0, POLICE),
        (1, 1, INSURANCE_1),
        (1, 1, INSURANCE_2),
        (2, None, RETURN),
    ]


def test_valid_processes() -> None:
    assert validate_process(PROVINCIAL, 20) == []
    assert validate_process(INTERCONNECTED, 3) == []
    assert validate_process(INTERCONNECTED, 2.5) == []  # 20 h == 2.5 days


def test_total_over_the_legal_limit() -> None:
    assert validate_process(PROVINCIAL, 19) == [
        "Tổng thời gian các bước (160 giờ làm việc) vượt thời hạn giải quyết theo quy định "
        "(19 ngày làm việc = 152 giờ làm việc)."
    ]
    assert validate_process(INTERCONNECTED, 2.25) == [
        "Tổng thời gian các bước (20 giờ làm việc) vượt thời hạn giải quyết theo quy định "
        "(2,25 ngày làm việc = 18 giờ làm việc)."
    ]


def test_empty_process() -> None:
    assert validate_process([], 5) == ["Quy trình chưa có bước xử lý nào."]


@pytest.mark.parametrize("hours", [0, -4])
def test_non_positive_hours(hours: int) -> None:
    errors = validate_process([step("Thẩm định", hours)], 5)
    assert errors == [
        f"Bước 1 «Thẩm định»: thời gian xử lý phải là số nguyên giờ làm việc lớn hơn 0 "
        f"(đang là {hours})."
    ]


def test_other_step_errors() -> None:
    bad = [
        ProcessStep(name=" ", agency_ref="", unit_ref="", role=Actor.APPLICANT, hours=2.5),  # type: ignore[arg-type]
    ]
    assert validate_process(bad, 5) == [
        "Bước 1: chưa có tên bước.",
        "Bước 1: chưa chọn cơ quan thực hiện.",
        "Bước 1: mã đơn vị để trống (bỏ trống thì để None).",
        "Bước 1: bước xử lý phải do cán bộ (hoặc hệ thống) thực hiện.",
        "Bước 1: thời gian xử lý phải là số nguyên giờ làm việc lớn hơn 0 (đang là 2.5).",
    ]
    assert validate_process([step("Đồng bộ", 1, role=Actor.SYSTEM)], 1) == []


def test_parallel_stage_errors() -> None:
    stages: list[Stage] = [
        ParallelStage(branches=((POLICE,),)),
        ParallelStage(branches=((POLICE,), ())),
        ParallelStage(branches=((POLICE,), (step("X", 0),))),
    ]
    assert validate_process(stages, 10) == [
        "Giai đoạn 1: xử lý song song cần ít nhất 2 nhánh (đang có 1).",
        "Giai đoạn 2, nhánh 2: chưa có bước xử lý nào.",
        "Giai đoạn 3, nhánh 2, bước 1 «X»: thời gian xử lý phải là số nguyên giờ làm việc "
        "lớn hơn 0 (đang là 0).",
    ]


@pytest.mark.parametrize("days", [0, -1, float("nan"), float("inf")])
def test_bad_legal_limit(days: float) -> None:
    errors = validate_process(PROVINCIAL, days)
    assert len(errors) == 1
    assert errors[0].startswith("Thời hạn giải quyết theo quy định phải là số ngày làm việc")


def test_plan_interconnected_across_tet_2025() -> None:
    # Received Friday 24/1/2025 10:00; Tết off 27-31/1 (+ weekends 25-26/1, 1-2/2).
    plan = plan_step_deadlines(CAL, at(2025, 1, 24, 10), INTERCONNECTED)
    assert plan == [
        # 10-11 and 13-17 on Friday = 5 h; 3 h on Monday 3/2.
        PlannedStep(JUSTICE, None, at(2025, 1, 24, 10), at(2025, 2, 3, 10), 0),
        PlannedStep(POLICE, 0, at(2025, 2, 3, 10), at(2025, 2, 4, 10), 1),
        PlannedStep(INSURANCE_1, 1, at(2025, 2, 3, 10), at(2025, 2, 3, 16), 1),
        PlannedStep(INSURANCE_2, 1, at(2025, 2, 3, 16), at(2025, 2, 4, 8), 1),
        # The join: the latest branch end (police, Tuesday 10:00).
        PlannedStep(RETURN, None, at(2025, 2, 4, 10), at(2025, 2, 4, 16), 2),
    ]


def test_plan_after_the_cutoff_starts_next_working_day() -> None:
    plan = plan_step_deadlines(CAL, at(2025, 1, 24, 15, 30), INTERCONNECTED)
    assert plan[0].starts_at == at(2025, 2, 3, 7)
    assert plan[0].due_at == at(2025, 2, 3, 17)
    assert plan[-1].due_at == at(2025, 2, 5, 11)
    plan = plan_step_deadlines(CAL, at(2025, 1, 24, 15, 30), INTERCONNECTED, apply_cutoff=False)
    assert plan[0].starts_at == at(2025, 1, 24, 15, 30)
    assert plan[0].due_at == at(2025, 2, 3, 15, 30)  # 1.5 h on Friday, 6.5 h on Monday


def test_plan_provincial_process_over_the_2025_april_swap() -> None:
    # Saturday 26/4/2025 is worked; 30/4, 1/5 and 2/5 are off.
    plan = plan_step_deadlines(CAL, at(2025, 4, 24, 8), PROVINCIAL[:3])
    assert [p.due_at for p in plan] == [
        at(2025, 4, 24, 14),  # 08-11 (3 h) + 13-14 (1 h)
        at(2025, 4, 25, 8),  # 14-17 (3 h) + Friday 07-08 (1 h)
        # 112 h = 14 working days: Sat 26/4, Mon 28, Tue 29, then 5/5 ... Mon 19/5.
        at(2025, 5, 19, 8),
    ]


@settings(max_examples=60, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(2024, 1, 1),
        max_value=datetime(2029, 12, 31),
    ),
    hours=st.lists(st.integers(1, 40), min_size=1, max_size=6),
    branches=st.lists(st.lists(st.integers(1, 40), min_size=1, max_size=3), min_size=2, max_size=3),
)
def test_plan_matches_the_budget(
    start: datetime, hours: list[int], branches: list[list[int]]
) -> None:
    start = start.replace(tzinfo=VN)
    stages: list[Stage] = [step(f"s{i}", h) for i, h in enumerate(hours)]
    stages.insert(
        1,
        ParallelStage(
            branches=tuple(
                tuple(step(f"b{j}", h) for j, h in enumerate(branch)) for branch in branches
            )
        ),
    )
    plan = plan_step_deadlines(CAL, start, stages)
    end = max(p.due_at for p in plan)
    assert end == due_after(CAL, start, working_hours=process_budget_hours(stages))
    assert all(p.starts_at <= p.due_at for p in plan)
    assert len(plan) == len(iter_steps(stages))


def test_a_dossier_spans_agencies_when_a_step_is_elsewhere() -> None:
    # Received at the one-stop unit (2) for the commune (1), which decides.
    assert not spans_agencies([2, 1, 1, 2], deciding=1, intake=2)
    assert spans_agencies([2, 1, 40, 41, 1, 2], deciding=1, intake=2)  # police, insurance
    assert not spans_agencies([], deciding=1, intake=None)
    assert spans_agencies([1, 3], deciding=1, intake=None)
