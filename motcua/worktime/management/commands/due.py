"""``motcua due START 3d|16h``: print the due instant, as the API computes it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.agencies.models import Agency
from motcua.worktime import rules
from motcua.worktime.queries import calendar_for


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
        agency = None
        if options["agency"]:
            agency = Agency.objects.filter(code=options["agency"]).first()
            if agency is None:
                raise CommandError(f"Không tìm thấy cơ quan có mã '{options['agency']}'.")
        days = amount if unit is rules.DurationUnit.DAYS else None
        hours = amount if unit is rules.DurationUnit.HOURS else None
        due = rules.due_after(
            calendar_for(agency),
            start,
            working_days=days,
            working_hours=hours,
            apply_cutoff=not options["no_cutoff"],
        )
        self.stdout.write(due.isoformat())
