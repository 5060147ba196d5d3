"""Writing internal processes (quy trình nội bộ) of offered procedures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from motcua.agencies.models import Agency
from motcua.audit.services import record_event
from motcua.catalog.models import ProcedureOffering
from motcua.dossiers import rules
from motcua.dossiers.errors import InvalidDossierInput
from motcua.dossiers.models import Process, ProcessStep
from motcua.dossiers.rules import Actor


@dataclass(frozen=True)
class StepSpec:
    """One step to define: ``stage`` orders the process; ``branch`` > 0 runs in parallel."""

    stage: int
    name: str
    agency: Agency
    role: Actor
    hours: int
    unit: Agency | None = None
    branch: int = 0
    position: int = 0


def _pure(specs: Sequence[StepSpec]) -> list[rules.Stage]:
    stages: list[rules.Stage] = []
    for stage_no in sorted({s.stage for s in specs}):
        in_stage = [s for s in specs if s.stage == stage_no]
        branches = []
        for branch_no in sorted({s.branch for s in in_stage}):
            branch = sorted(
                (s for s in in_stage if s.branch == branch_no), key=lambda s: s.position
            )
            branches.append(
                tuple(
                    rules.ProcessStep(
                        s.name,
                        str(s.agency.pk),
                        str(s.unit.pk) if s.unit else None,
                        s.role,
                        s.hours,
                    )
                    for s in branch
                )
            )
        if len(branches) == 1:
            stages.extend(branches[0])
        else:
            stages.append(rules.ParallelStage(tuple(branches)))
    return stages


@transaction.atomic
def define_process(
    offering: ProcedureOffering,
    *,
    name: str,
    legal_working_days: int,
    steps: Sequence[StepSpec],
    apply_cutoff: bool = True,
    acting_user: Any = None,
) -> Process:
    """Create or replace the process of ``offering``; the steps must fit the legal limit."""
    errors = rules.validate_process(_pure(steps), legal_working_days)
    if errors:
        raise InvalidDossierInput(" ".join(errors), "steps")
    process, _created = Process.objects.update_or_create(
        offering=offering,
        defaults={
            "name": name,
            "legal_working_days": legal_working_days,
            "apply_cutoff": apply_cutoff,
            "is_active": True,
        },
    )
    process.steps.all().delete()
    ProcessStep.objects.bulk_create(
        ProcessStep(
            process=process,
            stage=s.stage,
            branch=s.branch,
            position=s.position,
            name=s.name,
            agency=s.agency,
            unit=s.unit,
            role=s.role.value,
            hours=s.hours,
        )
        for s in steps
    )
    record_event(
        action="dossiers.process_defined",
        target=process,
        actor=acting_user,
        summary=f"{offering} · {name}",
        payload={"steps": len(steps), "legal_working_days": legal_working_days},
    )
    return process
