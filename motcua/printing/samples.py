"""Sample data for previews, the ``render_form`` command and tests.

Every person, address, phone number and identity number here is fictional.
The dossier was received on Friday 24/01/2025 at 16:30, after the 15:00 cut-off and on
the eve of Tết, so its 3 working days run to 17:00 on 05/02/2025.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from motcua.printing.context import (
    AgencyInfo,
    ApologyContext,
    ControlSlipContext,
    DocumentLine,
    FormContext,
    HandoverLine,
    PersonInfo,
    ReceiptContext,
    RefusalContext,
    RegisterContext,
    RegisterRow,
    StopNoticeContext,
    SupplementContext,
    SupplementItem,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")

DOSSIER_CODE = "H01.12-250124-0001"
PROCEDURE = "Đăng ký thành lập hộ kinh doanh"
LOOKUP_URL = "https://motcua.example.vn/tra-cuu?code=H01.12-250124-0001"


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN)


RECEIVED = at(2025, 1, 24, 16, 30)
DUE = at(2025, 2, 5, 17, 0)

AGENCY = AgencyInfo(
    name="TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
    parent_name="UBND TỈNH AN GIANG",
    text_name="Trung tâm Phục vụ hành chính công tỉnh An Giang",
    address="Số 12 đường Lê Lợi, phường Long Xuyên, tỉnh An Giang",
    phone="0296 3 123 456",
    place="An Giang",
    head_title="GIÁM ĐỐC",
)

APPLICANT = PersonInfo(
    name="Nguyễn Thị Hồng Nhung",
    address="Số 25, ấp Mỹ Thạnh, xã Mỹ Hòa Hưng, tỉnh An Giang",
    phone="0912 345 678",
    email="hongnhung.mau@example.vn",
    id_number="089300001234",
)


def receipt() -> ReceiptContext:
    return ReceiptContext(
        agency=AGENCY,
        dossier_code=DOSSIER_CODE,
        applicant=APPLICANT,
        procedure_name=PROCEDURE,
        documents=[
            DocumentLine("Giấy đề nghị đăng ký hộ kinh doanh", "original", 1),
            DocumentLine(
                "Căn cước của chủ hộ kinh doanh và các thành viên hộ gia đình",
                "certified_copy",
                2,
            ),
            DocumentLine(
                "Biên bản họp thành viên hộ gia đình về việc thành lập hộ kinh doanh",
                "original",
                1,
            ),
            DocumentLine("Giấy ủy quyền cho thành viên làm chủ hộ kinh doanh", "photocopy", 1),
        ],
        sets_count=1,
        legal_time_text="03 ngày làm việc",
        received_at=RECEIVED,
        appointment_at=DUE,
        collect_at="Quầy số 5, Trung tâm Phục vụ hành chính công tỉnh An Giang",
        register_number="Quyển số 01/2025, số thứ tự 0001",
        receiving_officer="Trần Văn Đức",
        lookup_url=LOOKUP_URL,
    )


def supplement() -> SupplementContext:
    return SupplementContext(
        agency=AGENCY,
        dossier_code=DOSSIER_CODE,
        applicant=APPLICANT,
        procedure_name=PROCEDURE,
        received_at=RECEIVED,
        issued_at=at(2025, 1, 24, 16, 45),
        items=[
            SupplementItem(
                "Biên bản họp thành viên hộ gia đình",
                "Thiếu chữ ký của thành viên Lê Thị Ngọc Hương",
            ),
            SupplementItem(
                "Giấy ủy quyền cho thành viên làm chủ hộ kinh doanh",
                "Nộp bản chụp; cần bản chính hoặc bản sao có chứng thực",
            ),
        ],
        guide_contact="Bộ phận Một cửa, quầy số 5, điện thoại 0296 3 123 456",
        officer="Trần Văn Đức",
        deadline_text="trong thời hạn 05 ngày làm việc kể từ ngày nhận Phiếu này",
    )


def refusal() -> RefusalContext:
    return RefusalContext(
        agency=AGENCY,
        dossier_code=DOSSIER_CODE,
        applicant=APPLICANT,
        procedure_name=PROCEDURE,
        received_at=RECEIVED,
        issued_at=at(2025, 1, 24, 16, 50),
        reasons=[
            "Ngành, nghề đăng ký thuộc danh mục ngành, nghề cấm đầu tư kinh doanh.",
            "Tên hộ kinh doanh trùng với tên hộ kinh doanh đã đăng ký trong phạm vi xã.",
        ],
        officer="Trần Văn Đức",
    )


def apology() -> ApologyContext:
    return ApologyContext(
        agency=AGENCY,
        dossier_code=DOSSIER_CODE,
        applicant=APPLICANT,
        procedure_name=PROCEDURE,
        received_at=RECEIVED,
        original_due=DUE,
        new_due=at(2025, 2, 7, 16, 0),
        issued_at=at(2025, 2, 4, 9, 0),
        reason=(
            "Cần xác minh thông tin về địa điểm kinh doanh với Ủy ban nhân dân xã Mỹ Hòa Hưng."
        ),
        signer="Phạm Quốc Việt",
        document_number="15/TB-TTPVHCC",
    )


def stop_notice() -> StopNoticeContext:
    return StopNoticeContext(
        agency=AGENCY,
        dossier_code=DOSSIER_CODE,
        applicant=APPLICANT,
        procedure_name=PROCEDURE,
        received_at=RECEIVED,
        requested_at=at(2025, 2, 3, 10, 15),
        issued_at=at(2025, 2, 3, 14, 0),
        reason="Người nộp hồ sơ có đơn đề nghị rút hồ sơ để bổ sung ngành, nghề kinh doanh.",
        signer="Phạm Quốc Việt",
        document_number="16/TB-TTPVHCC",
    )


def control_slip() -> ControlSlipContext:
    return ControlSlipContext(
        agency=AGENCY,
        dossier_code=DOSSIER_CODE,
        procedure_name=PROCEDURE,
        applicant_name=APPLICANT.name,
        received_at=RECEIVED,
        appointment_at=DUE,
        handovers=[
            HandoverLine(
                "Bộ phận Một cửa",
                "Phòng Kinh tế",
                at(2025, 2, 3, 7, 45),
                giver="Trần Văn Đức",
                receiver="Huỳnh Thị Kiều Oanh",
                timeliness="early",
            ),
            HandoverLine(
                "Phòng Kinh tế",
                "Lãnh đạo UBND xã",
                at(2025, 2, 4, 15, 30),
                giver="Huỳnh Thị Kiều Oanh",
                receiver="Võ Minh Triết",
                timeliness="on_time",
            ),
            HandoverLine(
                "Lãnh đạo UBND xã",
                "Bộ phận Một cửa",
                at(2025, 2, 6, 8, 10),
                giver="Võ Minh Triết",
                receiver="Đặng Thị Mỹ Duyên",
                timeliness="late",
                note="Chờ xác minh địa điểm kinh doanh",
            ),
        ],
    )


# (applicant, procedure, received, appointment, returned, status, note)
_REGISTER: list[tuple[str, str, datetime, datetime, datetime | None, str, str]] = [
    (
        "Nguyễn Thị Hồng Nhung",
        PROCEDURE,
        at(2025, 1, 20, 8, 5),
        at(2025, 1, 23, 8, 5),
        at(2025, 1, 22, 15, 10),
        "Đã trả kết quả",
        "Trước hạn",
    ),
    (
        "Lê Thị Ngọc Hương",
        "Cấp bản sao trích lục hộ tịch",
        at(2025, 1, 20, 9, 40),
        at(2025, 1, 20, 16, 0),
        at(2025, 1, 20, 15, 30),
        "Đã trả kết quả",
        "Nộp trực tuyến",
    ),
    (
        "Phạm Quốc Việt",
        "Đăng ký khai sinh",
        at(2025, 1, 21, 10, 15),
        at(2025, 1, 22, 10, 15),
        at(2025, 1, 22, 9, 0),
        "Đã trả kết quả",
        "",
    ),
    (
        "Huỳnh Thị Kiều Oanh",
        "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
        at(2025, 1, 22, 14, 20),
        at(2025, 1, 23, 10, 0),
        at(2025, 1, 23, 9, 30),
        "Đã trả kết quả",
        "",
    ),
    (
        "Võ Minh Triết",
        "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh",
        at(2025, 1, 22, 15, 45),
        at(2025, 2, 5, 17, 0),
        None,
        "Chờ bổ sung",
        "Đã yêu cầu bổ sung",
    ),
    (
        "Đặng Thị Mỹ Duyên",
        PROCEDURE,
        at(2025, 1, 23, 8, 30),
        at(2025, 1, 24, 16, 0),
        at(2025, 2, 4, 10, 0),
        "Đã trả kết quả",
        "Trễ hạn, đã xin lỗi",
    ),
    (
        "Trương Gia Bảo",
        "Cấp bản sao trích lục hộ tịch",
        at(2025, 1, 24, 9, 10),
        at(2025, 1, 24, 16, 0),
        None,
        "Đang giải quyết",
        "Nộp qua bưu chính",
    ),
    ("Dương Văn Lực", PROCEDURE, RECEIVED, DUE, None, "Đang giải quyết", ""),
]


def register() -> RegisterContext:
    rows = []
    per_day: dict[date, int] = {}
    for i, (applicant, procedure, received, due, returned, status, note) in enumerate(
        _REGISTER, start=1
    ):
        day = received.date()
        per_day[day] = per_day.get(day, 0) + 1  # the code's sequence restarts each day
        rows.append(
            RegisterRow(
                seq=i,
                dossier_code=f"H01.12-{received:%y%m%d}-{per_day[day]:04d}",
                applicant=applicant,
                procedure=procedure,
                received_at=received,
                appointment_at=due,
                returned_at=returned,
                status=status,
                note=note,
            )
        )
    return RegisterContext(
        agency=AGENCY,
        date_from=date(2025, 1, 20),
        date_to=date(2025, 1, 24),
        rows=rows,
        book_number="01/2025",
    )


SAMPLES: dict[str, Callable[[], FormContext]] = {
    "01": receipt,
    "02": supplement,
    "03": refusal,
    "04": apology,
    "05": stop_notice,
    "06": control_slip,
    "07": register,
}


def sample_context(code: str) -> FormContext:
    """Fictional data for form ``code`` ("01" … "07")."""
    return SAMPLES[code]()
