"""A province officer types dates day first in the admin, as Vietnamese write them."""

import datetime as dt

import pytest
from django.test import Client

from motcua.accounts.models import User
from motcua.worktime.models import CalendarDay


@pytest.mark.django_db
def test_a_day_off_typed_dd_mm_yyyy_is_saved_as_that_day(client: Client) -> None:
    admin = User.objects.create_superuser("root.admin", password="Mot-cua-2025!")
    client.force_login(admin)
    response = client.post(
        "/quan-tri/worktime/calendarday/add/",
        {"date": "04/12/2026", "kind": "day_off", "name": "Nghỉ bù", "legal_basis": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert CalendarDay.objects.get().date == dt.date(2026, 12, 4)
    # 25/12/2026 is valid day-first (and impossible month-first).
    client.post(
        "/quan-tri/worktime/calendarday/add/",
        {"date": "25/12/2026", "kind": "day_off", "name": "Nghỉ riêng", "legal_basis": ""},
    )
    assert CalendarDay.objects.filter(date=dt.date(2026, 12, 25)).exists()
