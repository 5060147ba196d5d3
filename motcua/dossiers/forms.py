"""The applicant's part of an intake form, shared by the counter and the portal."""

from __future__ import annotations

from django import forms

from motcua.dossiers.services import ApplicantData

_PHONE_CHARACTERS = frozenset("0123456789 .+-()")


def clean_phone(value: str, *, required: bool) -> str:
    """A phone number as typed (9–12 digits, spaces and punctuation allowed)."""
    value = value.strip()
    if not value:
        if required:
            raise forms.ValidationError("Vui lòng nhập số điện thoại.")
        return value
    digits = sum(ch.isdigit() for ch in value)
    if not set(value) <= _PHONE_CHARACTERS or not 9 <= digits <= 12:
        raise forms.ValidationError("Số điện thoại không hợp lệ (9–12 chữ số).")
    return value


class ApplicantForm(forms.Form):
    """Who files the dossier. ``PHONE_REQUIRED``: online, the phone is how we reach them."""

    PHONE_REQUIRED = False

    applicant_name = forms.CharField(
        label="Họ và tên người nộp / tên tổ chức",
        max_length=255,
        error_messages={"required": "Vui lòng nhập họ tên người nộp hồ sơ."},
    )
    applicant_id_number = forms.CharField(
        label="Số định danh cá nhân / CCCD / mã số thuế", max_length=32, required=False
    )
    applicant_phone = forms.CharField(label="Số điện thoại", max_length=20, required=False)
    applicant_email = forms.EmailField(
        label="Thư điện tử",
        required=False,
        error_messages={"invalid": "Địa chỉ thư điện tử không hợp lệ."},
    )
    applicant_address = forms.CharField(label="Địa chỉ", max_length=300, required=False)

    def clean_applicant_name(self) -> str:
        value: str = self.cleaned_data["applicant_name"].strip()
        if not value:
            raise forms.ValidationError("Vui lòng nhập họ tên người nộp hồ sơ.")
        return value

    def clean_applicant_phone(self) -> str:
        return clean_phone(self.cleaned_data["applicant_phone"], required=self.PHONE_REQUIRED)

    def applicant(self) -> ApplicantData:
        d = self.cleaned_data
        return ApplicantData(
            name=d["applicant_name"],
            id_number=d.get("applicant_id_number", "").strip(),
            phone=d.get("applicant_phone", ""),
            email=d.get("applicant_email", ""),
            address=d.get("applicant_address", "").strip(),
        )
