"""Reading procedure files: the file's shape and one record at a time.

Pure apart from reading the file: ``load_records`` checks the whole file and raises
``ImportFileError`` when it cannot be used; ``parse_record`` turns one JSON record into a
``ParsedProcedure`` or raises ``RecordError`` with a reason a person can act on. Writing is
``motcua.catalog.services.import_procedures_file``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from motcua.catalog import rules

# Bump when parsing changes what is stored, so the next import rewrites every record.
PARSER_VERSION = 3

# Longest values the database columns accept (see models.py).
MAX_LENGTHS = {
    "code": 64,
    "decision": 100,
    "procedure_type": 200,
    "source_url": 500,
    "source_ministry": 64,
    "field": 255,
}


class ImportFileError(Exception):
    """The file as a whole cannot be imported (unreadable, not JSON, wrong shape)."""


class RecordError(ValueError):
    """One record cannot be imported; the message says why."""


@dataclass(frozen=True)
class ParsedChannel:
    channel: str
    time_value: Decimal | None
    time_unit: str | None
    time_text: str
    fee_vnd: int | None
    fee_text: str
    description: str
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParsedDocument:
    group: str
    name: str
    note: str
    original_count: int
    copy_count: int
    form_name: str


@dataclass(frozen=True)
class ParsedResult:
    name: str
    code: str


@dataclass(frozen=True)
class ParsedLegalBasis:
    title: str
    number: str


@dataclass(frozen=True)
class ParsedProcedure:
    code: str
    name: str
    field_name: str
    levels: tuple[str, ...]
    procedure_type: str
    applicant_types: tuple[str, ...]
    competent_agency: str
    implementing_agency: str
    receiving_address: str
    coordinating_agency: str
    conditions: str
    keywords: str
    decision: str
    source_url: str
    source_ministry: str
    has_detail: bool
    parse_warnings: tuple[str, ...]
    channels: tuple[ParsedChannel, ...] = ()
    documents: tuple[ParsedDocument, ...] = ()
    results: tuple[ParsedResult, ...] = ()
    legal_basis: tuple[ParsedLegalBasis, ...] = ()
    # Derived facts, filled by parse_record.
    online_level: str = rules.UNKNOWN_ONLINE
    offers_postal_submission: bool = False
    offers_postal_return: bool = False
    is_interconnected: bool = False
    fingerprint: str = field(default="", compare=False)

    def compute_fingerprint(self) -> str:
        """SHA-256 of everything stored for this record (and the parser version)."""
        data = asdict(self)
        data.pop("fingerprint")
        data["parser_version"] = PARSER_VERSION
        text = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- The file -------------------------------------------------------------------------


def load_records(path: str | Path) -> list[Any]:
    """The list of raw records of a procedures file, or ``ImportFileError``.

    The file must be UTF-8 JSON shaped ``{"meta": {...}, "procedures": [...]}``; a bare
    list of records is accepted too.
    """
    file_path = Path(path)
    try:
        text = file_path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ImportFileError(f"Không tìm thấy tệp {file_path.name}.") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFileError(f"Không đọc được tệp {file_path.name}: {exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            f"Tệp {file_path.name} không phải JSON hợp lệ (dòng {exc.lineno}, cột {exc.colno}): "
            f"{exc.msg}."
        ) from exc
    if isinstance(data, dict):
        records = data.get("procedures")
        if not isinstance(records, list):
            raise ImportFileError(
                f'Tệp {file_path.name} phải có khóa "procedures" chứa danh sách thủ tục.'
            )
        return records
    if isinstance(data, list):
        return data
    raise ImportFileError(f'Tệp {file_path.name} phải là một đối tượng JSON có khóa "procedures".')


# --- One record -----------------------------------------------------------------------


def _text(record: dict[str, Any], key: str, *, required: bool = False) -> str:
    value = record.get(key)
    if value is None:
        if required:
            raise RecordError(f"thiếu trường '{key}'")
        return ""
    if not isinstance(value, str):
        raise RecordError(f"trường '{key}' phải là chuỗi, nhận được {_type_name(value)}")
    value = value.strip()
    if required and not value:
        raise RecordError(f"trường '{key}' bị trống")
    limit = MAX_LENGTHS.get(key)
    if limit is not None and len(value) > limit:
        raise RecordError(f"trường '{key}' dài {len(value)} ký tự, tối đa {limit}")
    return value


def _opt_text(item: dict[str, Any], key: str, where: str) -> str:
    value = item.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RecordError(f"{where}: '{key}' phải là chuỗi, nhận được {_type_name(value)}")
    return value.strip()


def _type_name(value: Any) -> str:
    names = {
        dict: "đối tượng",
        list: "danh sách",
        str: "chuỗi",
        bool: "true/false",
        int: "số",
        float: "số",
    }
    return names.get(type(value), type(value).__name__)


def _list(record: dict[str, Any], key: str) -> list[Any] | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, list):
        raise RecordError(f"trường '{key}' phải là danh sách, nhận được {_type_name(value)}")
    return value


def _string_list(record: dict[str, Any], key: str) -> tuple[str, ...]:
    items = _list(record, key) or []
    if not all(isinstance(item, str) for item in items):
        raise RecordError(f"trường '{key}' phải là danh sách chuỗi")
    return tuple(item.strip() for item in items if item.strip())


def _dicts(record: dict[str, Any], key: str) -> list[dict[str, Any]] | None:
    items = _list(record, key)
    if items is None:
        return None
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise RecordError(f"'{key}' dòng {position} phải là đối tượng")
    return items


def _count(item: dict[str, Any], key: str, where: str) -> int:
    value = item.get(key)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 999:
        raise RecordError(f"{where}: '{key}' phải là số nguyên từ 0 đến 999")
    return value


def _parse_channel(item: dict[str, Any], position: int) -> ParsedChannel:
    where = f"cách thức thực hiện dòng {position}"
    channel = item.get("channel")
    if channel not in rules.CHANNELS:
        raise RecordError(f"{where}: cách thức '{channel}' không hợp lệ")
    time = item.get("processing_time") or {}
    if not isinstance(time, dict):
        raise RecordError(f"{where}: 'processing_time' phải là đối tượng")
    raw_value = time.get("value")
    value: Decimal | None = None
    if raw_value is not None:
        if isinstance(raw_value, bool) or not isinstance(raw_value, int | float):
            raise RecordError(f"{where}: thời hạn phải là số")
        try:
            value = Decimal(str(raw_value)).quantize(Decimal("0.01"))
        except InvalidOperation as exc:
            raise RecordError(f"{where}: thời hạn '{raw_value}' không hợp lệ") from exc
        if value < 0 or value >= 100_000:
            raise RecordError(f"{where}: thời hạn {raw_value} nằm ngoài khoảng cho phép")
    unit = time.get("unit")
    if unit is not None and unit not in rules.TIME_UNITS:
        raise RecordError(f"{where}: đơn vị thời hạn '{unit}' không hợp lệ")
    fee = item.get("fee_vnd")
    if fee is not None and (isinstance(fee, bool) or not isinstance(fee, int) or fee < 0):
        raise RecordError(f"{where}: 'fee_vnd' phải là số nguyên không âm")
    warnings = item.get("warnings") or []
    if not isinstance(warnings, list) or not all(isinstance(w, str) for w in warnings):
        raise RecordError(f"{where}: 'warnings' phải là danh sách chuỗi")
    fee_text, fee, fee_changed = rules.fee_as_stated(_opt_text(item, "fee_text", where), fee)
    if fee_changed:
        warnings = [*warnings, rules.FEE_SET_ELSEWHERE]
    return ParsedChannel(
        channel=channel,
        time_value=value,
        time_unit=unit,
        time_text=_opt_text(time, "text", where),
        fee_vnd=fee,
        fee_text=fee_text,
        description=_opt_text(item, "description", where),
        warnings=tuple(warnings),
    )


def _parse_document(item: dict[str, Any], position: int) -> ParsedDocument:
    where = f"thành phần hồ sơ dòng {position}"
    name = _opt_text(item, "name", where)
    if not name:
        raise RecordError(f"{where}: thiếu tên giấy tờ")
    form_name = _opt_text(item, "form_name", where)
    if len(form_name) > 255:
        raise RecordError(f"{where}: tên mẫu đơn dài quá 255 ký tự")
    return ParsedDocument(
        group=_opt_text(item, "group", where),
        name=name,
        note=_opt_text(item, "note", where),
        original_count=_count(item, "original_count", where),
        copy_count=_count(item, "copy_count", where),
        form_name=form_name,
    )


def _parse_result(item: dict[str, Any], position: int) -> ParsedResult | None:
    where = f"kết quả dòng {position}"
    name, code = _opt_text(item, "name", where), _opt_text(item, "code", where)
    if len(code) > 64:
        raise RecordError(f"{where}: mã kết quả dài quá 64 ký tự")
    return ParsedResult(name=name or code, code=code) if (name or code) else None


def _parse_legal(item: dict[str, Any], position: int) -> ParsedLegalBasis | None:
    where = f"căn cứ pháp lý dòng {position}"
    title, number = _opt_text(item, "title", where), _opt_text(item, "number", where)
    if len(number) > 100:
        raise RecordError(f"{where}: số hiệu văn bản dài quá 100 ký tự")
    return ParsedLegalBasis(title=title, number=number) if (title or number) else None


def _with_time_units(
    channels: tuple[ParsedChannel, ...], field_name: str, working_day_fields: Iterable[str]
) -> tuple[ParsedChannel, ...]:
    """The channels with the unit of a bare number found elsewhere in the record (or by
    the field), flagged in their warnings (``rules.resolve_time_units``)."""
    units = rules.resolve_time_units(
        [(c.time_value, c.time_unit, c.time_text, c.description) for c in channels],
        field_name=field_name,
        working_day_fields=working_day_fields,
    )
    return tuple(
        channel
        if how is None
        else replace(channel, time_unit=unit, warnings=(*channel.warnings, how))
        for channel, (unit, how) in zip(channels, units, strict=True)
    )


def parse_record(
    raw: Any, *, working_day_fields: Iterable[str] = rules.WORKING_DAY_FIELDS
) -> ParsedProcedure:
    """Validate one record of a procedures file and return what will be stored.

    ``working_day_fields``: fields whose bare processing times are working days
    (``rules.WORKING_DAY_FIELDS``; the ``MOTCUA_WORKING_DAY_FIELDS`` setting).
    """
    if not isinstance(raw, dict):
        raise RecordError(f"bản ghi phải là đối tượng JSON, nhận được {_type_name(raw)}")
    code = _text(raw, "code", required=True)
    if not rules.is_procedure_code(code):
        raise RecordError(f"mã thủ tục '{code}' không đúng dạng (ví dụ 1.001193)")
    name = _text(raw, "name", required=True)
    field_name = _text(raw, "field", required=True)
    levels = _string_list(raw, "levels")
    unknown = [level for level in levels if level not in rules.LEVELS]
    if unknown:
        raise RecordError(f"cấp thực hiện không hợp lệ: {', '.join(unknown)}")
    has_detail = raw.get("detail", False)
    if not isinstance(has_detail, bool):
        raise RecordError("trường 'detail' phải là true hoặc false")

    channel_items = _dicts(raw, "channels")
    channels = _with_time_units(
        tuple(
            _parse_channel(item, position) for position, item in enumerate(channel_items or [], 1)
        ),
        field_name,
        working_day_fields,
    )
    documents = tuple(
        _parse_document(item, position)
        for position, item in enumerate(_dicts(raw, "documents") or [], 1)
    )
    results = tuple(
        result
        for position, item in enumerate(_dicts(raw, "result") or [], 1)
        if (result := _parse_result(item, position)) is not None
    )
    legal = tuple(
        entry
        for position, item in enumerate(_dicts(raw, "legal_basis") or [], 1)
        if (entry := _parse_legal(item, position)) is not None
    )
    channel_rows = None if channel_items is None else [(c.channel, c.description) for c in channels]
    parsed = ParsedProcedure(
        code=code,
        name=name,
        field_name=field_name,
        levels=tuple(level for level in rules.LEVELS if level in levels),
        procedure_type=_text(raw, "procedure_type"),
        applicant_types=_string_list(raw, "applicant_types"),
        competent_agency=_text(raw, "competent_agency"),
        implementing_agency=_text(raw, "implementing_agency"),
        receiving_address=_text(raw, "receiving_address"),
        coordinating_agency=_text(raw, "coordinating_agency"),
        conditions=_text(raw, "conditions"),
        keywords=_text(raw, "keywords"),
        decision=_text(raw, "decision"),
        source_url=_text(raw, "source_url"),
        source_ministry=_text(raw, "source_ministry"),
        has_detail=has_detail,
        parse_warnings=_string_list(raw, "parse_warnings"),
        channels=channels,
        documents=documents,
        results=results,
        legal_basis=legal,
        online_level=rules.derive_online_level(channel_rows, has_detail=has_detail),
        offers_postal_submission=any(c.channel == "postal" for c in channels),
        offers_postal_return=rules.offers_postal_return(c.description for c in channels),
        is_interconnected=rules.is_interconnected_name(name),
    )
    if parsed.source_url and not parsed.source_url.startswith(("http://", "https://")):
        raise RecordError("trường 'source_url' phải là địa chỉ http(s)")
    return replace(parsed, fingerprint=parsed.compute_fingerprint())
