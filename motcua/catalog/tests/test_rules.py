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


def test_a_dossier_takes_the_process_then_the_local_then_the_national_limit() -> None:
    def limit(
        process_days: int | None = None,
        process_cutoff: bool = True,
        local_days: int | None = None,
        national_days: Decimal | None = Decimal(20),
    ) -> rules.TimeLimit | None:
        return rules.offering_time_limit(
            process_days=process_days,
            process_cutoff=process_cutoff,
            local_days=local_days,
            national_days=national_days,
        )

    assert limit(process_days=3, process_cutoff=False, local_days=5) == rules.TimeLimit(
        3, False, rules.FROM_PROCESS
    )
    assert limit(local_days=5) == rules.TimeLimit(5, True, rules.FROM_LOCAL)
    assert limit() == rules.TimeLimit(20, True, rules.FROM_NATIONAL)
    # "4 giờ" nationally: one whole working day on the receipt, never zero.
    assert limit(national_days=Decimal("0.5")) == rules.TimeLimit(1, True, rules.FROM_NATIONAL)
    assert limit(national_days=None) is None
    assert limit(national_days=Decimal(0)) is None


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


# --- Documents of an online application (rows as the national portal words them) ---

SHOWN = "Giấy tờ phải xuất trình"
HANDED_IN = "Giấy tờ phải nộp"


def _uses(*rows: tuple[str, str] | tuple[str, str, str] | rules.DocumentRow) -> list[str]:
    built = [
        row
        if isinstance(row, rules.DocumentRow)
        else rules.DocumentRow(row[0], row[1], row[2] if len(row) > 2 else "", 1, 0)
        for row in rows
    ]
    return rules.online_document_uses(built)


@pytest.mark.parametrize(
    ("group", "name", "use"),
    [
        (
            HANDED_IN,
            "Giấy chứng sinh; trường hợp không có Giấy chứng sinh thì nộp văn bản "
            "của người làm chứng xác nhận về việc sinh",
            rules.DOCUMENT_REQUIRED,
        ),
        (
            "",
            "Tờ khai đăng ký kết hôn theo mẫu, có đủ thông tin của hai bên nam, nữ",
            rules.DOCUMENT_REQUIRED,
        ),
        (
            SHOWN,
            "Hộ chiếu/Thẻ căn cước công dân/Thẻ căn cước/Căn cước điện tử",
            rules.DOCUMENT_IN_PERSON,
        ),
        (
            "Người yêu cầu chứng thực phải xuất trình các giấy tờ sau",
            "Giấy tờ, văn bản mà mình sẽ yêu cầu chứng thực chữ ký",
            rules.DOCUMENT_IN_PERSON,
        ),
        (
            "Công dân đã được cấp thẻ Căn cước công dân gắn chip",
            "Xuất trình thẻ Căn cước công dân gắn chip điện tử",
            rules.DOCUMENT_IN_PERSON,
        ),
        (
            "",
            "Tờ khai đăng ký khai tử theo mẫu (nếu người có yêu cầu lựa chọn nộp hồ sơ theo "
            "hình thức trực tiếp)",
            rules.DOCUMENT_IN_PERSON,
        ),
        (
            "",
            "Tờ khai đăng ký khai sinh theo mẫu (nếu người có yêu cầu lựa chọn nộp hồ sơ theo "
            "hình thức trực tiếp hoặc gửi hồ sơ qua hệ thống bưu chính)",
            rules.DOCUMENT_IN_PERSON,
        ),
        (
            "",
            "Tờ khai đăng ký khai sinh theo mẫu (nếu người có yêu cầu lựa chọn nộp hồ sơ theo "
            "hình thức trực tuyến hoặc gửi hồ sơ qua hệ thống bưu chính)",
            rules.DOCUMENT_REQUIRED,
        ),
        ("Nộp trực tiếp", "Đơn đề nghị", rules.DOCUMENT_IN_PERSON),
        ("Nộp theo phương thức điện tử", "Đơn đề nghị", rules.DOCUMENT_REQUIRED),
        (
            HANDED_IN,
            "Trường hợp trẻ em bị bỏ rơi thì phải có biên bản về việc trẻ bị bỏ rơi",
            rules.DOCUMENT_OPTIONAL,
        ),
        (
            HANDED_IN,
            "Văn bản ủy quyền (được chứng thực) theo quy định của pháp luật trong "
            "trường hợp ủy quyền thực hiện việc đăng ký khai sinh",
            rules.DOCUMENT_OPTIONAL,
        ),
        ("", "Mảnh trích đo bản đồ địa chính thửa đất (nếu có)", rules.DOCUMENT_OPTIONAL),
        (
            "(1.1) Đối với công trình không theo tuyến",
            "Đơn đề nghị cấp giấy phép xây dựng",
            rules.DOCUMENT_OPTIONAL,
        ),
        (
            "Trường hợp ủy quyền thực hiện thủ tục thì hồ sơ phải kèm theo một trong những giấy "
            "tờ sau",
            "(i) Văn bản ủy quyền cho cá nhân",
            rules.DOCUMENT_OPTIONAL,
        ),
        (
            "Lưu ý",
            "Giấy tờ do cơ quan có thẩm quyền của nước ngoài cấp phải được hợp pháp hóa lãnh sự",
            rules.DOCUMENT_OPTIONAL,
        ),
    ],
)
def test_what_an_online_application_asks_of_each_row(group: str, name: str, use: str) -> None:
    assert _uses((group, name)) == [use]


