"""The small markup a form template produces, parsed into a tree (pure, no Django).

A form template is HTML-like text with a fixed set of tags, so that a province can edit
a form without learning a layout engine, and so that a wrong edit is caught before it is
saved. Blocks:

``<document orientation="portrait|landscape" size="13" margin="20 20 20 25" title="…">``
    optional root; ``margin`` is top right bottom left in mm, ``size`` the body size in pt
``<p align="left|center|right|justify" size="13" indent="10" before="0" after="1" balance>``
    a paragraph (``indent``: first line, mm; ``before``/``after``: space in mm; ``balance``:
    wrapped lines of even length, as for an agency name in the header; ``keep``: on the
    same page as what follows, as for a table's caption)
``<h1>`` / ``<h2>``
    a form title (bold, centred, 14 pt) / subtitle (bold, centred, 13 pt); same attributes,
    balanced and kept with what follows unless ``balance="no"``, ``keep="no"``
``<row before after>`` with ``<col width="45%" align size balance>``
    side-by-side columns (agency and national motto, signature blocks); kept on one page
``<table widths="8,50,27,15" size="12" before after>`` with ``<tr>``, ``<th>``, ``<td>``
    a bordered table; ``widths`` are relative; ``th``/``td`` take ``align`` and ``colspan``;
    leading rows made only of ``th`` repeat at the top of each page
``<hr width="30%" align before after>``, ``<space h="4">``, ``<pagebreak>``
``<qr data="https://…" size="28" align>``
    a QR code of ``data`` (mm)

Inline, inside paragraphs, columns and cells: ``<b>``, ``<i>``, ``<u>``, ``<small>``, ``<br>``.
Entities (``&amp;``) are decoded; runs of white space count as one space, as in HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

BLOCK_TAGS = frozenset({"p", "h1", "h2", "row", "table", "hr", "qr", "space", "pagebreak"})
COL_BLOCK_TAGS = frozenset({"p", "h1", "h2", "hr", "qr", "space"})
INLINE_TAGS = frozenset({"b", "strong", "i", "em", "u", "small", "br"})
VOID_TAGS = frozenset({"br", "hr", "qr", "space", "pagebreak"})
TEXT_BLOCK_TAGS = frozenset({"p", "h1", "h2", "th", "td"})

_SPACING = frozenset({"before", "after"})
ALLOWED_ATTRS: dict[str, frozenset[str]] = {
    "document": frozenset({"orientation", "size", "margin", "title"}),
    "p": frozenset({"align", "size", "indent", "balance", "keep"}) | _SPACING,
    "h1": frozenset({"align", "size", "indent", "balance", "keep"}) | _SPACING,
    "h2": frozenset({"align", "size", "indent", "balance", "keep"}) | _SPACING,
    "row": _SPACING,
    "col": frozenset({"width", "align", "size", "balance"}),
    "table": frozenset({"widths", "size"}) | _SPACING,
    "tr": frozenset(),
    "th": frozenset({"align", "colspan"}),
    "td": frozenset({"align", "colspan"}),
    "hr": frozenset({"width", "align"}) | _SPACING,
    "qr": frozenset({"data", "size", "align"}),
    "space": frozenset({"h"}),
    "pagebreak": frozenset(),
    **{tag: frozenset() for tag in INLINE_TAGS},
}

# Which children each container accepts ("#text": non-blank text; "#inline": inline tags).
_CHILDREN: dict[str, frozenset[str]] = {
    "#root": BLOCK_TAGS | {"document"},
    "document": BLOCK_TAGS,
    "row": frozenset({"col"}),
    "col": COL_BLOCK_TAGS | INLINE_TAGS | {"#text"},
    "table": frozenset({"tr"}),
    "tr": frozenset({"th", "td"}),
    **{tag: INLINE_TAGS | {"#text"} for tag in TEXT_BLOCK_TAGS},
    **{tag: INLINE_TAGS | {"#text"} for tag in INLINE_TAGS},
}


class MarkupError(ValueError):
    """The template produced markup the renderer does not accept (message in Vietnamese)."""


@dataclass
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)
    line: int = 0

    def attr(self, name: str, default: str = "") -> str:
        return self.attrs.get(name, default)

    def elements(self) -> list[Node]:
        return [c for c in self.children if isinstance(c, Node)]


def _describe(tag: str) -> str:
    return "văn bản" if tag == "#text" else f"<{tag}>"


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root")
        self.stack: list[Node] = [self.root]

    def _where(self) -> str:
        return f" (dòng {self.getpos()[0]})"

    def _place(self, tag: str) -> None:
        parent = self.stack[-1]
        if tag not in _CHILDREN.get(parent.tag, frozenset()):
            inside = "ngoài cùng" if parent.tag == "#root" else f"trong <{parent.tag}>"
            raise MarkupError(f"Không đặt được {_describe(tag)} {inside}{self._where()}.")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_ATTRS:
            raise MarkupError(f"Thẻ <{tag}> không được hỗ trợ{self._where()}.")
        if tag == "document" and self.root.children:
            raise MarkupError(f"Thẻ <document> phải bao ngoài toàn bộ biểu mẫu{self._where()}.")
        self._place(tag)
        values: dict[str, str] = {}
        for name, value in attrs:
            if name not in ALLOWED_ATTRS[tag]:
                raise MarkupError(
                    f"Thẻ <{tag}> không có thuộc tính “{name}”{self._where()}. "
                    f"Thuộc tính được dùng: {', '.join(sorted(ALLOWED_ATTRS[tag])) or 'không có'}."
                )
            values[name] = value or ""
        node = Node(tag, values, line=self.getpos()[0])
        self.stack[-1].children.append(node)
        if tag not in VOID_TAGS:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_TAGS:
            return
        top = self.stack[-1]
        if top.tag != tag:
            expected = f"</{top.tag}>" if top.tag != "#root" else "không có thẻ nào đang mở"
            raise MarkupError(f"Thẻ đóng </{tag}> không khớp{self._where()}: cần {expected}.")
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not data.strip():
            if self.stack[-1].tag in _CHILDREN and "#text" in _CHILDREN[self.stack[-1].tag]:
                self.stack[-1].children.append(data)
            return
        self._place("#text")
        self.stack[-1].children.append(data)

    def handle_decl(self, decl: str) -> None:  # <!DOCTYPE …>: ignored
        return

    def unknown_decl(self, data: str) -> None:
        raise MarkupError(f"Khai báo không được hỗ trợ{self._where()}.")

    def handle_pi(self, data: str) -> None:
        raise MarkupError(f"Chỉ thị <?…> không được hỗ trợ{self._where()}.")


def parse(markup: str) -> Node:
    """Parse ``markup`` into a ``document`` node; raise ``MarkupError`` if it is not valid."""
    parser = _Parser()
    parser.feed(markup)
    parser.close()
    if len(parser.stack) > 1:
        open_tag = parser.stack[-1]
        raise MarkupError(f"Thẻ <{open_tag.tag}> (dòng {open_tag.line}) chưa được đóng.")
    blocks = parser.root.elements()
    if len(blocks) == 1 and blocks[0].tag == "document":
        document = blocks[0]
    elif any(b.tag == "document" for b in blocks):
        raise MarkupError("Thẻ <document> phải bao ngoài toàn bộ biểu mẫu.")
    else:
        document = Node("document", children=list(blocks))
    if not document.elements():
        raise MarkupError("Biểu mẫu không có nội dung.")
    return document
