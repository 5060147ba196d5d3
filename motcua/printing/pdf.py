"""Lays a parsed form (see ``markup``) out on A4 pages with fpdf2 and returns the PDF.

No Django here. Text is set in Source Serif (package ``font-source-serif-pro``), whose
regular and bold faces cover every precomposed Vietnamese letter; its italic faces do not,
so italics are drawn as a slanted regular (or bold) face. All text is normalised to NFC
before it is measured or drawn, and a character the font lacks raises a
``MissingGlyphWarning`` (a test turns it into an error).
"""

from __future__ import annotations

import functools
import io
import logging
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import segno
from fontTools.ttLib import TTFont
from fpdf import FPDF

from motcua.printing.markup import INLINE_TAGS, MarkupError, Node, parse

MM_PER_PT = 25.4 / 72
LINE_FACTOR = 1.32  # line height as a multiple of the font size
FAMILY = "SourceSerif"
ITALIC_SLANT = 11  # degrees, for the slanted regular face standing in for italics
CELL_PAD_X = 1.5  # mm
CELL_PAD_Y = 1.0
DEFAULT_MARGINS = (20.0, 15.0, 20.0, 25.0)  # top, right, bottom, left (mm), as Decree 30/2020
FOOTER_SIZE = 10.0


# fontTools reports every subsetting step at INFO; the project's root logger shows INFO.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)


class MissingGlyphWarning(UserWarning):
    """A character was printed that the font has no glyph for."""


@functools.cache
def font_files() -> dict[str, Path]:
    """The font files by fpdf2 style ("" regular, "B" bold)."""
    import font_source_serif_pro

    folder = Path(font_source_serif_pro.__file__).resolve().parent / "files"
    return {
        "": folder / "SourceSerifPro-Regular.ttf",
        "B": folder / "SourceSerifPro-Bold.ttf",
    }


