"""Shared fixtures of the catalog tests.

``full_catalog`` imports the packaged 2,642-procedure catalog once for the whole package
(committed outside the per-test transactions) and afterwards removes what it added, so
other apps' tests never see it. Tests may write inside their own transaction as usual.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from motcua.agencies.models import Agency
from motcua.agencies.services import save_agency
from motcua.audit.models import AuditEvent
from motcua.catalog.models import Field, Procedure
from motcua.catalog.services import (
    PACKAGED_CATALOG,
    ImportReport,
    forget_search_rows,
    import_procedures_file,
)


def _forget(procedure_ids: set[int], field_ids: set[int]) -> None:
    Procedure.objects.filter(pk__in=procedure_ids).delete()
    Field.objects.filter(pk__in=field_ids).delete()
    forget_search_rows(procedure_ids)


@pytest.fixture(scope="package")
def full_catalog(django_db_setup: Any, django_db_blocker: Any) -> Iterator[ImportReport]:
    with django_db_blocker.unblock():
        procedures_before = set(Procedure.objects.values_list("pk", flat=True))
        fields_before = set(Field.objects.values_list("pk", flat=True))
        last_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        report = import_procedures_file(PACKAGED_CATALOG)
    yield report
    with django_db_blocker.unblock():
        _forget(
            set(Procedure.objects.values_list("pk", flat=True)) - procedures_before,
            set(Field.objects.values_list("pk", flat=True)) - fields_before,
        )
        # Append-only in the application; the test database is cleaned all the same.
        AuditEvent.objects.filter(id__gt=last_event).delete()


def sample_record(code: str = "9.900001", **changes: Any) -> dict[str, Any]:
    """A complete, valid record in the shape of the packaged files."""
    record: dict[str, Any] = {
        "code": code,
        "name": "Thủ tục đăng ký thử nghiệm Đặc biệt",
        "decision": "1/QĐ-TEST",
        "levels": ["commune", "province"],
        "field": "Lĩnh vực thử nghiệm",
        "procedure_type": "TTHC được giao luật quy định chi tiết",
        "applicant_types": ["Công dân Việt Nam"],
        "competent_agency": "Ủy ban nhân dân cấp xã",
        "implementing_agency": "Ủy ban nhân dân cấp xã",
        "receiving_address": None,
        "coordinating_agency": None,
        "channels": [
            {
                "channel": "online",
                "processing_time": {"value": 3, "unit": "working_day", "text": "3 Ngày làm việc"},
                "fee_text": "Miễn phí",
                "fee_vnd": 0,
                "description": None,
            },
            {
                "channel": "direct",
                "processing_time": {"value": 5, "unit": "working_day", "text": "5 Ngày làm việc"},
                "fee_text": "15.000 VNĐ (Lệ phí)",
                "fee_vnd": 15000,
                "description": "Nộp tại Bộ phận một cửa. Trả kết quả qua dịch vụ bưu chính.",
            },
            {
                "channel": "postal",
                "processing_time": {"value": 5, "unit": "working_day", "text": "5 Ngày làm việc"},
                "fee_text": None,
                "fee_vnd": None,
                "description": None,
            },
        ],
        "documents": [
            {
                "group": "Giấy tờ phải nộp",
                "name": "Tờ khai đăng ký thử nghiệm",
                "original_count": 1,
                "copy_count": 0,
                "form_name": "Mẫu TN01.docx",
                "note": None,
            },
            {
                "group": "Giấy tờ phải xuất trình",
                "name": "Giấy tờ tùy thân",
                "original_count": 0,
                "copy_count": 1,
                "form_name": None,
                "note": "Bản chụp kèm bản chính để đối chiếu.",
            },
        ],
        "legal_basis": [{"title": "Luật Thử nghiệm", "number": "1/2026/QH16"}],
        "result": [{"name": "Giấy chứng nhận thử nghiệm", "code": "KQ.G99.000001"}],
        "keywords": "thử nghiệm",
        "conditions": "Người yêu cầu đủ 18 tuổi.\nCó giấy tờ tùy thân.",
        "steps_summary": None,
        "source_url": "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/test",
        "source_ministry": "bo-tu-phap",
        "detail": True,
        "parse_warnings": [],
    }
    record.update(copy.deepcopy(changes))
    return record


def write_file(path: Path, records: list[Any]) -> Path:
    path.write_text(
        json.dumps({"meta": {"title": "test"}, "procedures": records}, ensure_ascii=False),
        encoding="utf-8",
    )
    return path


def make_agency(
    code: str,
    *,
    kind: str,
    level: str,
    parent: Agency | None = None,
    receives_dossiers: bool = False,
    is_active: bool = True,
    name: str = "",
    address: str = "",
) -> Agency:
    return save_agency(
        Agency(
            code=code,
            name=name or f"Cơ quan {code}",
            kind=kind,
            level=level,
            parent=parent,
            receives_dossiers=receives_dossiers,
            is_active=is_active,
            address=address,
        )
    )
