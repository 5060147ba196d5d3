"""Histories drawn by the bulk writer are histories the services would have written.

``generate_bulk`` draws a few hundred stories (receipts, handovers, supplements,
payments, apologies, withdrawals, rejections, late and open dossiers) in the personas'
province; each dossier's event log is then replayed through the services — the same
actions, by the same officers, at the same instants — and the rows the services leave
are compared with the bulk writer's, field by field (as in
``test_bulk_matches_services``).

Runs on SQLite and on PostgreSQL (``DATABASE_URL``).
"""

from __future__ import annotations

from datetime import datetime

import pytest

from motcua.accounts.models import User
from motcua.dossiers.models import Dossier
from motcua.dossiers.rules import Action, Channel
from motcua.dossiers.services import (
    ApplicantData,
    perform_action,
    receive_at_counter,
    submit_online,
)
from motcua.simulation.bulk import generate_bulk
from motcua.simulation.tests.test_bulk import _add_plain_offering
from motcua.simulation.tests.test_bulk_matches_services import (
    _differences,
    _parallel_offering,
    _rows,
)
from motcua.testing.personas import Province

COUNT = 240


def _replay(bulk: Dossier, users: dict[int, User]) -> int:
    """The bulk dossier's actions, taken again through the services; the new dossier."""
    applicant = ApplicantData(
        name=bulk.applicant_name,
        id_number=bulk.applicant_id_number,
        phone=bulk.applicant_phone,
        email=bulk.applicant_email,
        address=bulk.applicant_address,
    )
    assert bulk.offering is not None
    first, *rest = list(bulk.events.order_by("seq"))
    if first.action == Action.SUBMIT_ONLINE:
        dossier = submit_online(
            offering=bulk.offering,
            applicant=applicant,
            return_method=bulk.return_method,
            at=first.occurred_at,
        )
    else:
        assert first.actor_id is not None
        dossier = receive_at_counter(
            acting_user=users[first.actor_id],
            offering=bulk.offering,
            applicant=applicant,
            channel=Channel(bulk.channel),
            postal_item_number=bulk.postal_item_number,
            return_method=bulk.return_method,
            at=first.occurred_at,
        )
    for event in rest:
        user = users[event.actor_id] if event.actor_id is not None else None
        new_due = event.payload.get("new_due")
        dossier = perform_action(
            dossier.pk,
            event.action,
            acting_user=user,
            as_system=user is None,
            reason=event.reason,
            new_due=datetime.fromisoformat(new_due) if new_due else None,
            at=event.occurred_at,
        )
    return int(dossier.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("process", ["sequential", "parallel"])
def test_every_bulk_history_replays_through_the_services(province: Province, process: str) -> None:
    if process == "parallel":
        _parallel_offering(province)
    _add_plain_offering(province)  # a procedure without a process: the default one
    assert generate_bulk(COUNT, seed=11, months=2, batch_size=80) == COUNT
    users = {u.pk: u for u in User.objects.select_related("agency", "unit")}
    drawn = list(Dossier.objects.select_related("offering").order_by("pk"))
    actions = {a for d in drawn for a in d.events.values_list("action", flat=True)}
    # The stories cover what the services do (online return aside, which needs a file).
    assert {
        Action.ACCEPT,
        Action.REFUSE_INTAKE,
        Action.FORWARD,
        Action.SUBMIT_FOR_SIGNATURE,
        Action.SIGN,
        Action.RETURN_RESULT,
        Action.REQUEST_SUPPLEMENT,
        Action.SUPPLEMENT,
        Action.REQUEST_PAYMENT,
        Action.RECORD_PAYMENT,
        Action.ISSUE_APOLOGY,
    } <= actions
    assert {d.timeliness for d in drawn} >= {"early", "on_time", "late"}
    differences = []
    for bulk in drawn:
        ours = _rows(_replay(bulk, users))
        theirs = _rows(bulk.pk)
        ours.pop("code"), theirs.pop("code")
        differences += [f"{bulk.code}{d}" for d in _differences(ours, theirs)]
    assert differences == []
