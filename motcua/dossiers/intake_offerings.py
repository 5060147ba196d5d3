"""The offering a counter receives for, with everything intake needs, kept briefly.

An intake needs the offering, its deciding agency, the procedure's code and name, and the
internal process with its steps and their agencies: two queries and a fifth of the intake's
Python time. Counters receive the same procedures all day, and these rows change rarely
(an administrator editing a process), so each worker keeps what it read for
``MOTCUA_OFFERING_CACHE_SECONDS`` (60 s by default; 0 turns it off). A miss reads every
offering of the same agency at once (the same two queries), so a worker reads an agency's
catalog once per period rather than each procedure. A change saved in the
process drops the kept offerings at once (signals, connected by the app's ``ready``);
other workers see it within the period.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet, Subquery
from django.db.models.signals import post_delete, post_save

from motcua.agencies.models import Agency
from motcua.catalog.models import Procedure, ProcedureOffering, procedure_long_fields
from motcua.core.kept import Kept
from motcua.dossiers.models import Process, ProcessStep

_kept: Kept[ProcedureOffering] = Kept(max_entries=5000)
#: Agencies whose whole catalog was read (by code): a procedure not among it is not there.
_agencies_read: Kept[bool] = Kept(max_entries=500)


def forget_offerings(*_args: Any, **_kwargs: Any) -> None:
    _kept.clear()
    _agencies_read.clear()


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


def _key_of_id(offering: ProcedureOffering) -> tuple[Any, ...]:
    return ("id", offering.pk)


def _key_of_codes(offering: ProcedureOffering) -> tuple[Any, ...]:
    return ("codes", offering.procedure.code, offering.agency.code)


def _get(
    key: tuple[Any, ...], agency: Q, loaded: tuple[Any, ...] | None = None
) -> ProcedureOffering | None:
    """The kept offering for ``key``; on a miss, every offering of its agency (``agency``
    selects them) is read and kept, in the same two queries as one: a counter receives
    the procedures of a few agencies all day. ``loaded`` marks the agency as read, so
    that asking again for a procedure it does not offer reads nothing."""
    offering = _kept.get(key)
    if offering is None and (loaded is None or _agencies_read.get(loaded) is None):
        seconds = float(getattr(settings, "MOTCUA_OFFERING_CACHE_SECONDS", 60))
        if loaded is not None:
            _agencies_read.keep(loaded, True, seconds)
        for row in _queryset().filter(agency):
            for row_key in (_key_of_id(row), _key_of_codes(row)):
                _kept.keep(row_key, row, seconds)
                if row_key == key:
                    offering = row
    return offering


def offering_by_id(offering_id: int) -> ProcedureOffering | None:
    same_agency = ProcedureOffering.objects.filter(pk=offering_id).values("agency_id")[:1]
    return _get(("id", offering_id), Q(agency_id=Subquery(same_agency)))


def offering_by_codes(procedure_code: str, agency_code: str) -> ProcedureOffering | None:
    return _get(
        ("codes", procedure_code, agency_code),
        Q(agency__code=agency_code),
        loaded=("agency-read", agency_code),
    )


def connect_receivers() -> None:
    """Drop the kept offerings when a row they were read from changes in this process
    (called by ``DossiersConfig.ready``)."""
    for model in (ProcedureOffering, Procedure, Process, ProcessStep, Agency):
        post_save.connect(
            forget_offerings, sender=model, dispatch_uid=f"offerings-{model.__name__}"
        )
        post_delete.connect(
            forget_offerings, sender=model, dispatch_uid=f"offerings-del-{model.__name__}"
        )
