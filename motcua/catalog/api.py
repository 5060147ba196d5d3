"""Procedure catalog API: ``GET /api/v1/procedures`` and ``GET /api/v1/procedures/{code}``."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.errors import HttpError, ValidationError
from pydantic import Field as SchemaField

from motcua.catalog import queries
from motcua.catalog.models import (
    LegalBasis,
    OnlineLevel,
    Procedure,
    ProcedureChannel,
    ResultDocument,
)
from motcua.core.api_json import LocalDateTime

router = Router()

LevelValue = Literal["commune", "district", "province", "ministry", "other"]
OnlineLevelValue = Literal["full_online", "partial_online", "not_online", "unknown"]


class ProcedureFilters(Schema):
    q: str = SchemaField("", max_length=200, description="từ khóa, có dấu hoặc không dấu, hoặc mã")
    field: str | None = SchemaField(None, max_length=255, description="mã rút gọn lĩnh vực")
    level: LevelValue | None = None
    agency: str | None = SchemaField(None, max_length=35, description="mã cơ quan tiếp nhận")
    online_level: OnlineLevelValue | None = None
    limit: int = SchemaField(queries.DEFAULT_LIMIT, ge=1, le=queries.MAX_LIMIT)
    offset: int = SchemaField(0, ge=0, le=1_000_000)


class ErrorOut(Schema):
    detail: str


class ChannelOut(Schema):
    channel: str
    channel_label: str
    processing_time_value: float | None
    processing_time_unit: str | None
    processing_time_text: str
    processing_time_label: str
    fee_vnd: int | None
    fee_text: str
    description: str

    @staticmethod
    def resolve_channel_label(obj: ProcedureChannel) -> str:
        return str(obj.get_channel_display())

    @staticmethod
    def resolve_processing_time_value(obj: ProcedureChannel) -> float | None:
        value = obj.processing_time_value
        return None if value is None else float(value)


class DocumentOut(Schema):
    id: int = SchemaField(
        description="gửi tệp của giấy tờ này dưới tên doc_<id> khi nộp trực tuyến"
    )
    group: str
    name: str
    note: str
    original_count: int
    copy_count: int
    form_name: str
    online: Literal["required", "optional", "in_person", "remark"] = SchemaField(
        description=(
            "khi nộp trực tuyến: required (bắt buộc đính kèm), optional (nếu có), "
            "in_person (chỉ xuất trình hoặc nộp trực tiếp, không đính kèm), remark (lưu ý)"
        )
    )


class ResultOut(Schema):
    name: str
    code: str


class LegalBasisOut(Schema):
    title: str
    number: str


class OfferingOut(Schema):
    """Where the procedure is received, with the time limit and the expected return date
    of a dossier received now (``queries.time_limit``, as counter intake counts them)."""

    agency_code: str
    agency_name: str
    agency_address: str
    local_processing_working_days: int | None
    legal_working_days: int | None = SchemaField(description="thời hạn giải quyết áp dụng")
    expected_return_at: LocalDateTime | None = SchemaField(
        description="ngày hẹn trả kết quả dự kiến nếu hồ sơ được tiếp nhận lúc gọi"
    )
    local_fee_vnd: int | None
    note: str

    @staticmethod
    def resolve_agency_code(obj: queries.Promise) -> str:
        return obj.offering.agency.code

    @staticmethod
    def resolve_agency_name(obj: queries.Promise) -> str:
        return obj.offering.agency.name

    @staticmethod
    def resolve_agency_address(obj: queries.Promise) -> str:
        return obj.offering.agency.address

    @staticmethod
    def resolve_local_processing_working_days(obj: queries.Promise) -> int | None:
        return obj.offering.local_processing_working_days

    @staticmethod
    def resolve_legal_working_days(obj: queries.Promise) -> int | None:
        return None if obj.limit is None else obj.limit.working_days

    @staticmethod
    def resolve_expected_return_at(obj: queries.Promise) -> datetime | None:
        return obj.expected_return

    @staticmethod
    def resolve_local_fee_vnd(obj: queries.Promise) -> int | None:
        return obj.offering.local_fee_vnd

    @staticmethod
    def resolve_note(obj: queries.Promise) -> str:
        return obj.offering.note


class ProcedureListItem(Schema):
    code: str
    name: str
    field: str
    field_slug: str
    levels: list[str]
    online_level: str
    online_level_label: str
    processing_time: str | None = SchemaField(description="thời hạn ngắn nhất")
    url: str = SchemaField(description="trang công khai của thủ tục")
    api_url: str

    @staticmethod
    def resolve_field(obj: Procedure) -> str:
        return obj.field.name

    @staticmethod
    def resolve_field_slug(obj: Procedure) -> str:
        return obj.field.slug

    @staticmethod
    def resolve_online_level_label(obj: Procedure) -> str:
        return str(OnlineLevel(obj.online_level).label)

    @staticmethod
    def resolve_processing_time(obj: Procedure) -> str | None:
        channel = obj.shortest_channel()
        return None if channel is None else channel.processing_time_label

    @staticmethod
    def resolve_url(obj: Procedure) -> str:
        return reverse("catalog:detail", args=[obj.code])

    @staticmethod
    def resolve_api_url(obj: Procedure) -> str:
        return reverse("api:procedure_detail", args=[obj.code])


class ProcedureListOut(Schema):
    items: list[ProcedureListItem]
    total: int
    limit: int
    offset: int


class ProcedureDetailOut(ProcedureListItem):
    procedure_type: str
    applicant_types: list[str]
    competent_agency: str
    implementing_agency: str
    receiving_address: str
    coordinating_agency: str
    conditions: str
    keywords: str
    decision: str
    source_url: str
    offers_postal_submission: bool
    offers_postal_return: bool
    status: str
    effective_from: str | None
    effective_until: str | None
    is_interconnected: bool
    has_detail: bool
    parse_warnings: list[str]
    channels: list[ChannelOut]
    documents: list[DocumentOut]
    results: list[ResultOut]
    legal_basis: list[LegalBasisOut]
    offerings: list[OfferingOut]

    @staticmethod
    def resolve_competent_agency(obj: Procedure) -> str:
        return obj.competent_agency_text

    @staticmethod
    def resolve_implementing_agency(obj: Procedure) -> str:
        return obj.implementing_agency_text

    @staticmethod
    def resolve_effective_from(obj: Procedure) -> str | None:
        return obj.effective_from.isoformat() if obj.effective_from else None

    @staticmethod
    def resolve_effective_until(obj: Procedure) -> str | None:
        return obj.effective_until.isoformat() if obj.effective_until else None

    @staticmethod
    def resolve_channels(obj: Procedure) -> list[ProcedureChannel]:
        return list(obj.channels.all())

    @staticmethod
    def resolve_documents(obj: Procedure) -> list[dict[str, object]]:
        return [
            {
                "id": doc.pk,
                "group": doc.group,
                "name": doc.name,
                "note": doc.note,
                "original_count": doc.original_count,
                "copy_count": doc.copy_count,
                "form_name": doc.form_name,
                "online": use,
            }
            for doc, use in obj.document_uses()
        ]

    @staticmethod
    def resolve_results(obj: Procedure) -> list[ResultDocument]:
        return list(obj.results.all())

    @staticmethod
    def resolve_legal_basis(obj: Procedure) -> list[LegalBasis]:
        return list(obj.legal_basis.all())

    @staticmethod
    def resolve_offerings(obj: Procedure) -> list[queries.Promise]:
        return queries.procedure_promises(obj, timezone.now()).offerings


def _unknown(name: str, message: str) -> ValidationError:
    return ValidationError([{"loc": ["query", name], "msg": message, "type": "value_error"}])


@router.get("", response=ProcedureListOut, url_name="procedure_list")
def list_procedures(request: HttpRequest, filters: Query[ProcedureFilters]) -> dict[str, object]:
    """Tìm thủ tục hành chính (không phân biệt dấu, hoa thường) và lọc theo lĩnh vực, cấp,
    cơ quan tiếp nhận, mức độ trực tuyến."""
    if filters.field and not queries.field_exists(filters.field):
        raise _unknown("field", f"Không có lĩnh vực '{filters.field}'.")
    if filters.agency and not queries.agency_exists(filters.agency):
        raise _unknown("agency", f"Không có cơ quan mã '{filters.agency}'.")
    items, total = queries.search_procedures(
        filters.q,
        field=filters.field,
        level=filters.level,
        agency=filters.agency,
        online_level=filters.online_level,
        limit=filters.limit,
        offset=filters.offset,
    )
    return {"items": items, "total": total, "limit": filters.limit, "offset": filters.offset}


@router.get(
    "/{code}",
    response={200: ProcedureDetailOut, 404: ErrorOut},
    url_name="procedure_detail",
)
def get_procedure(request: HttpRequest, code: str) -> Procedure:
    """Toàn bộ thông tin một thủ tục: cách thức, hồ sơ, kết quả, căn cứ, nơi tiếp nhận."""
    procedure = queries.get_procedure_detail(code)
    if procedure is None:
        raise HttpError(404, f"Không tìm thấy thủ tục có mã '{code}'")
    return procedure
