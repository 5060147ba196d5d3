"""Pure rules: folding, search keys, derived facts, local deadline limits."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.catalog import rules

VIETNAMESE = "aàáảãạăằắẳẵặâầấẩẫậđeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵ"


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đăng ký khai sinh", "dang ky khai sinh"),
        ("ĐĂNG KÝ KẾT HÔN", "dang ky ket hon"),
        ("đường   ngang\t\n", "duong ngang"),
        ("Thủ tục  cấp  Giấy phép", "thu tuc cap giay phep"),
        ("Hộ tịch", "ho tich"),
        ("1.001193", "1.001193"),
        ("", ""),
        (None, ""),
    ],
)
def test_it_folds_diacritics_case_and_whitespace(text: str | None, folded: str) -> None:
    assert rules.fold(text) == folded


def test_it_folds_d_with_stroke_both_cases() -> None:
    assert rules.fold("Đ") == "d"
    assert rules.fold("đ") == "d"
    assert rules.fold("Đồng Đăng") == "dong dang"


def test_it_folds_nfc_and_nfd_input_alike() -> None:
    text = "Chứng thực bản sao từ bản chính, Đắk Lắk, Quảng Ngãi"
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text
    assert (
        rules.fold(nfd)
        == rules.fold(text)
        == "chung thuc ban sao tu ban chinh, dak lak, quang ngai"
    )


@given(st.text(alphabet=VIETNAMESE + VIETNAMESE.upper() + " \t"))
def test_folded_vietnamese_is_plain_ascii_and_stable(text: str) -> None:
    folded = rules.fold(text)
    assert folded.isascii()
    assert rules.fold(folded) == folded
    assert folded == rules.fold(unicodedata.normalize("NFD", text))
    assert "  " not in folded and folded == folded.strip()


@given(st.text())
def test_fold_never_fails_and_is_idempotent(text: str) -> None:
    assert rules.fold(rules.fold(text)) == rules.fold(text)


def test_search_key_drops_punctuation_and_spells_ky_and_ki_alike() -> None:
    assert rules.search_key("Đăng ký (lại) khai sinh, kết hôn.") == "dang ki lai khai sinh ket hon"
    assert rules.search_key("đăng kí") == rules.search_key("đăng ký")
    assert rules.search_key("Công ty; Mỹ; lý lịch") == "cong ti mi li lich"
    # A real diphthong and a lone "y" stay as they are.
    assert (
        rules.search_key("quy định, tùy thân, y tế, huy động") == "quy dinh tuy than y te huy dong"
    )


def test_query_terms_are_unique_and_bounded() -> None:
    assert rules.query_terms("Đăng ký  đăng ký khai sinh") == ["dang", "ki", "khai", "sinh"]
    assert len(rules.query_terms(" ".join(f"w{i}" for i in range(50)))) == rules.MAX_QUERY_TERMS
    assert rules.query_terms("  ,;  ") == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("1.001193", True),
        (" 1.001193 ", True),
        ("1.0011", True),
        ("1.008377.000.00.00.H13", True),
        ("1.", False),
        ("1", False),
        ("dang ky", False),
        ("", False),
        (None, False),
    ],
)
def test_it_recognises_codes(query: str | None, expected: bool) -> None:
    assert rules.looks_like_code(query) is expected


def test_procedure_search_text_is_space_padded_words() -> None:
    text = rules.procedure_search_text(
        code="1.001193", name="Thủ tục đăng ký khai sinh", keywords=None, field_name="Hộ tịch"
    )
    assert text == " 1 001193 thu tuc dang ki khai sinh ho tich "


@pytest.mark.parametrize(
    ("channels", "has_detail", "expected"),
    [
        ([("online", None), ("direct", None)], True, rules.FULL_ONLINE),
        ([("direct", "Nộp hồ sơ trực tuyến trên Cổng dịch vụ công")], True, rules.PARTIAL_ONLINE),
        ([("direct", None), ("postal", "Gửi qua bưu điện")], True, rules.NOT_ONLINE),
        ([], True, rules.NOT_ONLINE),
        (None, True, rules.UNKNOWN_ONLINE),
        ([("online", None)], False, rules.UNKNOWN_ONLINE),
    ],
)
def test_online_level_is_derived_from_channels(
    channels: list[tuple[str, str | None]] | None, has_detail: bool, expected: str
) -> None:
    assert rules.derive_online_level(channels, has_detail=has_detail) == expected


def test_postal_return_and_interconnection_are_read_from_text() -> None:
    assert rules.offers_postal_return(["+ Trả kết quả qua dịch vụ bưu chính."])
    assert not rules.offers_postal_return(["Nộp hồ sơ qua dịch vụ bưu chính", None])
    assert rules.is_interconnected_name("Liên thông thủ tục hành chính về đăng ký khai sinh")
    assert not rules.is_interconnected_name(
        "Đăng ký thuế (trừ trường hợp theo cơ chế một cửa liên thông)"
    )


def test_national_cap_is_the_shortest_positive_limit_in_working_days() -> None:
    times = [(Decimal(5), "working_day"), (Decimal(3), None), (Decimal(0), "working_day")]
    assert rules.national_deadline_cap(times) == Decimal(3)
    assert rules.national_deadline_cap([(Decimal(16), "working_hour")]) == Decimal(2)
    assert rules.national_deadline_cap([(None, None)]) is None
    assert rules.national_deadline_cap([]) is None


def test_local_deadline_must_not_exceed_the_national_one() -> None:
    assert rules.local_deadline_error(None, Decimal(3)) is None
    assert rules.local_deadline_error(3, Decimal(3)) is None
    assert rules.local_deadline_error(2, None) is None
    message = rules.local_deadline_error(4, Decimal(3))
    assert message is not None and "không được dài hơn" in message and "3 ngày" in message
    assert rules.local_deadline_error(0, Decimal(3)) is not None


def test_shortest_time_compares_units() -> None:
    times = [(Decimal(2), "working_day"), (Decimal(8), "hour"), (None, None), (Decimal(0), None)]
    assert rules.shortest_time_index(times) == 1
    assert rules.shortest_time_index([(None, None)]) is None


def test_abbreviations_are_spelt_out() -> None:
    assert rules.query_terms("Cấp lại CCCD") == ["cap", "lai", "can", "cuoc"]
    assert rules.query_terms("qsdđ") == ["quyen", "su", "dung", "dat"]
    assert rules.query_terms("lltp số 2") == ["li", "lich", "tu", "phap", "so", "2"]


@pytest.mark.parametrize(
    ("has_detail", "offers", "accepts"),
    [(True, True, True), (True, False, False), (False, False, None), (False, True, None)],
)
def test_postal_filing_is_what_the_procedure_page_says(
    has_detail: bool, offers: bool, accepts: bool | None
) -> None:
    assert (
        rules.accepts_postal_submission(has_detail=has_detail, offers_postal_submission=offers)
        is accepts
    )


def test_filing_in_person_needs_a_direct_row() -> None:
    assert rules.accepts_direct_submission(["online", "direct"], has_detail=True) is True
    assert rules.accepts_direct_submission(["online"], has_detail=True) is False
    assert rules.accepts_direct_submission([], has_detail=False) is None
