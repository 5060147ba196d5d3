"""The demo dossier generator: real services, every status, coherent histories."""

from __future__ import annotations

import random
from datetime import datetime
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.accounts.models import User
from motcua.dossiers import rules
from motcua.dossiers.models import (
    Attachment,
    Dossier,
    DossierCodeSequence,
    DossierDocument,
    DossierEvent,
    DossierStep,
)
from motcua.dossiers.rules import Status
from motcua.simulation.generator import (
    SCENARIOS,
    GenerationError,
    citizen_id,
    ensure_generator_staff,
    generate_dossiers,
    postal_item_number,
)
from motcua.simulation.processes import define_demo_processes
from motcua.simulation.tests.test_processes import build_demo_world
from motcua.worktime.queries import calendar_for
from motcua.worktime.rules import is_working_time

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2025, 11, 14, 10, 30, tzinfo=VN)  # a Friday morning


@pytest.fixture
def demo(settings: Any) -> None:
    build_demo_world(settings)
    define_demo_processes()
    ensure_generator_staff()


def snapshot() -> list[tuple[Any, ...]]:
    rows = []
    for d in Dossier.objects.order_by("code"):
        events = [
            (e.action, e.occurred_at, e.actor_id, e.to_status)
            for e in DossierEvent.objects.filter(dossier=d).order_by("seq")
        ]
        rows.append((d.code, d.applicant_name, d.applicant_phone, d.status, d.timeliness, events))
    return rows


def forget_dossiers() -> None:
    DossierEvent.objects.all().delete()
    Attachment.objects.all().delete()
    DossierStep.objects.all().delete()
    DossierDocument.objects.all().delete()
    Dossier.objects.all().delete()
    DossierCodeSequence.objects.all().delete()


@pytest.mark.django_db
def test_forty_dossiers_show_every_status_with_coherent_histories(demo: None) -> None:
    report = generate_dossiers(40, seed=2025, now=NOW)

    assert report.created == Dossier.objects.count() == 40
    assert set(report.by_scenario) == {s.name for s in SCENARIOS}
    statuses = set(Dossier.objects.values_list("status", flat=True))
    assert statuses == {s.value for s in Status}, set(Status) - statuses
    assert set(report.by_timeliness) == {"early", "on_time", "late"}
    assert set(Dossier.objects.values_list("channel", flat=True)) == {
        c.value for c in rules.Channel
    }
    assert Dossier.objects.filter(apologies=1, status=Status.RETURNED).exists()
    assert Dossier.objects.filter(apologies=1, status=Status.IN_PROGRESS).exists()
    supplemented = Dossier.objects.filter(supplement_requests=1, status=Status.RETURNED)
    assert supplemented.exists()
    assert DossierEvent.objects.filter(dossier__in=supplemented, action="supplement").exists()
    assert DossierEvent.objects.filter(action="record_payment").exists()

    cal = calendar_for(None)
    for dossier in Dossier.objects.all():
        events = list(DossierEvent.objects.filter(dossier=dossier).order_by("seq"))
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        assert dossier.version == len(events)
        times = [e.occurred_at for e in events]
        assert times == sorted(times) and times[-1] <= NOW
        assert dossier.code and dossier.code.startswith(dossier.deciding_agency.code + "-")
        assert len(dossier.applicant_id_number) == 12 and dossier.applicant_phone[:1] == "0"
        assert "tỉnh An Giang" in dossier.applicant_address
        # Staff act in working time; online filing and system moves may come at any hour.
        for event in events:
            if event.actor_id is not None and event.action != "submit_online":
                assert is_working_time(cal, event.occurred_at), (dossier.code, event.action)
        if dossier.status in {s.value for s in rules.FINISHED}:
            assert dossier.timeliness, dossier.code
            assert dossier.finished_at is not None
        if dossier.timeliness == "late":
            assert dossier.late_agency_id is not None and dossier.late_step_name
        if dossier.status == Status.RETURNED:
            assert not dossier.steps.exclude(state=DossierStep.State.DONE).exists()
        step_agencies = dossier.steps.values_list("agency_id", flat=True)
        assert dossier.spans_agencies == rules.spans_agencies(
            step_agencies, dossier.deciding_agency_id, dossier.intake_agency_id
        ), dossier.code
    late = Dossier.objects.filter(timeliness="late")
    assert DossierStep.objects.filter(dossier__in=late, timeliness="late").exists()
    # Interconnected dossiers pass through the police and the social insurance.
    assert Dossier.objects.filter(procedure__code="2.000986", spans_agencies=True).exists()
    assert DossierEvent.objects.filter(
        dossier__procedure__code="2.000986", actor__username="bhxh.chuyenvien"
    ).exists()


@pytest.mark.django_db
def test_the_same_seed_makes_the_same_dossiers(demo: None) -> None:
    generate_dossiers(14, seed=7, now=NOW)
    first = snapshot()
    forget_dossiers()
    generate_dossiers(14, seed=7, now=NOW)
    assert snapshot() == first
    forget_dossiers()
    generate_dossiers(14, seed=8, now=NOW)
    assert [row[1] for row in snapshot()] != [row[1] for row in first]


@pytest.mark.django_db
def test_the_command_prints_a_summary_in_vietnamese(demo: None) -> None:
    out = StringIO()
    call_command("generate_dossiers", "--count", "25", "--seed", "3", "--no-progress", stdout=out)
    text = out.getvalue()
    assert Dossier.objects.count() == 25
    assert "Đã sinh 25 hồ sơ" in text and "hồ sơ/giây" in text
    assert "Theo trạng thái:" in text and "Đã trả kết quả" in text
    assert "Kênh nộp:" in text and "Trực tuyến" in text
    with pytest.raises(CommandError):
        call_command("generate_dossiers", "--count", "0", stdout=StringIO())


@pytest.mark.django_db
def test_without_staff_nothing_can_be_generated(demo: None) -> None:
    User.objects.filter(kind=User.Kind.STAFF).update(is_active=False)
    with pytest.raises(GenerationError, match="motcua demo"):
        generate_dossiers(3, now=NOW)
    with pytest.raises(CommandError, match="motcua demo"):
        call_command("generate_dossiers", "--count", "3", "--no-progress", stdout=StringIO())


def test_fictional_numbers_have_the_right_shape() -> None:
    rng = random.Random(1)
    for _ in range(200):
        number = citizen_id(rng)
        assert len(number) == 12 and number.isdigit() and number[:3] in {"089", "091"}
        item = postal_item_number(rng)
        digits = [int(d) for d in item[2:10]]
        check = 11 - sum(d * w for d, w in zip(digits, (8, 6, 4, 2, 3, 5, 9, 7), strict=True)) % 11
        assert item.endswith("VN") and int(item[10]) == {10: 0, 11: 5}.get(check, check)
    assert citizen_id(random.Random(2), female=True)[3] in "13"
