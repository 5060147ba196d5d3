"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Chromium comes from the system (``apt-get install chromium``); Playwright's own browser
download is not used. Where no Chromium is found the tests are skipped, unless
``MOTCUA_REQUIRE_BROWSER=1`` (CI), where that is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium_path() -> str | None:
    explicit = os.environ.get("MOTCUA_CHROMIUM")
    if explicit:
        return explicit
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    path = _chromium_path()
    if path is None:
        if os.environ.get("MOTCUA_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is required for browser tests (apt-get install chromium)")
        pytest.skip("no Chromium on this machine (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls our tests
    # make between browser steps are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def phone_page(browser: object) -> Iterator[object]:
    """A page in a 390-px-wide phone viewport, Vietnamese locale."""
    context = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 390, "height": 844}, locale="vi-VN", device_scale_factor=1
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser: object) -> Iterator[object]:
    context = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 1280, "height": 900}, locale="vi-VN"
    )
    page = context.new_page()
    yield page
    context.close()


def save_screenshot(page: object, name: str) -> Path:
    """Full-page screenshot under test-artifacts/screenshots/, for people to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    assert path.stat().st_size > 5_000, "the screenshot is suspiciously small"
    return path


def horizontal_overflow(page: object) -> int:
    """How many CSS pixels the page is wider than its viewport (0 = fits)."""
    return int(
        page.evaluate(  # type: ignore[attr-defined]
            "() => document.documentElement.scrollWidth - window.innerWidth"
        )
    )


def log_in(page: Any, base: str, username: str, target: str) -> None:
    """Log a persona in through the login page and wait for ``target``."""
    from motcua.testing.personas import PASSWORD

    page.goto(f"{base}/dang-nhap/?next={target}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"**{target}")


#: Checks run in the page: what WCAG 2.1 AA asks of a form page that a script can tell
#: (names of controls 1.3.1/4.1.2, unique ids 4.1.1, page language 3.1.1, headings 1.3.1,
#: references of aria-describedby/-labelledby, alternative text 1.1.1, disclosure
#: widgets with a summary). Contrast and meaning are for people to check.
_ACCESSIBILITY_SCRIPT = """
() => {
  const problems = [];
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  if (!document.documentElement.lang) problems.push('html has no lang');
  const ids = {};
  for (const el of document.querySelectorAll('[id]')) {
    if (ids[el.id]) problems.push('duplicate id ' + el.id);
    ids[el.id] = true;
  }
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden') continue;
    const named = (el.id && document.querySelector('label[for="' + CSS.escape(el.id) + '"]'))
      || el.closest('label') || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
    if (!named) problems.push('control without a label: ' + (el.name || el.id || el.type));
  }
  for (const el of document.querySelectorAll('[aria-describedby], [aria-labelledby]')) {
    for (const attr of ['aria-describedby', 'aria-labelledby']) {
      for (const ref of (el.getAttribute(attr) || '').split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(ref)) problems.push(attr + ' points nowhere: ' + ref);
      }
    }
  }
  for (const el of document.querySelectorAll('button, a[href]')) {
    if (visible(el) && !(el.innerText || el.getAttribute('aria-label') || el.title).trim()) {
      problems.push('unnamed ' + el.tagName.toLowerCase());
    }
  }
  for (const img of document.querySelectorAll('img')) {
    if (!img.hasAttribute('alt')) problems.push('img without alt: ' + img.src);
  }
  for (const d of document.querySelectorAll('details')) {
    if (!d.querySelector(':scope > summary')) problems.push('details without summary');
  }
  const h1 = document.querySelectorAll('h1').length;
  if (h1 !== 1) problems.push(h1 + ' h1 elements');
  let level = 0;
  for (const h of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
    const next = Number(h.tagName[1]);
    if (level && next > level + 1) {
      problems.push('heading jumps to ' + h.tagName + ': ' + h.innerText.slice(0, 40));
    }
    level = next;
  }
  return problems;
}
"""


def accessibility_problems(page: object) -> list[str]:
    """What :data:`_ACCESSIBILITY_SCRIPT` finds wrong on the page (empty: nothing)."""
    return list(page.evaluate(_ACCESSIBILITY_SCRIPT))  # type: ignore[attr-defined]
