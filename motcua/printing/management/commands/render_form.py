"""``motcua render_form 01 out.pdf``: a form filled with sample data, to look at."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from motcua.printing.render import FORMS, FormTemplateError, packaged_source, render_form
from motcua.printing.samples import sample_context


class Command(BaseCommand):
    help = "In thử một biểu mẫu (01 đến 07) với dữ liệu mẫu ra tệp PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="mẫu số: " + ", ".join(FORMS))
        parser.add_argument("output", help="tệp PDF ghi ra, ví dụ mau-01.pdf")
        parser.add_argument(
            "--default",
            action="store_true",
            help="dùng mẫu mặc định của motcua, bỏ qua mẫu riêng của tỉnh",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["code"].zfill(2)
        if code not in FORMS:
            raise CommandError(f"Không có biểu mẫu số “{options['code']}” (có {', '.join(FORMS)}).")
        source = packaged_source(code) if options["default"] else None
        try:
            data = render_form(code, sample_context(code), source=source)
        except FormTemplateError as exc:
            raise CommandError(str(exc)) from exc
        except DatabaseError as exc:
            raise CommandError(
                f"Không đọc được mẫu riêng của tỉnh ({exc}). Chạy “motcua migrate”, "
                "hoặc thêm --default để dùng mẫu mặc định."
            ) from exc
        Path(options["output"]).write_bytes(data)
        self.stdout.write(f"Đã ghi {FORMS[code].name} ({len(data)} byte) vào {options['output']}")
