"""The catalog of administrative procedures (thủ tục hành chính) and where a province
offers them.

A procedure is national (code such as ``1.001193``); a ``ProcedureOffering`` says that an
agency of the province receives it, with the local overrides the province announced.
Writes go through ``motcua.catalog.services`` (the importer, offerings) or the admin.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models

from motcua.catalog import rules


class Field(models.Model):
    """A field of state management (lĩnh vực), e.g. "Hộ tịch"."""

    name = models.CharField("tên lĩnh vực", max_length=255, unique=True)
    slug = models.SlugField("mã rút gọn", max_length=255, unique=True)

    class Meta:
        verbose_name = "lĩnh vực"
        verbose_name_plural = "lĩnh vực"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Level(models.TextChoices):
    """Levels at which a procedure is carried out (cấp thực hiện)."""

    COMMUNE = "commune", "Cấp xã"
    DISTRICT = "district", "Cấp huyện"
    PROVINCE = "province", "Cấp tỉnh"
    MINISTRY = "ministry", "Cấp bộ"
    OTHER = "other", "Cơ quan khác"


class OnlineLevel(models.TextChoices):
    """How far a procedure can be done online (see ``rules.derive_online_level``)."""

    FULL_ONLINE = rules.FULL_ONLINE, "Trực tuyến toàn trình"
    PARTIAL_ONLINE = rules.PARTIAL_ONLINE, "Trực tuyến một phần"
    NOT_ONLINE = rules.NOT_ONLINE, "Chưa cung cấp trực tuyến"
    UNKNOWN = rules.UNKNOWN_ONLINE, "Chưa có thông tin"


#: The levels of online service at which the portal takes dossiers.
ONLINE_APPLICATION_LEVELS = (OnlineLevel.FULL_ONLINE, OnlineLevel.PARTIAL_ONLINE)


class Procedure(models.Model):
    """One administrative procedure of the national database."""

    class Status(models.TextChoices):
        IN_FORCE = "in_force", "Đang có hiệu lực"
        SUSPENDED = "suspended", "Tạm ngừng"
        ABOLISHED = "abolished", "Đã bãi bỏ"

    code = models.CharField("mã thủ tục", max_length=64, unique=True)
    name = models.TextField("tên thủ tục")
    field = models.ForeignKey(
        Field, verbose_name="lĩnh vực", on_delete=models.PROTECT, related_name="procedures"
    )
    # Levels as booleans: filterable with an index-friendly equality on every database.
    level_commune = models.BooleanField("cấp xã", default=False)
    level_district = models.BooleanField("cấp huyện", default=False)
    level_province = models.BooleanField("cấp tỉnh", default=False)
    level_ministry = models.BooleanField("cấp bộ", default=False)
    level_other = models.BooleanField("cơ quan khác", default=False)
    procedure_type = models.CharField("loại thủ tục", max_length=200, blank=True)
    applicant_types = models.JSONField("đối tượng thực hiện", default=list, blank=True)
    competent_agency_text = models.TextField("cơ quan có thẩm quyền", blank=True)
    implementing_agency_text = models.TextField("cơ quan thực hiện", blank=True)
    receiving_address = models.TextField("địa chỉ tiếp nhận hồ sơ", blank=True)
    coordinating_agency = models.TextField("cơ quan phối hợp", blank=True)
    conditions = models.TextField("yêu cầu, điều kiện", blank=True)
    keywords = models.TextField("từ khóa", blank=True)
    decision = models.CharField("quyết định công bố", max_length=100, blank=True)
    source_url = models.URLField("nguồn (Cổng Dịch vụ công quốc gia)", max_length=500, blank=True)
    source_ministry = models.CharField("bộ, ngành (nguồn)", max_length=64, blank=True)
    online_level = models.CharField(
        "mức độ trực tuyến",
        max_length=16,
        choices=OnlineLevel.choices,
        default=OnlineLevel.UNKNOWN,
        db_index=True,
    )
    offers_postal_submission = models.BooleanField("nộp hồ sơ qua bưu chính", default=False)
    offers_postal_return = models.BooleanField("trả kết quả qua bưu chính", default=False)
    status = models.CharField(
        "tình trạng", max_length=16, choices=Status.choices, default=Status.IN_FORCE
    )
    effective_from = models.DateField("có hiệu lực từ", null=True, blank=True)
    effective_until = models.DateField("hết hiệu lực từ", null=True, blank=True)
    is_interconnected = models.BooleanField("thủ tục liên thông", default=False)
    has_detail = models.BooleanField(
        "có thông tin chi tiết",
        default=False,
        help_text="Không: chỉ có thông tin danh mục; cách thức, hồ sơ, căn cứ pháp lý chưa rõ.",
    )
    parse_warnings = models.JSONField("cảnh báo khi đọc dữ liệu", default=list, blank=True)
    # Search: folded, punctuation-free text kept by the service layer (see rules.search_key).
    search_name = models.TextField("tên (dạng tìm kiếm)", blank=True, editable=False)
    search_text = models.TextField("nội dung tìm kiếm", blank=True, editable=False)
    source_hash = models.CharField(
        "dấu vân tay dữ liệu nguồn",
        max_length=64,
        blank=True,
        editable=False,
        help_text="Lần nhập sau bỏ qua bản ghi khi dữ liệu nguồn không đổi.",
    )
    imported_at = models.DateTimeField("nhập lúc", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "thủ tục hành chính"
        verbose_name_plural = "thủ tục hành chính"
        ordering = ["search_name", "code"]
        indexes = [
            models.Index(fields=["status", "search_name"], name="catalog_proc_status_name"),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    @property
    def levels(self) -> list[str]:
        return [level for level in rules.LEVELS if getattr(self, f"level_{level}")]

    @property
    def level_labels(self) -> list[str]:
        return [str(Level(level).label) for level in self.levels]

    @property
    def takes_online_applications(self) -> bool:
        """In force and offered online in whole or in part: the portal takes dossiers."""
        return (
            self.status == self.Status.IN_FORCE and self.online_level in ONLINE_APPLICATION_LEVELS
        )

    @property
    def accepts_postal_submission(self) -> bool | None:
        """Postal filing as the procedure's page says it (None: not known)."""
        return rules.accepts_postal_submission(
            has_detail=self.has_detail, offers_postal_submission=self.offers_postal_submission
        )

    def accepts_direct_submission(self) -> bool | None:
        """Filing in person as its ways of filing say (uses prefetched channels)."""
        return rules.accepts_direct_submission(
            (channel.channel for channel in self.channels.all()), has_detail=self.has_detail
        )

    def checklist(self) -> tuple[list[RequiredDocument], list[RequiredDocument]]:
        """The documents to bring or send, and the catalog's remarks among its rows
        ("Lưu ý", "Trường hợp …": no original and no copy), from ``documents.all()``."""
        rows = list(self.documents.all())
        return [d for d in rows if d.is_document], [d for d in rows if not d.is_document]

    def document_uses(self) -> list[tuple[RequiredDocument, str]]:
        """Each row of ``documents.all()`` with what an online application asks of it:
        required, optional, in person only, or a remark (``rules.online_document_uses``)."""
        rows = list(self.documents.all())
        uses = rules.online_document_uses(
            [
                rules.DocumentRow(d.group, d.name, d.note, d.original_count, d.copy_count)
                for d in rows
            ]
        )
        return list(zip(rows, uses, strict=True))

    def online_checklist(self) -> OnlineChecklist:
        """What an online application asks for: each paper to attach (required or
        optional), the papers only shown or filed in person, the remarks."""
        checklist = OnlineChecklist()
        for doc, use in self.document_uses():
            if use == rules.DOCUMENT_REMARK:
                checklist.remarks.append(doc)
            elif use == rules.DOCUMENT_IN_PERSON:
                checklist.in_person.append(doc)
            else:
                checklist.documents.append(OnlineDocument(doc, use == rules.DOCUMENT_REQUIRED))
        return checklist

    def national_deadline_cap(self) -> Decimal | None:
        """Longest local deadline (working days) that its channels allow."""
        return rules.national_deadline_cap(
            (channel.processing_time_value, channel.processing_time_unit)
            for channel in self.channels.all()
        )

    def shortest_channel(self) -> ProcedureChannel | None:
        """The channel row with the shortest processing time (uses prefetched channels)."""
        channels = list(self.channels.all())
        index = rules.shortest_time_index(
            [(c.processing_time_value, c.processing_time_unit) for c in channels]
        )
        return None if index is None else channels[index]


