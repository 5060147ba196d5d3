"""``motcua import-procedures FILE.json`` (or ``--demo`` / ``--all`` for the packaged files)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.catalog.importer import ImportFileError
from motcua.catalog.services import (
    PACKAGED_CATALOG,
    PACKAGED_DEMO,
    ImportReport,
    import_procedures_file,
)


class Command(BaseCommand):
    help = (
        "Nhập danh mục thủ tục hành chính từ tệp JSON (idempotent: chạy lại không thay đổi gì "
        "nếu dữ liệu nguồn không đổi). Import administrative procedures from a JSON file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="tệp JSON {'meta': …, 'procedures': […]}")
        packaged = parser.add_mutually_exclusive_group()
        packaged.add_argument(
            "--demo", action="store_true", help="nhập 60 thủ tục mẫu đi kèm (an_giang_demo.json)"
        )
        packaged.add_argument(
            "--all", action="store_true", help="nhập toàn bộ 2.642 thủ tục đi kèm (procedures.json)"
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="không hiện thanh tiến trình"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = self._path(options)
        show_progress = not options["no_progress"] and options["verbosity"] >= 1
        try:
            report = import_procedures_file(path, show_progress=show_progress)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        self._print(report)

    def _path(self, options: dict[str, Any]) -> Path:
        chosen = [bool(options["file"]), options["demo"], options["all"]]
        if sum(chosen) != 1:
            raise CommandError("Cần đúng một nguồn: đường dẫn tệp JSON, --demo hoặc --all.")
        if options["demo"]:
            return PACKAGED_DEMO
        if options["all"]:
            return PACKAGED_CATALOG
        return Path(options["file"])

    def _print(self, report: ImportReport) -> None:
        out = self.stdout
        out.write(f"Nhập thủ tục từ {report.source}: {report.total} bản ghi")
        out.write(f"  Thêm mới:      {report.created}")
        out.write(f"  Cập nhật:      {report.updated}")
        out.write(f"  Không đổi:     {report.unchanged}")
        out.write(f"  Không nhập được: {len(report.bad)}")
        if report.bad:
            out.write(self.style.WARNING("Các bản ghi không nhập được:"))
            for bad in report.bad:
                code = bad.code or "không có mã"
                out.write(f"  - bản ghi thứ {bad.index} ({code}): {bad.reason}")
        else:
            out.write(self.style.SUCCESS("Hoàn tất, không có bản ghi lỗi."))
