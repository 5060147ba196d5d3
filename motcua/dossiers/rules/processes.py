"""Internal processes (quy trình nội bộ): steps in working hours, sequential or parallel.

Pure: no Django, no I/O.

A province publishes, for each procedure, an internal (possibly interconnected) process
that splits the legal time limit (working days) into steps counted in **working hours,
8 hours per working day**, e.g. 4 h receive / 4 h unit / 112 h specialist / 24 h leader /
16 h return (docs, "The clock"). An interconnected process (liên thông) may be vertical
(commune -> province) or horizontal (several agencies), sequential or parallel; each
participating agency has its own share of the time (docs, "Interconnected"; Decree
63/2024/NĐ-CP for the birth + residence + health-insurance group).

A process is a sequence of *stages*: a stage is one :class:`ProcessStep`, or a
:class:`ParallelStage` whose branches (each a sequence of steps) start together and join:
the next stage starts when the last branch ends. Branches hold plain steps only (no
nested parallel stages).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from motcua.dossiers.rules.transitions import STAFF_ACTORS, Actor
from motcua.worktime.rules import WORKING_HOURS_PER_DAY, WorkCalendar, due_after

__all__ = [
    "ParallelStage",
    "PlannedStep",
    "ProcessStep",
    "Stage",
    "iter_steps",
    "plan_step_deadlines",
    "process_budget_hours",
    "validate_process",
]


@dataclass(frozen=True)
class ProcessStep:
    """One step: who (agency, optional unit, role) and how many working hours."""

    name: str
    agency_ref: str
    unit_ref: str | None
    role: Actor
    hours: int


@dataclass(frozen=True)
class ParallelStage:
    """Branches processed at the same time (e.g. police and social insurance); they join."""

    branches: tuple[tuple[ProcessStep, ...], ...]


Stage = ProcessStep | ParallelStage


@dataclass(frozen=True)
class PlannedStep:
    """A step with its planned start and due instant.

    ``branch_index`` is ``None`` for a sequential step, else the branch of its parallel
    stage; ``stage_index`` is the position of its stage in the process.
    """

    step: ProcessStep
    branch_index: int | None
    starts_at: datetime
    due_at: datetime
    stage_index: int


def iter_steps(stages: Sequence[Stage]) -> list[tuple[int, int | None, ProcessStep]]:
    """Every step as ``(stage_index, branch_index, step)``, in process order."""
    out: list[tuple[int, int | None, ProcessStep]] = []
    for i, stage in enumerate(stages):
        if isinstance(stage, ParallelStage):
            for b, branch in enumerate(stage.branches):
                out.extend((i, b, step) for step in branch)
        else:
            out.append((i, None, stage))
    return out


def _stage_hours(stage: Stage) -> int:
    if isinstance(stage, ParallelStage):
        return max((sum(s.hours for s in branch) for branch in stage.branches), default=0)
    return stage.hours


def process_budget_hours(stages: Sequence[Stage]) -> int:
    """Working hours the process takes end to end: steps add up, parallel = longest branch."""
    return sum(_stage_hours(stage) for stage in stages)


def _step_errors(step: object, where: str) -> list[str]:
    if not isinstance(step, ProcessStep):
        return [f"{where}: không phải là một bước xử lý."]
    errors: list[str] = []
    label = f"{where} «{step.name}»" if step.name.strip() else where
    if not step.name.strip():
        errors.append(f"{where}: chưa có tên bước.")
    if not step.agency_ref.strip():
        errors.append(f"{label}: chưa chọn cơ quan thực hiện.")
    if step.unit_ref is not None and not step.unit_ref.strip():
        errors.append(f"{label}: mã đơn vị để trống (bỏ trống thì để None).")
    if step.role not in STAFF_ACTORS and step.role != Actor.SYSTEM:
        errors.append(f"{label}: bước xử lý phải do cán bộ (hoặc hệ thống) thực hiện.")
    if isinstance(step.hours, bool) or not isinstance(step.hours, int) or step.hours <= 0:
        errors.append(
            f"{label}: thời gian xử lý phải là số nguyên giờ làm việc lớn hơn 0 "
            f"(đang là {step.hours!r})."
        )
    return errors


def validate_process(stages: Sequence[Stage], legal_working_days: float) -> list[str]:
    """Errors (Vietnamese) that make the process unusable; ``[]`` when it is valid.

    Checks: at least one step; every step named, with an agency, a staff (or system)
    role and a whole positive number of working hours; parallel stages with at least two
    non-empty branches; and the total (parallel = longest branch) within the legal time
    limit at 8 working hours per working day (docs, "The clock").
    """
    errors: list[str] = []
    if not stages:
        return ["Quy trình chưa có bước xử lý nào."]
    for i, stage in enumerate(stages, start=1):
        if isinstance(stage, ParallelStage):
            if len(stage.branches) < 2:
                errors.append(
                    f"Giai đoạn {i}: xử lý song song cần ít nhất 2 nhánh "
                    f"(đang có {len(stage.branches)})."
                )
            for b, branch in enumerate(stage.branches, start=1):
                if not branch:
                    errors.append(f"Giai đoạn {i}, nhánh {b}: chưa có bước xử lý nào.")
                for j, step in enumerate(branch, start=1):
                    errors.extend(_step_errors(step, f"Giai đoạn {i}, nhánh {b}, bước {j}"))
        else:
            errors.extend(_step_errors(stage, f"Bước {i}"))

    limit_ok = (
        isinstance(legal_working_days, int | float)
        and not isinstance(legal_working_days, bool)
        and math.isfinite(legal_working_days)
        and legal_working_days > 0
    )
    if not limit_ok:
        errors.append(
            f"Thời hạn giải quyết theo quy định phải là số ngày làm việc lớn hơn 0 "
            f"(đang là {legal_working_days!r})."
        )
    elif not errors:
        total = process_budget_hours(stages)
        limit = legal_working_days * WORKING_HOURS_PER_DAY
        if total > limit:
            errors.append(
                f"Tổng thời gian các bước ({total} giờ làm việc) vượt thời hạn giải quyết "
                f"theo quy định ({_number(legal_working_days)} ngày làm việc = "
                f"{_number(limit)} giờ làm việc)."
            )
    return errors


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}".replace(".", ",")


def plan_step_deadlines(
    cal: WorkCalendar,
    start: datetime,
    stages: Sequence[Stage],
    *,
    apply_cutoff: bool = True,
) -> list[PlannedStep]:
    """Each step's start and due instant when the process starts at ``start``.

    The first stage starts at the effective start of ``start`` (with ``apply_cutoff``, a
    receipt after the calendar's cut-off counts from the next working day — docs,
    "Channels and intake"); each step is due ``hours`` working hours after it starts
    (:func:`motcua.worktime.rules.due_after`) and the next step starts at that instant.
    The branches of a parallel stage start together; the stage after the join starts at
    the latest branch end. Steps are listed in :func:`iter_steps` order.
    """
    planned: list[PlannedStep] = []
    cursor = due_after(cal, start, working_hours=0, apply_cutoff=apply_cutoff)
    for i, stage in enumerate(stages):
        if isinstance(stage, ParallelStage):
            ends: list[datetime] = []
            for b, branch in enumerate(stage.branches):
                at = cursor
                for step in branch:
                    due = due_after(cal, at, working_hours=step.hours, apply_cutoff=False)
                    planned.append(PlannedStep(step, b, at, due, i))
                    at = due
                ends.append(at)
            cursor = max(ends, default=cursor)
        else:
            due = due_after(cal, cursor, working_hours=stage.hours, apply_cutoff=False)
            planned.append(PlannedStep(stage, None, cursor, due, i))
            cursor = due
    return planned


def spans_agencies(step_agencies: Iterable[int], deciding: int, intake: int | None) -> bool:
    """Whether a step is at an agency that neither decides the dossier nor received it
    (an interconnected process handing it to another agency)."""
    return any(agency not in (deciding, intake) for agency in step_agencies)
