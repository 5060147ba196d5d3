"""Forms of the back office: they parse and check input; the services decide."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from motcua.accounts.models import User
from motcua.catalog.models import RequiredDocument
from motcua.core.widgets import DateInput
from motcua.dossiers import queries
from motcua.dossiers.attachments import Scan, file_problems
from motcua.dossiers.forms import ApplicantForm
from motcua.dossiers.models import STATUS_CHOICES, Attachment, Dossier
from motcua.dossiers.rules import ACTIONS_NEEDING_REASON, Action, Channel
from motcua.dossiers.services import DocumentData

REQUIRED = "Vui lòng nhập thông tin này."


class WorklistForm(forms.Form):
    """The query string of /can-bo/: tab, search, filters, sort, page."""

    tab = forms.CharField(required=False)
    q = forms.CharField(required=False, max_length=100, label="Tìm kiếm")
    thu_tuc = forms.IntegerField(required=False, min_value=1, label="Thủ tục")
    trang_thai = forms.ChoiceField(
        required=False, choices=[("", "Mọi trạng thái"), *STATUS_CHOICES], label="Trạng thái"
    )
    sap_xep = forms.ChoiceField(
        required=False,
        choices=[(k, v[0]) for k, v in queries.SORTS.items()],
        label="Sắp xếp",
    )
    noi = forms.IntegerField(required=False, min_value=1)
    can_bo = forms.IntegerField(required=False, min_value=queries.NO_ACTIVE_STEP)
    ket_qua = forms.ChoiceField(
        required=False, choices=[("", ""), ("on_time", "Đúng hạn"), ("late", "Trễ hạn")]
    )
    page = forms.IntegerField(required=False, min_value=1)

    def filters(self, allowed_tabs: list[str], default_tab: str) -> queries.WorklistFilter:
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        tab = data.get("tab") or default_tab
        return queries.WorklistFilter(
            tab=tab if tab in allowed_tabs else default_tab,
            q=data.get("q") or "",
            procedure_id=data.get("thu_tuc"),
            status=data.get("trang_thai") or "",
            place_id=data.get("noi"),
            officer_id=data.get("can_bo"),
            result=data.get("ket_qua") or "",
            sort=data.get("sap_xep") or "due",
        )

    def page_number(self) -> int:
        return (self.cleaned_data.get("page") if self.is_valid() else None) or 1


#: Actions that take a note without needing one (it goes into the event, and the form).
OPTIONAL_REASONS = {
    Action.REQUEST_WITHDRAWAL: "Lý do người nộp rút hồ sơ (nếu có)",
    Action.REQUEST_PAYMENT: "Khoản phải nộp (phí, lệ phí, thuế; số tiền; nơi nộp)",
}


def _officer_label(user: User) -> str:
    name = user.full_name.strip()
    return f"{name} ({user.username})" if name else user.username


class ActionForm(forms.Form):
    """What one action needs: the version seen, a reason, an assignee or a new date."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(
        label="Lý do",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Vui lòng ghi rõ lý do."},
    )
    assignee = forms.ModelChoiceField(
        label="Cán bộ được phân công",
        queryset=User.objects.none(),
        empty_label="— Chọn chuyên viên —",
        error_messages={
            "required": "Chọn cán bộ được phân công.",
            "invalid_choice": "Cán bộ được chọn không hợp lệ.",
        },
    )
    postal_item_number = forms.CharField(
        label="Số hiệu bưu gửi chứa kết quả (ví dụ EL123456785VN)",
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    new_due = forms.DateField(
        label="Ngày hẹn trả kết quả mới",
        widget=DateInput(),
        error_messages={
            "required": "Chọn ngày hẹn trả kết quả mới.",
            "invalid": "Ngày không hợp lệ.",
        },
    )

    def __init__(
        self,
        action: Action,
        *args: Any,
        specialists: list[User] | None = None,
        return_by_post: bool = False,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("auto_id", f"id_{action.value}_%s")
        super().__init__(*args, **kwargs)
        self.action = action
        if action in OPTIONAL_REASONS:
            self.fields["reason"].required = False
            self.fields["reason"].label = OPTIONAL_REASONS[action]
        elif action not in ACTIONS_NEEDING_REASON:
            del self.fields["reason"]
        if action is Action.ASSIGN:
            field = self.fields["assignee"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = User.objects.filter(pk__in=[u.pk for u in specialists or []])
            field.label_from_instance = _officer_label  # type: ignore[assignment]
        else:
            del self.fields["assignee"]
        if action is not Action.ISSUE_APOLOGY:
            del self.fields["new_due"]
        if not (action is Action.RETURN_RESULT and return_by_post):
            # The service says when it is missing or malformed (one rule for every caller).
            del self.fields["postal_item_number"]
        if action is Action.REQUEST_SUPPLEMENT:
            self.fields["reason"].label = (
                "Giấy tờ cần bổ sung, hoàn thiện và lý do (mỗi dòng một giấy tờ, "
                "ví dụ «Tờ khai: thiếu chữ ký của người yêu cầu»)"
            )
        elif action is Action.ISSUE_APOLOGY:
            self.fields["reason"].label = "Lý do chậm trả kết quả"

    def clean_new_due(self) -> date:
        value: date = self.cleaned_data["new_due"]
        if value <= timezone.localdate():
            raise forms.ValidationError("Ngày hẹn mới phải sau hôm nay.")
        return value


class UploadForm(forms.Form):
    """More scans for a dossier (several files at once), optionally for one document."""

    kind = forms.ChoiceField(
        label="Loại tệp",
        choices=[
            (Attachment.Kind.SCAN.value, "Bản quét hồ sơ"),
            (Attachment.Kind.RESULT.value, "Kết quả giải quyết (bản điện tử trả cho người nộp)"),
        ],
        initial=Attachment.Kind.SCAN.value,
        required=False,
        error_messages={"invalid_choice": "Chọn loại tệp."},
    )
    document = forms.TypedChoiceField(
        label="Thuộc giấy tờ", required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, dossier: Dossier, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["document"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "— Tệp khác —")] + [
            (d.pk, d.name[:120]) for d in dossier.documents.all()
        ]

    def uploads(self) -> list[UploadedFile]:
        return list(self.files.getlist("files")) if self.files else []

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        files = self.uploads()
        if not files:
            self.add_error(None, "Chọn ít nhất một tệp để tải lên.")
        for problem in file_problems(files):
            self.add_error(None, problem)
        return data


CHANNELS = [(Channel.IN_PERSON.value, "Trực tiếp"), (Channel.POSTAL.value, "Bưu chính công ích")]
RETURN_METHODS = [
    ("counter", "Tại bộ phận một cửa"),
    ("post", "Qua bưu chính"),
    ("online", "Trực tuyến"),
]


class IntakeForm(ApplicantForm):
    """The counter intake: applicant, channel, checklist, scans, return method."""

    subject = forms.CharField(
        label="Nội dung yêu cầu (nếu khác tên thủ tục)", max_length=500, required=False
    )
    channel = forms.ChoiceField(
        label="Hình thức nộp",
        choices=CHANNELS,
        initial=Channel.IN_PERSON.value,
        widget=forms.RadioSelect,
    )
    postal_item_number = forms.CharField(label="Số hiệu bưu gửi", max_length=64, required=False)
    return_method = forms.ChoiceField(
        label="Hình thức nhận kết quả",
        choices=RETURN_METHODS,
        initial="counter",
        widget=forms.RadioSelect,
    )
    sets_count = forms.IntegerField(
        label="Số bộ hồ sơ",
        min_value=1,
        max_value=20,
        initial=1,
        error_messages={"min_value": "Ít nhất 1 bộ.", "max_value": "Tối đa 20 bộ."},
    )
    other_document = forms.CharField(label="Giấy tờ khác (nếu có)", max_length=500, required=False)

    def __init__(
        self, *args: Any, required_documents: list[RequiredDocument], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.required_documents = required_documents
        for doc in required_documents:
            self.fields[f"doc_{doc.pk}_received"] = forms.BooleanField(required=False)
            for kind, initial in (("originals", doc.original_count), ("copies", doc.copy_count)):
                self.fields[f"doc_{doc.pk}_{kind}"] = forms.IntegerField(
                    min_value=0,
                    max_value=99,
                    initial=initial,
                    required=False,
                    error_messages={"min_value": "Không âm.", "max_value": "Tối đa 99."},
                )

    def checklist(self) -> list[dict[str, Any]]:
        """Rows for the template: the document, its group and its three fields."""
        rows, group = [], None
        for doc in self.required_documents:
            rows.append(
                {
                    "doc": doc,
                    "group": doc.group if doc.group != group else "",
                    "received": self[f"doc_{doc.pk}_received"],
                    "originals": self[f"doc_{doc.pk}_originals"],
                    "copies": self[f"doc_{doc.pk}_copies"],
                    "files_name": f"doc_{doc.pk}_files",
                }
            )
            group = doc.group
        return rows

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("channel") == Channel.POSTAL.value and not data.get("postal_item_number"):
            self.add_error("postal_item_number", "Hồ sơ nộp qua bưu chính cần số hiệu bưu gửi.")
        if (
            "applicant_phone" in data
            and not data.get("applicant_phone")
            and not data.get("applicant_id_number")
        ):
            self.add_error(
                "applicant_phone",
                "Cần ít nhất số điện thoại hoặc số định danh để người nộp tra cứu hồ sơ.",
            )
        if not self.documents_data(data):
            self.add_error(None, "Đánh dấu ít nhất một giấy tờ đã nhận trong danh mục.")
        for problem in file_problems([s.file for s in self.scans()]):
            self.add_error(None, problem)
        return data

    def documents_data(self, data: dict[str, Any] | None = None) -> list[DocumentData]:
        data = self.cleaned_data if data is None else data
        docs = [
            DocumentData(
                name=doc.name,
                original_count=data.get(f"doc_{doc.pk}_originals") or 0,
                copy_count=data.get(f"doc_{doc.pk}_copies") or 0,
                required_document_id=doc.pk,
            )
            for doc in self.required_documents
            if data.get(f"doc_{doc.pk}_received")
        ]
        other = (data.get("other_document") or "").strip()
        if other:
            docs.append(DocumentData(name=other, copy_count=1))
        return docs

    def scans(self) -> list[Scan]:
        if not self.files:
            return []
        scans = [
            Scan(f, doc.pk)
            for doc in self.required_documents
            for f in self.files.getlist(f"doc_{doc.pk}_files")
        ]
        scans += [Scan(f) for f in self.files.getlist("scans")]
        return scans


class TokenForm(forms.Form):
    token = forms.RegexField(
        label="Mã xác thực (6 chữ số)",
        regex=r"^\s*\d{6}\s*$",
        error_messages={
            "required": "Nhập mã 6 chữ số từ ứng dụng xác thực.",
            "invalid": "Mã xác thực gồm 6 chữ số.",
        },
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6}
        ),
    )


class RegisterForm(forms.Form):
    tu = forms.DateField(
        label="Từ ngày",
        widget=DateInput(),
        error_messages={"required": "Chọn ngày đầu.", "invalid": "Ngày không hợp lệ."},
    )
    den = forms.DateField(
        label="Đến ngày",
        widget=DateInput(),
        error_messages={"required": "Chọn ngày cuối.", "invalid": "Ngày không hợp lệ."},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("tu"), data.get("den")
        if start and end:
            if end < start:
                self.add_error("den", "Ngày cuối phải sau ngày đầu.")
            elif (end - start).days > 366:
                self.add_error("den", "Chọn khoảng không quá một năm.")
        return data