@functools.cache
def _coverage(style: str) -> frozenset[int]:
    font = TTFont(str(font_files()[style]), lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def missing_glyphs(text: str, *, bold: bool = False) -> set[str]:
    """The characters of ``text`` (after NFC) that the face cannot draw."""
    covered = _coverage("B" if bold else "")
    return {ch for ch in unicodedata.normalize("NFC", text) if ord(ch) not in covered}


# --- inline text ---------------------------------------------------------------------


class Style(NamedTuple):
    size: float  # pt
    bold: bool = False
    italic: bool = False
    underline: bool = False

    @property
    def font_style(self) -> str:
        return "B" if self.bold else ""

    @property
    def size_mm(self) -> float:
        return self.size * MM_PER_PT


@dataclass
class _Piece:
    text: str
    style: Style
    width: float = 0.0
    is_space: bool = False


_BREAK = object()
_WORD_BREAK = _Piece("", Style(0.0))  # inside a word cut to fit: continue on the next line
_WS = re.compile(r"[ \t\n\r\f\v]+")


def _inline_runs(node: Node, style: Style) -> Iterator[tuple[str, Style] | object]:
    for child in node.children:
        if isinstance(child, str):
            yield unicodedata.normalize("NFC", child), style
        elif child.tag == "br":
            yield _BREAK
        else:
            inner = style
            if child.tag in ("b", "strong"):
                inner = inner._replace(bold=True)
            elif child.tag in ("i", "em"):
                inner = inner._replace(italic=True)
            elif child.tag == "u":
                inner = inner._replace(underline=True)
            elif child.tag == "small":
                inner = inner._replace(size=round(inner.size * 0.8, 1))
            yield from _inline_runs(child, inner)


# A token is a word (pieces with no break opportunity between them), a space, or a break.
_Word = list[_Piece]


def _tokens(runs: Iterator[tuple[str, Style] | object]) -> list[_Word | _Piece | object]:
    tokens: list[_Word | _Piece | object] = []
    word: _Word = []

    def end_word() -> None:
        nonlocal word
        if word:
            tokens.append(word)
            word = []

    for run in runs:
        if run is _BREAK:
            end_word()
            if tokens and isinstance(tokens[-1], _Piece):
                tokens.pop()
            tokens.append(_BREAK)
            continue
        assert isinstance(run, tuple)
        text, style = run
        for part in re.split(f"({_WS.pattern})", text):
            if not part:
                continue
            if _WS.fullmatch(part):
                end_word()
                if tokens and tokens[-1] is not _BREAK and not isinstance(tokens[-1], _Piece):
                    tokens.append(_Piece(" ", style, is_space=True))
            else:
                word.append(_Piece(part, style))
    end_word()
    while tokens and isinstance(tokens[-1], _Piece):
        tokens.pop()
    return tokens


@dataclass
class _Line:
    pieces: list[_Piece] = field(default_factory=list)
    width: float = 0.0
    hard_break: bool = False
    size: float = 0.0  # the largest font size on the line (pt)

    @property
    def height(self) -> float:
        return self.size * MM_PER_PT * LINE_FACTOR


# --- the layout engine -----------------------------------------------------------------


@dataclass
class _Item:
    """A slice of the page flow that is never split: a line, a table row, a column row."""

    height: float
    draw: Callable[[float, float], None]  # (x, y of the top)
    header: list[_Item] = field(default_factory=list)  # table heading repeated on a new page
    discardable: bool = False  # spacing, dropped at the top of a page
    page_break: bool = False
    keep_with_next: bool = False  # on the same page as the next item (headings, orphans)


@dataclass(frozen=True)
class _Defaults:
    size: float
    align: str = "left"
    balance: bool = False


def _flag(node: Node, name: str, default: bool) -> bool:
    raw = node.attrs.get(name)
    if raw is None:
        return default
    return raw.strip().lower() not in ("no", "false", "0", "khong", "không")


def _number(node: Node, name: str, default: float) -> float:
    raw = node.attr(name).strip()
    if not raw:
        return default
    try:
        value = float(raw.removesuffix("mm"))
    except ValueError:
        raise MarkupError(
            f"Thuộc tính {name}=“{raw}” của <{node.tag}> (dòng {node.line}) phải là một số."
        ) from None
    if value < 0:
        raise MarkupError(f"Thuộc tính {name} của <{node.tag}> (dòng {node.line}) không được âm.")
    return value


def _length(node: Node, name: str, whole: float, default: float) -> float:
    """A length in mm, or a percentage of ``whole``."""
    raw = node.attr(name).strip()
    if raw.endswith("%"):
        try:
            return whole * float(raw[:-1]) / 100
        except ValueError:
            raise MarkupError(
                f"Thuộc tính {name}=“{raw}” của <{node.tag}> (dòng {node.line}) không hợp lệ."
            ) from None
    return min(_number(node, name, default), whole)


def _margins(raw: str) -> tuple[float, float, float, float] | None:
    """``margin`` as in CSS: 1 to 4 numbers (mm), top right bottom left."""
    if not raw.strip():
        return None
    try:
        v = [float(m.removesuffix("mm")) for m in raw.split()]
    except ValueError:
        v = []
    if not 1 <= len(v) <= 4 or any(m < 0 for m in v):
        raise MarkupError("margin của <document> phải là 1 đến 4 số không âm (mm).")
    if len(v) == 1:
        return (v[0], v[0], v[0], v[0])
    if len(v) == 2:
        return (v[0], v[1], v[0], v[1])
    if len(v) == 3:
        return (v[0], v[1], v[2], v[1])
    return (v[0], v[1], v[2], v[3])


_ALIGNS = {"left", "center", "right", "justify"}


def _align(node: Node, default: str) -> str:
    value = node.attr("align", default).strip().lower() or default
    if value not in _ALIGNS:
        raise MarkupError(
            f"align=“{value}” của <{node.tag}> (dòng {node.line}) phải là left, center, right "
            "hoặc justify."
        )
    return value


class _Pdf(FPDF):
    footer_text: Callable[[int], str] | None = None

    def footer(self) -> None:
        if self.footer_text is None:
            return
        self.set_font(FAMILY, "", FOOTER_SIZE)
        text = self.footer_text(self.page_no())
        width = self.get_string_width(text)
        self.text((self.w - width) / 2, self.h - 10, text)


class Renderer:
    """Renders one parsed document; ``render()`` returns the PDF bytes."""

    def __init__(self, document: Node) -> None:
        self.document = document
        orientation = document.attr("orientation", "portrait").strip().lower()
        if orientation not in ("portrait", "landscape"):
            raise MarkupError("orientation của <document> phải là portrait hoặc landscape.")
        self.orientation = "L" if orientation == "landscape" else "P"
        self.size = _number(document, "size", 13.0)
        self.margins = _margins(document.attr("margin")) or DEFAULT_MARGINS
        self.title = document.attr("title")
        self._widths: dict[tuple[str, Style], float] = {}

    # -- fpdf2 plumbing ---------------------------------------------------------------

    def _new_pdf(self, page_total: int | None) -> _Pdf:
        pdf = _Pdf(orientation=self.orientation, unit="mm", format="A4")
        for style, path in font_files().items():
            pdf.add_font(FAMILY, style, str(path))
        pdf.set_auto_page_break(False)
        top, right, _bottom, left = self.margins
        pdf.set_margins(left=left, top=top, right=right)
        pdf.set_creator("motcua")
        pdf.set_lang("vi")
        if self.title:
            pdf.set_title(unicodedata.normalize("NFC", self.title))
        if page_total and page_total > 1:
            pdf.footer_text = lambda n: f"Trang {n}/{page_total}"
        pdf.set_font(FAMILY, "", self.size)
        return pdf

    def _width(self, text: str, style: Style) -> float:
        key = (text, style)
        if key not in self._widths:
            self.pdf.set_font(FAMILY, style.font_style, style.size)
            self._widths[key] = self.pdf.get_string_width(text)
        return self._widths[key]

    def _text(self, x: float, baseline: float, text: str, style: Style) -> None:
        missing = missing_glyphs(text, bold=style.bold)
        if missing:
            warnings.warn(
                MissingGlyphWarning(
                    "Phông chữ thiếu ký tự: "
                    + ", ".join(f"{ch!r} (U+{ord(ch):04X})" for ch in sorted(missing))
                ),
                stacklevel=2,
            )
        self.pdf.set_font(FAMILY, style.font_style, style.size)
        slant: Any = (
            self.pdf.skew(ax=ITALIC_SLANT, x=x, y=baseline) if style.italic else nullcontext()
        )
        with slant:
            self.pdf.text(x, baseline, text)

    # -- paragraphs -----------------------------------------------------------------------

    def _lines(self, node: Node, width: float, style: Style, indent: float = 0.0) -> list[_Line]:
        tokens = _tokens(_inline_runs(node, style))
        lines: list[_Line] = []
        line = _Line(size=style.size)
        pending: _Piece | None = None

        def avail() -> float:
            return width - (indent if not lines else 0.0)

        def flush(hard: bool) -> None:
            nonlocal line, pending
            line.hard_break = hard
            lines.append(line)
            line = _Line(size=style.size)
            pending = None

        def add(piece: _Piece) -> None:
            piece.width = self._width(piece.text, piece.style)
            line.pieces.append(piece)
            line.width += piece.width
            line.size = max(line.size, piece.style.size)

        for token in tokens:
            if token is _BREAK:
                flush(hard=True)
                continue
            if isinstance(token, _Piece):  # a space
                pending = token if line.pieces else None
                continue
            assert isinstance(token, list)
            word_width = sum(self._width(p.text, p.style) for p in token)
            space_width = self._width(" ", pending.style) if pending else 0.0
            if line.pieces and line.width + space_width + word_width > avail() + 0.01:
                flush(hard=False)
            elif pending is not None:
                add(_Piece(" ", pending.style, is_space=True))
            pending = None
            if word_width > avail() + 0.01:
                token = self._split_word(token, avail() - line.width, avail())
            for piece in token:
                if piece is _WORD_BREAK:
                    flush(hard=False)
                else:
                    add(_Piece(piece.text, piece.style))
        if line.pieces or not lines:
            flush(hard=True)
        return lines

    def _split_word(self, word: _Word, first: float, full: float) -> _Word:
        """Cut a word wider than the line (a long URL) at character boundaries."""
        out: _Word = []
        room = first if first > 0 else full
        for piece in word:
            chunk = ""
            for ch in piece.text:
                if chunk and self._width(chunk + ch, piece.style) > room:
                    out.append(_Piece(chunk, piece.style))
                    out.append(_WORD_BREAK)
                    chunk, room = "", full
                chunk += ch
            if chunk:
                out.append(_Piece(chunk, piece.style))
                room -= self._width(chunk, piece.style)
        return out

    def _draw_line(self, line: _Line, x: float, y: float, width: float, align: str) -> None:
        size_mm = line.size * MM_PER_PT
        baseline = y + (line.height - size_mm) / 2 + 0.80 * size_mm
        extra, stretch = width - line.width, 0.0
        if align == "center":
            x += extra / 2
        elif align == "right":
            x += extra
        elif align == "justify" and not line.hard_break:
            spaces = sum(1 for p in line.pieces if p.is_space)
            stretch = extra / spaces if spaces else 0.0
        # Draw runs of one style together so that copied text keeps its spaces.
        runs: list[tuple[float, str, Style, float]] = []
        cursor = x
        for piece in line.pieces:
            width_here = piece.width + (stretch if piece.is_space else 0.0)
            if runs and runs[-1][2] == piece.style and not stretch:
                rx, rtext, rstyle, rwidth = runs[-1]
                runs[-1] = (rx, rtext + piece.text, rstyle, rwidth + width_here)
            else:
                runs.append((cursor, piece.text, piece.style, width_here))
            cursor += width_here
        for rx, rtext, rstyle, rwidth in runs:
            if rtext.strip():
                self._text(rx, baseline, rtext.rstrip() if stretch else rtext, rstyle)
            if rstyle.underline:
                self.pdf.set_line_width(max(0.2, rstyle.size_mm * 0.05))
                under = baseline + rstyle.size_mm * 0.14
                self.pdf.line(rx, under, rx + rwidth, under)

    def _paragraph(self, node: Node, width: float, defaults: _Defaults) -> list[_Item]:
        heading = node.tag in ("h1", "h2")
        base = {"h1": 14.0, "h2": defaults.size}.get(node.tag, defaults.size)
        style = Style(size=_number(node, "size", base), bold=heading)
        align = _align(node, "center" if heading else defaults.align)
        indent = _number(node, "indent", 0.0)
        before = _number(node, "before", {"h1": 4.0, "h2": 0.5}.get(node.tag, 0.0))
        after = _number(node, "after", {"h1": 1.0, "h2": 2.0}.get(node.tag, 0.8))
        items = [self._space(before)] if before else []
        lines = self._lines(node, width, style, indent)
        if len(lines) > 1 and _flag(node, "balance", heading or defaults.balance):
            lines = self._balanced(node, width, style, indent, len(lines))
        keep = _flag(node, "keep", heading)
        last = len(lines) - 1
        for i, line in enumerate(lines):
            offset = indent if i == 0 and align in ("left", "justify") else 0.0
            items.append(
                _Item(
                    line.height,
                    functools.partial(self._place_line, line, offset, width, align),
                    # No lone first or last line of a paragraph at a page edge.
                    keep_with_next=(i == 0 or i == last - 1 or (i == last and keep)),
                )
            )
        items[-1].keep_with_next = keep
        if after:
            items.append(self._space(after))
            items[-1].keep_with_next = keep
        return items

    def _balanced(
        self, node: Node, width: float, style: Style, indent: float, count: int
    ) -> list[_Line]:
        """Lines of even length: the narrowest measure that still needs ``count`` lines."""
        low, high = width / count, width
        for _ in range(12):
            middle = (low + high) / 2
            if len(self._lines(node, middle, style, indent)) > count:
                low = middle
            else:
                high = middle
        return self._lines(node, high, style, indent)

    def _place_line(
        self, line: _Line, offset: float, width: float, align: str, x: float, y: float
    ) -> None:
        self._draw_line(line, x + offset, y, width - offset, align)

    @staticmethod
    def _space(height: float) -> _Item:
        return _Item(height, lambda x, y: None, discardable=True)

    # -- other blocks ---------------------------------------------------------------------

    def _rule(self, node: Node, width: float, defaults: _Defaults) -> list[_Item]:
        length = _length(node, "width", width, width)
        align = _align(node, "center" if defaults.align == "center" else "left")
        before, after = _number(node, "before", 0.5), _number(node, "after", 1.0)

        def draw(x: float, y: float) -> None:
            shift = {"center": (width - length) / 2, "right": width - length}.get(align, 0.0)
            self.pdf.set_line_width(0.25)
            self.pdf.line(x + shift, y + before, x + shift + length, y + before)

        return [_Item(before + after, draw)]

    def _qr(self, node: Node, width: float, defaults: _Defaults) -> list[_Item]:
        data = node.attr("data").strip()
        size = min(_number(node, "size", 28.0), width)
        align = _align(node, defaults.align)
        if not data:
            return []
        buffer = io.BytesIO()
        # A 2-module quiet zone is drawn inside the image; the page around it is white too.
        segno.make(data, error="m").save(buffer, kind="png", scale=8, border=2)
        png = buffer.getvalue()

        def draw(x: float, y: float) -> None:
            shift = {"center": (width - size) / 2, "right": width - size}.get(align, 0.0)
            self.pdf.image(io.BytesIO(png), x=x + shift, y=y, w=size, h=size)

        return [_Item(size, draw)]

    def _columns(self, node: Node, width: float, defaults: _Defaults) -> list[_Item]:
        cols = node.elements()
        if not cols:
            return []
        fixed = [_length(c, "width", width, 0.0) if c.attr("width") else None for c in cols]
        rest = width - sum(w for w in fixed if w is not None)
        free = sum(1 for w in fixed if w is None)
        widths = [w if w is not None else max(rest, 0.0) / free for w in fixed]
        laid: list[tuple[float, list[_Item]]] = []
        for col, col_width in zip(cols, widths, strict=True):
            col_defaults = _Defaults(
                size=_number(col, "size", defaults.size),
                align=_align(col, "left"),
                balance=_flag(col, "balance", False),
            )
            laid.append((col_width, self._blocks(col, col_width, col_defaults, loose=True)))
        height = max(sum(i.height for i in items) for _, items in laid)
        before, after = _number(node, "before", 0.0), _number(node, "after", 1.0)

        def draw(x: float, y: float) -> None:
            col_x = x
            for col_width, items in laid:
                top = y
                for item in items:
                    item.draw(col_x, top)
                    top += item.height
                col_x += col_width

        items = [self._space(before)] if before else []
        items.append(_Item(height, draw))
        if after:
            items.append(self._space(after))
        return items

    def _table(self, node: Node, width: float, defaults: _Defaults) -> list[_Item]:
        rows = node.elements()
        size = _number(node, "size", defaults.size - 1)
        spans = [[max(1, int(_number(c, "colspan", 1))) for c in r.elements()] for r in rows]
        ncols = max((sum(s) for s in spans), default=0)
        raw = node.attr("widths").replace(";", ",").split(",") if node.attr("widths") else []
        try:
            weights = [float(w) for w in raw if w.strip()] or [1.0] * ncols
        except ValueError:
            raise MarkupError(
                f"widths của <table> (dòng {node.line}) phải là các số cách nhau bởi dấu phẩy."
            ) from None
        if any(w <= 0 for w in weights):
            raise MarkupError(f"widths của <table> (dòng {node.line}) phải là các số dương.")
        for row, row_spans in zip(rows, spans, strict=True):
            if sum(row_spans) != len(weights):
                raise MarkupError(
                    f"Dòng bảng (dòng {row.line}) có {sum(row_spans)} cột, "
                    f"bảng có {len(weights)} cột (widths)."
                )
        col_widths = [width * w / sum(weights) for w in weights]
        header: list[_Item] = []
        items: list[_Item] = []
        in_header = True
        for row, row_spans in zip(rows, spans, strict=True):
            cells = row.elements()
            in_header = in_header and all(c.tag == "th" for c in cells)
            item = self._table_row(cells, row_spans, col_widths, size)
            if in_header:
                item.keep_with_next = True
                header.append(item)
            else:
                item.header = header
            items.append(item)
        before, after = _number(node, "before", 1.0), _number(node, "after", 1.5)
        return (
            ([self._space(before)] if before else [])
            + items
            + ([self._space(after)] if after else [])
        )

    def _table_row(
        self, cells: list[Node], spans: list[int], col_widths: list[float], size: float
    ) -> _Item:
        laid: list[tuple[float, list[_Line], str]] = []
        col = 0
        for cell, span in zip(cells, spans, strict=True):
            cell_width = sum(col_widths[col : col + span])
            col += span
            style = Style(size=size, bold=cell.tag == "th")
            align = _align(cell, "center" if cell.tag == "th" else "left")
            lines = self._lines(cell, cell_width - 2 * CELL_PAD_X, style)
            laid.append((cell_width, lines, align))
        height = max(sum(ln.height for ln in lines) for _, lines, _ in laid) + 2 * CELL_PAD_Y

        def draw(x: float, y: float) -> None:
            self.pdf.set_line_width(0.2)
            cell_x = x
            for cell_width, lines, align in laid:
                self.pdf.rect(cell_x, y, cell_width, height)
                text_height = sum(ln.height for ln in lines)
                top = y + (height - text_height) / 2
                for ln in lines:
                    self._draw_line(
                        ln, cell_x + CELL_PAD_X, top, cell_width - 2 * CELL_PAD_X, align
                    )
                    top += ln.height
                cell_x += cell_width

        return _Item(height, draw)

    # -- flow -------------------------------------------------------------------------------

    def _blocks(
        self, parent: Node, width: float, defaults: _Defaults, *, loose: bool = False
    ) -> list[_Item]:
        """Lay out the blocks of ``parent``; with ``loose``, inline content forms paragraphs."""
        items: list[_Item] = []
        pending = Node("p", line=parent.line)

        def flush_inline() -> None:
            nonlocal pending
            if any(isinstance(c, Node) or c.strip() for c in pending.children):
                items.extend(self._paragraph(pending, width, defaults))
            pending = Node("p", line=parent.line)

        for child in parent.children:
            if isinstance(child, str) or child.tag in INLINE_TAGS:
                if loose:
                    pending.children.append(child)
                continue
            flush_inline()
            if child.tag in ("p", "h1", "h2"):
                items.extend(self._paragraph(child, width, defaults))
            elif child.tag == "row":
                items.extend(self._columns(child, width, defaults))
            elif child.tag == "table":
                items.extend(self._table(child, width, defaults))
            elif child.tag == "hr":
                items.extend(self._rule(child, width, defaults))
            elif child.tag == "qr":
                items.extend(self._qr(child, width, defaults))
            elif child.tag == "space":
                items.append(self._space(_number(child, "h", 4.0)))
            elif child.tag == "pagebreak":
                items.append(_Item(0.0, lambda x, y: None, page_break=True))
        flush_inline()
        return items

    def _paginate(self, items: list[_Item]) -> None:
        pdf = self.pdf
        top, _right, bottom, left = self.margins
        limit = pdf.h - bottom
        y = top
        pdf.add_page()
        for index, item in enumerate(items):
            if item.page_break:
                pdf.add_page()
                y = top
                continue
            if item.discardable and y <= top + 0.01:
                continue
            group = item.height
            ahead = index
            while items[ahead].keep_with_next and ahead + 1 < len(items):
                ahead += 1
                group += items[ahead].height
            if group <= limit - top and y + group > limit + 0.01 and y > top + 0.01:
                pdf.add_page()
                y = top
                if item.discardable:
                    continue
                for head in item.header:
                    head.draw(left, y)
                    y += head.height
            if y + item.height > limit + 0.01 and y > top + 0.01:
                if item.discardable:
                    continue
                pdf.add_page()
                y = top
                for head in item.header:
                    head.draw(left, y)
                    y += head.height
            item.draw(left, y)
            y += item.height

    def _run(self, page_total: int | None) -> _Pdf:
        self.pdf = self._new_pdf(page_total)
        _top, right, _bottom, left = self.margins
        width = self.pdf.w - left - right
        items = self._blocks(self.document, width, _Defaults(size=self.size))
        self._paginate(items)
        return self.pdf

    def render(self) -> bytes:
        first = self._run(None)
        pages = first.pages_count
        if pages > 1:  # number the pages only when there is more than one
            return bytes(self._run(pages).output())
        return bytes(first.output())


def render_markup(markup: str) -> bytes:
    """Parse the markup and return the PDF (raises ``MarkupError`` on invalid markup)."""
    return Renderer(parse(markup)).render()
