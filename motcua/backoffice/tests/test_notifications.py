"""``motcua send_deadline_warnings`` and the notifications in the back-office header."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from motcua.accounts.models import User
from motcua.backoffice.models import Notification
from motcua.backoffice.services import send_deadline_warnings
from motcua.backoffice.tests.conftest import at
from motcua.dossiers.models import Dossier
from motcua.dossiers.rules import Action
from motcua.dossiers.services import perform_action
from motcua.testing.personas import Province

Login = Callable[[User], Client]


def inbox(user: User) -> set[tuple[str, str]]:
    return {
        (n.kind, n.step.name if n.step else "")
        for n in Notification.objects.filter(recipient=user).select_related("step")
    }


@pytest.mark.django_db
def test_a_short_step_is_due_soon_at_once(province: Province, received: Dossier) -> None:
    # The receipt step has 2 working hours: due within one working day from the start.
    assert send_deadline_warnings() == 2
    assert inbox(province.counter) == {("due_soon", "Tiếp nhận hồ sơ")}
    assert inbox(province.leader) == {("due_soon", "Tiếp nhận hồ sơ")}
    assert inbox(province.specialist) == set()


@pytest.mark.django_db
def test_warnings_go_to_the_officer_and_the_leader_once(
    province: Province, received: Dossier, clock: Any
) -> None:
    p = province
    perform_action(received, Action.FORWARD, acting_user=p.counter)
    # Tuesday 10:00: the justice step (6 working hours from Monday 08:00) is overdue and
    # the appointment (Thursday morning) is two working days away.
    clock.move_to(at(4, 10))
    out = StringIO()
    call_command("send_deadline_warnings", stdout=out)
    assert "thông báo mới" in out.getvalue()
    assert inbox(p.specialist) == {("overdue", "Đăng ký khai sinh")}
    assert inbox(p.leader) == {("overdue", "Đăng ký khai sinh")}
    assert inbox(p.counter) == set() and inbox(p.police_officer) == set()
    count = Notification.objects.count()
    assert send_deadline_warnings() == 0  # idempotent
    assert Notification.objects.count() == count

    # Wednesday 14:00: the dossier itself is due within one working day.
    clock.move_to(at(5, 14))
    assert send_deadline_warnings() > 0
    assert ("due_soon", "") in inbox(p.leader)
    assert ("due_soon", "") in inbox(p.specialist)
    message = Notification.objects.filter(recipient=p.leader, step=None).get().message
    assert message.startswith(f"Hồ sơ {received.code} sắp đến hạn trả kết quả (")


@pytest.mark.django_db
def test_an_assignee_is_warned_instead_of_the_whole_unit(
    province: Province, received: Dossier, clock: Any
) -> None:
    p = province
    colleague = User.objects.get(pk=p.specialist.pk)
    perform_action(received, Action.ASSIGN, acting_user=p.counter, assignee=colleague)
    clock.move_to(at(4, 10))
    send_deadline_warnings()
    assert inbox(p.specialist) == {("overdue", "Đăng ký khai sinh")}


@pytest.mark.django_db
def test_the_header_shows_a_badge_and_the_list(
    province: Province, login: Login, received: Dossier, clock: Any
) -> None:
    perform_action(received, Action.FORWARD, acting_user=province.counter)
    clock.move_to(at(4, 10))
    send_deadline_warnings()
    client = login(province.specialist)
    html = client.get("/can-bo/").content.decode()
    assert 'class="badge"' in html and "Đăng ký khai sinh" in html
    listing = client.get("/can-bo/thong-bao/").content.decode()
    assert f"Hồ sơ {received.code}: bước «Đăng ký khai sinh» đã quá hạn" in listing
    assert client.post("/can-bo/thong-bao/").status_code == 302
    assert not Notification.objects.filter(recipient=province.specialist, read_at=None).exists()
    assert 'class="badge"' not in client.get("/can-bo/").content.decode()
