"""Dossiers (hồ sơ), their internal processes, steps, events and attachments.

The event log (``DossierEvent``) is the story of a dossier; ``Dossier`` and
``DossierStep`` hold the current state that the service layer derives from it, so
worklists can be queried fast. Only :mod:`motcua.dossiers.services` writes these rows.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from motcua.dossiers.rules import (
    ACTION_LABELS_VI,
    FINISHED,
    NATIONAL_STATUS_CODE,
    OPEN,
    STATUS_LABELS_VI,
    TERMINAL,
    Actor,
    AppointmentView,
    Channel,
    Status,
    appointment_view,
    progress,
)
from motcua.worktime.rules import Timeliness

STATUS_CHOICES = [(s.value, STATUS_LABELS_VI[s]) for s in Status]
ACTION_CHOICES = [(a.value, label) for a, label in ACTION_LABELS_VI.items()]
CHANNEL_CHOICES = [
    (Channel.IN_PERSON.value, "Trực tiếp"),
    (Channel.ONLINE.value, "Trực tuyến"),
    (Channel.POSTAL.value, "Bưu chính công ích"),
]
TIMELINESS_CHOICES = [
    (Timeliness.EARLY.value, "Trước hạn"),
    (Timeliness.ON_TIME.value, "Đúng hạn"),
    (Timeliness.LATE.value, "Trễ hạn"),
]
ACTOR_ROLE_CHOICES = [(a.value, a.value) for a in Actor]
#: Received and not finished (``rules.OPEN``), for partial indexes.
_OPEN_Q = models.Q(status__in=sorted(s.value for s in OPEN))
#: Not in a final status (waiting for intake, open, result waiting), for partial indexes.
_NOT_FINAL_Q = models.Q(status__in=sorted(s.value for s in Status if s not in TERMINAL))
#: Finished (``rules.FINISHED``: result ready or returned, rejected, stopped, withdrawn).
_FINISHED_Q = models.Q(status__in=sorted(s.value for s in FINISHED))


class ImmutableEventError(RuntimeError):
    pass


class Process(models.Model):
    """The internal process of a procedure as offered by one agency (quy trình nội bộ)."""

    offering = models.OneToOneField(
        "catalog.ProcedureOffering",
        verbose_name="thủ tục tại cơ quan",
        on_delete=models.CASCADE,
        related_name="process",
    )
    name = models.CharField("tên quy trình", max_length=255)
    legal_working_days = models.PositiveSmallIntegerField("thời hạn giải quyết (ngày làm việc)")
    apply_cutoff = models.BooleanField(
        "áp dụng mốc 15 giờ",
        default=True,
        help_text="Hồ sơ tiếp nhận sau giờ cắt được tính từ ngày làm việc tiếp theo.",
    )
    is_active = models.BooleanField("đang áp dụng", default=True)

    class Meta:
        verbose_name = "quy trình nội bộ"
        verbose_name_plural = "quy trình nội bộ"

    def __str__(self) -> str:
        return self.name


class ProcessStep(models.Model):
    """One step of a process. Steps of one ``stage`` with different ``branch`` run in parallel."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="steps")
    stage = models.PositiveSmallIntegerField("giai đoạn")
    branch = models.PositiveSmallIntegerField("nhánh song song", default=0)
    position = models.PositiveSmallIntegerField("thứ tự trong nhánh", default=0)
    name = models.CharField("tên bước", max_length=255)
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name="cơ quan thực hiện",
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "agencies.Agency",
        verbose_name="phòng/đơn vị",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    role = models.CharField("vai trò thực hiện", max_length=32, choices=ACTOR_ROLE_CHOICES)
    hours = models.PositiveIntegerField("thời gian (giờ làm việc)")

    class Meta:
        verbose_name = "bước xử lý"
        verbose_name_plural = "các bước xử lý"
        ordering = ["process", "stage", "branch", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["process", "stage", "branch", "position"], name="unique_process_step_slot"
            )
        ]

    def __str__(self) -> str:
        return f"{self.stage}.{self.branch}.{self.position} {self.name} ({self.hours} giờ)"


