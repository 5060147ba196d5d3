"""Concurrency: dossier codes under simultaneous intakes, and simultaneous actions.

Each thread works in its own database connection, as separate requests do. On
PostgreSQL the full load runs (100 intakes); SQLite serialises writers (``BEGIN
IMMEDIATE`` with the busy timeout of the settings), so a smaller load shows the same
property there, on a file copy of the test database (``threads_database``,
``motcua.testing.threads``); the checks after the threads read that file too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from motcua.accounts.models import User
from motcua.catalog.models import ProcedureOffering
from motcua.dossiers.errors import VersionConflict
from motcua.dossiers.models import Dossier, DossierCodeSequence, DossierEvent
from motcua.dossiers.rules import Action, Status, parse_dossier_code
from motcua.dossiers.services import ApplicantData, perform_action, receive_at_counter
from motcua.testing.personas import APPLICANT, Province
from motcua.testing.threads import in_a_thread, in_own_connection

VN = ZoneInfo("Asia/Ho_Chi_Minh")
T = TypeVar("T")

pytestmark = pytest.mark.django_db(transaction=True)


def intakes() -> int:
    return 100 if connection.vendor == "postgresql" else 20


def test_concurrent_intakes_get_distinct_consecutive_codes(
    province: Province, threads_database: Callable[[], None]
) -> None:
    p = province
    total = intakes()
    threads_database()
    received_at = datetime(2025, 3, 3, 9, tzinfo=VN)
    go = threading.Event()

    def intake(i: int) -> str:
        def work() -> str:
            go.wait(timeout=30)
            officer = User.objects.get(pk=p.counter.pk)
            offering = ProcedureOffering.objects.select_related("agency", "procedure").get(
                pk=p.offering.pk
            )
            dossier = receive_at_counter(
                acting_user=officer,
                offering=offering,
                applicant=ApplicantData(name=f"Người nộp {i}", phone=f"09{i:08d}"),
                at=received_at,
            )
            return dossier.code or ""

        return in_own_connection(work)()

    with ThreadPoolExecutor(max_workers=16) as pool:
        futures = [pool.submit(intake, i) for i in range(total)]
        go.set()
        codes = [f.result(timeout=120) for f in futures]

    assert len(set(codes)) == total
    parsed = [parse_dossier_code(c) for c in codes]
    assert {c.agency_code for c in parsed} == {"H01.30307"}
    assert sorted(c.sequence for c in parsed) == list(range(1, total + 1))

    def stored() -> tuple[int, int, int, list[str]]:
        return (
            Dossier.objects.count(),
            DossierEvent.objects.count(),
            DossierCodeSequence.objects.get(agency=p.commune).last_value,
            sorted(Dossier.objects.values_list("code", flat=True)),
        )

    # One dossier and one "accept" event each, nothing lost; the sequence at the total.
    assert in_a_thread(stored) == (total, total, total, sorted(codes))


def _two_at_once(actions: list[Callable[[], Any]]) -> list[Any]:
    """Run the callables together (a barrier releases them at once); results or errors."""
    barrier = threading.Barrier(len(actions))

    def start(action: Callable[[], Any]) -> Any:
        def work() -> Any:
            barrier.wait(timeout=30)
            try:
                return action()
            except Exception as exc:
                return exc

        return in_own_connection(work)()

    with ThreadPoolExecutor(max_workers=len(actions)) as pool:
        return list(pool.map(start, actions))


@pytest.mark.parametrize("round_no", range(10))
def test_two_officers_at_once_one_wins_one_gets_a_conflict(
    province: Province, threads_database: Callable[[], None], round_no: int
) -> None:
    p = province
    dossier = receive_at_counter(acting_user=p.counter, offering=p.offering, applicant=APPLICANT)
    dossier = perform_action(dossier, Action.FORWARD, acting_user=p.counter)
    version = dossier.version
    events_before = DossierEvent.objects.filter(dossier=dossier).count()
    threads_database()

    def forward() -> Dossier:
        officer = User.objects.get(pk=p.specialist.pk)
        return perform_action(
            dossier.pk, Action.FORWARD, acting_user=officer, expected_version=version
        )

    def ask_supplement() -> Dossier:
        # The unit head takes over the unassigned step of their unit.
        officer = User.objects.get(pk=p.unit_head.pk)
        return perform_action(
            dossier.pk,
            Action.REQUEST_SUPPLEMENT,
            acting_user=officer,
            expected_version=version,
            reason="Thiếu giấy chứng sinh bản chính",
        )

    results = _two_at_once([forward, ask_supplement])

    wins = [r for r in results if isinstance(r, Dossier)]
    conflicts = [r for r in results if isinstance(r, VersionConflict)]
    assert len(wins) == 1 and len(conflicts) == 1, results
    winner = wins[0]

    def stored() -> tuple[Dossier, list[DossierEvent]]:
        return (
            Dossier.objects.get(pk=dossier.pk),
            list(DossierEvent.objects.filter(dossier_id=dossier.pk).order_by("seq")),
        )

    current, events = in_a_thread(stored)
    assert current.version == winner.version == version + 1
    assert current.status == winner.status
    assert len(events) == events_before + 1
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[-1].seq == current.version
    assert events[-1].action == (
        Action.FORWARD if winner.status == Status.IN_PROGRESS else Action.REQUEST_SUPPLEMENT
    )
    if winner.status == Status.SUPPLEMENT_REQUESTED:
        assert current.supplement_requests == 1 and current.paused_since is not None
