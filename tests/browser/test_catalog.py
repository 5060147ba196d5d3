"""The public catalog as a citizen uses it on a phone: search without accents, open a procedure."""

import pytest

from motcua.catalog.services import PACKAGED_DEMO, import_procedures_file
from tests.browser.conftest import horizontal_overflow, save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_and_read_a_procedure_on_a_phone(live_server, phone_page) -> None:  # type: ignore[no-untyped-def]
    import_procedures_file(PACKAGED_DEMO)
    page = phone_page
    page.goto(live_server.url + "/thu-tuc/")
    page.fill("input[name=q]", "dang ky ket hon")
    page.press("input[name=q]", "Enter")
    page.wait_for_load_state("networkidle")
    first = page.locator(".procedure-card h2").first
    assert first.inner_text().strip() == "Thủ tục đăng ký kết hôn"
    save_screenshot(page, "catalog-390")
    assert horizontal_overflow(page) == 0

    first.locator("a").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text().strip() == "Thủ tục đăng ký kết hôn"
    assert page.locator("#expected-return").is_visible()
    assert page.get_by_text("Thành phần hồ sơ").first.is_visible()
    save_screenshot(page, "procedure-390")
    assert horizontal_overflow(page) == 0


def test_an_unknown_code_says_so(live_server, phone_page) -> None:  # type: ignore[no-untyped-def]
    response = phone_page.goto(live_server.url + "/thu-tuc/9.999999/")
    assert response.status == 404
    assert "9.999999" in phone_page.locator("main").inner_text()
    save_screenshot(phone_page, "procedure-404-390")
