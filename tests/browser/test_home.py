import pytest

from tests.browser.conftest import horizontal_overflow, save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_fits_a_phone_and_searches(live_server, phone_page) -> None:  # type: ignore[no-untyped-def]
    phone_page.goto(live_server.url + "/")
    assert phone_page.locator("h1").inner_text() == "Tra cứu thủ tục hành chính"
    save_screenshot(phone_page, "home-390")
    assert horizontal_overflow(phone_page) == 0
    phone_page.fill("#q", "khai sinh")
    phone_page.click("button[type=submit]")
    phone_page.wait_for_url("**/thu-tuc/?q=khai+sinh")