class ProcedureChannel(models.Model):
    """One row of "Cách thức thực hiện": a way to file, its time limit and fee."""

    class Channel(models.TextChoices):
        ONLINE = "online", "Trực tuyến"
        DIRECT = "direct", "Trực tiếp"
        POSTAL = "postal", "Dịch vụ bưu chính"

    class TimeUnit(models.TextChoices):
        WORKING_DAY = "working_day", "ngày làm việc"
        DAY = "day", "ngày"
        HOUR = "hour", "giờ"
        WORKING_HOUR = "working_hour", "giờ làm việc"

    procedure = models.ForeignKey(
        Procedure, verbose_name="thủ tục", on_delete=models.CASCADE, related_name="channels"
    )
    channel = models.CharField("cách thức", max_length=16, choices=Channel.choices)
    processing_time_value = models.DecimalField(
        "thời hạn giải quyết", max_digits=7, decimal_places=2, null=True, blank=True
    )
    processing_time_unit = models.CharField(
        "đơn vị thời hạn", max_length=16, choices=TimeUnit.choices, null=True, blank=True
    )
    processing_time_text = models.TextField("thời hạn (nguyên văn)", blank=True)
    fee_vnd = models.BigIntegerField("phí, lệ phí (đồng)", null=True, blank=True)
    fee_text = models.TextField("phí, lệ phí (nguyên văn)", blank=True)
    description = models.TextField("mô tả", blank=True)
    warnings = models.JSONField("cảnh báo", default=list, blank=True)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        verbose_name = "cách thức thực hiện"
        verbose_name_plural = "cách thức thực hiện"
        ordering = ["procedure", "order", "id"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.processing_time_label}"

    @property
    def processing_time_label(self) -> str:
        """The time limit as people read it: "3 ngày làm việc", or the source wording."""
        value = self.processing_time_value
        if value is None:
            return self.processing_time_text or "Không có thông tin"
        number = f"{value.normalize():f}".replace(".", ",")
        if self.processing_time_unit:
            return f"{number} {self.get_processing_time_unit_display()}"
        return f"{number} (nguồn không ghi đơn vị)"