def test_a_row_without_originals_or_copies_is_a_remark() -> None:
    row = rules.DocumentRow("Lưu ý", "Bản chụp phải bảo đảm rõ nét, đầy đủ", "", 0, 0)
    assert rules.online_document_uses([row]) == [rules.DOCUMENT_REMARK]


def test_a_note_saying_if_any_makes_the_row_optional() -> None:
    assert _uses(("", "Sơ đồ vị trí thửa đất", "Nộp kèm theo (nếu có)")) == [
        rules.DOCUMENT_OPTIONAL
    ]


def test_rows_joined_by_or_are_alternatives() -> None:
    assert _uses(
        ("", "Giấy chứng nhận quyền sử dụng đất; hoặc"), ("", "Hoặc hợp đồng thuê đất")
    ) == [
        rules.DOCUMENT_OPTIONAL,
        rules.DOCUMENT_OPTIONAL,
    ]


def test_the_cases_of_a_procedure_are_alternatives_but_a_single_list_is_not() -> None:
    own = "Đăng ký thường trú vào chỗ ở hợp pháp thuộc quyền sở hữu của mình"
    rented = "Đăng ký thường trú vào chỗ ở hợp pháp do thuê, mượn, ở nhờ"
    assert _uses((own, "Tờ khai CT01"), (rented, "Hợp đồng thuê nhà")) == [
        rules.DOCUMENT_OPTIONAL,
        rules.DOCUMENT_OPTIONAL,
    ]
    assert _uses((HANDED_IN, "Tờ khai"), ("Hồ sơ gồm", "Giấy chứng sinh"), (SHOWN, "CCCD")) == [
        rules.DOCUMENT_REQUIRED,
        rules.DOCUMENT_REQUIRED,
        rules.DOCUMENT_IN_PERSON,
    ]
    # One case group alone is the list itself.
    assert _uses(("Hồ sơ đăng ký tạm trú", "Tờ khai CT01")) == [rules.DOCUMENT_REQUIRED]


def test_missing_documents_are_the_required_ones_without_a_file() -> None:
    uses = {1: rules.DOCUMENT_REQUIRED, 2: rules.DOCUMENT_OPTIONAL, 3: rules.DOCUMENT_REQUIRED}
    assert rules.missing_documents(uses, [3]) == [1]
    assert rules.missing_documents(uses, [1, 3]) == []
    assert rules.missing_documents(uses, []) == [1, 3]


def test_the_missing_document_message_names_it_briefly() -> None:
    assert "«Giấy chứng sinh»" in rules.missing_document_message("Giấy chứng sinh")
    long = rules.missing_document_message("Giấy tờ " * 60)
    assert "…»" in long and len(long) < 180
