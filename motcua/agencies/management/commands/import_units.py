"""``motcua import-units``: load the packaged administrative units into the database."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from motcua.agencies.services import import_administrative_units
from motcua.agencies.unit_sources import GENERATIONS, UnitDataError, load_units

GENERATION_LABELS = {"2025": "Từ 1/7/2025 (2 cấp)", "pre2025": "Trước 1/7/2025 (3 cấp)"}


def _number(n: int) -> str:
    return f"{n:,}".replace(",", ".")  # Vietnamese thousands separator


class Command(BaseCommand):
    help = (
        "Nạp danh mục đơn vị hành chính (34 tỉnh, 3.321 xã từ 1/7/2025 và 3 cấp trước đó) "
        "từ dữ liệu đóng gói kèm phần mềm. Chạy lại nhiều lần không tạo bản trùng."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--province",
            help="chỉ nạp một tỉnh theo mã thống kê 2025 (ví dụ 91 = An Giang), "
            "kèm các tỉnh cũ đã hợp nhất vào tỉnh đó",
        )
        parser.add_argument(
            "--generation",
            choices=[*GENERATIONS, "all"],
            default="all",
            help="2025: sau sắp xếp; pre2025: trước 1/7/2025; all (mặc định): cả hai",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="không hiện thanh tiến trình"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        generations = GENERATIONS if options["generation"] == "all" else (options["generation"],)
        province = options["province"]
        try:
            rows = load_units(province=province, generations=generations)
        except UnitDataError as exc:
            raise CommandError(str(exc)) from exc
        label = f"tỉnh {province}" if province else "toàn quốc"
        stream = getattr(self.stderr, "_out", sys.stderr)
        with tqdm(
            total=len(rows),
            desc="Đơn vị hành chính",
            unit=" đơn vị",
            file=stream,
            disable=options["no_progress"] or options["verbosity"] < 1,
            leave=False,
        ) as bar:
            result = import_administrative_units(rows, on_progress=bar.update, label=label)
        self.stdout.write(f"Đã nạp danh mục đơn vị hành chính ({label}):")
        for generation in generations:
            counts = result.counts.get(generation, {"created": 0, "updated": 0, "unchanged": 0})
            self.stdout.write(
                f"  {GENERATION_LABELS[generation]}: tạo mới {_number(counts['created'])}, "
                f"cập nhật {_number(counts['updated'])}, "
                f"giữ nguyên {_number(counts['unchanged'])}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Tổng cộng: tạo mới {_number(result.total('created'))}, "
                f"cập nhật {_number(result.total('updated'))}, "
                f"giữ nguyên {_number(result.total('unchanged'))}."
            )
        )
