"""``core.rows.Table``: the fixed statements read and write rows exactly as the ORM does."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from motcua.catalog.models import Procedure, procedure_long_fields
from motcua.core.rows import Table, batched
from motcua.dossiers import rows
from motcua.dossiers.models import Dossier, DossierEvent, DossierStep
from motcua.dossiers.rules import Action
from motcua.dossiers.services import perform_action, receive_at_counter
from motcua.testing.personas import APPLICANT, DOCUMENTS, Province

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _columns(obj: Any) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


@pytest.fixture
def dossier(province: Province) -> Dossier:
    d = receive_at_counter(
        acting_user=province.counter,
        offering=province.offering,
        applicant=APPLICANT,
        documents=DOCUMENTS,
        at=datetime(2025, 3, 3, 9, 15, 30, 123456, tzinfo=VN),
    )
    return perform_action(
        d, Action.FORWARD, acting_user=province.counter, at=datetime(2025, 3, 3, 10, tzinfo=VN)
    )


def test_rows_read_as_the_orm_reads_them(dossier: Dossier) -> None:
    """Every column of every kind (times, JSON, booleans, nulls) converts alike."""
    found = rows.lock_dossier_later(code=dossier.code).get()
    assert found is not None
    locked, steps = found
    assert _columns(locked) == _columns(Dossier.objects.get(pk=dossier.pk))
    procedure = Procedure.objects.get(pk=dossier.procedure_id)
    read = locked.procedure  # read with the dossier, no query
    long = set(procedure_long_fields())
    assert read.get_deferred_fields() == {
        f.attname for f in Procedure._meta.concrete_fields if f.name in long
    }
    for f in Procedure._meta.concrete_fields:
        if f.name not in long:
            assert getattr(read, f.attname) == getattr(procedure, f.attname), f.name

    by_orm = {s.pk: s for s in DossierStep.objects.filter(dossier=dossier)}
    assert {s.pk for s in steps} == set(by_orm)
    for step in steps:
        assert _columns(step) == _columns(by_orm[step.pk])
        assert step.agency == by_orm[step.pk].agency
        assert _columns(step.agency) == _columns(by_orm[step.pk].agency)
        assert step.unit == by_orm[step.pk].unit
        assert step.assignee == by_orm[step.pk].assignee

    events = rows.events_later(pk=dossier.pk).get()
    assert [e.pk for e in rows.events_later(code=dossier.code).get()] == [e.pk for e in events]
    assert [_columns(e) for e in events] == [
        _columns(e) for e in DossierEvent.objects.filter(dossier=dossier).order_by("seq")
    ]
    assert isinstance(events[0].payload, dict) and events[-1].occurred_at.tzinfo is not None


def test_a_missing_row_is_none(db: None) -> None:
    assert rows.lock_dossier_later(code="H01.9-990101-0001").get() is None
    assert rows.lock_dossier_later(pk=-1).get() is None


def test_insert_writes_what_save_would(dossier: Dossier, province: Province) -> None:
    table = Table(DossierEvent)
    at = datetime(2025, 3, 4, 8, 0, 0, 5, tzinfo=VN)
    made = DossierEvent(
        dossier=dossier,
        seq=99,
        occurred_at=at,
        action=Action.FORWARD.value,
        actor=province.counter,
        actor_name="Tên",
        payload={"k": ["v", 1, None], "số": "một"},
    )
    (inserted,) = table.insert([made])
    assert inserted.pk is not None and not inserted._state.adding
    again = DossierEvent.objects.get(pk=inserted.pk)
    assert _columns(again) == _columns(made)
    assert again.occurred_at == at and again.payload == {"k": ["v", 1, None], "số": "một"}
    with pytest.raises(ValueError, match="already saved"):
        table.insert([inserted])


def test_insert_many_gives_each_row_its_id(dossier: Dossier) -> None:
    made = rows.DOCUMENTS.insert(
        [rows.DOCUMENTS.model(dossier=dossier, name=f"Giấy {i}", order=10 + i) for i in range(3)]
    )
    stored = {d.pk: d.name for d in dossier.documents.model.objects.filter(dossier=dossier)}
    assert {d.pk: d.name for d in made}.items() <= stored.items()
    assert len({d.pk for d in made}) == 3


def test_update_sets_columns_and_guards_the_version(dossier: Dossier, province: Province) -> None:
    changed = rows.DOSSIERS.update_later(
        dossier.pk,
        {"status": "in_progress", "current_agency": province.commune, "assignee_id": None},
        also={"version": dossier.version},
    ).get()
    assert changed == 1
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert fresh.current_agency_id == province.commune.pk
    before = model_to_dict(fresh)
    stale = rows.DOSSIERS.update_later(
        dossier.pk, {"status": "returned"}, also={"version": dossier.version - 1}
    ).get()
    assert stale == 0
    assert model_to_dict(Dossier.objects.get(pk=dossier.pk)) == before


def test_update_each_changes_every_row_its_own_way(dossier: Dossier) -> None:
    first, second, *_ = DossierStep.objects.filter(dossier=dossier).order_by("position")
    at = datetime(2025, 3, 5, 14, 30, tzinfo=VN)
    untouched = _columns(DossierStep.objects.get(pk=second.pk))
    changed = rows.STEPS.update_each_later(
        [
            (first.pk, {"state": "done", "finished_at": at, "timeliness": "early"}),
            (second.pk, {"due_at": at, "finished_at": None}),
            (first.pk, {"timeliness": "late"}),  # given twice: the later value wins
        ]
    ).get()
    assert changed == 2
    a, b = DossierStep.objects.get(pk=first.pk), DossierStep.objects.get(pk=second.pk)
    assert (a.state, a.finished_at, a.timeliness) == ("done", at, "late")
    assert b.due_at == at and b.finished_at is None
    assert {k: v for k, v in _columns(b).items() if k not in ("due_at", "finished_at")} == {
        k: v for k, v in untouched.items() if k not in ("due_at", "finished_at")
    }


def test_a_failing_statement_of_a_batch_raises_and_rolls_back(dossier: Dossier) -> None:
    """The error of a batched statement comes out as Django's, the transaction rolls
    back (the other statements of the batch too), and the connection serves again."""
    version = Dossier.objects.get(pk=dossier.pk).version
    with pytest.raises(IntegrityError), transaction.atomic():
        with batched():
            claim = rows.DOSSIERS.update_later(dossier.pk, {"status": "returned"})
            duplicate = rows.EVENTS.insert_later(
                [DossierEvent(dossier=dossier, seq=1, occurred_at=timezone.now(), action="x")]
            )
        claim.get(), duplicate.get()
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert (fresh.status, fresh.version) == (dossier.status, version)


def test_a_batch_reads_each_result_after_the_block(dossier: Dossier) -> None:
    with transaction.atomic(), batched():
        found = rows.lock_dossier_later(code=dossier.code)
        events = rows.events_later(code=dossier.code)
        documents = rows.documents_later(code=dossier.code)
    locked = found.get()
    assert locked is not None and locked[0].pk == dossier.pk
    assert [e.seq for e in events.get()] == [1, 2]
    assert len(documents.get()) == len(DOCUMENTS)
