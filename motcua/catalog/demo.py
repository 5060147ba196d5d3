"""Demo data: which agencies of the demo province offer the 60 demo procedures.

Called by the ``demo`` command after ``import_procedures --demo`` and the agency tree.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from motcua.agencies.models import Agency
from motcua.audit.services import record_event
from motcua.catalog.models import Procedure, ProcedureOffering
from motcua.catalog.services import PACKAGED_DEMO


def demo_procedure_codes(path: Path = PACKAGED_DEMO) -> list[str]:
    """Codes of the procedures in the packaged demo file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [record["code"] for record in data["procedures"]]


def _receiving_points(agencies: list[Agency]) -> list[int]:
    """The agencies among these that have no other one of them below them in the tree: a
    commune People's Committee whose service center receives dossiers is served there."""
    paths = [agency.path for agency in agencies]
    return [
        agency.pk
        for agency in agencies
        if not agency.path
        or not any(other != agency.path and other.startswith(agency.path) for other in paths)
    ]


@transaction.atomic
def offer_demo_procedures() -> int:
    """Offer the demo procedures where a citizen would file them; returns rows created.

    - a procedure carried out at commune level → each commune's receiving point: the
      active commune-level agency that receives dossiers with none below it (its
      Public Administration Service Center or one-stop unit, else the People's Committee);
    - a procedure carried out at province level → every active provincial Public
      Administration Service Center.

    Idempotent: existing offerings (and their local overrides) are left as they are.
    Demo procedures that have not been imported are skipped.
    """
    procedures = list(
        Procedure.objects.filter(code__in=demo_procedure_codes()).only(
            "id", "level_commune", "level_province"
        )
    )
    active = Agency.objects.filter(is_active=True)
    commune_agencies = _receiving_points(
        list(active.filter(level=Agency.Level.COMMUNE, receives_dossiers=True).only("id", "path"))
    )
    province_centers = list(
        active.filter(level=Agency.Level.PROVINCE, kind=Agency.Kind.SERVICE_CENTER).values_list(
            "id", flat=True
        )
    )
    wanted: list[ProcedureOffering] = []
    for procedure in procedures:
        agencies: list[int] = []
        if procedure.level_commune:
            agencies += commune_agencies
        if procedure.level_province:
            agencies += province_centers
        wanted += [
            ProcedureOffering(procedure_id=procedure.pk, agency_id=agency_id)
            for agency_id in agencies
        ]
    before = ProcedureOffering.objects.count()
    ProcedureOffering.objects.bulk_create(wanted, batch_size=1000, ignore_conflicts=True)
    created = ProcedureOffering.objects.count() - before
    record_event(
        action="catalog.demo_offered",
        target_type="catalog.procedureoffering",
        summary=f"Gán {created} thủ tục mẫu cho cơ quan tiếp nhận",
        payload={"created": created, "procedures": len(procedures)},
    )
    return created
