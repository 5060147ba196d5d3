"""What a browser would submit from a page's form, for tests that post it back changed.

``form_fields(html)`` reads the first ``<form>`` with a ``method="post"`` (or the one whose
``id`` is given) the way a browser fills it in: text, hidden and number inputs, checked
boxes and radios, the selected options, the text of text areas; buttons and files are left
out. Admin change pages carry every inline and its management form, so a test can take
the page as it stands, change a few fields and post it.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

SKIPPED_INPUTS = {"submit", "button", "reset", "image", "file"}


class _FormReader(HTMLParser):
    def __init__(self, form_id: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.done = False
        self.fields: dict[str, list[str]] = {}
        self._select: str | None = None
        self._option: str | None = None
        self._option_text = ""
        self._in_option = False
        self._option_selected = False
        self._selected: list[str] | None = None
        self._first_option: str | None = None
        self._multiple = False
        self._textarea: str | None = None
        self._text = ""

    def _add(self, name: str, value: str) -> None:
        self.fields.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and not self.done and not self.inside:
            wanted = a.get("id") == self.form_id if self.form_id else a.get("method") == "post"
            self.inside = wanted
            return
        if not self.inside or ("name" not in a and tag != "option"):
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in SKIPPED_INPUTS or "disabled" in a:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self._add(a["name"], a.get("value", "on"))
                return
            self._add(a["name"], a.get("value", ""))
        elif tag == "select":
            self._select, self._selected, self._first_option = a["name"], [], None
            self._multiple = "multiple" in a
        elif tag == "option" and self._select is not None:
            self._option, self._option_text = a.get("value"), ""
            self._in_option, self._option_selected = True, "selected" in a
        elif tag == "textarea":
            self._textarea, self._text = a["name"], ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data
        elif self._in_option:
            self._option_text += data

    def handle_endtag(self, tag: str) -> None:
        if not self.inside:
            return
        if tag == "form":
            self.inside, self.done = False, True
        elif tag == "option" and self._in_option:
            value = self._option if self._option is not None else self._option_text.strip()
            if self._first_option is None:
                self._first_option = value
            if self._option_selected and self._selected is not None:
                self._selected.append(value)
            self._option, self._in_option = None, False
        elif tag == "select" and self._select is not None:
            chosen = self._selected or []
            if not chosen and not self._multiple and self._first_option is not None:
                chosen = [self._first_option]  # what a browser sends for a plain select
            for value in chosen:
                self._add(self._select, value)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops the one newline right after <textarea>.
            self._add(self._textarea, self._text.removeprefix("\n"))
            self._textarea = None


def form_fields(html: str, form_id: str | None = None) -> dict[str, Any]:
    """The fields the form would submit: one value as a string, several as a list."""
    reader = _FormReader(form_id)
    reader.feed(html)
    assert reader.done, "no such form on the page"
    fields = reader.fields
    return {name: values[0] if len(values) == 1 else values for name, values in fields.items()}
