"""What the pages say about the shipped national catalog (2,642 procedures): the time
limits and fees as the source states them."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client

from motcua.catalog import rules
from motcua.catalog.models import ProcedureChannel
from motcua.catalog.services import PACKAGED_CATALOG
from motcua.catalog.templatetags.catalog_extras import fee_label

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("full_catalog")]

_UNIT_WORDS = ("ngay", "gio")


def test_birth_registration_says_one_working_day(client: Client) -> None:
    page = client.get("/thu-tuc/1.001193/").content.decode()
    assert '<td class="time">1 ngày làm việc</td>' in page
    assert "không ghi đơn vị" not in page
    listing = client.get("/thu-tuc/", {"q": "1.001193"}).content.decode()
    assert "Thời hạn: 1 ngày làm việc" in listing


def test_the_unit_is_said_missing_only_where_the_record_gives_none() -> None:
    rows = list(
        ProcedureChannel.objects.filter(processing_time_value__isnull=False).select_related(
            "procedure__field"
        )
    )
    by_procedure: dict[int, list[ProcedureChannel]] = {}
    for row in rows:
        by_procedure.setdefault(row.procedure_id, []).append(row)
    civil_status = [r for r in rows if r.procedure.field.name == "Hộ tịch"]
    assert civil_status and all(r.processing_time_unit for r in civil_status)
    missing = [r for r in rows if r.processing_time_unit is None]
    assert missing  # customs and tax rows with a bare number and nothing else
    for row in missing:
        value: Decimal | None = row.processing_time_value
        assert row.processing_time_label.endswith("(nguồn không ghi đơn vị)")
        assert not any(word in rules.fold(row.processing_time_text) for word in _UNIT_WORDS)
        assert not any(
            other.processing_time_value == value and other.processing_time_unit
            for other in by_procedure[row.procedure_id]
        ), row.procedure.code


def test_the_construction_permit_fee_is_the_provincial_council_s(client: Client) -> None:
    page = client.get("/thu-tuc/1.013225/").content.decode()
    assert "<td>Theo quy định của Hội đồng nhân dân cấp tỉnh</td>" in page
    assert "Miễn phí" not in page


#: Words of a fee note that send the amount elsewhere (folded): an independent check of
#: the shipped file, not the importer's own rule.
_SET_ELSEWHERE = ("hoi dong nhan dan", "muc thu", "luat phi va le phi")


def test_no_fee_set_elsewhere_is_shown_as_free() -> None:
    source = {
        (record["code"], order): channel
        for record in json.loads(PACKAGED_CATALOG.read_text(encoding="utf-8"))["procedures"]
        for order, channel in enumerate(record.get("channels") or [])
    }
    shown = {
        (row.procedure.code, row.order): fee_label(row)
        for row in ProcedureChannel.objects.select_related("procedure")
    }
    elsewhere = [
        key
        for key, channel in source.items()
        if any(words in rules.fold(channel["fee_text"]) for words in _SET_ELSEWHERE)
    ]
    assert len(elsewhere) > 100
    assert [key for key in elsewhere if shown[key].startswith("Miễn phí")] == []
    plainly_free = [key for key, channel in source.items() if channel["fee_text"] == "Miễn phí"]
    assert plainly_free and all(shown[key] == "Miễn phí" for key in plainly_free)
