"""Reading back what the renderer produced: text, pages, images."""

from __future__ import annotations

import io
import unicodedata
import warnings
from collections.abc import Callable
from typing import TypeVar

import pypdf
import pypdfium2 as pdfium

from motcua.printing.pdf import MissingGlyphWarning

T = TypeVar("T")


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in reader.pages))


def page_count(data: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


def one_line(text: str) -> str:
    """Extracted text with line breaks as spaces (a value may wrap across lines)."""
    return " ".join(text.split())


def page_image(data: bytes, page: int = 0, scale: float = 3.0):  # type: ignore[no-untyped-def]
    document = pdfium.PdfDocument(data)
    try:
        return document[page].render(scale=scale).to_pil()
    finally:
        document.close()


def without_missing_glyphs(build: Callable[[], T]) -> T:
    """Run ``build`` and fail on any missing-glyph warning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = build()
    missing = [str(w.message) for w in caught if issubclass(w.category, MissingGlyphWarning)]
    assert not missing, missing
    return result
