from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join

from motcua.core.admin_writes import Edit, ServiceWritesAdmin
from motcua.printing.models import FormTemplate
from motcua.printing.render import FORMS, FormTemplateError, packaged_source, render_form
from motcua.printing.samples import sample_context
from motcua.printing.services import (
    deactivate_form_template,
    delete_form_template,
    save_form_template,
    validate_form_template,
)


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


class FormTemplateForm(forms.ModelForm[FormTemplate]):
    class Meta:
        model = FormTemplate
        fields = ["code", "name", "body", "is_active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 30, "cols": 110, "spellcheck": "false"})}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code, body = data.get("code"), data.get("body")
        if code and body:
            # Refused here so that the message shows on the form and nothing is saved.
            validate_form_template(code, body)
        return data

    def validate_constraints(self, exclude: Any = None) -> None:
        # Saving an active template retires the previous one (services.save_form_template).
        return


@admin.register(FormTemplate)
class FormTemplateAdmin(ServiceWritesAdmin[FormTemplate]):
    form = FormTemplateForm
    list_display = ["code", "name", "is_active", "updated_at", "preview_link"]
    list_filter = ["code", "is_active"]
    search_fields = ["name", "body"]
    readonly_fields = ["updated_at", "defaults_links"]
    actions = ["preview_selected", "deactivate_selected"]

    @admin.display(description="xem trước")
    def preview_link(self, obj: FormTemplate) -> str:
        url = reverse("admin:printing_formtemplate_preview", args=[obj.pk])
        return format_html('<a href="{}" target="_blank">PDF (dữ liệu mẫu)</a>', url)

    @admin.display(description="mẫu mặc định của motcua")
    def defaults_links(self, obj: FormTemplate | None = None) -> str:
        links = format_html_join(
            " ",
            '<a href="{}" target="_blank">{}</a>',
            ((reverse("admin:printing_formtemplate_default", args=[code]), code) for code in FORMS),
        )
        return format_html(
            "Xem trước: {} · Tạo mẫu mới từ mẫu mặc định: thêm ?code=01 vào địa chỉ trang thêm.",
            links,
        )

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<path:object_id>/xem-truoc/",
                self.admin_site.admin_view(self.preview_view),
                name="printing_formtemplate_preview",
            ),
            path(
                "mau-mac-dinh/<str:code>/",
                self.admin_site.admin_view(self.default_view),
                name="printing_formtemplate_default",
            ),
        ]
        return own + super().get_urls()

    def preview_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        row = get_object_or_404(FormTemplate, pk=object_id)
        if not self.has_view_permission(request, row):
            return HttpResponse(status=403)
        try:
            data = render_form(row.code, sample_context(row.code), source=row.body)
        except FormTemplateError as exc:
            return HttpResponse(str(exc), status=422, content_type="text/plain; charset=utf-8")
        return _pdf(data, f"mau-{row.code}-xem-truoc.pdf")

    def default_view(self, request: HttpRequest, code: str) -> HttpResponse:
        if code not in FORMS or not self.has_view_permission(request):
            return HttpResponse(status=404)
        data = render_form(code, sample_context(code), source=packaged_source(code))
        return _pdf(data, f"mau-{code}-mac-dinh.pdf")

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = dict(super().get_changeform_initial_data(request))
        code = request.GET.get("code")
        if isinstance(code, str) and code in FORMS:
            initial.setdefault("name", FORMS[code].name)
            initial["body"] = packaged_source(code)
        return initial

    def write(self, request: HttpRequest, obj: FormTemplate, edit: Edit) -> None:
        saved = save_form_template(
            code=obj.code,
            body=obj.body,
            name=obj.name,
            is_active=obj.is_active,
            template=obj if edit.change else None,
            acting_user=request.user,
        )
        obj.pk = saved.pk

    def remove(self, request: HttpRequest, obj: FormTemplate) -> None:
        delete_form_template(obj, acting_user=request.user)

    @admin.action(description="Xem trước mẫu đã chọn với dữ liệu mẫu (PDF)")
    def preview_selected(
        self, request: HttpRequest, queryset: QuerySet[FormTemplate]
    ) -> HttpResponse | None:
        rows = list(queryset[:2])
        if len(rows) != 1:
            self.message_user(request, "Hãy chọn đúng một mẫu để xem trước.", messages.WARNING)
            return None
        return self.preview_view(request, str(rows[0].pk))

    @admin.action(description="Ngừng áp dụng (dùng lại mẫu mặc định)")
    def deactivate_selected(self, request: HttpRequest, queryset: QuerySet[FormTemplate]) -> None:
        count = 0
        for row in queryset.filter(is_active=True):
            deactivate_form_template(row, acting_user=request.user)
            count += 1
        self.message_user(request, f"Đã ngừng áp dụng {count} mẫu.", messages.SUCCESS)
