"""The offering a counter receives for, with everything intake needs, kept briefly.

An intake needs the offering, its deciding agency, the procedure's code and name, and the
internal process with its steps and their agencies: two queries and a fifth of the intake's
Python time. Counters receive the same procedures all day, and these rows change rarely
(an administrator editing a process), so each worker keeps what it read for
``MOTCUA_OFFERING_CACHE_SECONDS`` (60 s by default; 0 turns it off). A change saved in the
process drops the kept offerings at once (signals); other workers see it within the period.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.db.models.signals import post_delete, post_save

from motcua.agencies.models import Agency
from motcua.catalog.models import Procedure, ProcedureOffering, procedure_long_fields
from motcua.core.kept import Kept
from motcua.dossiers.models import Process, ProcessStep

_kept: Kept[ProcedureOffering] = Kept(max_entries=5000)


def forget_offerings(*_args: Any, **_kwargs: Any) -> None:
    _kept.clear()


def _queryset() -> QuerySet[ProcedureOffering]:
    return (
        ProcedureOffering.objects.select_related("agency", "procedure", "process")
        .defer(*procedure_long_fields("procedure__"))
        .prefetch_related(
            Prefetch(
                "process__steps",
                ProcessStep.objects.select_related("agency", "unit").order_by(),
            )
        )
        .order_by()  # the model's ordering joins procedure and agency for nothing
    )


def _get(key: Any, **lookup: Any) -> ProcedureOffering | None:
    offering = _kept.get(key)
    if offering is None:
        offering = next(iter(_queryset().filter(**lookup)[:1]), None)
        if offering is not None:
            seconds = float(getattr(settings, "MOTCUA_OFFERING_CACHE_SECONDS", 60))
            _kept.keep(key, offering, seconds)
    return offering


def offering_by_id(offering_id: int) -> ProcedureOffering | None:
    return _get(("id", offering_id), pk=offering_id)


def offering_by_codes(procedure_code: str, agency_code: str) -> ProcedureOffering | None:
    return _get(
        ("codes", procedure_code, agency_code),
        procedure__code=procedure_code,
        agency__code=agency_code,
    )


for _model in (ProcedureOffering, Procedure, Process, ProcessStep, Agency):
    post_save.connect(forget_offerings, sender=_model, dispatch_uid=f"offerings-{_model.__name__}")
    post_delete.connect(
        forget_offerings, sender=_model, dispatch_uid=f"offerings-del-{_model.__name__}"
    )
