"""Demo data: an internal process (quy trình nội bộ) for every demo offering.

``define_demo_processes()`` gives each offering of the demo procedures (see
:mod:`motcua.simulation.procedures`) a process that fits its time limit at 8 working hours per
working day (docs, "The clock"), so that dossiers of the demo run through realistic
steps and every step has its own deadline. Offerings that already have a process keep
it (a province's own process is never replaced); running again creates nothing.

The processes are **demo data, not a province's published processes**:

* commune People's Committee: receive at the commune's Public Administration Service
  Center (counter officer) → examine and handle (specialist of the office in charge of
  the field: Phòng Kinh tế for land, construction, business, agriculture; Phòng Văn hóa -
  Xã hội for civil status, certification and the rest) → sign (leader of the commune)
  → return at the centre;
* police, social insurance, a department: receive at the provincial Public
  Administration Service Center → specialist of the agency's first office (not its
  "Văn phòng") → the agency's leader signs → return at the centre;
* the budget is split 10 % receive, 15 % sign, 10 % return (at least one hour each),
  the rest to the specialist;
* the two interconnected procedures of Decree 63/2024/NĐ-CP (birth registration +
  permanent residence + child health-insurance card, 2.000986; birth registration +
  child health-insurance card, 2.001023) take 3 working days: the commune's justice
  officer registers the birth, then the provincial police (residence) and the social
  insurance (card) work **in parallel** (2.000986) or the social insurance alone
  (2.001023); the commune's leader signs and the commune's centre returns the results.

Time limits: the offering's local limit, else the national one (the shortest channel,
:meth:`Procedure.national_deadline_cap`). Demo assumptions, documented here: a limit
under one working day (e.g. "1 giờ") becomes one working day, because processes count
whole working days; a procedure with no usable limit has been given a local one on its
offering (``motcua.simulation.procedures.DEMO_LOCAL_WORKING_DAYS``), and its process uses that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from motcua.agencies.models import Agency
from motcua.audit.services import record_event
from motcua.catalog.models import Procedure, ProcedureOffering
from motcua.catalog.rules import whole_working_days
from motcua.dossiers import rules
from motcua.dossiers.models import Process, ProcessStep
from motcua.dossiers.rules import Actor
from motcua.simulation.procedures import DEMO_LOCAL_WORKING_DAYS, demo_offering_pairs
from motcua.worktime.rules import WORKING_HOURS_PER_DAY

#: Decree 63/2024/NĐ-CP: birth registration + permanent residence + child health-insurance
#: card; birth registration + child health-insurance card. 3 working days.
BIRTH_RESIDENCE_INSURANCE = "2.000986"
BIRTH_INSURANCE = "2.001023"
INTERCONNECTED_CODES = frozenset({BIRTH_RESIDENCE_INSURANCE, BIRTH_INSURANCE})
INTERCONNECTED_WORKING_DAYS = 3

#: Fields a commune's economy office handles (words of the field name, case-insensitive);
#: every other commune procedure goes to its culture-society office. Demo mapping.
ECONOMY_FIELD_WORDS = (
    "đất đai",
    "biện pháp bảo đảm",
    "xây dựng",
    "đường bộ",
    "nhà ở",
    "hộ kinh doanh",
    "trồng trọt",
    "thủy lợi",
    "bảo hiểm",
)
ECONOMY_OFFICE_PREFIX = "Phòng Kinh tế"
SOCIAL_OFFICE_PREFIX = "Phòng Văn hóa - Xã hội"
POLICE_RESIDENCE_UNIT = "Phòng Cảnh sát quản lý hành chính về trật tự xã hội"

RECEIVE = "Tiếp nhận hồ sơ"
HANDLE = "Thẩm định, xử lý hồ sơ"
SIGN = "Phê duyệt, ký kết quả"
RETURN = "Trả kết quả"
BIRTH_STEP = "Đăng ký khai sinh"
RESIDENCE_STEP = "Đăng ký thường trú"
INSURANCE_STEP = "Cấp thẻ bảo hiểm y tế"


@dataclass(frozen=True)
class StepPlan:
    """One step of a demo process (ids of agencies; ``branch`` > 0: parallel)."""

    stage: int
    name: str
    agency_id: int
    unit_id: int | None
    role: Actor
    hours: int
    branch: int = 0


def split_budget(working_days: int) -> tuple[int, int, int, int]:
    """Working hours of (receive, handle, sign, return) for ``working_days``."""
    total = working_days * WORKING_HOURS_PER_DAY
    receive = max(1, round(total * 0.10))
    sign = max(1, round(total * 0.15))
    give_back = max(1, round(total * 0.10))
    return receive, total - receive - sign - give_back, sign, give_back


def demo_working_days(procedure: Procedure, local_days: int | None = None) -> int:
    """The whole working days a demo process lasts (see the module docstring)."""
    if procedure.code in INTERCONNECTED_CODES:
        return INTERCONNECTED_WORKING_DAYS
    if local_days:
        return local_days
    cap = procedure.national_deadline_cap()
    if cap is None or cap <= 0:
        return DEMO_LOCAL_WORKING_DAYS
    return whole_working_days(cap)


def to_stages(steps: list[StepPlan]) -> list[rules.Stage]:
    """The pure form of a step list, for :func:`rules.validate_process`."""
    stages: list[rules.Stage] = []
    for stage_no in sorted({s.stage for s in steps}):
        in_stage = [s for s in steps if s.stage == stage_no]
        branches = [
            tuple(
                rules.ProcessStep(
                    s.name,
                    str(s.agency_id),
                    str(s.unit_id) if s.unit_id else None,
                    s.role,
                    s.hours,
                )
                for s in in_stage
                if s.branch == branch
            )
            for branch in sorted({s.branch for s in in_stage})
        ]
        if len(branches) == 1:
            stages.extend(branches[0])
        else:
            stages.append(rules.ParallelStage(tuple(branches)))
    return stages


class _Tree:
    """The agencies the demo processes need, loaded in two queries."""

    def __init__(self, deciding_ids: set[int]) -> None:
        agencies = Agency.objects.filter(is_active=True)
        self.deciding = {a.pk: a for a in agencies.filter(pk__in=deciding_ids)}
        self.children: dict[int, list[Agency]] = {}
        for child in agencies.filter(parent_id__in=deciding_ids).order_by("code"):
            assert child.parent_id is not None
            self.children.setdefault(child.parent_id, []).append(child)
        provincial = list(agencies.filter(level=Agency.Level.PROVINCE).order_by("code"))
        self.province_center = next(
            (a for a in provincial if a.kind == Agency.Kind.SERVICE_CENTER), None
        )
        self.police = next(
            (a for a in provincial if a.kind == Agency.Kind.CENTRAL_BRANCH and "Công an" in a.name),
            None,
        )
        self.insurance = next(
            (
                a
                for a in provincial
                if a.kind == Agency.Kind.CENTRAL_BRANCH and "Bảo hiểm xã hội" in a.name
            ),
            None,
        )
        for extra in (self.police, self.insurance):
            if extra is not None and extra.pk not in self.children:
                self.children[extra.pk] = list(agencies.filter(parent=extra).order_by("code"))

    def counter_place(self, agency: Agency) -> Agency:
        """Where a commune's dossiers are received: its centre / one-stop unit."""
        for child in self.children.get(agency.pk, []):
            if child.receives_dossiers and child.kind in (
                Agency.Kind.SERVICE_CENTER,
                Agency.Kind.ONE_STOP_UNIT,
            ):
                return child
        return agency

    def office(self, agency: Agency, prefix: str) -> Agency | None:
        return next(
            (c for c in self.children.get(agency.pk, []) if c.name.startswith(prefix)), None
        )

    def first_office(self, agency: Agency) -> Agency | None:
        """The agency's first unit that is not its administrative office (Văn phòng)."""
        return next(
            (
                c
                for c in self.children.get(agency.pk, [])
                if c.kind == Agency.Kind.UNIT and not c.name.startswith("Văn phòng")
            ),
            None,
        )


