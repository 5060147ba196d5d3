"""The English UI: Vietnamese by default, English on request, and a complete catalog.

Vietnamese is the source language of every UI string; ``locale/en`` holds the English
translations. These tests check that the language switch works on the public pages and
that the committed catalog is complete and compiled (the ``.mo`` matches the ``.po``).
"""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

PO_FILE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
HTML_TAG = re.compile(r"</?\w+[^>]*>")


# --- The pages --------------------------------------------------------------------


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.django_db
def test_home_page_is_vietnamese_by_default(client: Client) -> None:
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in html
    assert "Tra cứu thủ tục hành chính" in html and "Tìm kiếm" in html
    assert "Look up administrative procedures" not in html


@pytest.mark.django_db
def test_home_page_in_english_with_the_language_cookie(client: Client) -> None:
    html = english(client).get("/").content.decode()
    assert '<html lang="en">' in html
    assert "<h1>Look up administrative procedures</h1>" in html
    assert "Public Service Portal" in html and "Skip to main content" in html
    assert 'placeholder="e.g. birth registration"' in html
    assert "Tra cứu thủ tục hành chính" not in html
    # The switch offers the way back to Vietnamese.
    assert 'name="language" value="vi"' in html


@pytest.mark.django_db
def test_the_language_switch_sets_english_for_the_next_pages(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Look up administrative procedures" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert "Tra cứu thủ tục hành chính" in client.get("/").content.decode()


@pytest.mark.django_db
def test_the_catalog_list_in_both_languages(client: Client) -> None:
    url = reverse("catalog:list")
    vietnamese = client.get(url).content.decode()
    assert "Tra cứu thủ tục hành chính" in vietnamese and "Tất cả lĩnh vực" in vietnamese
    assert "Tìm thấy 0 thủ tục" in vietnamese

    html = english(client).get(url).content.decode()
    assert "<h1>Look up administrative procedures</h1>" in html
    assert "0 procedures found" in html
    # The filter labels come from the form (Python gettext_lazy).
    assert "Sector" in html and "All sectors" in html and "All levels" in html
    assert 'placeholder="Procedure name or code, e.g. birth registration"' in html
    assert "Tất cả lĩnh vực" not in html


# --- The catalog ------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False
    line: int = 0


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), text[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """A small .po reader: enough for the files makemessages writes."""
    entries: list[Entry] = []
    current: Entry | None = None
    fuzzy = False
    target: tuple[str, int] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue  # blank lines; obsolete entries
        if line.startswith("#,"):
            fuzzy = "fuzzy" in line
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            assert current is not None and target is not None, f"{path}:{number}"
            name, index = target
            if name == "msgstr":
                current.msgstr[index] += _unquote(line)
            else:
                setattr(current, name, (getattr(current, name) or "") + _unquote(line))
            continue
        if keyword in ("msgctxt", "msgid") and (current is None or current.msgstr):
            # A msgctxt or msgid after a msgstr starts the next entry.
            current = Entry(msgid="", fuzzy=fuzzy, line=number)
            entries.append(current)
            fuzzy = False
        assert current is not None, f"{path}:{number}: {line}"
        match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if keyword in ("msgctxt", "msgid", "msgid_plural"):
            setattr(current, keyword, _unquote(rest))
            target = (keyword, 0)
        elif keyword == "msgstr" or match:
            index = int(match.group(1)) if match else 0
            current.msgstr[index] = _unquote(rest)
            target = ("msgstr", index)
        else:
            raise AssertionError(f"{path}:{number}: cannot read {line!r}")
    return entries


def messages() -> list[Entry]:
    return [entry for entry in parse_po(PO_FILE) if entry.msgid]


def test_the_english_catalog_exists_and_is_not_empty() -> None:
    assert PO_FILE.is_file() and MO_FILE.is_file()
    header = next(entry for entry in parse_po(PO_FILE) if not entry.msgid)
    assert "Language: en\n" in header.msgstr[0]
    assert "nplurals=2" in header.msgstr[0]
    assert not header.fuzzy
    assert len(messages()) > 50


def test_every_message_is_translated() -> None:
    untranslated = [
        entry.msgid
        for entry in messages()
        if entry.fuzzy
        or not entry.msgstr
        or not all(text.strip() for text in entry.msgstr.values())
        or (entry.msgid_plural is not None and sorted(entry.msgstr) != [0, 1])
    ]
    assert untranslated == []


def test_translations_keep_placeholders_and_markup() -> None:
    for entry in messages():
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        expected_plural = sorted(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        for index, text in entry.msgstr.items():
            wanted = expected if index == 0 else expected_plural
            assert sorted(PLACEHOLDER.findall(text)) == wanted, entry.msgid
            assert HTML_TAG.findall(text) == HTML_TAG.findall(entry.msgid), entry.msgid


def test_the_compiled_catalog_matches_the_po_file() -> None:
    """The .mo is what Django reads; it must hold exactly what the .po says."""
    with MO_FILE.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in messages():
        if entry.msgid_plural is not None:
            found = [
                compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                if entry.msgctxt
                else compiled.ngettext(entry.msgid, entry.msgid_plural, n)
                for n in (1, 2)
            ]
            wanted = [entry.msgstr[0], entry.msgstr[1]]
        else:
            found = [
                compiled.pgettext(entry.msgctxt, entry.msgid)
                if entry.msgctxt
                else compiled.gettext(entry.msgid)
            ]
            wanted = [entry.msgstr[0]]
        if found != wanted:
            stale.append(entry.msgid)
    assert stale == [], "run compilemessages: the .mo is older than the .po"
