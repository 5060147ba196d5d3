"""/can-bo/: tabs and counts per persona, search, filters, pagination, htmx, queries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.accounts.models import User
from motcua.backoffice.tests.conftest import at
from motcua.dossiers.models import Dossier
from motcua.dossiers.rules import Action
from motcua.dossiers.services import (
    ApplicantData,
    perform_action,
    receive_at_counter,
    submit_online,
)
from motcua.testing.personas import APPLICANT, DOCUMENTS, Province

Login = Callable[[User], Client]


def counts(client: Client, query: str = "") -> dict[str, int]:
    response = client.get("/can-bo/" + query)
    assert response.status_code == 200
    return {tab.key: n for tab, n in response.context["tabs"]}


def codes(client: Client, query: str) -> list[str]:
    response = client.get("/can-bo/" + query)
    assert response.status_code == 200
    return [row.dossier.code for row in response.context["rows"]]


def receive(p: Province, name: str = APPLICANT.name, phone: str = "0912345678") -> Dossier:
    applicant = ApplicantData(name=name, phone=phone)
    return receive_at_counter(
        acting_user=p.counter, offering=p.offering, applicant=applicant, documents=DOCUMENTS
    )


@pytest.mark.django_db
def test_counts_follow_the_dossiers_through_the_process(
    province: Province, login: Login, clock: Any
) -> None:
    p = province
    first, second = receive(p), receive(p, "Trần Văn Bình", "0987654321")
    submit_online(
        offering=p.offering, applicant=ApplicantData(name="Lê Thị Cúc", phone="0901234567")
    )
    counter, specialist, leader = login(p.counter), login(p.specialist), login(p.leader)
    police = login(p.police_officer)

    assert counts(counter) == {
        "queue": 1, "mine": 2, "open": 2, "due_soon": 0, "overdue": 0, "paused": 0,
        "results": 0, "all": None,
    }  # fmt: skip
    assert counts(specialist)["mine"] == 0
    assert counts(leader)["open"] == 2 and counts(leader)["mine"] == 0

    clock.move_to(at(3, 8, 30))
    perform_action(first, Action.FORWARD, acting_user=p.counter)
    assert counts(counter)["mine"] == 1
    assert counts(specialist)["mine"] == 1
    assert codes(specialist, "?tab=mine") == [first.code]

    clock.move_to(at(3, 9))
    perform_action(first, Action.REQUEST_SUPPLEMENT, acting_user=p.specialist, reason="Thiếu giấy")
    assert counts(specialist)["mine"] == 0 and counts(specialist)["paused"] == 1
    assert counts(leader)["paused"] == 1 and counts(counter)["paused"] == 1

    clock.move_to(at(3, 10))
    perform_action(first, Action.SUPPLEMENT, acting_user=p.counter)
    perform_action(first, Action.FORWARD, acting_user=p.specialist)
    assert counts(police)["mine"] == 1
    assert counts(specialist)["mine"] == 0

    # Thursday 8:00: both appointments (Thursday ~08:00) are within one working day.
    clock.move_to(at(5, 10))
    leader_counts = counts(leader)
    assert leader_counts["due_soon"] == 2 and leader_counts["overdue"] == 0
    clock.move_to(at(7, 9))
    leader_counts = counts(leader)
    assert leader_counts["overdue"] == 2 and leader_counts["due_soon"] == 0
    assert set(codes(leader, "?tab=overdue")) == {first.code, second.code}


@pytest.mark.django_db
def test_results_wait_at_the_counter(province: Province, login: Login, clock: Any) -> None:
    p = province
    dossier = receive(p)
    for user in (p.counter, p.specialist, p.police_officer):
        perform_action(dossier, Action.FORWARD, acting_user=user)
    perform_action(dossier, Action.SUBMIT_FOR_SIGNATURE, acting_user=p.insurer)
    assert counts(login(p.leader))["mine"] == 1
    perform_action(dossier, Action.SIGN, acting_user=p.leader)
    counter = login(p.counter)
    assert counts(counter)["results"] == 1
    assert codes(counter, "?tab=results") == [dossier.code]
    assert counts(login(p.leader))["done"] == 1


@pytest.mark.django_db
def test_search_ignores_accents_and_matches_code_and_phone(
    province: Province, login: Login, clock: Any
) -> None:
    wanted = receive(province)  # Nguyễn Thị Hồng Nhung, 0912345678
    other = receive(province, "Trần Văn Bình", "0987654321")
    client = login(province.counter)
    assert codes(client, "?tab=all&q=Nguyen+Thi+Hong+Nhung") == [wanted.code]
    assert codes(client, "?tab=all&q=nguyễn+thị+HỒNG") == [wanted.code]
    assert codes(client, "?tab=all&q=0987654321") == [other.code]
    assert codes(client, "?tab=all&q=0987+654+321") == [other.code]
    assert codes(client, "?tab=all&q=%2B84+987+654+321") == [other.code]
    assert codes(client, "?tab=all&q=0987.654.321") == [other.code]
    # From another tab, a search that finds nothing there points to all the dossiers.
    page = client.get("/can-bo/?tab=paused&q=Nguyen").content.decode()
    assert "Tìm trong mọi hồ sơ bạn được xem" in page and "?tab=all&amp;q=Nguyen" in page
    assert codes(client, f"?tab=all&q={other.code}") == [other.code]
    assert codes(client, "?tab=all&q=khong+co+ai") == []
    assert set(codes(client, f"?tab=all&thu_tuc={province.procedure.pk}")) == {
        wanted.code,
        other.code,
    }
    assert codes(client, "?tab=all&trang_thai=returned") == []
    assert codes(client, "?tab=all&sap_xep=code") == sorted([wanted.code, other.code])


@pytest.mark.django_db
def test_htmx_gets_the_table_only(province: Province, login: Login, clock: Any) -> None:
    receive(province)
    client = login(province.counter)
    full = client.get("/can-bo/?tab=all")
    assert b"<html" in full.content and b'id="worklist"' in full.content
    partial = client.get("/can-bo/?tab=all&q=nhung", HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content
    assert b"bo-table" in partial.content and b'hx-swap-oob="true"' in partial.content
    assert "HX-Request" in partial["Vary"]


@pytest.mark.django_db
def test_queries_do_not_grow_with_rows(
    province: Province, login: Login, clock: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(3):
        receive(province)
    client = login(province.counter)
    client.get("/can-bo/?tab=all")  # warm the calendar cache
    with CaptureQueriesContext(connection) as few:
        assert len(client.get("/can-bo/?tab=all").context["rows"]) == 3
    for i in range(27):
        dossier = receive(province, f"Người nộp {i}", f"09000000{i:02d}")
        if i % 3 == 0:
            perform_action(dossier, Action.FORWARD, acting_user=province.counter)
    # The page's procedures, places and assignees are read after it, one query each; a
    # relation no row of the small page refers to (no assignee yet) is not read there.
    relations = 4
    with django_assert_max_num_queries(len(few) + relations):
        response = client.get("/can-bo/?tab=all")
    assert len(response.context["rows"]) == 25
    assert response.context["page"].paginator.num_pages == 2
    assert len(client.get("/can-bo/?tab=all&page=2").context["rows"]) == 5
