from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from motcua.agencies.rules import InvalidAgencyCode, path_depth, validate_agency_code


def _validate_code(value: str) -> None:
    try:
        validate_agency_code(value)
    except InvalidAgencyCode as exc:
        raise ValidationError(str(exc)) from exc


class AdministrativeUnit(models.Model):
    """An administrative unit (province, district, commune/ward/special zone) by statistics code.

    Both the 2025 two-tier units and the older three-tier ones are kept: historical
    dossiers belong to agencies of units that no longer exist.
    """

    class Kind(models.TextChoices):
        PROVINCE = "province", "Tỉnh"
        CITY = "city", "Thành phố trực thuộc trung ương"
        DISTRICT = "district", "Huyện/quận/thị xã/thành phố thuộc tỉnh"
        COMMUNE = "commune", "Xã"
        WARD = "ward", "Phường"
        TOWNSHIP = "township", "Thị trấn"
        SPECIAL_ZONE = "special_zone", "Đặc khu"

    code = models.CharField("mã thống kê", max_length=10)
    name = models.CharField("tên", max_length=200)
    short_name = models.CharField(
        "tên gọn",
        max_length=200,
        blank=True,
        help_text="Tên không kèm loại đơn vị, ví dụ 'Long Xuyên'.",
    )
    kind = models.CharField("loại", max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    generation = models.CharField(
        "giai đoạn",
        max_length=8,
        default="2025",
        help_text="2025: sau sắp xếp (2 cấp); pre2025: trước 1/7/2025 (3 cấp).",
    )

    class Meta:
        verbose_name = "đơn vị hành chính"
        verbose_name_plural = "đơn vị hành chính"
        constraints = [
            models.UniqueConstraint(fields=["generation", "code"], name="unique_unit_code"),
        ]
        ordering = ["generation", "code"]

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    """A node of a province's organisation tree: an agency or one of its units.

    Depth is free, so the two-tier model (province → commune) and the older
    three tiers (province → district → commune) both fit.
    """

    class Kind(models.TextChoices):
        PEOPLES_COMMITTEE = "peoples_committee", "Ủy ban nhân dân"
        PC_OFFICE = "pc_office", "Văn phòng UBND"
        SERVICE_CENTER = "service_center", "Trung tâm Phục vụ hành chính công"
        DEPARTMENT = "department", "Sở, ban, ngành"
        UNIT = "unit", "Phòng/đơn vị trực thuộc"
        ONE_STOP_UNIT = "one_stop_unit", "Bộ phận một cửa"
        CENTRAL_BRANCH = "central_branch", "Cơ quan ngành dọc đóng trên địa bàn"
        OTHER = "other", "Khác"

    class Level(models.TextChoices):
        PROVINCE = "province", "Cấp tỉnh"
        DISTRICT = "district", "Cấp huyện"
        COMMUNE = "commune", "Cấp xã"

    code = models.CharField(
        "mã định danh điện tử",
        max_length=35,
        unique=True,
        validators=[_validate_code],
        help_text="Theo Quyết định 20/2020/QĐ-TTg, ví dụ H01.12.",
    )
    name = models.CharField("tên cơ quan", max_length=255)
    short_name = models.CharField("tên viết tắt", max_length=100, blank=True)
    kind = models.CharField("loại", max_length=32, choices=Kind.choices)
    level = models.CharField("cấp", max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="cơ quan cấp trên",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(
        "đường dẫn cây",
        max_length=512,
        db_index=True,
        editable=False,
        default="",
        help_text="Chuỗi id tổ tiên '/1/5/23/' để truy vấn cây con.",
    )
    admin_unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name="đơn vị hành chính",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agencies",
    )
    address = models.CharField("địa chỉ", max_length=300, blank=True)
    phone = models.CharField("điện thoại", max_length=50, blank=True)
    email = models.EmailField("thư điện tử", blank=True)
    receives_dossiers = models.BooleanField("tiếp nhận hồ sơ", default=False)
    is_active = models.BooleanField("đang hoạt động", default=True)
    valid_until = models.DateField(
        "ngừng hoạt động từ",
        null=True,
        blank=True,
        help_text="Cơ quan cũ (ví dụ cấp huyện trước 1/7/2025) vẫn được giữ cho hồ sơ lịch sử.",
    )

    class Meta:
        verbose_name = "cơ quan, đơn vị"
        verbose_name_plural = "cơ quan, đơn vị"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        """0 for a root of the tree, 1 for its children, …"""
        return path_depth(self.path)

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this agency (inclusive)."""
        return [int(part) for part in self.path.strip("/").split("/") if part]
