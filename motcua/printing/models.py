from __future__ import annotations

from django.db import models
from django.db.models import Q


class FormCode(models.TextChoices):
    """The forms of Circular 03/2025/TT-VPCP, Appendix I."""

    RECEIPT = "01", "01 - Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
    SUPPLEMENT = "02", "02 - Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"
    REFUSAL = "03", "03 - Phiếu từ chối tiếp nhận giải quyết hồ sơ"
    APOLOGY = "04", "04 - Phiếu xin lỗi và hẹn lại ngày trả kết quả"
    STOP = "05", "05 - Thông báo dừng giải quyết hồ sơ"
    CONTROL = "06", "06 - Phiếu kiểm soát quá trình giải quyết hồ sơ"
    REGISTER = "07", "07 - Sổ theo dõi hồ sơ"


class FormTemplate(models.Model):
    """The province's own layout for one form, replacing the packaged default while active.

    ``body`` is Django template source producing the form markup (see
    ``motcua/printing/markup.py``); it is checked against sample data before it is saved
    (``services.save_form_template``). At most one template per form is active.
    """

    code = models.CharField("mẫu số", max_length=2, choices=FormCode.choices)
    name = models.CharField("tên", max_length=200)
    body = models.TextField(
        "nội dung mẫu",
        help_text="Mẫu Django tạo ra biểu mẫu theo cú pháp thẻ của motcua.",
    )
    is_active = models.BooleanField("đang áp dụng", default=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "mẫu in của tỉnh"
        verbose_name_plural = "mẫu in của tỉnh"
        ordering = ["code", "-is_active", "-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(is_active=True),
                name="printing_one_active_template_per_form",
            )
        ]

    def __str__(self) -> str:
        state = "đang áp dụng" if self.is_active else "không áp dụng"
        return f"Mẫu {self.code}: {self.name} ({state})"
