"""``motcua demo``: prepare the demo province on the configured database and serve it.

Steps: migrate → administrative units of An Giang (2025 and pre-2025) → the agency tree
→ demo staff accounts → demo procedures of the catalog, offered at their deciding
agencies → an internal process for each offering → 300 demo dossiers made through the
services (only while the database has none) → print logins, a few dossier codes to look
up, and URLs → runserver on 127.0.0.1 (``--no-serve`` stops after preparing). Every step
keeps what already exists, so running it again is safe and keeps changes made since.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from motcua.dossiers.rules import Status
from motcua.simulation.province import PROVINCE_NAME, PROVINCE_STATISTICS_CODE

#: Demo dossiers made on a database that has none (``motcua generate-dossiers`` adds more).
DEMO_DOSSIERS = 300
DEMO_SEED = 2025
#: Statuses of the dossiers shown for the public lookup, one each.
SAMPLE_STATUSES = (
    Status.RETURNED,
    Status.IN_PROGRESS,
    Status.SUPPLEMENT_REQUESTED,
    Status.PROCESSED,
    Status.AWAITING_SIGNATURE,
)


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
        from motcua.simulation.province import build_demo_province
        from motcua.simulation.staff import DEMO_PASSWORD, create_demo_staff

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
        from motcua.simulation.procedures import offer_demo_procedures

        offered = offer_demo_procedures()
        self.stdout.write(f"  gán thêm {offered} lượt thủ tục cho các cơ quan giải quyết")
        self._step("Quy trình nội bộ mẫu")
        from motcua.simulation.processes import define_demo_processes

        self.stdout.write(f"  tạo mới {define_demo_processes()} quy trình")
        self._step("Hồ sơ mẫu")
        logins += self._dossiers()
        self._step("Công dân mẫu nộp hồ sơ trực tuyến")
        from motcua.simulation.citizen import create_demo_citizen

        citizen, online = create_demo_citizen(DEMO_PASSWORD)
        if online is not None:
            self.stdout.write(f"  hồ sơ {online.code} chờ tiếp nhận tại {online.intake_agency}")
        logins.append((citizen.username, "Công dân (nộp hồ sơ trực tuyến, Hồ sơ của tôi)", "—"))
        self._print_logins(logins, DEMO_PASSWORD)
        port = options["port"]
        base = f"http://127.0.0.1:{port}"
        self._print_dossiers(base)
        self.stdout.write("")
        self.stdout.write(f"  Cổng dịch vụ công:   {base}/")
        self.stdout.write(f"  Thủ tục hành chính:  {base}/thu-tuc/")
        self.stdout.write(f"  Tra cứu hồ sơ:       {base}/tra-cuu/")
        self.stdout.write(f"  Một cửa (cán bộ):    {base}/can-bo/")
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

    def _dossiers(self) -> list[tuple[str, str, str]]:
        """Demo dossiers through the services, only on a database that has none yet."""
        from motcua.dossiers.models import Dossier
        from motcua.simulation.generator import ensure_generator_staff, generate_dossiers

        logins = ensure_generator_staff()
        if Dossier.objects.exists():
            self.stdout.write("  đã có hồ sơ: giữ nguyên")
            return logins
        report = generate_dossiers(DEMO_DOSSIERS, seed=DEMO_SEED)
        self.stdout.write(
            f"  tạo mới {report.created} hồ sơ trong {report.seconds:.1f} giây "
            f"({report.rate:.0f} hồ sơ/giây)"
        )
        return logins

    def _print_dossiers(self, base: str) -> None:
        """A few dossiers to look up on the portal (code + last 4 digits of the phone)."""
        from motcua.dossiers.models import Dossier
        from motcua.dossiers.rules import STATUS_LABELS_VI

        rows = []
        for status in SAMPLE_STATUSES:
            dossier = (
                Dossier.objects.filter(status=status.value, code__isnull=False)
                .exclude(applicant_phone="")
                # The oldest rows are the generated demo dossiers: never print a dossier
                # someone received later (its verifier is personal data).
                .order_by("pk")
                .only("code", "status", "applicant_phone")
                .first()
            )
            if dossier is not None and dossier.code:
                phone = "".join(ch for ch in dossier.applicant_phone if ch.isdigit())
                rows.append(
                    (
                        dossier.code,
                        phone[-4:],
                        STATUS_LABELS_VI[Status(dossier.status)],
                        f"{base}/tra-cuu/?code={dossier.code}",
                    )
                )
        if not rows:
            return
        header = ("Mã hồ sơ", "4 số cuối ĐT", "Trạng thái", "Tra cứu")
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
        self.stdout.write("")
        self.stdout.write(
            self.style.MIGRATE_HEADING(
                "Hồ sơ mẫu — tra cứu bằng mã hồ sơ và 4 số cuối số điện thoại của người nộp"
            )
        )
        for row in [header, tuple("─" * w for w in widths), *rows]:
            self.stdout.write(
                "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            )

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
