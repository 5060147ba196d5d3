"""Failed public lookups, counted where every worker reads them: in the database."""

from __future__ import annotations

from django.db import models


class LookupFailure(models.Model):
    """The failed lookups of one client in its current window (see ``portal.ratelimit``).

    ``key`` names the limiter and a digest of the client (an address, or an address and a
    dossier code), never the address itself. ``window_start`` is in Unix seconds: the
    window opens at the first failure and closes ``window_seconds`` later; expired rows are
    ignored, then deleted when a new window opens.
    """

    key = models.CharField("khóa", max_length=80, primary_key=True)
    failures = models.PositiveIntegerField("số lần sai")
    window_start = models.BigIntegerField("bắt đầu (giây Unix)", db_index=True)

    class Meta:
        verbose_name = "lần tra cứu sai"
        verbose_name_plural = "lần tra cứu sai"

    def __str__(self) -> str:
        return f"{self.key}: {self.failures}"
