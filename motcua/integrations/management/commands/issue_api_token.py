"""``motcua issue_api_token --agency CODE --name NAME --roles counter_officer,specialist``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from motcua.agencies.models import Agency
from motcua.integrations.services import TokenError, issue_token


class Command(BaseCommand):
    help = (
        "Cấp token API cho một hệ thống kết nối. Token hoạt động như một tài khoản dịch vụ "
        "của cơ quan với các vai trò đã chọn; token chỉ in ra một lần."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", required=True, help="mã định danh cơ quan, ví dụ H01.40")
        parser.add_argument("--name", required=True, help="tên kết nối, ví dụ 'Cổng DVC quốc gia'")
        parser.add_argument(
            "--roles",
            required=True,
            help="vai trò, cách nhau bởi dấu phẩy: counter_officer,specialist,unit_head,"
            "agency_leader,clerk,tthc_control",
        )
        parser.add_argument(
            "--unit", default="", help="mã phòng/đơn vị (ví dụ bộ phận một cửa), nếu có"
        )
        parser.add_argument(
            "--expires-days",
            type=int,
            default=None,
            help="hết hạn sau số ngày này (mặc định: không)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        agency = Agency.objects.filter(code=options["agency"].strip().upper()).first()
        if agency is None:
            raise CommandError(f"Không có cơ quan mã “{options['agency']}”.")
        unit = None
        if options["unit"]:
            unit = Agency.objects.filter(code=options["unit"].strip().upper()).first()
            if unit is None:
                raise CommandError(f"Không có phòng/đơn vị mã “{options['unit']}”.")
        expires_at = None
        if options["expires_days"] is not None:
            if options["expires_days"] < 1:
                raise CommandError("--expires-days phải từ 1 trở lên.")
            expires_at = timezone.now() + timedelta(days=options["expires_days"])
        try:
            token, secret = issue_token(
                agency=agency,
                name=options["name"],
                roles=options["roles"].split(","),
                unit=unit,
                expires_at=expires_at,
            )
        except TokenError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Đã cấp token «{token.name}» cho {agency.code} {agency.name} "
            f"(tài khoản dịch vụ {token.user.username}, tiền tố {token.prefix})."
        )
        self.stdout.write("Token (chỉ hiển thị một lần, hãy lưu lại ngay):")
        self.stdout.write(secret)
