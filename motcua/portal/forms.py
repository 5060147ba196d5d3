"""Forms of the citizen's pages: they parse and check input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from motcua.accounts.models import User
from motcua.accounts.services import ID_NUMBER, Registration
from motcua.catalog.models import OnlineChecklist
from motcua.catalog.rules import missing_document_message
from motcua.dossiers.attachments import Scan, file_problems
from motcua.dossiers.forms import ApplicantForm, clean_phone
from motcua.dossiers.services import DocumentData
from motcua.portal.applications import document_field

RETURN_METHODS = [
    ("online", "Nhận bản điện tử trên Cổng dịch vụ công"),
    ("post", "Qua bưu chính công ích (gửi về địa chỉ đã khai)"),
    ("counter", "Tại bộ phận một cửa"),
]


class SignupForm(forms.Form):
    full_name = forms.CharField(
        label="Họ và tên",
        max_length=150,
        error_messages={"required": "Vui lòng nhập họ và tên."},
    )
    id_number = forms.CharField(
        label="Số định danh cá nhân (CCCD, 12 chữ số)",
        max_length=12,
        help_text="Dùng làm tên đăng nhập.",
        error_messages={"required": "Vui lòng nhập số định danh cá nhân."},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "username"}),
    )
    phone = forms.CharField(
        label="Số điện thoại",
        max_length=20,
        error_messages={"required": "Vui lòng nhập số điện thoại."},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label="Thư điện tử (không bắt buộc)",
        required=False,
        error_messages={"invalid": "Địa chỉ thư điện tử không hợp lệ."},
    )
    password1 = forms.CharField(
        label="Mật khẩu",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Vui lòng đặt mật khẩu."},
    )
    password2 = forms.CharField(
        label="Nhập lại mật khẩu",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Vui lòng nhập lại mật khẩu."},
    )

    def clean_full_name(self) -> str:
        value: str = self.cleaned_data["full_name"].strip()
        if not value:
            raise forms.ValidationError("Vui lòng nhập họ và tên.")
        return value

    def clean_id_number(self) -> str:
        value: str = self.cleaned_data["id_number"].strip()
        if not ID_NUMBER.match(value):
            raise forms.ValidationError("Số định danh cá nhân gồm đúng 12 chữ số.")
        return value

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data["phone"], required=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "Hai lần nhập mật khẩu không khớp.")
        return data

    def registration(self) -> Registration:
        d = self.cleaned_data
        return Registration(
            full_name=d["full_name"],
            id_number=d["id_number"],
            phone=d["phone"],
            email=d.get("email") or "",
            password=d["password1"],
        )


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class DocumentFiles(forms.Field):
    """The files of one document (several pages may come as several files). Their type
    and size are checked by ``file_problems``, for all the form's files at once."""

    widget = MultipleFileInput

    def __init__(self, *, label: str, required_document: bool) -> None:
        attrs = {"accept": "application/pdf,image/jpeg,image/png"}
        if required_document:
            attrs["aria-required"] = "true"
        super().__init__(label=label, required=False, widget=MultipleFileInput(attrs=attrs))

    def clean(self, value: Any) -> list[Any]:
        if not value:
            return []
        return list(value) if isinstance(value, list | tuple) else [value]


