"""Demo data: which agencies of the demo province decide the 60 demo procedures.

Called by the ``demo`` command after ``import_procedures --demo`` and the agency tree.

A ``ProcedureOffering`` names the agency that **decides** the procedure: the dossier code
starts with the deciding agency's electronic ID (Circular 03/2025/TT-VPCP art. 13).
Where the dossier is handed in is another matter: a Public Administration Service Center
or a one-stop unit receives dossiers of any agency of the province (Decree 118/2025/NĐ-CP
art. 14; the intake service allows it), so nothing is offered "at" a service center here
unless no better deciding agency is known.

The mapping below is **demo data, not law**: it is a plausible assignment for the demo
province, written so that each kind of procedure has a home. A real province publishes
its own list (decisions announcing the procedures of each agency) and enters it as
offerings, which this function never touches again.

======================================  ==============================================
procedure                               offered (deciding agency)
======================================  ==============================================
field handled by the police (see        Công an tỉnh only (no commune police in the
``POLICE_FIELDS``: residence, identity, demo tree)
e-identification, vehicles)
field "Bảo hiểm"                        Bảo hiểm xã hội tỉnh only
carried out at commune level            every active commune People's Committee
carried out at province level           also the department of its field
                                        (``DEPARTMENT_BY_FIELD``), else the provincial
                                        Public Administration Service Center
======================================  ==============================================

A procedure whose national records give no usable time limit gets a local one
(``DEMO_LOCAL_WORKING_DAYS``) on the offerings created here: **a demo assumption**, so
that dossiers can be received; a province sets its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from motcua.agencies.models import Agency
from motcua.audit.services import record_event
from motcua.catalog.models import Procedure, ProcedureOffering
from motcua.catalog.services import PACKAGED_DEMO

#: Fields whose procedures the provincial police decides (demo mapping).
POLICE_FIELDS: frozenset[str] = frozenset(
    {
        "Đăng ký, quản lý cư trú",
        "Cấp, quản lý căn cước",
        "Định danh và xác thực điện tử",
        "Đăng ký, quản lý phương tiện giao thông cơ giới, xe máy chuyên dùng",
    }
)
#: Fields whose procedures the provincial social insurance decides (demo mapping).
INSURANCE_FIELDS: frozenset[str] = frozenset({"Bảo hiểm"})

#: Province-level procedures: (words found in the field name, department name). The first
#: match wins; case-insensitive. Demo mapping, not law.
DEPARTMENT_BY_FIELD: tuple[tuple[str, str], ...] = (
    ("hộ tịch", "Sở Tư pháp"),
    ("chứng thực", "Sở Tư pháp"),
    ("nuôi con nuôi", "Sở Tư pháp"),
    ("hòa giải", "Sở Tư pháp"),
    ("đất đai", "Sở Nông nghiệp và Môi trường"),
    ("đăng ký biện pháp bảo đảm", "Sở Nông nghiệp và Môi trường"),
    ("trồng trọt", "Sở Nông nghiệp và Môi trường"),
    ("thủy lợi", "Sở Nông nghiệp và Môi trường"),
    ("hoạt động xây dựng", "Sở Xây dựng"),
    ("đường bộ", "Sở Xây dựng"),
    ("nhà ở", "Sở Xây dựng"),
    ("hộ kinh doanh", "Sở Tài chính"),
    ("giảm nghèo", "Sở Y tế"),
    ("bảo trợ", "Sở Y tế"),
)

POLICE_NAME_PREFIX = "Công an tỉnh"
INSURANCE_NAME_PREFIX = "Bảo hiểm xã hội tỉnh"

#: Local time limit (working days) for a demo procedure whose national records give none
#: (e.g. certification "trong ngày" rows without a number). Demo assumption.
DEMO_LOCAL_WORKING_DAYS = 5


def demo_procedure_codes(path: Path = PACKAGED_DEMO) -> list[str]:
    """Codes of the procedures in the packaged demo file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [record["code"] for record in data["procedures"]]


def department_name_for(field_name: str) -> str | None:
    """The department that decides a province-level procedure of this field, if mapped."""
    folded = field_name.casefold()
    for words, department in DEPARTMENT_BY_FIELD:
        if words in folded:
            return department
    return None


