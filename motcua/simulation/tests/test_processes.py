"""Demo processes: one per demo offering, within the time limit, the interconnected ones
across the commune, the police and the social insurance."""

from __future__ import annotations

from typing import Any

import pytest

from motcua.agencies.models import Agency
from motcua.audit.models import AuditEvent
from motcua.catalog.models import ProcedureOffering
from motcua.catalog.services import PACKAGED_DEMO, import_procedures_file
from motcua.dossiers import rules
from motcua.dossiers.models import Process, ProcessStep
from motcua.dossiers.rules import Actor
from motcua.dossiers.services import dossier_time_limit
from motcua.simulation.procedures import DEMO_LOCAL_WORKING_DAYS, offer_demo_procedures
from motcua.simulation.processes import (
    BIRTH_INSURANCE,
    BIRTH_RESIDENCE_INSURANCE,
    define_demo_processes,
    split_budget,
)
from motcua.simulation.province import build_demo_province
from motcua.simulation.staff import create_demo_staff


def build_demo_world(settings: Any) -> None:
    """What ``motcua demo`` prepares before making dossiers (on the test database)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    build_demo_province()
    create_demo_staff()
    import_procedures_file(PACKAGED_DEMO)
    offer_demo_procedures()


def pure_stages(process: Process) -> list[rules.Stage]:
    stages: list[rules.Stage] = []
    for stage in sorted({s.stage for s in process.steps.all()}):
        rows = [s for s in process.steps.all() if s.stage == stage]
        branches = [
            tuple(
                rules.ProcessStep(s.name, str(s.agency_id), None, Actor(s.role), s.hours)
                for s in sorted(rows, key=lambda r: r.position)
                if s.branch == branch
            )
            for branch in sorted({s.branch for s in rows})
        ]
        if len(branches) == 1:
            stages.extend(branches[0])
        else:
            stages.append(rules.ParallelStage(tuple(branches)))
    return stages


def steps_of(code: str, agency: str) -> list[tuple[str, str, str | None, str, int, int, int]]:
    process = Process.objects.get(offering__procedure__code=code, offering__agency__code=agency)
    return [
        (s.name, s.agency.code, s.unit.code if s.unit else None, s.role, s.hours, s.stage, s.branch)
        for s in process.steps.select_related("agency", "unit").order_by("stage", "branch")
    ]


@pytest.mark.django_db
def test_every_demo_offering_gets_a_process_within_its_time_limit(settings: Any) -> None:
    build_demo_world(settings)

    created = define_demo_processes()

    offerings = ProcedureOffering.objects.count()
    assert created == offerings == Process.objects.count() > 4000
    for process in Process.objects.prefetch_related("steps").select_related("offering__procedure"):
        assert rules.validate_process(pure_stages(process), process.legal_working_days) == []
        budget = rules.process_budget_hours(pure_stages(process))
        assert budget == process.legal_working_days * 8, process.name
    event = AuditEvent.objects.filter(action="dossiers.demo_processes_defined").get()
    assert event.payload == {"created": created}


@pytest.mark.django_db
def test_the_process_templates(settings: Any) -> None:
    build_demo_world(settings)
    define_demo_processes()
    C = Actor.COUNTER_OFFICER.value
    S = Actor.SPECIALIST.value
    L = Actor.AGENCY_LEADER.value
    # Birth registration (1 working day) at the ward: its centre, culture-society office.
    assert steps_of("1.001193", "H01.30307") == [
        ("Tiếp nhận hồ sơ", "H01.30307.1", None, C, 1, 0, 0),
        ("Thẩm định, xử lý hồ sơ", "H01.30307", "H01.30307.4", S, 5, 1, 0),
        ("Phê duyệt, ký kết quả", "H01.30307", None, L, 1, 2, 0),
        ("Trả kết quả", "H01.30307.1", None, C, 1, 3, 0),
    ]
    # Land: the economy office.
    assert steps_of("1.012796", "H01.30307")[1][2] == "H01.30307.3"
    # The police decides residence (7 working days): the provincial centre receives.
    assert steps_of("1.004222", "H01.51") == [
        ("Tiếp nhận hồ sơ", "H01.1.1", None, C, 6, 0, 0),
        ("Thẩm định, xử lý hồ sơ", "H01.51", "H01.51.1", S, 36, 1, 0),
        ("Phê duyệt, ký kết quả", "H01.51", None, L, 8, 2, 0),
        ("Trả kết quả", "H01.1.1", None, C, 6, 3, 0),
    ]
    # Sở Tư pháp's office is its first non-"Văn phòng" unit.
    assert steps_of("2.000908", "H01.4")[1][2] == "H01.4.2"
    assert split_budget(1) == (1, 5, 1, 1)
    assert split_budget(45) == (36, 234, 54, 36)


@pytest.mark.django_db
def test_the_interconnected_birth_procedures(settings: Any) -> None:
    build_demo_world(settings)
    define_demo_processes()
    police = Agency.objects.get(code="H01.51.1")
    assert police.name == "Phòng Cảnh sát quản lý hành chính về trật tự xã hội"
    steps = steps_of(BIRTH_RESIDENCE_INSURANCE, "H01.30307")
    assert [
        (name, agency, unit, stage, branch) for name, agency, unit, _r, _h, stage, branch in steps
    ] == [
        ("Tiếp nhận hồ sơ", "H01.30307.1", None, 0, 0),
        ("Đăng ký khai sinh", "H01.30307", "H01.30307.4", 1, 0),
        ("Đăng ký thường trú", "H01.51", "H01.51.1", 2, 1),  # in parallel …
        ("Cấp thẻ bảo hiểm y tế", "H01.52", "H01.52.1", 2, 2),  # … with the insurance
        ("Phê duyệt, ký kết quả", "H01.30307", None, 3, 0),
        ("Trả kết quả", "H01.30307.1", None, 4, 0),
    ]
    process = Process.objects.get(
        offering__procedure__code=BIRTH_RESIDENCE_INSURANCE, offering__agency__code="H01.30307"
    )
    stages = pure_stages(process)
    assert process.legal_working_days == 3 and rules.process_budget_hours(stages) == 24
    assert isinstance(stages[2], rules.ParallelStage) and len(stages[2].branches) == 2
    assert dossier_time_limit(process.offering).working_days == 3  # not the national 20 days

    sequential = steps_of(BIRTH_INSURANCE, "H01.30316")
    assert [(agency, stage, branch) for _n, agency, _u, _r, _h, stage, branch in sequential] == [
        ("H01.30316.1", 0, 0),
        ("H01.30316", 1, 0),
        ("H01.52", 2, 0),
        ("H01.30316", 3, 0),
        ("H01.30316.1", 4, 0),
    ]


@pytest.mark.django_db
def test_limits_unknown_or_under_a_day_and_reruns(settings: Any) -> None:
    build_demo_world(settings)
    # Certification of copies: no number in the national record → the local demo limit.
    certification = ProcedureOffering.objects.get(
        procedure__code="2.000815", agency__code="H01.30307"
    )
    assert certification.local_processing_working_days == DEMO_LOCAL_WORKING_DAYS
    # A local limit set by the province is what the process follows.
    ProcedureOffering.objects.filter(pk=certification.pk).update(local_processing_working_days=2)
    # Somebody already defined this one: it stays.
    kept = ProcedureOffering.objects.get(procedure__code="1.001193", agency__code="H01.30316")
    Process.objects.create(offering=kept, name="Quy trình của phường", legal_working_days=1)

    created = define_demo_processes()

    assert created == ProcedureOffering.objects.count() - 1
    assert Process.objects.get(offering=certification).legal_working_days == 2
    assert Process.objects.get(offering=kept).name == "Quy trình của phường"
    assert not ProcessStep.objects.filter(process__offering=kept).exists()
    # "Thông báo lưu trú" is due within 1 hour: processes count whole days → 1.
    notice = Process.objects.get(offering__procedure__code="2.001159")
    assert notice.legal_working_days == 1
    before = (Process.objects.count(), ProcessStep.objects.count())
    assert define_demo_processes() == 0
    assert (Process.objects.count(), ProcessStep.objects.count()) == before
