from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class ImmutableRowError(RuntimeError):
    """An audit row was about to be changed or deleted."""


class AuditEvent(models.Model):
    """One append-only line of the audit log: who did what, to what, when."""

    occurred_at = models.DateTimeField("thời điểm", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người thực hiện",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name="cơ quan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField("hành động", max_length=64, db_index=True)
    target_type = models.CharField("đối tượng", max_length=64)
    target_id = models.CharField("mã đối tượng", max_length=64, blank=True)
    summary = models.CharField("mô tả", max_length=500, blank=True)
    payload = models.JSONField("dữ liệu", default=dict, blank=True)

    class Meta:
        verbose_name = "sự kiện nhật ký"
        verbose_name_plural = "nhật ký hệ thống"
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self) -> str:
        return (
            f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableRowError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableRowError("audit events are append-only")
