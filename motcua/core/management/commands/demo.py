"""``motcua demo``: prepare the demo province on the configured database and serve it.

Steps: migrate → administrative units of An Giang (2025 and pre-2025) → the agency tree
→ demo staff accounts → demo procedures of the catalog → print logins and URLs →
runserver on 127.0.0.1 (``--no-serve`` stops after preparing). Every step keeps what
already exists, so running it again is safe and keeps changes made since.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from motcua.agencies.demo import PROVINCE_NAME, PROVINCE_STATISTICS_CODE


class Command(BaseCommand):
    help = (
        "Tạo dữ liệu mẫu (tỉnh An Giang, tài khoản cán bộ, thủ tục) rồi chạy máy chủ "
        "thử nghiệm tại 127.0.0.1. Chạy lại không làm mất dữ liệu."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="cổng máy chủ (mặc định 8000)")
        parser.add_argument(
            "--no-serve", action="store_true", help="chỉ chuẩn bị dữ liệu, không chạy máy chủ"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from motcua.accounts.demo import DEMO_PASSWORD, create_demo_staff
        from motcua.agencies.demo import build_demo_province

        started = time.monotonic()
        quiet = {"stdout": self.stdout}
        self._step("Cập nhật cấu trúc cơ sở dữ liệu (migrate)")
        call_command("migrate", interactive=False, verbosity=0, **quiet)
        self._step(f"Danh mục đơn vị hành chính tỉnh {PROVINCE_NAME}")
        call_command("import_units", "--province", PROVINCE_STATISTICS_CODE, **quiet)
        self._step("Cây cơ quan, đơn vị")
        tree = build_demo_province()
        self.stdout.write(f"  tạo mới {len(tree.created)}, đã có {tree.existing}")
        self._step("Tài khoản cán bộ mẫu")
        logins = create_demo_staff()
        self._step("Thủ tục hành chính mẫu")
        call_command("import_procedures", "--demo", **quiet)
        from motcua.catalog.demo import offer_demo_procedures

        offered = offer_demo_procedures()
        self.stdout.write(f"  gán thêm {offered} lượt thủ tục cho các nơi tiếp nhận")
        self._print_logins(logins, DEMO_PASSWORD)
        port = options["port"]
        base = f"http://127.0.0.1:{port}"
        self.stdout.write("")
        self.stdout.write(f"  Cổng dịch vụ công:   {base}/")
        self.stdout.write(f"  Trang quản trị:      {base}/quan-tri/")
        self.stdout.write(f"  Tài liệu API:        {base}/api/v1/docs")
        self.stdout.write(f"  Dữ liệu:             {settings.DATABASES['default']['NAME']}")
        self.stdout.write(
            self.style.SUCCESS(f"Dữ liệu mẫu sẵn sàng sau {time.monotonic() - started:.1f} giây.")
        )
        if options["no_serve"]:
            return
        self.stdout.write(f"Đang chạy tại {base}/ — nhấn Ctrl+C để dừng.")
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)

    def _step(self, text: str) -> None:
        self.stdout.write(self.style.MIGRATE_HEADING(f"» {text}"))

    def _print_logins(self, logins: list[tuple[str, str, str]], password: str) -> None:
        header = ("Tên đăng nhập", "Vai trò", "Cơ quan")
        widths = [max(len(row[i]) for row in [header, *logins]) for i in range(3)]
        rule = "  ".join("─" * w for w in widths)
        self.stdout.write("")
        self.stdout.write(
            self.style.MIGRATE_HEADING(
                f"Tài khoản mẫu — mật khẩu chung: {password} (chỉ dùng để trình diễn)"
            )
        )
        self.stdout.write(
            "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()
        )
        self.stdout.write(rule)
        for row in logins:
            self.stdout.write(
                "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            )
