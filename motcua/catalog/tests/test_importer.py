"""Importing procedure files: good and bad records, broken files, idempotence."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from motcua.audit.models import AuditEvent
from motcua.catalog.importer import ImportFileError, RecordError, parse_record
from motcua.catalog.models import (
    LegalBasis,
    OnlineLevel,
    Procedure,
    ProcedureChannel,
    RequiredDocument,
    ResultDocument,
)
from motcua.catalog.queries import search_procedures
from motcua.catalog.services import import_procedure_records, import_procedures_file
from motcua.catalog.tests.conftest import sample_record, write_file

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Procedure, ProcedureChannel, RequiredDocument, ResultDocument, LegalBasis)
    }


def test_it_imports_a_good_record_with_everything(tmp_path: Path) -> None:
    report = import_procedures_file(write_file(tmp_path / "p.json", [sample_record()]))

    assert (report.created, report.updated, report.unchanged, report.bad) == (1, 0, 0, [])
    procedure = Procedure.objects.get(code="9.900001")
    assert procedure.name == "Thủ tục đăng ký thử nghiệm Đặc biệt"
    assert procedure.field.name == "Lĩnh vực thử nghiệm"
    assert procedure.field.slug == "linh-vuc-thu-nghiem"
    assert procedure.levels == ["commune", "province"]
    assert procedure.online_level == OnlineLevel.FULL_ONLINE
    assert procedure.offers_postal_submission and procedure.offers_postal_return
    assert procedure.has_detail and procedure.decision == "1/QĐ-TEST"
    assert procedure.search_name == "thu tuc dang ki thu nghiem dac biet"
    channels = list(procedure.channels.all())
    assert [c.channel for c in channels] == ["online", "direct", "postal"]
    assert channels[1].processing_time_value == Decimal(5)
    assert channels[1].processing_time_unit == "working_day"
    assert channels[1].fee_vnd == 15000
    assert channels[2].fee_vnd is None and channels[2].fee_text == ""
    documents = list(procedure.documents.all())
    assert [(d.group, d.name, d.original_count, d.copy_count) for d in documents] == [
        ("Giấy tờ phải nộp", "Tờ khai đăng ký thử nghiệm", 1, 0),
        ("Giấy tờ phải xuất trình", "Giấy tờ tùy thân", 0, 1),
    ]
    assert documents[0].form_name == "Mẫu TN01.docx"
    assert list(procedure.results.values_list("name", "code")) == [
        ("Giấy chứng nhận thử nghiệm", "KQ.G99.000001")
    ]
    assert list(procedure.legal_basis.values_list("number", "title")) == [
        ("1/2026/QH16", "Luật Thử nghiệm")
    ]
    # Searchable straight away, without diacritics.
    results, total = search_procedures("dang ky thu nghiem dac biet")
    assert total >= 1 and results[0].code == "9.900001"


def test_a_catalog_only_record_has_unknown_online_level(tmp_path: Path) -> None:
    record = sample_record(
        detail=False, channels=None, documents=None, legal_basis=None, result=None
    )
    import_procedures_file(write_file(tmp_path / "p.json", [record]))
    procedure = Procedure.objects.get(code="9.900001")
    assert procedure.online_level == OnlineLevel.UNKNOWN
    assert not procedure.has_detail and procedure.channels.count() == 0


BAD_RECORDS: list[tuple[Any, str]] = [
    ({k: v for k, v in sample_record().items() if k != "code"}, "thiếu trường 'code'"),
    (sample_record(code=""), "trường 'code' bị trống"),
    (sample_record(code=1001193), "trường 'code' phải là chuỗi"),
    (sample_record(code="abc"), "không đúng dạng"),
    (sample_record(name=None), "thiếu trường 'name'"),
    (sample_record(name="   "), "trường 'name' bị trống"),
    (sample_record(field=None), "thiếu trường 'field'"),
    (sample_record(levels="commune"), "trường 'levels' phải là danh sách"),
    (sample_record(levels=["village"]), "cấp thực hiện không hợp lệ: village"),
    (sample_record(detail="yes"), "'detail' phải là true hoặc false"),
    (sample_record(channels={"channel": "online"}), "'channels' phải là danh sách"),
    (sample_record(channels=[{"channel": "fax"}]), "cách thức 'fax' không hợp lệ"),
    (
        sample_record(channels=[{"channel": "online", "processing_time": {"value": "ba"}}]),
        "thời hạn phải là số",
    ),
    (sample_record(channels=[{"channel": "online", "fee_vnd": -5}]), "'fee_vnd' phải là số nguyên"),
    (sample_record(documents=[{"name": "Tờ khai", "copy_count": "1"}]), "'copy_count' phải là số"),
    (sample_record(documents=[{"name": None, "original_count": 1}]), "thiếu tên giấy tờ"),
    (sample_record(decision="x" * 101), "trường 'decision' dài 101 ký tự"),
    (sample_record(source_url="ftp://example"), "'source_url' phải là địa chỉ http(s)"),
    ("not a record", "bản ghi phải là đối tượng JSON"),
]


@pytest.mark.parametrize(("record", "reason"), BAD_RECORDS)
def test_parse_record_names_what_is_wrong(record: Any, reason: str) -> None:
    with pytest.raises(RecordError) as error:
        parse_record(record)
    assert reason in str(error.value)


def test_bad_records_are_reported_and_skipped_while_good_ones_are_saved(tmp_path: Path) -> None:
    records = [
        sample_record("9.900001"),
        sample_record("9.900002", name=None),
        sample_record("9.900003", levels=["village"]),
        sample_record("9.900004"),
        sample_record("9.900004", name="Bản ghi trùng mã"),
    ]
    report = import_procedures_file(write_file(tmp_path / "p.json", records))

    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert [(bad.index, bad.code) for bad in report.bad] == [
        (2, "9.900002"),
        (3, "9.900003"),
        (5, "9.900004"),
    ]
    assert "thiếu trường 'name'" in report.bad[0].reason
    assert "trùng với bản ghi thứ 4" in report.bad[2].reason
    assert set(Procedure.objects.filter(code__startswith="9.9").values_list("code", flat=True)) == {
        "9.900001",
        "9.900004",
    }
    assert Procedure.objects.get(code="9.900004").name == sample_record()["name"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "không phải JSON hợp lệ"),
        ('{"meta": {}}', 'khóa "procedures"'),
        ('{"procedures": {"code": "1.000001"}}', 'khóa "procedures"'),
        ('"just a string"', "đối tượng JSON"),
    ],
)
def test_a_broken_file_raises_and_changes_nothing(
    tmp_path: Path, content: str, message: str
) -> None:
    import_procedures_file(write_file(tmp_path / "first.json", [sample_record()]))
    before, events = _counts(), AuditEvent.objects.count()
    path = tmp_path / "broken.json"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(ImportFileError) as error:
        import_procedures_file(path)

    assert message in str(error.value)
    assert _counts() == before
    assert AuditEvent.objects.count() == events
    assert Procedure.objects.filter(code="9.900001").exists()


def test_a_missing_or_non_utf8_file_is_a_file_error(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="Không tìm thấy tệp"):
        import_procedures_file(tmp_path / "missing.json")
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"procedures": ["Đ"]}'.encode("utf-16"))
    with pytest.raises(ImportFileError, match="Không đọc được tệp"):
        import_procedures_file(latin)


def test_a_second_run_reports_all_unchanged_and_writes_nothing(tmp_path: Path) -> None:
    path = write_file(tmp_path / "p.json", [sample_record("9.900001"), sample_record("9.900002")])
    import_procedures_file(path)
    before = _counts()
    ids = dict(Procedure.objects.values_list("code", "id"))
    stamps = dict(Procedure.objects.values_list("code", "imported_at"))

    report = import_procedures_file(path)

    assert (report.created, report.updated, report.unchanged, report.bad) == (0, 0, 2, [])
    assert _counts() == before
    assert dict(Procedure.objects.values_list("code", "id")) == ids
    assert dict(Procedure.objects.values_list("code", "imported_at")) == stamps


def test_a_changed_source_rewrites_the_record_in_place(tmp_path: Path) -> None:
    import_procedures_file(write_file(tmp_path / "p.json", [sample_record()]))
    procedure_id = Procedure.objects.get(code="9.900001").pk
    changed = sample_record(
        name="Thủ tục đã đổi tên",
        documents=[{"group": None, "name": "Chỉ một giấy tờ", "original_count": 1}],
    )

    report = import_procedures_file(write_file(tmp_path / "p2.json", [changed]))

    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    procedure = Procedure.objects.get(code="9.900001")
    assert procedure.pk == procedure_id
    assert procedure.name == "Thủ tục đã đổi tên"
    assert list(procedure.documents.values_list("name", flat=True)) == ["Chỉ một giấy tờ"]
    assert procedure.channels.count() == 3
    assert search_procedures("da doi ten")[0][0].code == "9.900001"
    assert "9.900001" not in [p.code for p in search_procedures("dac biet", limit=100)[0]]


def test_records_already_in_the_database_but_not_in_the_file_are_kept(tmp_path: Path) -> None:
    import_procedures_file(write_file(tmp_path / "a.json", [sample_record("9.900001")]))
    import_procedures_file(write_file(tmp_path / "b.json", [sample_record("9.900002")]))
    assert Procedure.objects.filter(code__in=["9.900001", "9.900002"]).count() == 2


def test_one_audit_event_per_run_with_the_counts(tmp_path: Path, django_user_model: Any) -> None:
    user = django_user_model.objects.create_user(username="alice", password="x")
    records = [sample_record("9.900001"), sample_record("9.900002", name=None)]
    before = AuditEvent.objects.count()

    import_procedure_records(records, source="thu.json", acting_user=user)

    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None and event.action == "catalog.imported"
    assert event.actor_id == user.pk
    assert event.payload["created"] == 1 and event.payload["bad"] == 1
    assert event.payload["bad_records"][0]["code"] == "9.900002"


def test_the_command_prints_a_summary_and_the_bad_records(tmp_path: Path) -> None:
    path = write_file(tmp_path / "p.json", [sample_record("9.900001"), sample_record(name=None)])
    out = io.StringIO()
    call_command("import_procedures", str(path), "--no-progress", stdout=out)
    text = out.getvalue()
    assert "Thêm mới:      1" in text
    assert "Không nhập được: 1" in text
    assert "bản ghi thứ 2 (9.900001): thiếu trường 'name'" in text


def test_the_command_fails_only_when_the_file_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("[", encoding="utf-8")
    with pytest.raises(CommandError, match="không phải JSON hợp lệ"):
        call_command("import_procedures", str(path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="Cần đúng một nguồn"):
        call_command("import_procedures", stdout=io.StringIO())


def test_the_command_loads_the_packaged_demo_file_idempotently() -> None:
    out = io.StringIO()
    call_command("import_procedures", "--demo", "--no-progress", stdout=out)
    assert "an_giang_demo.json: 60 bản ghi" in out.getvalue()
    assert Procedure.objects.filter(code="1.001193").exists()
    again = io.StringIO()
    call_command("import_procedures", "--demo", "--no-progress", stdout=again)
    assert "Không đổi:     60" in again.getvalue()


def test_a_rewrite_keeps_the_rows_of_documents_that_did_not_change(tmp_path: Path) -> None:
    import_procedures_file(write_file(tmp_path / "p.json", [sample_record()]))
    procedure = Procedure.objects.get(code="9.900001")
    old = dict(procedure.documents.values_list("name", "id"))
    documents = [
        {"group": "Giấy tờ phải nộp", "name": "Giấy tờ mới thêm", "original_count": 1},
        *sample_record()["documents"],
    ]

    import_procedures_file(write_file(tmp_path / "p2.json", [sample_record(documents=documents)]))

    rows = list(procedure.documents.values_list("name", "id", "order"))
    assert [name for name, _, _ in rows] == [
        "Giấy tờ mới thêm",
        "Tờ khai đăng ký thử nghiệm",
        "Giấy tờ tùy thân",
    ]
    assert {name: pk for name, pk, _ in rows if name in old} == old
    assert [order for _, _, order in rows] == [0, 1, 2]

    import_procedures_file(
        write_file(tmp_path / "p3.json", [sample_record(documents=documents[:1])])
    )
    assert list(procedure.documents.values_list("name", flat=True)) == ["Giấy tờ mới thêm"]


def _timed(value: Any, unit: str | None, text: str, *, channel: str = "direct", **more: Any) -> Any:
    return {
        "channel": channel,
        "processing_time": {"value": value, "unit": unit, "text": text},
        "fee_text": "Miễn phí",
        "fee_vnd": 0,
        **more,
    }


def _units(record: dict[str, Any], **options: Any) -> list[tuple[str | None, tuple[str, ...]]]:
    return [(c.time_unit, c.warnings) for c in parse_record(record, **options).channels]


def test_a_bare_number_takes_the_unit_the_record_gives_for_it() -> None:
    record = sample_record(
        field="Hải quan",
        channels=[
            _timed(2, None, "2", channel="online"),  # the direct row says "2 Giờ"
            _timed(2, "hour", "2 Giờ"),
            _timed(3, None, "3 Ngày làm việc", channel="postal"),  # in its own wording
            _timed(
                5,
                None,
                "5",
                description="Giải quyết trong thời hạn 05 ngày làm việc kể từ ngày nhận đủ hồ sơ.",
            ),
        ],
    )
    assert _units(record) == [
        ("hour", ("time_unit_from_record",)),
        ("hour", ()),
        ("working_day", ("time_unit_from_record",)),
        ("working_day", ("time_unit_from_record",)),
    ]


def test_a_bare_civil_status_time_is_read_in_working_days() -> None:
    record = sample_record(field="Hộ tịch", channels=[_timed(1, None, "1")])
    assert _units(record) == [("working_day", ("time_unit_from_field",))]
    # The fields read this way are a setting: without Hộ tịch among them, no unit.
    assert _units(record, working_day_fields=()) == [(None, ())]


def test_a_bare_number_with_nothing_to_go_by_says_the_unit_is_missing() -> None:
    import_procedure_records(
        [sample_record(field="Hải quan", channels=[_timed(2, None, "2")])], source="test"
    )
    (channel,) = ProcedureChannel.objects.filter(procedure__code="9.900001")
    assert channel.processing_time_unit is None
    assert channel.processing_time_label == "2 (nguồn không ghi đơn vị)"


def _fee(fee_text: str, fee_vnd: int | None) -> tuple[str, int | None, tuple[str, ...]]:
    record = sample_record(
        channels=[{**_timed(3, "working_day", "3"), **{"fee_text": fee_text, "fee_vnd": fee_vnd}}]
    )
    (channel,) = parse_record(record).channels
    return channel.fee_text, channel.fee_vnd, channel.warnings


def test_a_fee_set_elsewhere_is_not_read_as_free() -> None:
    # The portal prints "Miễn phí" where no amount is entered; the note says who sets it.
    assert _fee("Miễn phí (Theo quy định của Hội đồng nhân dân cấp tỉnh)", None) == (
        "Theo quy định của Hội đồng nhân dân cấp tỉnh",
        None,
        ("fee_set_elsewhere",),
    )
    # The portal's empty amount ("Đồng") and the doubled brackets go too.
    assert (
        _fee("Miễn phí (Đồng (Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh quyết định.))", None)[0]
        == "Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh quyết định."
    )
    # Free for cooperative groups only: the amount for the others is the council's.
    text, amount, _warnings = _fee(
        "Miễn phí (- Không thu lệ phí đăng ký đối với tổ hợp tác. - Mức lệ phí cụ thể do "
        "Hội đồng nhân dân cấp tỉnh quyết định.)",
        0,
    )
    assert amount is None and text.startswith("Không thu lệ phí đăng ký đối với tổ hợp tác.")


def test_a_free_procedure_stays_free() -> None:
    assert _fee("Miễn phí", 0) == ("Miễn phí", 0, ())
    assert _fee("Miễn phí (Không)", 0) == ("Miễn phí (Không)", 0, ())
    # Free, with a fee for an optional copy: the source says "Miễn phí" and means it.
    copy_fee = (
        "Miễn phí (Phí cấp bản sao Trích lục đăng ký giám hộ (nếu có yêu cầu) thực hiện theo "
        "quy định tại Thông tư số 281/2016/TT-BTC.)"
    )
    assert _fee(copy_fee, None) == (copy_fee, None, ())
