"""What each printed form shows: frozen dataclasses of plain values.

The dossier service builds these from the database; the printing app never queries
dossiers. Every instant is an aware ``datetime`` (printed in Asia/Ho_Chi_Minh); lists
given for the sequence fields are stored as tuples so that a context stays immutable.

Personal data (identity number, address, phone, e-mail) travels only in contexts of forms
addressed to that applicant (01 to 05). The control slip (06) and the register (07) are
internal papers: they carry the applicant's name only.

Field lists follow forms deployed under Circular 03/2025/TT-VPCP, Appendix I; they are
[unverified] against the appendix itself, which is why each form's layout is an editable
template (see ``FormTemplate``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

DocumentKind = Literal["original", "copy", "certified_copy", "photocopy", "electronic"]
Timeliness = Literal["early", "on_time", "late"]

DOCUMENT_KINDS: dict[str, str] = {
    "original": "Bản chính",
    "copy": "Bản sao",
    "certified_copy": "Bản sao có chứng thực",
    "photocopy": "Bản chụp",
    "electronic": "Bản điện tử",
}
TIMELINESS: dict[str, str] = {
    "early": "Trước hạn",
    "on_time": "Đúng hạn",
    "late": "Trễ hạn",
}


class _Plain:
    """Checks shared by every context: sequences become tuples, instants must be aware."""

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value: Any = getattr(self, f.name)
            if isinstance(value, list):
                object.__setattr__(self, f.name, tuple(value))
            elif isinstance(value, datetime) and value.utcoffset() is None:
                raise ValueError(
                    f"{type(self).__name__}.{f.name}: thời điểm phải có múi giờ (aware datetime)"
                )


@dataclass(frozen=True)
class AgencyInfo(_Plain):
    """The issuing agency as printed in the top-left block."""

    name: str  # as in the header, e.g. "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG"
    parent_name: str = ""  # e.g. "UBND TỈNH AN GIANG"
    text_name: str = ""  # inside a sentence: "Trung tâm Phục vụ hành chính công tỉnh An Giang"
    address: str = ""
    phone: str = ""
    place: str = ""  # the place in the dated line: "An Giang, ngày … tháng … năm …"
    head_title: str = "THỦ TRƯỞNG CƠ QUAN"  # the signer's title on notices (04, 05)

    @property
    def name_in_text(self) -> str:
        return self.text_name or self.name


@dataclass(frozen=True)
class PersonInfo(_Plain):
    """The applicant (a person or an organisation's representative)."""

    name: str
    address: str = ""
    phone: str = ""
    email: str = ""
    id_number: str = ""  # personal identity number (CCCD) or the organisation's code


@dataclass(frozen=True)
class DocumentLine(_Plain):
    """One paper of the dossier."""

    name: str
    kind: DocumentKind = "original"
    quantity: int = 1

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.kind not in DOCUMENT_KINDS:
            raise ValueError(f"Hình thức giấy tờ không hợp lệ: {self.kind!r}")
        if self.quantity < 0:
            raise ValueError("Số lượng giấy tờ không được âm")

    @property
    def kind_text(self) -> str:
        return DOCUMENT_KINDS[self.kind]


@dataclass(frozen=True)
class ReceiptContext(_Plain):
    """Form 01: receipt and appointment slip."""

    agency: AgencyInfo
    dossier_code: str
    applicant: PersonInfo
    procedure_name: str
    received_at: datetime
    appointment_at: datetime  # the appointment in force
    documents: Sequence[DocumentLine] = ()
    sets_count: int = 1
    legal_time_text: str = ""  # e.g. "3 ngày làm việc"
    collect_at: str = ""  # where the result is collected
    register_number: str = ""  # book and number in the dossier register
    receiving_officer: str = ""
    lookup_url: str = ""  # public status lookup of this dossier, printed as a QR code
    appointment_note: str = ""  # e.g. that the time the clock was stopped was added


@dataclass(frozen=True)
class SupplementItem(_Plain):
    """One thing to complete, and why."""

    document: str
    reason: str = ""


@dataclass(frozen=True)
class SupplementContext(_Plain):
    """Form 02: request to supplement or complete a dossier (allowed once, Decree 118 art. 11)."""

    agency: AgencyInfo
    dossier_code: str
    applicant: PersonInfo
    procedure_name: str
    received_at: datetime
    issued_at: datetime
    items: Sequence[SupplementItem] = ()
    guide_contact: str = ""  # who to ask for guidance, with phone
    officer: str = ""  # the guiding officer who signs
    deadline_text: str = ""  # e.g. "trong thời hạn 05 ngày làm việc kể từ ngày nhận phiếu"


@dataclass(frozen=True)
class RefusalContext(_Plain):
    """Form 03: refusal to receive and process a dossier, with the reasons."""

    agency: AgencyInfo
    dossier_code: str
    applicant: PersonInfo
    procedure_name: str
    received_at: datetime
    issued_at: datetime
    reasons: Sequence[str] = ()
    officer: str = ""


@dataclass(frozen=True)
class ApologyContext(_Plain):
    """Form 04: apology and new appointment for a dossier that will be late."""

    agency: AgencyInfo
    dossier_code: str
    applicant: PersonInfo
    procedure_name: str
    received_at: datetime
    original_due: datetime
    new_due: datetime
    issued_at: datetime
    reason: str = ""
    signer: str = ""  # the head of the agency
    document_number: str = ""  # e.g. "15/XL-TTPVHCC"


@dataclass(frozen=True)
class StopNoticeContext(_Plain):
    """Form 05: notice that processing stops (Decree 118 art. 21; Circular 03 art. 7)."""

    agency: AgencyInfo
    dossier_code: str
    applicant: PersonInfo
    procedure_name: str
    received_at: datetime
    requested_at: datetime  # when the applicant asked to stop or withdraw
    issued_at: datetime
    reason: str = ""
    signer: str = ""
    document_number: str = ""


@dataclass(frozen=True)
class HandoverLine(_Plain):
    """One handover of the paper dossier between units, and how that step kept time."""

    from_unit: str
    to_unit: str
    at: datetime
    giver: str = ""
    receiver: str = ""
    timeliness: Timeliness | None = None
    note: str = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.timeliness is not None and self.timeliness not in TIMELINESS:
            raise ValueError(f"Kết quả không hợp lệ: {self.timeliness!r}")

    @property
    def timeliness_text(self) -> str:
        return TIMELINESS[self.timeliness] if self.timeliness else ""


@dataclass(frozen=True)
class ControlSlipContext(_Plain):
    """Form 06: process-control slip that travels with the dossier."""

    agency: AgencyInfo
    dossier_code: str
    procedure_name: str
    applicant_name: str
    received_at: datetime
    appointment_at: datetime  # the appointment in force
    handovers: Sequence[HandoverLine] = ()
    appointment_note: str = ""  # e.g. that the time the clock was stopped was added


@dataclass(frozen=True)
class RegisterRow(_Plain):
    """One dossier in the register."""

    seq: int
    dossier_code: str
    applicant: str
    procedure: str
    received_at: datetime
    appointment_at: datetime
    returned_at: datetime | None = None
    status: str = ""
    note: str = ""
    contact: str = ""  # address, phone


@dataclass(frozen=True)
class RegisterContext(_Plain):
    """Form 07: the dossier register for a date range, one row per dossier."""

    agency: AgencyInfo
    date_from: date
    date_to: date
    rows: Sequence[RegisterRow] = ()
    book_number: str = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.date_to < self.date_from:
            raise ValueError("Khoảng ngày không hợp lệ: ngày cuối trước ngày đầu")


FormContext = (
    ReceiptContext
    | SupplementContext
    | RefusalContext
    | ApologyContext
    | StopNoticeContext
    | ControlSlipContext
    | RegisterContext
)