class RequiredDocument(models.Model):
    """One row of "Thành phần hồ sơ"."""

    procedure = models.ForeignKey(
        Procedure, verbose_name="thủ tục", on_delete=models.CASCADE, related_name="documents"
    )
    group = models.TextField("nhóm, trường hợp", blank=True)
    name = models.TextField("tên giấy tờ")
    note = models.TextField("ghi chú", blank=True)
    original_count = models.PositiveSmallIntegerField("số bản chính", default=0)
    copy_count = models.PositiveSmallIntegerField("số bản sao", default=0)
    form_name = models.CharField("mẫu đơn, tờ khai", max_length=255, blank=True)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        verbose_name = "thành phần hồ sơ"
        verbose_name_plural = "thành phần hồ sơ"
        ordering = ["procedure", "order", "id"]

    def __str__(self) -> str:
        return self.name[:80]

    @property
    def is_document(self) -> bool:
        """A document to hand in (an original or a copy), not a remark of the catalog."""
        return bool(self.original_count or self.copy_count)


@dataclass(frozen=True)
class OnlineDocument:
    """A document of the procedure to attach online, and whether it must be."""

    doc: RequiredDocument
    required: bool


@dataclass
class OnlineChecklist:
    """A procedure's documents as an online application sees them."""

    documents: list[OnlineDocument] = dataclass_field(default_factory=list)
    in_person: list[RequiredDocument] = dataclass_field(default_factory=list)
    remarks: list[RequiredDocument] = dataclass_field(default_factory=list)

    def missing(self, sent: Iterable[int | None]) -> list[RequiredDocument]:
        """The required documents with no file among ``sent`` (the document id of each
        file; None for a file of no listed document)."""
        by_id = {d.doc.pk: d.doc for d in self.documents}
        uses = {
            d.doc.pk: rules.DOCUMENT_REQUIRED if d.required else rules.DOCUMENT_OPTIONAL
            for d in self.documents
        }
        given = [pk for pk in sent if pk is not None]
        return [by_id[pk] for pk in rules.missing_documents(uses, given)]


