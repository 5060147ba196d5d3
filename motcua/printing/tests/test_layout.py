"""The markup and the layout engine, without Django or a database."""

from __future__ import annotations

import logging
import unicodedata
import warnings

import pytest

from motcua.printing import formatting
from motcua.printing.markup import MarkupError, parse
from motcua.printing.pdf import MissingGlyphWarning, missing_glyphs, render_markup
from motcua.printing.samples import at

from .helpers import one_line, page_count, pdf_text, without_missing_glyphs

BASES = "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY"
MARKS = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
VIETNAMESE = [unicodedata.normalize("NFC", b + m) for b in BASES for m in MARKS] + ["đ", "Đ"]


def test_every_vietnamese_letter_is_in_the_regular_and_bold_faces() -> None:
    assert len(VIETNAMESE) == 146
    assert missing_glyphs("".join(VIETNAMESE)) == set()
    assert missing_glyphs("".join(VIETNAMESE), bold=True) == set()


@pytest.mark.parametrize("wrap", ["{}", "<b>{}</b>", "<i>{}</i>", "<b><i>{}</i></b>", "<u>{}</u>"])
def test_vietnamese_text_prints_and_reads_back_in_every_style(
    wrap: str, caplog: pytest.LogCaptureFixture
) -> None:
    words = " ".join(VIETNAMESE)
    with caplog.at_level(logging.WARNING, logger="fpdf"):
        data = without_missing_glyphs(lambda: render_markup(f"<p>{wrap.format(words)}</p>"))
    assert not [r for r in caplog.records if "missing" in r.getMessage()]
    assert one_line(pdf_text(data)) == words


def test_decomposed_input_is_printed_composed() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hồng Nhung")
    assert decomposed != "Nguyễn Thị Hồng Nhung"
    data = without_missing_glyphs(lambda: render_markup(f"<p>{decomposed}</p>"))
    assert "Nguyễn Thị Hồng Nhung" in pdf_text(data)


def test_a_character_the_font_lacks_is_reported() -> None:
    with pytest.warns(MissingGlyphWarning, match="U\\+6F22"):
        render_markup("<p>Chữ Hán: 漢</p>")


def test_entities_are_decoded_and_long_words_are_cut() -> None:
    url = "https://motcua.example.vn/tra-cuu?code=H01.12-250124-0001&amp;lang=vi" * 3
    data = render_markup(f"<p>Công ty TNHH A &amp; B</p><row><col width='30mm'>{url}</col></row>")
    text = pdf_text(data)
    assert "Công ty TNHH A & B" in text
    assert "&amp;" not in text
    assert len(text.splitlines()) > 4  # the URL was cut to fit 30 mm


def test_pages_are_numbered_only_when_there_are_several() -> None:
    single = render_markup("<p>Một trang</p>")
    assert page_count(single) == 1
    assert "Trang 1" not in pdf_text(single)
    rows = "".join(f"<tr><td>{i}</td><td>Hồ sơ số {i}</td></tr>" for i in range(1, 80))
    data = render_markup(f"<table widths='1,4'><tr><th>TT</th><th>Nội dung</th></tr>{rows}</table>")
    pages = page_count(data)
    assert pages >= 2
    text = pdf_text(data)
    assert f"Trang 1/{pages}" in text and f"Trang {pages}/{pages}" in text
    # The table heading repeats on every page.
    assert text.count("Nội dung") == pages


def test_landscape_and_margins() -> None:
    data = render_markup('<document orientation="landscape" margin="10"><p>Sổ</p></document>')
    import io

    import pypdf

    box = pypdf.PdfReader(io.BytesIO(data)).pages[0].mediabox
    assert float(box.width) > float(box.height)


@pytest.mark.parametrize(
    ("markup", "message"),
    [
        ("<script>alert(1)</script>", "không được hỗ trợ"),
        ("<p>mở mà không đóng", "chưa được đóng"),
        ("<p>a</b>", "không khớp"),
        ("chữ nằm ngoài", "Không đặt được văn bản"),
        ('<p color="red">a</p>', "không có thuộc tính"),
        ("<table><p>a</p></table>", "Không đặt được <p> trong <table>"),
        ("", "không có nội dung"),
    ],
)
def test_invalid_markup_is_refused_with_a_vietnamese_message(markup: str, message: str) -> None:
    with pytest.raises(MarkupError, match=message):
        parse(markup)


@pytest.mark.parametrize(
    ("markup", "message"),
    [
        ('<p size="lớn">a</p>', "phải là một số"),
        ('<p align="middle">a</p>', "left, center, right"),
        ("<table widths='1,2'><tr><td>a</td></tr></table>", "có 1 cột, bảng có 2 cột"),
        ('<document margin="a b"><p>x</p></document>', "margin"),
    ],
)
def test_invalid_attributes_are_refused(markup: str, message: str) -> None:
    with pytest.raises(MarkupError, match=message):
        render_markup(markup)


def test_vietnamese_dates_and_times_in_ho_chi_minh_time() -> None:
    from datetime import UTC, datetime

    instant = datetime(2025, 1, 24, 9, 30, tzinfo=UTC)  # 16:30 in Vietnam
    assert formatting.datetime_long(instant) == "16 giờ 30 phút, ngày 24/01/2025"
    assert formatting.datetime_short(instant) == "16:30 ngày 24/01/2025"
    assert formatting.date_long(instant) == "ngày 24 tháng 01 năm 2025"
    assert formatting.date_short(at(2025, 2, 5, 17)) == "05/02/2025"
    with pytest.raises(ValueError, match="múi giờ"):
        formatting.datetime_long(datetime(2025, 1, 24, 16, 30))


def test_no_warning_escapes_a_normal_render() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        render_markup("<h1>TIÊU ĐỀ</h1><p>Nội dung <i>nghiêng</i> và <b>đậm</b>.</p>")
