"""``motcua send_deadline_warnings``: notify officers and leaders of dossiers and steps
due within one working day or overdue. Safe to run as often as wanted (e.g. hourly)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from motcua.backoffice.services import send_deadline_warnings


class Command(BaseCommand):
    help = "Gửi thông báo hồ sơ sắp đến hạn (trong 01 ngày làm việc) và quá hạn cho cán bộ."

    def handle(self, *args: Any, **options: Any) -> None:
        created = send_deadline_warnings()
        self.stdout.write(f"Đã tạo {created} thông báo mới.")
