"""/can-bo/tong-quan/ (leaders) and the register (form 07)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from motcua.accounts.models import User
from motcua.accounts.roles import Role
from motcua.accounts.services import create_staff_user
from motcua.backoffice.tests.conftest import at
from motcua.dossiers.models import Dossier, DossierStep
from motcua.dossiers.process_services import StepSpec, define_process
from motcua.dossiers.rules import Action, Actor
from motcua.dossiers.services import perform_action, receive_at_counter
from motcua.testing.personas import APPLICANT, PASSWORD, Province

Login = Callable[[User], Client]


def rows_by_name(rows: list[Any]) -> dict[str, Any]:
    return {r.name: r for r in rows}


@pytest.mark.django_db
def test_the_leader_sees_counts_by_place_and_officer_linking_to_worklists(
    province: Province, login: Login, received: Dossier, clock: Any
) -> None:
    p = province
    other = receive_at_counter(acting_user=p.counter, offering=p.offering, applicant=APPLICANT)
    perform_action(received, Action.ASSIGN, acting_user=p.counter, assignee=p.specialist)
    perform_action(received, Action.FORWARD, acting_user=p.specialist)  # → police
    clock.move_to(at(10, 9))  # both are past their appointment
    leader = login(p.leader)
    response = leader.get("/can-bo/tong-quan/")
    board = response.context["board"]
    assert board.title == "UBND phường Long Xuyên"
    assert board.totals["open"] == 2 and board.totals["overdue"] == 2
    places = rows_by_name(board.by_place)
    assert places["Trung tâm Phục vụ hành chính công phường Long Xuyên"].open == 1
    police = places["Phòng Cảnh sát quản lý hành chính về trật tự xã hội"]
    assert police.open == 1 and police.overdue == 1
    justice = places["Phòng Văn hóa - Xã hội"]
    assert justice.steps_on_time == 1  # the specialist's step, finished in time
    officers = rows_by_name(board.by_officer)
    assert officers["Lê Văn Minh"].steps_on_time == 1
    html = response.content.decode()
    link = f"/can-bo/?tab=overdue&amp;noi={police.key}"
    assert link in html
    listed = leader.get(link.replace("&amp;", "&"))
    assert [r.dossier.code for r in listed.context["rows"]] == [received.code]
    assert other.code not in listed.content.decode()


@pytest.mark.django_db
def test_tthc_control_sees_the_province(
    province: Province, login: Login, received: Dossier
) -> None:
    controller = create_staff_user(
        "kiemsoat", full_name="Kiểm Soát", agency=province.other_commune,
        roles=[Role.TTHC_CONTROL], password=PASSWORD,
    )  # fmt: skip
    board = login(controller).get("/can-bo/tong-quan/").context["board"]
    assert board.title == "Toàn tỉnh" and board.totals["open"] == 1


@pytest.mark.django_db
def test_the_register_prints_as_pdf(province: Province, login: Login, received: Dossier) -> None:
    client = login(province.counter)
    page = client.get("/can-bo/so-theo-doi/")
    assert page.status_code == 200 and 'type="date"' in page.content.decode()
    pdf = client.get("/can-bo/so-theo-doi/", {"tu": "2025-03-01", "den": "2025-03-31"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    import io
    import unicodedata

    from pypdf import PdfReader

    raw = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf.content)).pages)
    text = unicodedata.normalize("NFC", " ".join(raw.split()))
    assert received.code in text and APPLICANT.phone in text
    assert "Địa chỉ, số điện thoại" in text and "Tình trạng, kết quả" in text
    bad = client.get("/can-bo/so-theo-doi/", {"tu": "2025-03-31", "den": "2025-03-01"})
    assert bad.status_code == 422 and "Ngày cuối phải sau ngày đầu." in bad.content.decode()


@pytest.mark.django_db
def test_officers_are_counted_by_the_steps_they_hold(
    province: Province, login: Login, clock: Any
) -> None:
    """Parallel branches: two specialists hold one dossier at once; both count it, and
    each officer's link lists it."""

    p = province
    second = create_staff_user(
        "cv2.longxuyen", full_name="Trương Văn Hai", agency=p.commune,
        roles=[Role.SPECIALIST], unit=p.justice, password=PASSWORD,
    )  # fmt: skip
    spec = Actor.SPECIALIST
    define_process(
        p.offering,
        name="Hai nhánh song song",
        legal_working_days=3,
        steps=[
            StepSpec(0, "Tiếp nhận", p.one_stop, Actor.COUNTER_OFFICER, 4),
            StepSpec(1, "Thẩm định hộ tịch", p.commune, spec, 8, unit=p.justice, branch=1),
            StepSpec(1, "Thẩm định cư trú", p.commune, spec, 8, unit=p.justice, branch=2),
            StepSpec(2, "Ký", p.commune, Actor.AGENCY_LEADER, 4),
        ],
    )
    dossier = receive_at_counter(acting_user=p.counter, offering=p.offering, applicant=APPLICANT)
    dossier = perform_action(dossier, Action.FORWARD, acting_user=p.counter)
    steps = {s.name: s for s in dossier.steps.all()}
    DossierStep.objects.filter(pk=steps["Thẩm định hộ tịch"].pk).update(assignee=p.specialist)
    DossierStep.objects.filter(pk=steps["Thẩm định cư trú"].pk).update(assignee=second)
    leader = login(p.leader)
    board = leader.get("/can-bo/tong-quan/").context["board"]
    officers = rows_by_name(board.by_officer)
    assert officers["Lê Văn Minh"].open == 1 and officers["Trương Văn Hai"].open == 1
    for officer in (p.specialist, second):
        listed = leader.get("/can-bo/", {"tab": "open", "can_bo": officer.pk})
        assert [r.dossier.code for r in listed.context["rows"]] == [dossier.code]
    # Late: the rows count it as the headline and the overdue tab do (the dossier's date).
    clock.move_to(at(20, 9))
    leader = login(p.leader)
    board = leader.get("/can-bo/tong-quan/").context["board"]
    officers = rows_by_name(board.by_officer)
    assert board.totals["overdue"] == 1
    assert officers["Lê Văn Minh"].overdue == 1 and officers["Trương Văn Hai"].overdue == 1
    listed = leader.get("/can-bo/", {"tab": "overdue", "can_bo": second.pk})
    assert [r.dossier.code for r in listed.context["rows"]] == [dossier.code]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_register_date_inputs_hold_iso_dates_in_every_language(
    province: Province, login: Login, clock: Any, language: str
) -> None:
    """``<input type="date">`` takes only YYYY-MM-DD: a localized 01/03/2025 shows empty
    and blocks the form."""
    from django.conf import settings

    client = login(province.counter)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get("/can-bo/so-theo-doi/").content.decode()
    assert 'type="date" name="tu" value="2025-03-01"' in html
    assert 'type="date" name="den" value="2025-03-03"' in html