@dataclass(frozen=True)
class _Deciders:
    communes: list[int]
    police: int | None
    insurance: int | None
    departments: dict[str, int]
    province_center: int | None


def _deciders() -> _Deciders:
    active = Agency.objects.filter(is_active=True)
    communes = list(
        active.filter(level=Agency.Level.COMMUNE, kind=Agency.Kind.PEOPLES_COMMITTEE)
        .order_by("code")
        .values_list("id", flat=True)
    )
    provincial = list(
        active.filter(level=Agency.Level.PROVINCE)
        .order_by("code")
        .values_list("id", "kind", "name")
    )

    def first(kind: str, prefix: str) -> int | None:
        return next(
            (pk for pk, k, name in provincial if k == kind and name.startswith(prefix)), None
        )

    departments: dict[str, int] = {}
    for pk, kind, name in provincial:
        if kind == Agency.Kind.DEPARTMENT:
            departments.setdefault(name, pk)
    return _Deciders(
        communes=communes,
        police=first(Agency.Kind.CENTRAL_BRANCH, POLICE_NAME_PREFIX),
        insurance=first(Agency.Kind.CENTRAL_BRANCH, INSURANCE_NAME_PREFIX),
        departments=departments,
        province_center=first(Agency.Kind.SERVICE_CENTER, ""),
    )


def _agencies_for(procedure: Procedure, deciders: _Deciders) -> list[int]:
    field = procedure.field.name
    if field in POLICE_FIELDS:
        return [deciders.police] if deciders.police else []
    if field in INSURANCE_FIELDS:
        return [deciders.insurance] if deciders.insurance else []
    agencies: list[int] = []
    if procedure.level_commune:
        agencies += deciders.communes
    if procedure.level_province:
        department = department_name_for(field)
        chosen = deciders.departments.get(department) if department else None
        chosen = chosen or deciders.province_center
        if chosen:
            agencies.append(chosen)
    return agencies


def _demo_procedures(codes: Iterable[str] | None = None) -> list[Procedure]:
    wanted = list(codes) if codes is not None else demo_procedure_codes()
    return list(
        Procedure.objects.filter(code__in=wanted)
        .select_related("field")
        .prefetch_related("channels")
        .order_by("code")
    )


def demo_offering_pairs() -> list[tuple[int, int]]:
    """``(procedure id, agency id)`` of every demo offering the mapping asks for."""
    deciders = _deciders()
    return [
        (procedure.pk, agency_id)
        for procedure in _demo_procedures()
        for agency_id in _agencies_for(procedure, deciders)
    ]


def needs_local_deadline(procedure: Procedure) -> bool:
    """Whether the national records give no usable time limit (uses prefetched channels)."""
    cap = procedure.national_deadline_cap()
    return cap is None or cap <= 0


@transaction.atomic
def offer_demo_procedures() -> int:
    """Offer the demo procedures at their deciding agencies; returns rows created.

    Idempotent: existing offerings (and their local overrides) are left as they are, and
    offerings made by earlier versions of the demo elsewhere are kept. Demo procedures
    that have not been imported are skipped; so are rules whose agency does not exist.
    """
    deciders = _deciders()
    procedures = _demo_procedures()
    wanted: list[ProcedureOffering] = []
    for procedure in procedures:
        local_days = DEMO_LOCAL_WORKING_DAYS if needs_local_deadline(procedure) else None
        wanted += [
            ProcedureOffering(
                procedure_id=procedure.pk,
                agency_id=agency_id,
                local_processing_working_days=local_days,
                note="Thời hạn tại địa phương: giả định của dữ liệu mẫu." if local_days else "",
            )
            for agency_id in _agencies_for(procedure, deciders)
        ]
    before = ProcedureOffering.objects.count()
    ProcedureOffering.objects.bulk_create(wanted, batch_size=1000, ignore_conflicts=True)
    created = ProcedureOffering.objects.count() - before
    record_event(
        action="catalog.demo_offered",
        target_type="catalog.procedureoffering",
        summary=f"Gán {created} thủ tục mẫu cho cơ quan giải quyết",
        payload={"created": created, "procedures": len(procedures)},
    )
    return created