class OnlineApplicationForm(ApplicantForm):
    """The applicant, the request, one file input per document the procedure asks for
    online (required or optional: ``Procedure.online_checklist``)."""

    PHONE_REQUIRED = True

    applicant_address = forms.CharField(
        label="Địa chỉ liên hệ (nhận kết quả qua bưu chính)", max_length=300, required=False
    )
    subject = forms.CharField(
        label="Nội dung yêu cầu (nếu cần ghi rõ)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    return_method = forms.ChoiceField(
        label="Hình thức nhận kết quả",
        choices=RETURN_METHODS,
        initial="online",
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Chọn một hình thức nhận kết quả."},
    )
    confirm = forms.BooleanField(
        label="Tôi cam đoan những thông tin đã khai và giấy tờ đính kèm là đúng sự thật.",
        error_messages={"required": "Vui lòng đánh dấu lời cam đoan trước khi nộp."},
    )

    def __init__(self, *args: Any, checklist: OnlineChecklist, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.checklist = checklist
        for item in checklist.documents:
            self.fields[document_field(item.doc.pk)] = DocumentFiles(
                label=item.doc.name, required_document=item.required
            )

    @classmethod
    def initial_for(cls, user: User) -> dict[str, Any]:
        return {
            "applicant_name": user.get_full_name(),
            "applicant_id_number": user.username if user.kind == User.Kind.CITIZEN else "",
            "applicant_phone": user.phone,
            "applicant_email": user.email,
        }

    def fields_with_errors(self) -> list[forms.BoundField]:
        """The inputs at fault, in page order (the error summary links to each)."""
        return [bound for bound in self if bound.errors]

    def document_groups(self) -> list[tuple[str, list[dict[str, Any]]]]:
        """For the template: the documents in runs of the same group, each with whether
        it is required and its bound file field (its error, when it has one, described
        by the input)."""
        groups: list[tuple[str, list[dict[str, Any]]]] = []
        for item in self.checklist.documents:
            doc, name = item.doc, document_field(item.doc.pk)
            bound = self[name]
            if bound.errors:
                bound.field.widget.attrs["aria-describedby"] = f"{bound.auto_id}-error"
            if not groups or groups[-1][0] != doc.group:
                groups.append((doc.group, []))
            groups[-1][1].append({"doc": doc, "required": item.required, "field": bound})
        return groups

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("return_method") == "post" and not data.get("applicant_address"):
            self.add_error("applicant_address", "Nhận kết quả qua bưu chính cần địa chỉ.")
        scans = self.scans()
        if not scans:
            self.add_error(None, "Đính kèm ít nhất một giấy tờ của hồ sơ (PDF, JPEG hoặc PNG).")
        for problem in file_problems([s.file for s in scans]):
            self.add_error(None, problem)
        # Each required document named at its own input (the service checks the same).
        for doc in self.checklist.missing(s.required_document_id for s in scans):
            self.add_error(document_field(doc.pk), missing_document_message(doc.name))
        return data

    def application(self) -> dict[str, Any]:
        """The arguments of ``applications.apply_online`` besides who and what."""
        return {
            "applicant": self.applicant(),
            "documents": self.documents_data(),
            "scans": self.scans(),
            "subject": self.cleaned_data["subject"],
            "return_method": self.cleaned_data["return_method"],
        }

    def scans(self) -> list[Scan]:
        if not self.files:
            return []
        return [
            Scan(f, item.doc.pk)
            for item in self.checklist.documents
            for f in self.files.getlist(document_field(item.doc.pk))
        ]

    def documents_data(self) -> list[DocumentData]:
        """The documents that came with a file (electronic copies)."""
        sent = {s.required_document_id for s in self.scans()}
        return [
            DocumentData(name=item.doc.name, copy_count=1, required_document_id=item.doc.pk)
            for item in self.checklist.documents
            if item.doc.pk in sent
        ]


#: The version the page showed (a hidden field): missing or wrong only on a stale or
#: altered page.
STALE_PAGE = "Trang này đã cũ: vui lòng tải lại trang rồi gửi lại."


def _expected_version() -> forms.IntegerField:
    return forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={"required": STALE_PAGE, "invalid": STALE_PAGE, "min_value": STALE_PAGE},
    )


class SupplementForm(forms.Form):
    expected_version = _expected_version()
    note = forms.CharField(
        label="Ghi chú (không bắt buộc)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def scans(self) -> list[Scan]:
        return [Scan(f) for f in self.files.getlist("files")] if self.files else []

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.scans():
            self.add_error(None, "Đính kèm giấy tờ bổ sung (PDF, JPEG hoặc PNG).")
        for problem in file_problems([s.file for s in self.scans()]):
            self.add_error(None, problem)
        return data


class WithdrawForm(forms.Form):
    expected_version = _expected_version()
    reason = forms.CharField(
        label="Lý do rút hồ sơ",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Vui lòng ghi rõ lý do rút hồ sơ."},
    )
