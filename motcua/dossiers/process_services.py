"""Writing internal processes (quy trình nội bộ) of offered procedures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from motcua.agencies.models import Agency
from motcua.audit.services import changed_values, field_values, record_event
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


def spec_of(step: ProcessStep) -> StepSpec:
    """The definition of a stored (or edited, unsaved) step."""
    return StepSpec(
        stage=step.stage,
        name=step.name,
        agency=step.agency,
        role=Actor(step.role),
        hours=step.hours,
        unit=step.unit,
        branch=step.branch,
        position=step.position,
    )


def process_errors(steps: Sequence[StepSpec], legal_working_days: int) -> list[str]:
    """Why these steps do not make a usable process within the legal time limit
    (Vietnamese), ``[]`` when they do (``rules.validate_process``)."""
    return rules.validate_process(_pure(steps), legal_working_days)


def _step_list(steps: Sequence[StepSpec]) -> list[list[Any]]:
    """The steps as the audit log stores them, in process order."""
    return [
        [
            *(s.stage, s.branch, s.position, s.name),
            *(s.agency.pk, s.unit.pk if s.unit else None, s.role.value, s.hours),
        ]
        for s in sorted(steps, key=lambda s: (s.stage, s.branch, s.position))
    ]


PROCESS_FIELDS = ("offering", "name", "legal_working_days", "apply_cutoff", "is_active")


@transaction.atomic
def define_process(
    offering: ProcedureOffering,
    *,
    name: str,
    legal_working_days: int,
    steps: Sequence[StepSpec],
    apply_cutoff: bool = True,
    is_active: bool = True,
    acting_user: Any = None,
) -> Process:
    """Create or replace the process of ``offering``; the steps must fit the legal limit.
    The audit row holds the old and new values of what changed, the steps included."""
    errors = process_errors(steps, legal_working_days)
    if errors:
        raise InvalidDossierInput(" ".join(errors), "steps")
    old = (
        Process.objects.select_for_update()
        .filter(offering=offering)
        .prefetch_related("steps__agency", "steps__unit")
        .first()
    )
    before: dict[str, Any] = {}
    if old is not None:
        before = {
            **field_values(old, PROCESS_FIELDS),
            "steps": _step_list([spec_of(s) for s in old.steps.all()]),
        }
    process, _created = Process.objects.update_or_create(
        offering=offering,
        defaults={
            "name": name,
            "legal_working_days": legal_working_days,
            "apply_cutoff": apply_cutoff,
            "is_active": is_active,
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
    after = {**field_values(process, PROCESS_FIELDS), "steps": _step_list(steps)}
    record_event(
        action="dossiers.process_defined",
        target=process,
        actor=acting_user,
        summary=f"{offering} · {name}",
        payload={
            "steps": len(steps),
            "legal_working_days": legal_working_days,
            "changes": changed_values(before, after),
        },
    )
    return process


@transaction.atomic
def delete_process(process: Process, *, acting_user: Any = None) -> None:
    """Drop the internal process of an offering: its dossiers keep the steps they have;
    new ones follow the default process."""
    record_event(
        action="dossiers.process_deleted",
        target=process,
        actor=acting_user,
        summary=f"{process.offering} · {process.name}",
        payload={"offering_id": process.offering_id},
    )
    process.delete()