def _ids(unit: Agency | None) -> int | None:
    return unit.pk if unit is not None else None


def _handling_office(tree: _Tree, agency: Agency, field_name: str) -> Agency | None:
    folded = field_name.casefold()
    if any(words in folded for words in ECONOMY_FIELD_WORDS):
        return tree.office(agency, ECONOMY_OFFICE_PREFIX) or tree.office(
            agency, SOCIAL_OFFICE_PREFIX
        )
    return tree.office(agency, SOCIAL_OFFICE_PREFIX) or tree.office(agency, ECONOMY_OFFICE_PREFIX)


def _interconnected_steps(
    tree: _Tree, procedure: Procedure, commune: Agency, counter: Agency
) -> list[StepPlan] | None:
    police, insurance = tree.police, tree.insurance
    code = procedure.code
    if insurance is None or (code == BIRTH_RESIDENCE_INSURANCE and police is None):
        return None
    justice = tree.office(commune, SOCIAL_OFFICE_PREFIX)
    insurance_unit = tree.first_office(insurance)
    steps = [
        StepPlan(0, RECEIVE, counter.pk, None, Actor.COUNTER_OFFICER, 2),
        StepPlan(1, BIRTH_STEP, commune.pk, _ids(justice), Actor.SPECIALIST, 6),
    ]
    if code == BIRTH_RESIDENCE_INSURANCE:
        assert police is not None
        police_unit = tree.office(police, POLICE_RESIDENCE_UNIT) or tree.first_office(police)
        steps += [
            StepPlan(2, RESIDENCE_STEP, police.pk, _ids(police_unit), Actor.SPECIALIST, 8, 1),
            StepPlan(2, INSURANCE_STEP, insurance.pk, _ids(insurance_unit), Actor.SPECIALIST, 8, 2),
        ]
    else:
        steps[1] = StepPlan(1, BIRTH_STEP, commune.pk, _ids(justice), Actor.SPECIALIST, 8)
        steps.append(
            StepPlan(2, INSURANCE_STEP, insurance.pk, _ids(insurance_unit), Actor.SPECIALIST, 6)
        )
    steps += [
        StepPlan(3, SIGN, commune.pk, None, Actor.AGENCY_LEADER, 4),
        StepPlan(4, RETURN, counter.pk, None, Actor.COUNTER_OFFICER, 4),
    ]
    return steps