class ResultDocument(models.Model):
    """A result of the procedure (kết quả thực hiện), e.g. "Giấy khai sinh"."""

    procedure = models.ForeignKey(
        Procedure, verbose_name="thủ tục", on_delete=models.CASCADE, related_name="results"
    )
    name = models.TextField("tên kết quả")
    code = models.CharField("mã kết quả", max_length=64, blank=True)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        verbose_name = "kết quả thực hiện"
        verbose_name_plural = "kết quả thực hiện"
        ordering = ["procedure", "order", "id"]

    def __str__(self) -> str:
        return self.name[:80]


class LegalBasis(models.Model):
    """A legal document the procedure rests on (căn cứ pháp lý)."""

    procedure = models.ForeignKey(
        Procedure, verbose_name="thủ tục", on_delete=models.CASCADE, related_name="legal_basis"
    )
    title = models.TextField("trích yếu", blank=True)
    number = models.CharField("số, ký hiệu", max_length=100, blank=True)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        verbose_name = "căn cứ pháp lý"
        verbose_name_plural = "căn cứ pháp lý"
        ordering = ["procedure", "order", "id"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()[:80]


class ProcedureOffering(models.Model):
    """An agency of the province receives this procedure, with local overrides."""

    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name="cơ quan tiếp nhận",
        on_delete=models.CASCADE,
        related_name="procedure_offerings",
    )
    procedure = models.ForeignKey(
        Procedure, verbose_name="thủ tục", on_delete=models.CASCADE, related_name="offerings"
    )
    local_processing_working_days = models.PositiveSmallIntegerField(
        "thời hạn giải quyết tại địa phương (ngày làm việc)",
        null=True,
        blank=True,
        help_text="Để trống nếu áp dụng thời hạn quy định; không được dài hơn thời hạn quy định.",
    )
    local_fee_vnd = models.BigIntegerField(
        "phí, lệ phí tại địa phương (đồng)",
        null=True,
        blank=True,
        help_text="Mức do Hội đồng nhân dân tỉnh quyết định, nếu có.",
    )
    is_active = models.BooleanField("đang tiếp nhận", default=True)
    note = models.TextField("ghi chú", blank=True)

    class Meta:
        verbose_name = "thủ tục tiếp nhận tại cơ quan"
        verbose_name_plural = "thủ tục tiếp nhận tại cơ quan"
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "procedure"], name="catalog_offering_unique_agency_procedure"
            ),
        ]
        ordering = ["procedure", "agency"]

    def __str__(self) -> str:
        return f"{self.procedure.code} @ {self.agency.code}"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.procedure_id is not None:
            cap = self.procedure.national_deadline_cap()
            message = rules.local_deadline_error(self.local_processing_working_days, cap)
            if message:
                errors["local_processing_working_days"] = message
        if self.local_fee_vnd is not None and self.local_fee_vnd < 0:
            errors["local_fee_vnd"] = "Phí, lệ phí không được âm."
        if errors:
            raise ValidationError(errors)


def procedure_long_fields(prefix: str = "") -> list[str]:
    """The procedure's long texts and lists (requirements, legal basis, search text…).

    For ``defer()`` where only the code and name are shown: reading and compiling them
    costs more than the rest of a dossier's row.
    """
    return [
        f"{prefix}{field.name}"
        for field in Procedure._meta.concrete_fields
        if isinstance(field, models.TextField | models.JSONField) and field.name != "name"
    ]
