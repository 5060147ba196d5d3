"""``motcua due START 3d|16h``: print the due instant, as the API computes it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from motcua.agencies.models import Agency
from motcua.worktime import rules
from motcua.worktime.queries import calendar_for, calendar_tables_exist, national_calendar

NOT_MIGRATED = "Cơ sở dữ liệu chưa được khởi tạo (chạy «motcua migrate»)"


class Command(BaseCommand):
    help = "Tính ngày hẹn trả: START (ISO 8601, không có múi giờ = giờ Việt Nam) + 3d hoặc 16h."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("start", help="ví dụ 2025-01-24T16:30")
        parser.add_argument("duration", help="số ngày làm việc (3d) hoặc giờ làm việc (16h)")
        parser.add_argument("--agency", help="mã định danh cơ quan (lịch riêng của cơ quan)")
        parser.add_argument(
            "--no-cutoff", action="store_true", help="không áp dụng mốc 15:00 (tính ngay)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            start = rules.parse_instant(options["start"])
            unit, amount = rules.parse_duration(options["duration"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        days = amount if unit is rules.DurationUnit.DAYS else None
        hours = amount if unit is rules.DurationUnit.HOURS else None
        due = rules.due_after(
            self._calendar(options["agency"]),
            start,
            working_days=days,
            working_hours=hours,
            apply_cutoff=not options["no_cutoff"],
        )
        self.stdout.write(due.isoformat())

    def _calendar(self, agency_code: str | None) -> rules.WorkCalendar:
        """The province's (or the agency's) calendar; the national one on a fresh install."""
        try:
            migrated = calendar_tables_exist()
        except DatabaseError as exc:
            first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise CommandError(f"Không mở được cơ sở dữ liệu: {first_line}") from exc
        if not migrated:
            if agency_code:
                raise CommandError(f"{NOT_MIGRATED}: chưa có cơ quan nào.")
            self.stderr.write(f"{NOT_MIGRATED}: tính theo lịch làm việc quốc gia.")
            return national_calendar()
        if not agency_code:
            return calendar_for(None)
        agency = Agency.objects.filter(code=agency_code).first()
        if agency is None:
            raise CommandError(f"Không tìm thấy cơ quan có mã '{agency_code}'.")
        return calendar_for(agency)