def demo_steps(tree: _Tree, procedure: Procedure, agency: Agency, days: int) -> list[StepPlan]:
    """The demo process of ``procedure`` decided by ``agency`` (see the module docstring)."""
    if agency.level == Agency.Level.COMMUNE:
        counter = tree.counter_place(agency)
        unit = _handling_office(tree, agency, procedure.field.name)
        if procedure.code in INTERCONNECTED_CODES:
            steps = _interconnected_steps(tree, procedure, agency, counter)
            if steps is not None:
                return steps
    else:
        counter = tree.province_center or agency
        unit = tree.first_office(agency)
    receive, handle, sign, give_back = split_budget(days)
    return [
        StepPlan(0, RECEIVE, counter.pk, None, Actor.COUNTER_OFFICER, receive),
        StepPlan(1, HANDLE, agency.pk, _ids(unit), Actor.SPECIALIST, handle),
        StepPlan(2, SIGN, agency.pk, None, Actor.AGENCY_LEADER, sign),
        StepPlan(3, RETURN, counter.pk, None, Actor.COUNTER_OFFICER, give_back),
    ]


def _process_name(procedure: Procedure, days: int) -> str:
    suffix = f" (quy trình mẫu, {days} ngày làm việc)"
    name = procedure.name
    limit = 255 - len(suffix)
    if len(name) > limit:
        name = name[: limit - 1].rstrip() + "…"
    return name + suffix


@transaction.atomic
def define_demo_processes(*, acting_user: Any = None) -> int:
    """Give every demo offering without a process its demo process; returns how many.

    Every step list is checked with :func:`rules.validate_process` (it must fit the
    time limit) before anything is written; rows are written in bulk.
    """
    pairs = set(demo_offering_pairs())
    if not pairs:
        return 0
    rows = [
        row
        for row in ProcedureOffering.objects.filter(
            procedure_id__in={p for p, _ in pairs}, is_active=True, process__isnull=True
        )
        .order_by("pk")
        .values_list("pk", "procedure_id", "agency_id", "local_processing_working_days")
        if (row[1], row[2]) in pairs
    ]
    if not rows:
        return 0
    procedures = {
        p.pk: p
        for p in Procedure.objects.filter(pk__in={r[1] for r in rows})
        .select_related("field")
        .prefetch_related("channels")
    }
    tree = _Tree({r[2] for r in rows})
    planned: list[tuple[int, str, int, list[StepPlan]]] = []
    for offering_id, procedure_id, agency_id, local_days in rows:
        procedure = procedures[procedure_id]
        days = demo_working_days(procedure, local_days)
        steps = demo_steps(tree, procedure, tree.deciding[agency_id], days)
        errors = rules.validate_process(to_stages(steps), days)
        if errors:
            raise ValueError(f"{procedure.code} @ {agency_id}: " + " ".join(errors))
        planned.append((offering_id, _process_name(procedure, days), days, steps))
    Process.objects.bulk_create(
        [
            Process(offering_id=offering_id, name=name, legal_working_days=days)
            for offering_id, name, days, _steps in planned
        ],
        batch_size=500,
    )
    process_ids = dict(
        Process.objects.filter(offering_id__in=[row[0] for row in planned]).values_list(
            "offering_id", "id"
        )
    )
    ProcessStep.objects.bulk_create(
        [
            ProcessStep(
                process_id=process_ids[offering_id],
                stage=step.stage,
                branch=step.branch,
                position=position,
                name=step.name,
                agency_id=step.agency_id,
                unit_id=step.unit_id,
                role=step.role.value,
                hours=step.hours,
            )
            for offering_id, _name, _days, steps in planned
            for position, step in enumerate(steps)
        ],
        batch_size=1000,
    )
    record_event(
        action="dossiers.demo_processes_defined",
        target_type="dossiers.process",
        actor=acting_user,
        summary=f"Tạo {len(planned)} quy trình nội bộ mẫu",
        payload={"created": len(planned)},
    )
    return len(planned)