class DossierCodeSequence(models.Model):
    """The daily sequence behind dossier codes, per agency (Circular 03/2025 art. 13)."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "day"], name="unique_code_sequence_day")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day:%Y-%m-%d} #{self.last_value}"


class Dossier(models.Model):
    # Foreign keys without an index of their own (``db_index=False``) lead a composite or
    # partial index below, or are only followed from the dossier: every index costs each
    # intake and action its upkeep and every statement its planning (ADR 0005).
    code = models.CharField("mã hồ sơ", max_length=64, unique=True, null=True, blank=True)
    deciding_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name="cơ quan giải quyết",
        on_delete=models.PROTECT,
        related_name="dossiers",
        help_text="Cơ quan có mã định danh đứng đầu mã hồ sơ.",
        db_index=False,
    )
    intake_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name="nơi tiếp nhận",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Bộ phận một cửa / Trung tâm phục vụ hành chính công đã tiếp nhận.",
    )
    procedure = models.ForeignKey(
        "catalog.Procedure", verbose_name="thủ tục", on_delete=models.PROTECT, related_name="+"
    )
    offering = models.ForeignKey(
        "catalog.ProcedureOffering",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    process = models.ForeignKey(
        Process,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
        db_index=False,
    )
    channel = models.CharField("kênh nộp", max_length=16, choices=CHANNEL_CHOICES)
    # No index of its own: the worklist, register and report indexes below lead with an
    # agency and filter on the status, and the open/finished partial indexes cover the
    # province-wide lists (migration 0005).
    status = models.CharField("trạng thái", max_length=32, choices=STATUS_CHOICES)
    version = models.PositiveIntegerField("phiên bản", default=1)

    applicant_name = models.CharField("người nộp / tổ chức", max_length=255)
    applicant_id_number = models.CharField("số định danh / CCCD / mã số", max_length=32, blank=True)
    applicant_phone = models.CharField("điện thoại", max_length=20, blank=True)
    applicant_email = models.EmailField("thư điện tử", blank=True)
    applicant_address = models.CharField("địa chỉ", max_length=300, blank=True)
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subject = models.CharField("nội dung yêu cầu", max_length=500, blank=True)
    postal_item_number = models.CharField("số hiệu bưu gửi", max_length=64, blank=True)
    return_method = models.CharField(
        "hình thức nhận kết quả",
        max_length=16,
        choices=[
            ("counter", "Tại bộ phận một cửa"),
            ("online", "Trực tuyến"),
            ("post", "Bưu chính"),
        ],
        default="counter",
    )
    sets_count = models.PositiveSmallIntegerField("số bộ hồ sơ", default=1)
    return_postal_item_number = models.CharField(
        "số hiệu bưu gửi trả kết quả",
        max_length=64,
        blank=True,
        default="",
        help_text="Bưu gửi chứa kết quả, khi trả kết quả qua bưu chính.",
    )

    submitted_at = models.DateTimeField("thời điểm nộp", null=True, blank=True)
    received_at = models.DateTimeField("thời điểm tiếp nhận", null=True, blank=True)
    clock_started_at = models.DateTimeField("bắt đầu tính thời hạn", null=True, blank=True)
    legal_working_days = models.PositiveSmallIntegerField("thời hạn (ngày làm việc)", null=True)
    appointment_at = models.DateTimeField("ngày hẹn trả (ban đầu)", null=True, blank=True)
    new_appointment_at = models.DateTimeField("ngày hẹn lại", null=True, blank=True)
    due_at = models.DateTimeField(
        "hạn xử lý hiện tại",
        null=True,
        blank=True,
        help_text="Ngày hẹn (hoặc hẹn lại) cộng thời gian tạm dừng.",
    )
    paused_since = models.DateTimeField("tạm dừng từ", null=True, blank=True)
    finished_at = models.DateTimeField("hoàn thành lúc", null=True, blank=True)
    returned_at = models.DateTimeField("trả kết quả lúc", null=True, blank=True)
    timeliness = models.CharField(
        "kết quả đúng hạn", max_length=16, choices=TIMELINESS_CHOICES, blank=True
    )
    late_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name="cơ quan làm trễ hạn",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    late_step_name = models.CharField("bước làm trễ hạn", max_length=255, blank=True)
    supplement_requests = models.PositiveSmallIntegerField("số lần yêu cầu bổ sung", default=0)
    apologies = models.PositiveSmallIntegerField("số lần xin lỗi, hẹn lại", default=0)

    current_agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    current_unit = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    current_role = models.CharField(max_length=32, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người đang xử lý",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_dossiers",
        db_index=False,
    )
    search_text = models.TextField(blank=True, editable=False)
    #: A step of it is at an agency that neither decides nor received it (interconnected
    #: procedures: a few percent of the dossiers). Set with the steps, at receipt; the
    #: lists test "held a step here" on these rows only (``access.visible_values``).
    spans_agencies = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "hồ sơ"
        verbose_name_plural = "hồ sơ"
        indexes = [
            models.Index(
                fields=["current_agency", "status", "due_at"], name="dossier_agency_queue"
            ),
            models.Index(fields=["assignee", "status", "due_at"], name="dossier_assignee_queue"),
            models.Index(fields=["deciding_agency", "received_at"], name="dossier_register"),
            # Open dossiers are a few percent of the history: worklists ordered by
            # deadline or by filing date walk these instead of the whole table.
            models.Index(fields=["due_at"], condition=_OPEN_Q, name="dossier_open_due"),
            models.Index(fields=["submitted_at"], condition=_OPEN_Q, name="dossier_open_submitted"),
            # The API list, newest first: walked backwards until a page of visible ones.
            models.Index(fields=["submitted_at"], name="dossier_submitted"),
            # A desk's open work by where it was received or who decides it, read as one
            # BitmapOr with the held dossiers and the assignee's (worklist tabs, counts),
            # and its overdue ones (the due date of the finished ones is in the past: the
            # planner cannot tell "open and overdue" is rare from the column's statistics).
            models.Index(
                fields=["intake_agency", "status", "due_at"],
                condition=_NOT_FINAL_Q,
                name="dossier_intake_not_final",
            ),
            models.Index(
                fields=["deciding_agency", "status", "due_at"],
                condition=_NOT_FINAL_Q,
                name="dossier_deciding_not_final",
            ),
            # The dossiers of other agencies whose steps pass here, by status and newest
            # first: the part of a list that is not read from the agency's own indexes.
            models.Index(
                fields=["status", "submitted_at"],
                condition=models.Q(spans_agencies=True),
                name="dossier_spanning",
            ),
            # "Finished this month": the province's, an agency's, where the results wait.
            models.Index(fields=["finished_at"], condition=_FINISHED_Q, name="dossier_finished"),
            models.Index(
                fields=["deciding_agency", "finished_at"],
                condition=_FINISHED_Q,
                name="dossier_deciding_finished",
            ),
            models.Index(
                fields=["current_agency", "finished_at"],
                condition=_FINISHED_Q,
                name="dossier_current_finished",
            ),
        ]

    def __str__(self) -> str:
        return self.code or f"(chưa cấp mã #{self.pk})"

    @property
    def national_status(self) -> int:
        return NATIONAL_STATUS_CODE[Status(self.status)]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS_VI[Status(self.status)]

    @property
    def appointment(self) -> AppointmentView:
        """The appointment in force (``due_at``) and how it came about: what every page,
        API and printout shows (``rules.current_appointment`` keeps ``due_at``)."""
        return appointment_view(self.appointment_at, self.new_appointment_at, self.due_at)


class DossierDocument(models.Model):
    """One line of the checklist of documents received (thành phần hồ sơ)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    required_document = models.ForeignKey(
        "catalog.RequiredDocument",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField("tên giấy tờ", max_length=1000)
    original_count = models.PositiveSmallIntegerField("bản chính", default=0)
    copy_count = models.PositiveSmallIntegerField("bản sao", default=0)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["dossier", "order", "id"]

    def __str__(self) -> str:
        return self.name[:80]


class DossierStep(models.Model):
    """A step of the process as this dossier runs through it (with its own deadline)."""

    class State(models.TextChoices):
        PENDING = progress.StepState.PENDING.value, "Chưa đến"
        ACTIVE = progress.StepState.ACTIVE.value, "Đang xử lý"
        DONE = progress.StepState.DONE.value, "Đã xong"
        SKIPPED = progress.StepState.SKIPPED.value, "Bỏ qua"

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="steps", db_index=False
    )
    process_step = models.ForeignKey(
        ProcessStep, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    stage = models.PositiveSmallIntegerField()
    branch = models.PositiveSmallIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=255)
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    unit = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    role = models.CharField(max_length=32)
    hours = models.PositiveIntegerField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    timeliness = models.CharField(max_length=16, choices=TIMELINESS_CHOICES, blank=True)

    class Meta:
        ordering = ["dossier", "stage", "branch", "position", "id"]
        indexes = [
            models.Index(fields=["agency", "state", "due_at"], name="step_agency_queue"),
            # A dossier's steps, and "has this agency held a step of it?" (visibility,
            # ``access.agency_visible_q``, asked row by row): read from the index alone.
            models.Index(fields=["dossier", "agency"], name="step_dossier_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_state_display()})"

    def as_progress_step(self) -> progress.Step:
        """This step as :mod:`motcua.dossiers.rules.progress` reads it (key: its id)."""
        return progress.Step(
            key=self.pk,
            stage=self.stage,
            branch=self.branch,
            position=self.position,
            name=self.name,
            agency_id=self.agency_id,
            unit_id=self.unit_id,
            role=self.role,
            hours=self.hours,
            state=self.state,
            started_at=self.started_at,
            due_at=self.due_at,
            finished_at=self.finished_at,
            assignee_id=self.assignee_id,
            timeliness=self.timeliness,
        )


class DossierEvent(models.Model):
    """One immutable line of a dossier's history: who, as what, when, from → to, why."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="events", db_index=False
    )
    seq = models.PositiveIntegerField("thứ tự")
    occurred_at = models.DateTimeField("thời điểm")
    action = models.CharField("hành động", max_length=32, choices=ACTION_CHOICES)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField("người thực hiện", max_length=255, blank=True)
    actor_role = models.CharField("vai trò", max_length=32, blank=True)
    actor_agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    from_status = models.CharField(max_length=32, blank=True)
    to_status = models.CharField(max_length=32, blank=True)
    from_agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    to_agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    step = models.ForeignKey(
        DossierStep,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        db_index=False,
    )
    timeliness = models.CharField(max_length=16, choices=TIMELINESS_CHOICES, blank=True)
    reason = models.TextField("lý do", blank=True)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "sự kiện hồ sơ"
        verbose_name_plural = "sự kiện hồ sơ"
        ordering = ["dossier", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "seq"], name="unique_dossier_event_seq")
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableEventError("dossier events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableEventError("dossier events are append-only")


def attachment_path(instance: Attachment, filename: str) -> str:
    # The service names files "<sha256><ext>"; keep nothing of what the uploader sent.
    return f"dossiers/{instance.dossier_id}/{instance.sha256[:2]}/{filename}"


class Attachment(models.Model):
    """A scan, e-form or result file of a dossier (never served without a permission check)."""

    class Kind(models.TextChoices):
        SCAN = "scan", "Bản quét hồ sơ"
        EFORM = "eform", "Biểu mẫu điện tử"
        SUPPLEMENT = "supplement", "Hồ sơ bổ sung"
        RESULT = "result", "Kết quả giải quyết"

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        DossierDocument,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attachments",
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.SCAN)
    file = models.FileField(upload_to=attachment_path, max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["dossier", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
