from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models


class CalendarDay(models.Model):
    """A day the province (or one agency) changes from the national calendar.

    The government announces day swaps each year, and a province may add days off
    of its own; the national public holidays come from the ``holidays`` package.
    A row for an agency applies to that agency and every agency below it, and wins
    over a province-wide row (agency empty) for the same date.
    """

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", "Ngày nghỉ"
        WORKING_DAY = "working_day", "Ngày làm việc (làm bù)"

    date = models.DateField("ngày")
    kind = models.CharField("loại", max_length=16, choices=Kind.choices)
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name="áp dụng cho cơ quan",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_days",
        help_text="Để trống: áp dụng cho toàn tỉnh.",
    )
    name = models.CharField("lý do / tên ngày", max_length=200)
    legal_basis = models.CharField("căn cứ (văn bản)", max_length=200, blank=True)

    class Meta:
        verbose_name = "ngày nghỉ / làm bù"
        verbose_name_plural = "lịch nghỉ, làm bù của tỉnh"
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["date", "agency"], name="unique_calendar_day_per_agency"
            ),
            models.UniqueConstraint(
                fields=["date"],
                condition=models.Q(agency__isnull=True),
                name="unique_calendar_day_province",
                violation_error_message="Ngày này đã có trong lịch nghỉ, làm bù của toàn tỉnh.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} · {self.get_kind_display()} · {self.name}"


class WorkSchedule(models.Model):
    """Working sessions of a day and the receipt cut-off, for the province or one agency."""

    agency = models.OneToOneField(
        "agencies.Agency",
        verbose_name="cơ quan",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="work_schedule",
        help_text="Để trống: lịch làm việc chung của tỉnh.",
    )
    morning_start = models.TimeField("sáng từ", default=dt.time(7, 0))
    morning_end = models.TimeField("sáng đến", default=dt.time(11, 0))
    afternoon_start = models.TimeField("chiều từ", default=dt.time(13, 0))
    afternoon_end = models.TimeField("chiều đến", default=dt.time(17, 0))
    cutoff = models.TimeField(
        "giờ tiếp nhận tính sang ngày hôm sau",
        null=True,
        blank=True,
        default=dt.time(15, 0),
        help_text="Hồ sơ tiếp nhận sau giờ này được tính từ ngày làm việc tiếp theo.",
    )

    class Meta:
        verbose_name = "lịch làm việc"
        verbose_name_plural = "lịch làm việc"
        constraints = [
            models.UniqueConstraint(
                fields=["agency"],
                condition=models.Q(agency__isnull=True),
                name="unique_province_schedule",
                violation_error_message="Tỉnh đã có lịch làm việc chung.",
            ),
        ]

    def __str__(self) -> str:
        who = self.agency.name if self.agency else "Toàn tỉnh"
        return (
            f"{who}: {self.morning_start:%H:%M}–{self.morning_end:%H:%M}, "
            f"{self.afternoon_start:%H:%M}–{self.afternoon_end:%H:%M}"
        )

    def clean(self) -> None:
        if not (self.morning_start < self.morning_end <= self.afternoon_start < self.afternoon_end):
            raise ValidationError(
                "Các buổi làm việc phải theo thứ tự: sáng bắt đầu < sáng kết thúc ≤ "
                "chiều bắt đầu < chiều kết thúc."
            )
