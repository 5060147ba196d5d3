"""Notifications for staff: deadline warnings (thông báo sắp đến hạn / quá hạn) and what
applicants did online (a new online dossier, a supplement, a withdrawal request).

Rows are written only by :mod:`motcua.backoffice.services` (``send_deadline_warnings``,
``notify_counter``); one row per (recipient, dossier, kind, step), so running the command
again adds nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Notification(models.Model):
    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", "Sắp đến hạn"
        OVERDUE = "overdue", "Quá hạn"
        NEW_ONLINE = "new_online", "Hồ sơ trực tuyến mới"
        SUPPLEMENTED = "supplemented", "Người nộp đã bổ sung hồ sơ"
        WITHDRAWAL = "withdrawal", "Người nộp yêu cầu rút hồ sơ"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người nhận",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="+"
    )
    step = models.ForeignKey(
        "dossiers.DossierStep",
        verbose_name="bước xử lý",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Trống: cảnh báo theo hạn trả kết quả của cả hồ sơ.",
    )
    kind = models.CharField("loại", max_length=16, choices=Kind.choices)
    message = models.CharField("nội dung", max_length=500)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    read_at = models.DateTimeField("đã đọc lúc", null=True, blank=True)

    class Meta:
        verbose_name = "thông báo"
        verbose_name_plural = "thông báo"
        ordering = ["-created_at", "-id"]
        constraints = [
            # NULL steps are distinct in SQL unique indexes: one partial index for each case.
            models.UniqueConstraint(
                fields=["recipient", "dossier", "kind", "step"],
                condition=Q(step__isnull=False),
                name="unique_step_notification",
            ),
            models.UniqueConstraint(
                fields=["recipient", "dossier", "kind"],
                condition=Q(step__isnull=True),
                name="unique_dossier_notification",
            ),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return self.message[:80]