@pytest.mark.django_db
def test_paused_dossiers_nobody_holds_still_count_in_the_officer_table(
    province: Province, login: Login, received: Dossier
) -> None:
    """The tile "Tạm dừng" and the officer table count the same dossiers: one waiting to
    be completed before receipt holds no step, and has a row of its own (it used to
    vanish, the table adding up to less than the tile)."""
    from motcua.dossiers.services import submit_online

    p = province
    held = perform_action(received, Action.FORWARD, acting_user=p.counter)
    held = perform_action(held, Action.ASSIGN, acting_user=p.leader, assignee=p.specialist)
    held = perform_action(
        held, Action.REQUEST_SUPPLEMENT, acting_user=p.specialist, reason="Thiếu giấy chứng sinh"
    )
    online = submit_online(offering=p.offering, applicant=APPLICANT)
    online = perform_action(
        online, Action.REQUEST_SUPPLEMENT, acting_user=p.counter, reason="Ảnh tờ khai bị mờ"
    )
    leader = login(p.leader)
    response = leader.get("/can-bo/tong-quan/")
    board = response.context["board"]
    assert board.totals["paused"] == 2
    assert sum(r.paused for r in board.by_officer) == board.totals["paused"]
    officers = rows_by_name(board.by_officer)
    assert officers["Lê Văn Minh"].paused == 1
    nobody = officers["Không ở bước xử lý nào"]
    assert nobody.paused == 1
    html = response.content.decode()
    assert "được tính cho mỗi cán bộ giữ một bước" in html  # parallel steps, explained
    listed = leader.get("/can-bo/", {"tab": "paused", "can_bo": nobody.key})
    assert [r.dossier.code for r in listed.context["rows"]] == [online.code]
    assert "Không ở bước xử lý nào" in listed.content.decode()
