"""The admin site in a browser: an agency administrator corrects the internal process of
their commune's procedure; a step beyond the legal time limit is refused with the reason,
the corrected process is saved through the service and audited."""

from __future__ import annotations

from typing import Any

import pytest

from motcua.dossiers.models import ProcessStep
from motcua.testing.admin_pages import change_url, events
from motcua.testing.personas import PASSWORD, Province, administrator
from tests.browser.conftest import save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROCESS_PERMISSIONS = (
    "dossiers.view_process",
    "dossiers.change_process",
    "dossiers.view_processstep",
    "dossiers.add_processstep",
    "dossiers.change_processstep",
    "dossiers.delete_processstep",
)


def test_an_agency_administrator_corrects_a_process_within_the_legal_limit(
    live_server: Any, province: Province, desktop_page: Any
) -> None:
    administrator(province.commune, "qt.longxuyen", *PROCESS_PERMISSIONS)
    page = desktop_page
    process = province.offering.process
    url = f"{live_server.url}{change_url(process)}"
    page.goto(f"{live_server.url}/quan-tri/login/?next={change_url(process)}")
    page.fill("#id_username", "qt.longxuyen")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(url)

    page.fill("#id_steps-1-hours", "9")
    page.click("input[name=_save]")
    error = page.locator(".errornote, .errorlist.nonform").first
    error.wait_for()
    assert "vượt thời hạn giải quyết" in page.content()
    save_screenshot(page, "admin-process-over-limit")
    assert ProcessStep.objects.get(process=process, stage=1).hours == 6

    page.fill("#id_steps-1-hours", "4")
    page.fill("#id_steps-1-name", "Đăng ký khai sinh, ký giấy khai sinh")
    page.click("input[name=_save]")
    page.wait_for_url(f"{live_server.url}/quan-tri/dossiers/process/")
    save_screenshot(page, "admin-process-saved")
    step = ProcessStep.objects.get(process=process, stage=1)
    assert (step.name, step.hours) == ("Đăng ký khai sinh, ký giấy khai sinh", 4)
    assert events("dossiers.process_defined")[-1].actor.username == "qt.longxuyen"
