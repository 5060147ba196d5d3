from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from motcua.accounts.roles import ROLE_LABELS_VI, Role


class User(AbstractUser):
    """A person who logs in: staff of an agency, or a citizen/business (later)."""

    class Kind(models.TextChoices):
        STAFF = "staff", "Cán bộ, công chức"
        CITIZEN = "citizen", "Công dân"
        BUSINESS = "business", "Tổ chức, doanh nghiệp"

    kind = models.CharField(
        "loại tài khoản", max_length=16, choices=Kind.choices, default=Kind.STAFF
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name="cơ quan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    unit = models.ForeignKey(
        "agencies.Agency",
        verbose_name="phòng/đơn vị",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="unit_staff",
        help_text="Đơn vị trực thuộc cơ quan (nếu có).",
    )
    phone = models.CharField("số điện thoại", max_length=20, blank=True)
    full_name = models.CharField(
        "họ và tên",
        max_length=150,
        blank=True,
        help_text="Viết theo thứ tự tiếng Việt: họ, tên đệm, tên (ví dụ Nguyễn Văn An).",
    )

    class Meta:
        verbose_name = "người dùng"
        verbose_name_plural = "người dùng"

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name()

    def role_set(self) -> frozenset[Role]:
        cached = getattr(self, "_role_cache", None)
        if cached is None:
            cached = frozenset(
                Role(r) for r in self.role_assignments.values_list("role", flat=True)
            )
            self._role_cache = cached
        return cached

    def has_role(self, role: Role) -> bool:
        return role in self.role_set()


class RoleAssignment(models.Model):
    """A role a staff user holds in their own agency."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(
        "vai trò",
        max_length=32,
        choices=[(r.value, ROLE_LABELS_VI[r]) for r in Role],
    )

    class Meta:
        verbose_name = "vai trò"
        verbose_name_plural = "vai trò"
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="unique_role_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"
