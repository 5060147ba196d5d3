"""API tokens of integrations (other systems calling the motcua API).

A token acts exactly as its *service account*: a staff user of the token's agency whose
roles say what the token may do, so every permission check of the services applies.
Only the SHA-256 of the secret is stored; the secret is shown once, when it is issued.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    name = models.CharField("tên kết nối", max_length=120)
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name="cơ quan",
        on_delete=models.PROTECT,
        related_name="api_tokens",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="tài khoản dịch vụ",
        on_delete=models.PROTECT,
        related_name="api_token",
        help_text="Token hoạt động đúng như tài khoản này: vai trò của tài khoản quyết định "
        "token được làm gì.",
    )
    prefix = models.CharField(
        "tiền tố", max_length=8, db_index=True, help_text="8 ký tự đầu của token, để nhận biết."
    )
    token_hash = models.CharField("mã băm SHA-256", max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người tạo",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    last_used_at = models.DateTimeField("dùng lần cuối", null=True, blank=True)
    expires_at = models.DateTimeField("hết hạn lúc", null=True, blank=True)
    revoked_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)

    class Meta:
        verbose_name = "token API"
        verbose_name_plural = "token API"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    def state_at(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.is_expired(now):
            return "expired"
        return "active"
